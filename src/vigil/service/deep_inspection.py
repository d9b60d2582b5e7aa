"""EC2 deep inspection: activation per account, custom package paths, the organisation's paths.

Each account keeps up to five package paths of its own; the delegated administrator sets up to
five ``orgPackagePaths`` that its members scan as well (the model's limits). Deep inspection is
ACTIVATED by default, as for every Inspector account enabled since April 2023. A member may set
its own paths and activate itself but not deactivate (its administrator does, through
BatchUpdateMemberEc2DeepInspectionStatus). Paths must be absolute local paths as the model's
``Path`` pattern says; nothing is ever read from them on the server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine

from vigil.db.engine import write_transaction
from vigil.service.account_ids import is_account_id
from vigil.service.api_context import Caller
from vigil.service.configuration_store import load, save
from vigil.service.organization import delegated_admin
from vigil.service.request_errors import Denied, InvalidParameter
from vigil.service.visibility import accounts_visible_to, admin_of, may_act_for

ACTIVATED = "ACTIVATED"
DEACTIVATED = "DEACTIVATED"
MAX_PATHS = 5
# The model's Path pattern: a POSIX absolute path or a Windows drive path.
_PATH = re.compile(
    r"(?:(?:/(?:\.[-\w]+|[-\w]+(?:[. ][-\w]+)*))+/?"
    r"|[A-Za-z]:\\(?:[-\w]+(?:[. ][-\w]+)*\\)*[-\w]+(?:[. ][-\w]+)*)"
)


def get(engine: Engine, caller: Caller) -> dict[str, Any]:
    with engine.connect() as connection:
        return _view(connection, caller.account_id)


def update(
    engine: Engine, caller: Caller, params: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    own = caller.account_id
    activate = params.get("activateDeepInspection")
    paths = params.get("packagePaths")
    if paths is not None:
        paths = _paths("packagePaths", paths)
    with write_transaction(engine) as connection:
        if activate is False and admin_of(connection, own) is not None:
            raise Denied("A member's deep inspection is deactivated by its delegated administrator")
        document = load(connection, own)
        part = dict(document.get("deepInspection") or {})
        if activate is not None:
            part["status"] = ACTIVATED if activate else DEACTIVATED
        if paths is not None:
            part["packagePaths"] = paths
        document["deepInspection"] = part
        save(connection, own, document, now)
        return _view(connection, own)


def update_org(engine: Engine, caller: Caller, params: Mapping[str, Any], now: datetime) -> None:
    paths = _paths("orgPackagePaths", params["orgPackagePaths"])
    with write_transaction(engine) as connection:
        if delegated_admin(connection) != caller.account_id:
            raise Denied("Only the delegated administrator sets the organisation's package paths")
        document = load(connection, caller.account_id)
        document["orgPackagePaths"] = paths
        save(connection, caller.account_id, document, now)


def batch_get_members(engine: Engine, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    done: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    with engine.connect() as connection:
        named = params.get("accountIds") or sorted(
            accounts_visible_to(connection, caller.account_id)
        )
        for account in dict.fromkeys(named):
            if not _may(connection, caller, account):
                failed.append(_refused(account))
                continue
            done.append({"accountId": account, "status": _status(load(connection, account))})
    return {"accountIds": done, "failedAccountIds": failed}


def batch_update_members(
    engine: Engine, caller: Caller, params: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    done: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    with write_transaction(engine) as connection:
        for item in params["accountIds"]:
            account = item["accountId"]
            if not _may(connection, caller, account):
                failed.append(_refused(account))
                continue
            document = load(connection, account)
            part = dict(document.get("deepInspection") or {})
            part["status"] = ACTIVATED if item["activateDeepInspection"] else DEACTIVATED
            document["deepInspection"] = part
            save(connection, account, document, now)
            done.append({"accountId": account, "status": part["status"]})
    return {"accountIds": done, "failedAccountIds": failed}


def _may(connection: Connection, caller: Caller, account: str) -> bool:
    return is_account_id(account) and may_act_for(connection, caller.account_id, account)


def _refused(account: str) -> dict[str, Any]:
    return {
        "accountId": account,
        "errorMessage": "Not the caller nor a member of the caller's organisation",
    }


def _view(connection: Connection, account: str) -> dict[str, Any]:
    document = load(connection, account)
    admin = admin_of(connection, account)
    org_source = load(connection, admin) if admin is not None else document
    return {
        "packagePaths": list((document.get("deepInspection") or {}).get("packagePaths") or []),
        "orgPackagePaths": list(org_source.get("orgPackagePaths") or []),
        "status": _status(document),
    }


def _status(document: Mapping[str, Any]) -> str:
    return str((document.get("deepInspection") or {}).get("status") or ACTIVATED)


def _paths(field: str, paths: Sequence[str]) -> list[str]:
    unique = list(dict.fromkeys(paths))
    if len(unique) > MAX_PATHS:
        raise InvalidParameter(field, f"at most {MAX_PATHS} paths")
    for path in unique:
        if not _PATH.fullmatch(path):
            raise InvalidParameter(field, f"{path!r} is not an absolute local path")
    return unique
