"""Enable, Disable and BatchGetAccountStatus: which scan types each account has switched on.

A call names accounts (by default the caller's own). Each named account the caller may not act
for (:mod:`vigil.service.visibility`) comes back in ``failedAccounts`` with ``ACCESS_DENIED``
and nothing about it, so a foreign account's state never leaks and is never changed. As in
Inspector, a member cannot deactivate itself (its delegated administrator does), and a delegated
administrator cannot switch itself off entirely while it still has members
(``DISASSOCIATE_ALL_MEMBERS``). Vigil applies a change at once, so statuses are never
``ENABLING``/``DISABLING``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from vigil.db.engine import write_transaction
from vigil.db.tables import accounts
from vigil.service.account_ids import check_account_id
from vigil.service.api_context import Caller
from vigil.service.request_errors import InvalidParameter
from vigil.service.scan_types import (
    DISABLED,
    ENABLED,
    MEMBERS,
    account_status,
    resource_status,
    set_types,
    stored_types,
)
from vigil.service.visibility import may_act_for

# State's errorCode and errorMessage are required by the model even when nothing failed; Vigil
# fills them with the ErrorCode closest to the state (ADR 11). Read ``status``.
_STATE_NOTES = {
    ENABLED: ("ALREADY_ENABLED", "Scanning is enabled"),
    DISABLED: ("RESOURCE_NOT_FOUND", "Scanning is not enabled"),
}


def enable(
    engine: Engine, caller: Caller, params: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    kinds = _kinds(params["resourceTypes"])
    done: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    with write_transaction(engine) as connection:
        for account in _named(params, caller):
            if not may_act_for(connection, caller.account_id, account):
                failed.append(_denied(account))
                continue
            done.append(_account(account, set_types(connection, account, kinds, ENABLED, now)))
    return {"accounts": done, "failedAccounts": failed}


def disable(
    engine: Engine, caller: Caller, params: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    kinds = _kinds(params.get("resourceTypes") or list(MEMBERS))
    done: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    with write_transaction(engine) as connection:
        for account in _named(params, caller):
            refusal = _may_disable(connection, caller, account, kinds)
            if refusal is not None:
                failed.append(refusal)
                continue
            done.append(_account(account, set_types(connection, account, kinds, DISABLED, now)))
    return {"accounts": done, "failedAccounts": failed}


def batch_get_account_status(
    engine: Engine, caller: Caller, params: Mapping[str, Any]
) -> dict[str, Any]:
    states: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    with engine.connect() as connection:
        for account in _named(params, caller):
            if not may_act_for(connection, caller.account_id, account):
                failed.append(_denied(account))
                continue
            types = stored_types(connection, account)
            states.append(
                {
                    "accountId": account,
                    "state": _state(account_status(types)),
                    "resourceState": {
                        member: _state(status) for member, status in resource_status(types).items()
                    },
                }
            )
    return {"accounts": states, "failedAccounts": failed}


def _may_disable(
    connection: Connection, caller: Caller, account: str, kinds: Sequence[str]
) -> dict[str, Any] | None:
    if not may_act_for(connection, caller.account_id, account):
        return _denied(account)
    row = connection.execute(
        select(accounts.c.delegated_admin_id, accounts.c.scan_types).where(
            accounts.c.account_id == account
        )
    ).one_or_none()
    if row is None:
        return None
    if account == caller.account_id and row.delegated_admin_id is not None:
        return _failure(
            account,
            "ACCESS_DENIED",
            "A member account is deactivated by its delegated administrator",
            row.scan_types,
        )
    remaining = {**(row.scan_types or {}), **dict.fromkeys(kinds, DISABLED)}
    if account_status(remaining) == DISABLED and _has_members(connection, account):
        return _failure(
            account,
            "DISASSOCIATE_ALL_MEMBERS",
            "Disassociate every member before deactivating the delegated administrator",
            row.scan_types,
        )
    return None


def _has_members(connection: Connection, account: str) -> bool:
    query = select(func.count()).where(accounts.c.delegated_admin_id == account)
    return int(connection.execute(query).scalar_one()) > 0


def _named(params: Mapping[str, Any], caller: Caller) -> list[str]:
    named = params.get("accountIds")
    if not named:
        return [caller.account_id]
    ids = [check_account_id("accountIds", item) for item in named]
    return list(dict.fromkeys(ids))


def _kinds(requested: Iterable[str]) -> list[str]:
    kinds = list(dict.fromkeys(requested))
    unknown = [kind for kind in kinds if kind not in MEMBERS]
    if unknown:
        raise InvalidParameter(
            "resourceTypes",
            f"Vigil does not scan {', '.join(unknown)}; it scans {', '.join(MEMBERS)}",
        )
    return kinds


def _account(account: str, types: Mapping[str, str]) -> dict[str, Any]:
    return {
        "accountId": account,
        "status": account_status(types),
        "resourceStatus": resource_status(types),
    }


def _state(status: str) -> dict[str, str]:
    code, message = _STATE_NOTES.get(status, _STATE_NOTES[DISABLED])
    return {"status": status, "errorCode": code, "errorMessage": message}


def _denied(account: str) -> dict[str, Any]:
    # Nothing about the account itself: the caller may not know whether it exists.
    return {
        "accountId": account,
        "errorCode": "ACCESS_DENIED",
        "errorMessage": "The caller may act only for itself and, as delegated administrator, "
        "for its members",
    }


def _failure(
    account: str, code: str, message: str, types: Mapping[str, str] | None
) -> dict[str, Any]:
    return {
        "accountId": account,
        "status": account_status(types),
        "resourceStatus": resource_status(types),
        "errorCode": code,
        "errorMessage": message,
    }
