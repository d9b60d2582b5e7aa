"""Signature Version 4 verification of a request, with botocore's own canonicalisation.

The request is rebuilt as a botocore ``AWSRequest`` from what arrived on the wire: the path
exactly as sent (still percent-encoded: botocore encodes it once more while canonicalising, and
so must the server), the query as decoded pairs (re-encoded and sorted by botocore, which also
makes repeated keys such as ``tagKeys=a&tagKeys=b`` come out as the client signed them), and only
the headers the client lists in ``SignedHeaders``. ``SigV4Auth`` then computes the signature the
client must have computed; the two are compared in constant time.

Refusals carry the codes AWS's front ends use: ``MissingAuthenticationTokenException``,
``IncompleteSignatureException`` (400), ``UnrecognizedClientException`` (unknown or revoked key)
and ``InvalidSignatureException`` (wrong signature, wrong scope, stale timestamp, replay).

Replays are refused for operations that change something. Reads are exempt on purpose:
botocore signs only ``content-type``, ``host`` and ``x-amz-date`` (not its per-call
``amz-sdk-invocation-id``), so two identical reads within one second — polling a report's
status, a retry after a dropped connection — carry the same signature and are legitimate; a
replayed read shows only what the first answer showed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from vigil.api.errors import ApiError, auth_error
from vigil.service.api_context import Caller
from vigil.service.keys import Credential, KeyService

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = timedelta(minutes=5)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignedRequest:
    """What arrived: method, raw path and query, headers (lower-case names, in order), body."""

    method: str
    raw_path: str
    raw_query: str
    headers: Sequence[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Verified:
    caller: Caller
    region: str
    signature: str


@dataclass(frozen=True)
class _Authorization:
    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def verify(
    request: SignedRequest,
    service: str,
    keys: KeyService,
    now: datetime,
    *,
    refuse_replays: bool = True,
) -> Verified:
    """The caller of a correctly signed, fresh (and, if asked, first-seen) request."""
    auth = _authorization(request)
    amz_date = _header(request, "x-amz-date")
    if amz_date is None:
        raise _incomplete("Authorization requires an 'X-Amz-Date' header")
    try:
        signed_at = datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        raise _incomplete(
            f"X-Amz-Date {amz_date!r} is not in the form YYYYMMDD'T'HHMMSS'Z'"
        ) from None
    if auth.date != amz_date[:8]:
        raise _invalid(f"Credential date {auth.date} does not match X-Amz-Date {amz_date}")
    if auth.service != service:
        raise _invalid(f"Credential should be scoped to correct service: '{service}'.")
    if not _REGION.fullmatch(auth.region):
        raise _invalid(f"Credential should be scoped to a valid region, not '{auth.region}'.")
    _check_fresh(amz_date, signed_at, now)
    credential = keys.credential(auth.access_key_id)
    if credential is None or not credential.active:
        _log.info("refused a request signed with unknown or revoked key %s", auth.access_key_id)
        raise auth_error(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    expected = _signature(request, auth, amz_date, credential)
    if not hmac.compare_digest(expected, auth.signature):
        _log.info("refused a request with a wrong signature for key %s", auth.access_key_id)
        raise _invalid(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method."
        )
    if refuse_replays and not keys.remember_signature(auth.signature):
        _log.info("refused a replayed request of key %s", auth.access_key_id)
        raise _invalid("The request signature has already been used.")
    keys.mark_used(credential.access_key_id, credential.last_used_at)
    caller = Caller(credential.account_id, credential.role, credential.access_key_id)
    return Verified(caller, auth.region, auth.signature)


def _authorization(request: SignedRequest) -> _Authorization:
    header = _header(request, "authorization")
    if header is None:
        raise auth_error("MissingAuthenticationTokenException", "Missing Authentication Token")
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise _incomplete(f"Unsupported Authorization algorithm; Vigil accepts {ALGORITHM}")
    parts: dict[str, str] = {}
    for item in rest.split(","):
        name, sep, value = item.strip().partition("=")
        if sep:
            parts[name] = value
    for needed in ("Credential", "SignedHeaders", "Signature"):
        if not parts.get(needed):
            raise _incomplete(f"Authorization header requires '{needed}' parameter.")
    scope = parts["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not all(scope):
        raise _incomplete(
            "Credential must have the form <key id>/<date>/<region>/<service>/aws4_request."
        )
    if not _SIGNATURE.fullmatch(parts["Signature"]):
        raise _incomplete("Signature must be 64 lower-case hexadecimal digits.")
    signed = tuple(parts["SignedHeaders"].split(";"))
    if "host" not in signed:
        raise _invalid("'Host' must be a signed header.")
    key_id, date, region, service = scope[:4]
    return _Authorization(key_id, date, region, service, signed, parts["Signature"])


def _check_fresh(amz_date: str, signed_at: datetime, now: datetime) -> None:
    stamp = _AMZ_DATE
    if signed_at < now - MAX_SKEW:
        earliest = (now - MAX_SKEW).strftime(stamp)
        raise _invalid(
            f"Signature expired: {amz_date} is now earlier than {earliest} "
            f"({now.strftime(stamp)} - 5 min.)"
        )
    if signed_at > now + MAX_SKEW:
        latest = (now + MAX_SKEW).strftime(stamp)
        raise _invalid(
            f"Signature not yet current: {amz_date} is still later than {latest} "
            f"({now.strftime(stamp)} + 5 min.)"
        )


def _signature(
    request: SignedRequest, auth: _Authorization, amz_date: str, credential: Credential
) -> str:
    declared = _header(request, "x-amz-content-sha256")
    if declared is not None and declared != hashlib.sha256(request.body).hexdigest():
        raise _invalid(
            "The provided 'x-amz-content-sha256' header does not match what was computed."
        )
    host = _header(request, "host") or ""
    pairs = [query_pair(item) for item in request.raw_query.split("&") if item]
    rebuilt = AWSRequest(
        method=request.method, url=f"http://{host}{request.raw_path}", data=request.body
    )
    rebuilt.params = pairs
    wanted = set(auth.signed_headers)
    for name, value in request.headers:
        if name in wanted:
            rebuilt.headers[name] = value
    missing = wanted - {name for name, _ in request.headers}
    if missing:
        raise _invalid(f"Signed headers are missing from the request: {', '.join(sorted(missing))}")
    rebuilt.context["timestamp"] = amz_date
    signer = SigV4Auth(
        Credentials(credential.access_key_id, credential.secret), auth.service, auth.region
    )
    canonical = signer.canonical_request(rebuilt)
    return str(signer.signature(signer.string_to_sign(rebuilt, canonical), rebuilt))


def query_pair(item: str) -> tuple[str, str]:
    key, _, value = item.partition("=")
    return unquote(key), unquote(value)


def _header(request: SignedRequest, name: str) -> str | None:
    for key, value in request.headers:
        if key == name:
            return value
    return None


def _incomplete(message: str) -> ApiError:
    return auth_error("IncompleteSignatureException", message, status=400)


def _invalid(message: str) -> ApiError:
    return auth_error("InvalidSignatureException", message)
