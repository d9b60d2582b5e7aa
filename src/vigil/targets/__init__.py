"""Openers that turn a target (directory, image archive, OCI layout, registry image, function zip)
into a TargetFS.

Start with ``open_target(spec, wanted)``; every opener returns an ``OpenedTarget`` (a context
manager) and bounds its work by ``Limits``.
"""

from vigil.targets.base import OpenedTarget, Wanted
from vigil.targets.detect import open_target
from vigil.targets.directory import DirectoryFS
from vigil.targets.docker_archive import open_docker_archive
from vigil.targets.errors import (
    AccessDenied,
    CorruptArchive,
    ImageNotFound,
    LimitExceeded,
    MalformedTarget,
    SymlinkLoop,
    TargetError,
    TargetNotFound,
    UnknownTargetKind,
    UnreadableFile,
    UnsupportedTarget,
)
from vigil.targets.function_zip import FunctionZipFS
from vigil.targets.image_fs import ImageFS
from vigil.targets.limits import DEFAULT_LIMITS, Limits
from vigil.targets.oci_layout import open_oci
from vigil.targets.oci_model import Platform
from vigil.targets.registry_ref import Reference, RegistryOptions

__all__ = [
    "DEFAULT_LIMITS",
    "AccessDenied",
    "CorruptArchive",
    "DirectoryFS",
    "FunctionZipFS",
    "ImageFS",
    "ImageNotFound",
    "LimitExceeded",
    "Limits",
    "MalformedTarget",
    "OpenedTarget",
    "Platform",
    "Reference",
    "RegistryOptions",
    "SymlinkLoop",
    "TargetError",
    "TargetNotFound",
    "UnknownTargetKind",
    "UnreadableFile",
    "UnsupportedTarget",
    "Wanted",
    "open_docker_archive",
    "open_oci",
    "open_target",
]
