"""Where findings reports and SBOM exports are written: an S3-compatible bucket, or a local
directory the operator maps to a bucket name (docs/adr/0012-report-destinations.md).

A request names its destination as Inspector's ``Destination`` (``bucketName``, ``keyPrefix``,
``kmsKeyArn``, ``expectedBucketOwner``). The operator configures, for the whole server:

- ``local_buckets``: bucket names served from local directories (``VIGIL_LOCAL_BUCKETS``,
  ``name=/abs/dir`` entries separated by commas). A request can only ever write below one of
  these directories, never a path of its own choosing;
- the S3 endpoint every other bucket name goes to (``VIGIL_S3_ENDPOINT_URL``; absent: AWS's
  own), its region (``VIGIL_S3_REGION``, default us-east-1), credentials
  (``VIGIL_S3_ACCESS_KEY_ID``/``VIGIL_S3_SECRET_ACCESS_KEY``; absent: botocore's usual chain)
  and whether objects are encrypted with the request's KMS key (``VIGIL_S3_SSE``: ``aws:kms``,
  the default, as Inspector does, or ``none`` for stores without KMS).

Writers raise :class:`DestinationError` with Inspector's ``ReportingErrorCode``; anything else
they raise is a transient failure worth retrying.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from vigil.service import report_records as codes

KMS_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_+=,.@:-]+")
_UNSAFE_SEGMENTS = frozenset({"", ".", ".."})
_S3_CODES = {
    "NoSuchBucket": codes.BUCKET_NOT_FOUND,
    "AccessDenied": codes.INVALID_PERMISSIONS,
    "AllAccessDisabled": codes.INVALID_PERMISSIONS,
    "InvalidAccessKeyId": codes.INVALID_PERMISSIONS,
    "SignatureDoesNotMatch": codes.INVALID_PERMISSIONS,
    "PermanentRedirect": codes.INCOMPATIBLE_BUCKET_REGION,
    "AuthorizationHeaderMalformed": codes.INCOMPATIBLE_BUCKET_REGION,
    "IllegalLocationConstraintException": codes.INCOMPATIBLE_BUCKET_REGION,
    "KMS.NotFoundException": codes.MALFORMED_KMS_KEY,
    "KMS.DisabledException": codes.MALFORMED_KMS_KEY,
    "KMS.InvalidKeyUsageException": codes.MALFORMED_KMS_KEY,
}


class DestinationError(Exception):
    """The destination refused the export for a reason a retry will not change."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class InvalidKeyPrefix(ValueError):
    """A key prefix that could climb out of its bucket on a local destination."""


class ObjectWriter(Protocol):
    def put(self, key: str, body: IO[bytes], content_type: str) -> str:
        """Store ``body`` (a seekable file at offset 0) under ``key``; where it went."""
        ...


@dataclass(frozen=True)
class S3Settings:
    endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None
    sse: str = "aws:kms"  # or "none"


@dataclass(frozen=True)
class ReportDestinations:
    local_buckets: Mapping[str, Path] = field(default_factory=dict)
    s3: S3Settings = field(default_factory=S3Settings)

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> ReportDestinations:
        env = os.environ if env is None else env
        sse = env.get("VIGIL_S3_SSE", "aws:kms")
        if sse not in ("aws:kms", "none"):
            raise ValueError(f"VIGIL_S3_SSE must be aws:kms or none, not {sse!r}")
        return cls(
            local_buckets=parse_local_buckets(env.get("VIGIL_LOCAL_BUCKETS", "")),
            s3=S3Settings(
                endpoint_url=env.get("VIGIL_S3_ENDPOINT_URL") or None,
                region=env.get("VIGIL_S3_REGION") or "us-east-1",
                access_key_id=env.get("VIGIL_S3_ACCESS_KEY_ID") or None,
                secret_access_key=env.get("VIGIL_S3_SECRET_ACCESS_KEY") or None,
                sse=sse,
            ),
        )

    def writer(self, destination: Mapping[str, Any]) -> ObjectWriter:
        """The writer for a request's destination; DestinationError for a bad KMS key ARN."""
        kms_key = str(destination.get("kmsKeyArn", ""))
        if not KMS_KEY_ARN.fullmatch(kms_key):
            raise DestinationError(codes.MALFORMED_KMS_KEY, f"not a KMS key ARN: {kms_key!r}")
        bucket = str(destination["bucketName"])
        local = self.local_buckets.get(bucket)
        if local is not None:
            return LocalWriter(local)
        owner = destination.get("expectedBucketOwner")
        return S3Writer(self.s3, bucket, kms_key, None if owner is None else str(owner))


def parse_local_buckets(text: str) -> dict[str, Path]:
    """``name=/abs/dir,name2=/other`` → {name: Path}; relative directories are refused."""
    buckets: dict[str, Path] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        name, equals, directory = (part.strip() for part in entry.partition("="))
        if not equals or not name or not Path(directory).is_absolute():
            raise ValueError(f"local bucket {entry!r} is not NAME=/absolute/directory")
        buckets[name] = Path(directory)
    return buckets


def object_key(key_prefix: str | None, name: str) -> str:
    """``name`` under the request's prefix, as S3 keys are written (``prefix/name``)."""
    segments = split_prefix(key_prefix)
    return "/".join([*segments, name])


def split_prefix(key_prefix: str | None) -> list[str]:
    """The prefix's path segments; InvalidKeyPrefix for ``..``, ``.`` or control characters."""
    text = (key_prefix or "").strip("/")
    if not text:
        return []
    segments = text.split("/")
    for segment in segments:
        if segment in _UNSAFE_SEGMENTS or "\\" in segment or any(ord(ch) < 32 for ch in segment):
            raise InvalidKeyPrefix(f"keyPrefix segment {segment!r} is not allowed")
    return segments


class LocalWriter:
    """Objects as files below one configured directory, each written whole or not at all."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, key: str, body: IO[bytes], content_type: str) -> str:
        root = self.root.resolve()
        if not root.is_dir():
            raise DestinationError(codes.BUCKET_NOT_FOUND, "the local bucket's directory is gone")
        *folders, name = key.split("/")
        split_prefix("/".join(folders))  # refuses "..", whatever produced the key
        parent = root.joinpath(*folders)
        try:
            parent.mkdir(parents=True, exist_ok=True)
            # A symlink planted below the root must not carry the file elsewhere.
            if not parent.resolve().is_relative_to(root):
                raise DestinationError(codes.INVALID_PERMISSIONS, f"{key!r} leaves the bucket")
            handle, temporary = tempfile.mkstemp(dir=parent, prefix=".incoming-")
            with os.fdopen(handle, "wb") as out:
                while chunk := body.read(1 << 20):
                    out.write(chunk)
            os.replace(temporary, parent / name)
        except PermissionError as exc:
            raise DestinationError(codes.INVALID_PERMISSIONS, str(exc)) from None
        return str(parent / name)


class S3Writer:
    """Objects put with botocore's own S3 client to the configured endpoint."""

    def __init__(
        self, settings: S3Settings, bucket: str, kms_key: str, expected_owner: str | None
    ) -> None:
        self.settings = settings
        self.bucket = bucket
        self.kms_key = kms_key
        self.expected_owner = expected_owner

    def put(self, key: str, body: IO[bytes], content_type: str) -> str:
        settings = self.settings
        client = botocore.session.get_session().create_client(
            "s3",
            region_name=settings.region,
            endpoint_url=settings.endpoint_url,
            aws_access_key_id=settings.access_key_id,
            aws_secret_access_key=settings.secret_access_key,
            config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard"}),
        )
        params: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "Body": body,
            "ContentType": content_type,
        }
        if settings.sse == "aws:kms":
            params.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=self.kms_key)
        if self.expected_owner is not None:
            params["ExpectedBucketOwner"] = self.expected_owner
        try:
            client.put_object(**params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = _S3_CODES.get(str(error.get("Code", "")))
            if code is None:
                raise
            message = f"s3://{self.bucket}/{key}: {error.get('Message')}"
            raise DestinationError(code, message) from None
        finally:
            client.close()
        return f"s3://{self.bucket}/{key}"
