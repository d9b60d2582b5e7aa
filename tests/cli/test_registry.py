"""``vigil sbom registry:REF`` against a real registry on loopback with Basic authentication."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.cli.sboms import PURLS, purls
from tests.service.targets import oci_layout
from tests.targets.fixtures.registry import BINARY, PASSWORD, USER, Registry, push_layout
from tests.targets.fixtures.registry import running_registry as start_registry
from vigil.cli.main import cli

pytestmark = pytest.mark.skipif(
    BINARY is None, reason="docker-registry is not installed (apt-get install docker-registry)"
)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    layout = oci_layout(tmp_path_factory.mktemp("layout") / "layout", tag="1")
    with start_registry(tmp_path_factory.mktemp("basic"), auth="basic") as running:
        push_layout(running, layout, "vigil/cli", auth=True)
        yield running


def run(args: list[str], *, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
    clean = {"VIGIL_REGISTRY_USERNAME": None, "VIGIL_REGISTRY_PASSWORD": None}
    result = CliRunner(env={**clean, **(env or {})}).invoke(cli, ["sbom", *args], input=stdin)
    assert PASSWORD not in result.output  # neither on stdout nor on stderr, whatever happened
    assert "Traceback" not in result.stderr
    return result


def test_password_from_stdin(registry: Registry) -> None:
    spec = f"registry:{registry.host}/vigil/cli:1"
    args = [spec, "--insecure-registry", "--registry-username", USER]

    result = run([*args, "--registry-password-stdin"], stdin=PASSWORD + "\n")

    assert result.exit_code == 0, result.stderr
    assert purls(json.loads(result.stdout_bytes)) == PURLS


def test_credentials_from_the_environment(registry: Registry, tmp_path: Path) -> None:
    out = tmp_path / "sbom.json"
    env = {"VIGIL_REGISTRY_USERNAME": USER, "VIGIL_REGISTRY_PASSWORD": PASSWORD}

    result = run(
        [f"registry:{registry.host}/vigil/cli:1", "--insecure-registry", "-o", str(out)], env=env
    )

    assert result.exit_code == 0, result.stderr
    assert purls(json.loads(out.read_bytes())) == PURLS


def test_refused_credentials_exit_3(registry: Registry) -> None:
    env = {"VIGIL_REGISTRY_USERNAME": USER, "VIGIL_REGISTRY_PASSWORD": "wrong-" + PASSWORD}

    result = run([f"registry:{registry.host}/vigil/cli:1", "--insecure-registry"], env=env)

    assert result.exit_code == 3
    assert "access denied (401)" in result.stderr
    assert "wrong-" not in result.output


def test_https_is_the_default(registry: Registry) -> None:
    env = {"VIGIL_REGISTRY_USERNAME": USER, "VIGIL_REGISTRY_PASSWORD": PASSWORD}

    result = run([f"registry:{registry.host}/vigil/cli:1"], env=env)

    assert result.exit_code == 2  # nothing answers TLS there: no such registry
    assert f"https://{registry.host}/v2/vigil/cli/manifests/1" in result.stderr


def test_a_missing_tag_exits_2(registry: Registry) -> None:
    env = {"VIGIL_REGISTRY_USERNAME": USER, "VIGIL_REGISTRY_PASSWORD": PASSWORD}

    result = run([f"registry:{registry.host}/vigil/cli:2", "--insecure-registry"], env=env)

    assert result.exit_code == 2
    assert "no such target: " in result.stderr
    assert "/v2/vigil/cli/manifests/2: not found" in result.stderr


def test_a_password_without_a_user_is_a_usage_error() -> None:
    result = run(["registry:localhost/x:1"], env={"VIGIL_REGISTRY_PASSWORD": PASSWORD})

    assert result.exit_code == 2
    assert "VIGIL_REGISTRY_PASSWORD is set but no registry user name is given" in result.stderr
