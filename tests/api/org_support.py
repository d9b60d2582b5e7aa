"""An organisation on a live API: management account M, delegated administrator D with member
A, and a standalone account B, each with an admin key and an unmodified boto3 client.

M's key is issued first, which makes M the management account (ADR 11).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.apiserver import Key, LiveApi, start_api

M = "100000000000"
D = "200000000000"
A = "300000000000"
B = "400000000000"


@dataclass
class Org:
    api: LiveApi
    keys: dict[str, Key]
    clients: dict[str, Any]

    def client(self, account: str) -> Any:
        return self.clients[account]

    def key(self, account: str, role: str) -> Key:
        """A further key of ``account`` with ``role``."""
        return self.api.create_key(account, role)

    def again(self, account: str) -> Any:
        """A client of a new admin key of ``account``: repeating a write within the same second
        through the first client would carry the same signature and be refused as a replay."""
        return self.api.client(self.key(account, "admin"))


def build_org(api: LiveApi, *, associate: bool = True) -> Org:
    keys = {account: api.create_key(account, "admin") for account in (M, D, A, B)}
    clients = {account: api.client(key) for account, key in keys.items()}
    org = Org(api, keys, clients)
    # Set up through keys of their own, so that a test repeating these calls at once through
    # the clients above is not refused as a replay.
    org.again(M).enable_delegated_admin_account(delegatedAdminAccountId=D)
    if associate:
        org.again(D).associate_member(accountId=A)
    return org


@contextmanager
def live_org(data_dir: Path, *, database_url: str | None = None) -> Iterator[Org]:
    with start_api(data_dir, database_url=database_url) as api:
        yield build_org(api)
