"""``vigil resources scan|list`` as clients of a live ``vigil server``: credentials found as the
AWS CLI finds them (environment, a named profile in the shared credentials file), the endpoint
from the option or the environment, each resource kind, and every exit code."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.cli.scan_support import ALPINE_SBOM, VULNERABLE, store
from tests.cli.server_support import Key, ServerProcess, clean_env, start_server
from tests.service.targets import function_package
from vigil.cli.main import cli

__all__ = ["store"]  # the session fixture, imported for pytest

ACCOUNT = "210987654321"
IMAGE_HASH = "sha256:" + "cd" * 32


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, store: Path) -> Iterator[ServerProcess]:
    base = tmp_path_factory.mktemp("resources")
    server = start_server(base / "data", base / "home", "--advisory-db", str(store))
    yield server
    server.kill()


@pytest.fixture(scope="module")
def key(live: ServerProcess) -> Key:
    return live.create_key(ACCOUNT, "agent")


def vigil(live: ServerProcess, *args: str, env: dict[str, str] | None = None) -> Result:
    """``vigil ARGS`` in this process, with only the environment the test gives."""
    wanted = clean_env(live.home, env)
    # CliRunner only sets what it is given: unset what the clean environment leaves out.
    environment: dict[str, str | None] = dict.fromkeys(set(os.environ) - set(wanted))
    environment.update(wanted)
    return CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)


def listed(live: ServerProcess, key: Key) -> dict[str, Any]:
    done = vigil(live, "resources", "list", "--endpoint-url", live.url, "--json", env=key.env())
    assert done.exit_code == 0, done.stderr
    return {r["resourceId"]: r for r in json.loads(done.stdout)}


def test_a_named_profile_of_the_shared_credentials_file_signs_the_upload(
    live: ServerProcess, key: Key, tmp_path: Path
) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[vigil]\naws_access_key_id = {key.access_key_id}\n"
        f"aws_secret_access_key = {key.secret_access_key}\n"
    )
    done = vigil(
        live, "resources", "scan", f"dir:{VULNERABLE}", "--account", ACCOUNT,
        "--profile", "vigil", "--resource-id", "i-profile", "--endpoint-url", live.url, "--wait",
        env={"AWS_SHARED_CREDENTIALS_FILE": str(credentials)},
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert done.stdout == (
        "Ingested i-profile: 13 vulnerabilities observed, 13 new findings, 0 closed.\n"
    )


def test_the_endpoint_comes_from_vigil_endpoint_url(live: ServerProcess, key: Key) -> None:
    env = {**key.env(), "VIGIL_ENDPOINT_URL": live.url}
    done = vigil(
        live, "resources", "scan", f"dir:{VULNERABLE}", "--account", ACCOUNT,
        "--resource-id", "i-env", env=env,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith("Queued ingest job ")
    assert done.stdout.rstrip().endswith(" for i-env.")
    assert "i-env" in listed(live, key)


def test_an_sbom_file_is_uploaded_for_an_image(
    live: ServerProcess, key: Key, tmp_path: Path
) -> None:
    sbom = tmp_path / "curl.cdx.json"
    sbom.write_text(json.dumps(ALPINE_SBOM))
    done = vigil(
        live, "resources", "scan", str(sbom), "--sbom", "--account", ACCOUNT, "--type", "image",
        "--repository", "alpine/curl", "--image-hash", IMAGE_HASH, "--tag", "team=edge",
        "--endpoint-url", live.url, "--wait", "--json", env=key.env(),
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    job = json.loads(done.stdout)
    assert job["status"] == "SUCCEEDED"
    assert job["result"]["findings"] == 8
    image = listed(live, key)[job["resourceId"]]
    assert (
        job["resourceId"] == f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/alpine/curl/{IMAGE_HASH}"
    )
    assert image["resourceType"] == "AWS_ECR_CONTAINER_IMAGE"
    assert image["tags"] == {"team": "edge"}


def test_a_function_package_is_named_after_its_zip(
    live: ServerProcess, key: Key, tmp_path: Path
) -> None:
    function, layer = function_package(tmp_path)
    done = vigil(
        live, "resources", "scan", f"zip:{function},{layer}", "--account", ACCOUNT,
        "--type", "function", "--runtime", "python3.11", "--region", "eu-west-1",
        "--endpoint-url", live.url, "--wait", "--json", env=key.env(),
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    job = json.loads(done.stdout)
    assert job["resourceId"] == f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:function:$LATEST"
    found = listed(live, key)[job["resourceId"]]
    assert found["resourceType"] == "AWS_LAMBDA_FUNCTION"
    assert found["region"] == "eu-west-1"
    assert found["packageCount"] == 2  # click in the function, h11 in its layer


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        ([f"dir:{VULNERABLE}"], {}, 1, "no credentials"),
        (
            [f"dir:{VULNERABLE}"],
            {"AWS_ACCESS_KEY_ID": "VKIAAAAAAAAAAAAAAAAA", "AWS_SECRET_ACCESS_KEY": "x" * 40},
            1,
            "UnrecognizedClientException",
        ),
        (["dir:/nonexistent/vigil-target"], None, 2, "nonexistent"),
        ([f"dir:{VULNERABLE}", "--type", "image"], None, 2, "--image-hash"),
        (["x.json", "--sbom"], None, 2, "x.json"),
    ],
)
def test_refusals_exit_with_their_codes(
    live: ServerProcess,
    key: Key,
    args: list[str],
    env: dict[str, str] | None,
    code: int,
    message: str,
) -> None:
    done = vigil(
        live, "resources", "scan", *args, "--account", ACCOUNT, "--endpoint-url", live.url,
        env=key.env() if env is None else env,
    )  # fmt: skip
    assert done.exit_code == code, done.output
    assert message in done.stderr


def test_a_target_with_nothing_recognised_exits_3_and_uploads_nothing(
    live: ServerProcess, key: Key, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    done = vigil(
        live, "resources", "scan", f"dir:{tmp_path / 'empty'}", "--account", ACCOUNT,
        "--resource-id", "i-empty", "--endpoint-url", live.url, env=key.env(),
    )  # fmt: skip
    assert done.exit_code == 3
    assert "nothing in it was recognised" in done.stderr
    assert "i-empty" not in listed(live, key)


def test_an_unreachable_server_exits_1(live: ServerProcess, key: Key) -> None:
    done = vigil(live, "resources", "list", "--endpoint-url", "http://127.0.0.1:9", env=key.env())
    assert done.exit_code == 1
    assert "http://127.0.0.1:9" in done.stderr
