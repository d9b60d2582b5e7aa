"""The service models Vigil serves, loaded from botocore's own data files (never retyped).

Routing, input parsing and validation, output shapes and error shapes all come from these two
models, so an operation behaves as the botocore release installed beside Vigil defines it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore.loaders import create_loader
from botocore.model import ServiceModel

# botocore ships no type hints; these names say which of its objects a value is.
BotocoreServiceModel = Any
OperationModel = Any
Shape = Any

# (service name as botocore knows it, API version): the signing name of each is its own.
SERVICES = (("inspector2", "2020-06-08"), ("inspector-scan", "2023-08-08"))


@cache
def service_models() -> tuple[BotocoreServiceModel, ...]:
    loader = create_loader()
    return tuple(
        ServiceModel(loader.load_service_model(name, "service-2", api_version), name)
        for name, api_version in SERVICES
    )


def service_model(name: str) -> BotocoreServiceModel:
    for model in service_models():
        if model.service_name == name:
            return model
    raise LookupError(f"Vigil serves no service named {name!r}")
