"""Candidate index by (ecosystem, name) and the matchers that decide with parsed versions.

``Matcher(store).match(inventory)`` returns a ``MatchResult``: one ``Match`` per (package,
vulnerability) with its fix state and the advisory entries behind it, plus a warning for every
package an advisory could not be decided for.
"""

from vigil.matching.index import CandidateIndex
from vigil.matching.matcher import Matcher
from vigil.matching.model import FixState, Match, MatchReason, MatchResult, MatchWarning
from vigil.matching.scope import Scope, scope_of

__all__ = [
    "CandidateIndex",
    "FixState",
    "Match",
    "MatchReason",
    "MatchResult",
    "MatchWarning",
    "Matcher",
    "Scope",
    "scope_of",
]
