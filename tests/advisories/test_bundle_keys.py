"""Ed25519 key files: modes, no overwriting, clear refusals that never echo key material."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from vigil.advisories.bundle_keys import (
    KeyFileError,
    generate,
    load_signing_key,
    load_verify_key,
)


def test_keygen_writes_a_private_key_only_its_owner_reads(tmp_path: Path) -> None:
    pair = generate(tmp_path / "release")

    assert (pair.private_path.name, pair.public_path.name) == ("release.key", "release.pub")
    assert pair.private_path.stat().st_mode & 0o777 == 0o600
    assert pair.public_path.stat().st_mode & 0o777 == 0o644
    signing, verify = load_signing_key(pair.private_path), load_verify_key(pair.public_path)
    assert signing.id == verify.id == pair.id
    assert len(pair.id) == 16
    assert not signing.exposed
    assert verify.verifies(signing.sign(b"message"), b"message")
    assert not verify.verifies(signing.sign(b"message"), b"messagE")
    pem = pair.private_path.read_text()
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    body = "".join(pem.splitlines()[1:-1])
    assert body not in repr(signing)
    assert body not in str(signing)


def test_openssl_reads_the_keys(tmp_path: Path) -> None:
    pair = generate(tmp_path / "k")
    done = subprocess.run(
        ["openssl", "pkey", "-in", str(pair.private_path), "-pubout"],
        capture_output=True,
        check=True,
        text=True,
    )
    assert done.stdout == pair.public_path.read_text()


def test_keys_are_never_overwritten(tmp_path: Path) -> None:
    pair = generate(tmp_path / "k")
    before = pair.private_path.read_bytes()
    with pytest.raises(KeyFileError, match="already exists; not overwriting a key"):
        generate(tmp_path / "k")
    assert pair.private_path.read_bytes() == before
    pair.private_path.unlink()
    with pytest.raises(KeyFileError, match=r"k\.pub: already exists"):
        generate(tmp_path / "k")
    assert not pair.private_path.exists()


def test_wrong_files_are_refused_without_echoing_them(tmp_path: Path) -> None:
    pair = generate(tmp_path / "k")
    private_text = pair.private_path.read_text()
    with pytest.raises(KeyFileError, match="a private key is never a trusted key") as caught:
        load_verify_key(pair.private_path)
    assert "".join(private_text.splitlines()[1:-1]) not in str(caught.value)
    with pytest.raises(KeyFileError, match="not an unencrypted PEM private key"):
        load_signing_key(pair.public_path)
    with pytest.raises(KeyFileError, match="cannot read the public key"):
        load_verify_key(tmp_path / "absent.pub")
    rsa = tmp_path / "rsa.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024",
         "-out", str(rsa)],
        capture_output=True,
        check=True,
    )  # fmt: skip
    with pytest.raises(KeyFileError, match="not an Ed25519 private key"):
        load_signing_key(rsa)


def test_a_private_key_others_can_read_is_flagged(tmp_path: Path) -> None:
    pair = generate(tmp_path / "k")
    pair.private_path.chmod(0o644)
    assert load_signing_key(pair.private_path).exposed
