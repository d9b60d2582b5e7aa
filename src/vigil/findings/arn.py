"""Finding ARNs: ``arn:{partition}:inspector2:{region}:{account}:finding/{32 hex}``.

The 32 hex digits come from an injected id factory. A one-shot scan uses ``stable_finding_id``:
derived from (account, resource id, vulnerability id), so rescanning the same target names the
same finding the same way, which is what lets a CI system or an ignore list track it.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable

FindingIdFactory = Callable[[str, str, str], str]  # (account, resource id, vulnerability id)

_HEX32 = re.compile(r"[0-9a-f]{32}")


def stable_finding_id(account: str, resource_id: str, vulnerability_id: str) -> str:
    text = "\x00".join((account, resource_id, vulnerability_id))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def random_finding_id(account: str, resource_id: str, vulnerability_id: str) -> str:
    """A fresh id, for findings a store keeps (it remembers the ARN, so it needs no derivation)."""
    return uuid.uuid4().hex


def finding_arn(partition: str, region: str, account: str, finding_id: str) -> str:
    if not _HEX32.fullmatch(finding_id):
        raise ValueError(f"a finding id is 32 lower-case hex digits: {finding_id!r}")
    return f"arn:{partition}:inspector2:{region}:{account}:finding/{finding_id}"
