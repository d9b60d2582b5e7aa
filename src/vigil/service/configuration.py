"""GetConfiguration and UpdateConfiguration: ECR rescan durations and the EC2 scan mode.

Who may do what follows Inspector: any account reads its own settings, a delegated administrator
also its members' (``accountId``); members cannot update; a standalone account or a delegated
administrator updates itself, and the administrator's own settings are what members inherit.
With ``accountId`` the administrator configures one member, and ``updateConfigurationInheritance``
(``INHERIT_FROM_ADMIN``) puts a member back on the inherited settings. Vigil scans no AMIs and
runs no agentless VM scanner, so ``amiConfiguration`` and ``activateVMScanner`` are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from vigil.db.engine import write_transaction
from vigil.service.account_ids import check_account_id
from vigil.service.api_context import Caller
from vigil.service.configuration_store import effective_part, load, save
from vigil.service.request_errors import Denied, InvalidParameter
from vigil.service.visibility import admin_of, may_act_for

_SUCCESS = "SUCCESS"  # Vigil applies a setting at once: nothing is ever PENDING
_PARTS = {"ecrConfiguration": "ecr", "ec2Configuration": "ec2"}


def get_configuration(engine: Engine, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    account = check_account_id("accountId", params.get("accountId") or caller.account_id)
    with engine.connect() as connection:
        if not may_act_for(connection, caller.account_id, account):
            raise Denied(f"Account {caller.account_id} may not read another account's settings")
        ecr = effective_part(connection, account, "ecr")
        ec2 = effective_part(connection, account, "ec2")
    state = {
        "rescanDuration": ecr["rescanDuration"],
        "status": _SUCCESS,
        "pullDateRescanDuration": ecr["pullDateRescanDuration"],
        "pullDateRescanMode": ecr["pullDateRescanMode"],
        "updatedAt": _moment(ecr.get("updatedAt")),
    }
    return {
        "ecrConfiguration": {"rescanDurationState": state},
        "ec2Configuration": {
            "scanModeState": {"scanMode": ec2["scanMode"], "scanModeStatus": _SUCCESS}
        },
    }


def update_configuration(
    engine: Engine, caller: Caller, params: Mapping[str, Any], now: datetime
) -> None:
    if params.get("amiConfiguration") is not None:
        raise InvalidParameter("amiConfiguration", "Vigil does not scan Amazon Machine Images")
    ec2 = params.get("ec2Configuration")
    if ec2 is not None and ec2.get("activateVMScanner"):
        raise InvalidParameter("ec2Configuration.activateVMScanner", "Vigil has no VM scanner")
    inheritance = dict(params.get("updateConfigurationInheritance") or {})
    inheritance.pop("amiConfiguration", None)  # nothing to inherit: no AMI settings exist
    changes = {part: params[name] for name, part in _PARTS.items() if params.get(name) is not None}
    resets = [_PARTS[name] for name in inheritance if name in _PARTS]
    if not changes and not resets:
        raise InvalidParameter("ecrConfiguration", "give ecrConfiguration or ec2Configuration")
    own = caller.account_id
    target = check_account_id("accountId", params.get("accountId") or own)
    with write_transaction(engine) as connection:
        if admin_of(connection, own) is not None:
            raise Denied("A member account's settings are managed by its delegated administrator")
        if not may_act_for(connection, own, target):
            raise Denied(f"Account {target} is not a member of account {own}")
        if resets:
            if target == own:
                raise InvalidParameter("accountId", "name the member that inherits the settings")
            for part in resets:
                if part in changes:
                    raise InvalidParameter(
                        "updateConfigurationInheritance",
                        f"cannot inherit and set the {part.upper()} settings in one call",
                    )
        document = load(connection, target)
        for part in resets:
            document.pop(part, None)
        if "ecr" in changes:
            merged = {**document.get("ecr", {}), **changes["ecr"], "updatedAt": now.isoformat()}
            document["ecr"] = merged
        if "ec2" in changes:
            document["ec2"] = {"scanMode": changes["ec2"]["scanMode"]}
        save(connection, target, document, now)


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
