"""The operations Vigil serves, by botocore operation name: an explicit list, no discovery.

An operation of either model that is missing here still routes, authenticates and is
permission-checked, then answers as :func:`vigil.api.errors.not_implemented` says.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from vigil.api.context import Handler
from vigil.api.operations.account_permissions import list_account_permissions

HANDLERS: Mapping[str, Handler] = MappingProxyType(
    {
        "ListAccountPermissions": list_account_permissions,
    }
)
