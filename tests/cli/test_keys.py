"""``vigil keys create|list|revoke`` on the embedded store and on PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from click.testing import CliRunner, Result

from tests.apiserver import Key, start_api
from vigil.cli.main import cli


def vigil(data_dir: Path, *args: str, url: str | None = None) -> Result:
    where = ["--data-dir", str(data_dir)] + (["--database-url", url] if url else [])
    return CliRunner().invoke(cli, [*args, *where], catch_exceptions=False)


def create(data_dir: Path, account: str, role: str, *more: str) -> dict[str, Any]:
    done = vigil(data_dir, "keys", "create", "--account", account, "--role", role, "--json", *more)
    assert done.exit_code == 0, done.output
    created: dict[str, Any] = json.loads(done.stdout)
    return created


def test_create_prints_exactly_the_key_and_its_secret(tmp_path: Path) -> None:
    created = create(tmp_path, "123456789012", "analyst", "--description", "ci")

    assert set(created) == {"accessKeyId", "secretAccessKey"}
    assert created["accessKeyId"].startswith("VKIA")
    assert len(created["secretAccessKey"]) == 40
    assert (tmp_path / "master.key").stat().st_mode & 0o777 == 0o600
    # The embedded database holds the secret sealed, never in clear.
    database = (tmp_path / "vigil.db").read_bytes()
    assert created["secretAccessKey"].encode() not in database
    with sqlite3.connect(tmp_path / "vigil.db") as db:
        (role, note) = db.execute("select role, description from access_keys").fetchone()
    assert (role, note) == ("analyst", "ci")


def test_create_in_words_says_the_secret_is_shown_once(tmp_path: Path) -> None:
    done = vigil(tmp_path, "keys", "create", "--account", "123456789012", "--role", "admin")

    assert done.exit_code == 0, done.output
    assert "Secret access key: " in done.stdout
    assert "shown only this once" in done.stdout


def test_list_shows_keys_without_secrets_and_revoke_marks_them(tmp_path: Path) -> None:
    one = create(tmp_path, "123456789012", "admin")
    two = create(tmp_path, "210987654321", "agent")

    revoked = vigil(tmp_path, "keys", "revoke", two["accessKeyId"], "--json")
    listed = vigil(tmp_path, "keys", "list", "--json")
    mine = vigil(tmp_path, "keys", "list", "--account", "123456789012", "--json")
    table = vigil(tmp_path, "keys", "list")

    assert revoked.exit_code == 0, revoked.output
    assert json.loads(revoked.stdout)["status"] == "REVOKED"
    rows = {row["accessKeyId"]: row for row in json.loads(listed.stdout)}
    assert {k: rows[k]["status"] for k in rows} == {
        one["accessKeyId"]: "ACTIVE",
        two["accessKeyId"]: "REVOKED",
    }
    assert rows[two["accessKeyId"]]["revokedAt"] is not None
    assert [row["accessKeyId"] for row in json.loads(mine.stdout)] == [one["accessKeyId"]]
    for output in (listed.stdout, table.stdout):
        assert one["secretAccessKey"] not in output
        assert two["secretAccessKey"] not in output
    assert one["accessKeyId"] in table.stdout


def test_revoking_an_unknown_key_fails(tmp_path: Path) -> None:
    done = vigil(tmp_path, "keys", "revoke", "VKIAAAAAAAAAAAAAAAAA")

    assert done.exit_code == 1
    assert "no such access key" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "12345", "--role", "admin"], "12 digits"),
        (["--account", "123456789012", "--role", "root"], "'root' is not one of"),
        (["--role", "admin"], "Missing option '--account'"),
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    done = vigil(tmp_path, "keys", "create", *args)

    assert done.exit_code == 2
    assert message in done.stderr


def test_an_exposed_master_key_is_refused(tmp_path: Path) -> None:
    create(tmp_path, "123456789012", "admin")
    (tmp_path / "master.key").chmod(0o640)

    done = vigil(tmp_path, "keys", "list")

    assert done.exit_code == 1
    assert "readable by others" in done.stderr


def test_keys_on_postgresql_sign_requests_to_a_server_on_postgresql(
    tmp_path: Path, postgres_database_url: str
) -> None:
    created = create(tmp_path, "123456789012", "admin", "--database-url", postgres_database_url)
    with start_api(tmp_path, database_url=postgres_database_url) as api:
        key_id = created["accessKeyId"]
        client = api.client(Key(key_id, created["secretAccessKey"]))
        assert len(client.list_account_permissions()["permissions"]) == 8
        assert vigil(tmp_path, "keys", "revoke", key_id, url=postgres_database_url).exit_code == 0
        with pytest.raises(ClientError) as raised:
            client.list_account_permissions()
    assert raised.value.response["Error"]["Code"] == "UnrecognizedClientException"
