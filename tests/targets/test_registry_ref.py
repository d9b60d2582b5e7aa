"""Registry options keep credentials out of anything that might be printed or logged."""

from __future__ import annotations

from vigil.targets.registry_ref import RegistryOptions


def test_options_never_show_the_password() -> None:
    options = RegistryOptions(credentials=("alice", "s3cret-pw"))
    assert "s3cret-pw" not in repr(options)
    assert "s3cret-pw" not in str(options)
    assert options.credentials == ("alice", "s3cret-pw")
