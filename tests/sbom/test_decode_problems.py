"""What cannot be used from an SBOM becomes a warning; what cannot be read at all is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vigil.domain import Ecosystem, ScanWarning
from vigil.sbom import InvalidSbom, decode_sbom, inventory_from_vigil_json
from vigil.sbom.assemble import MAX_STATED_WARNINGS, MAX_WARNINGS
from vigil.sbom.cyclonedx_decode import MAX_DEPTH

LIBC = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12&upstream=glibc"


def _cdx(components: list[Any], **extra: Any) -> str:
    return json.dumps(
        {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": components, **extra}
    )


def _reasons(warnings: tuple[ScanWarning, ...]) -> list[str]:
    return [f"{w.path}: {w.reason}" for w in warnings]


def test_cyclonedx_components_that_cannot_be_matched_are_warnings() -> None:
    inventory = decode_sbom(
        _cdx(
            [
                {"type": "library", "name": "internal-lib", "version": "2.1"},
                {
                    "type": "library",
                    "name": "openssl",
                    "version": "3.0.13",
                    "purl": "pkg:generic/openssl@3.0.13",
                },
                {"type": "library", "name": "left-pad", "purl": "pkg:npm/left-pad"},
                {
                    "type": "library",
                    "name": "lodash",
                    "version": "4.17.21",
                    "purl": "pkg:npm/lodash",
                },
                {"type": "file", "name": "/etc/passwd"},
                {"type": "file", "name": "/etc/group"},
                {"type": "library", "name": "libc6", "purl": LIBC},
                "not an object",
            ]
        ),
        default_target="upload.cdx.json",
    )
    assert inventory.target == "upload.cdx.json"
    assert [(p.name, p.version) for p in inventory.packages] == [
        ("lodash", "4.17.21"),
        ("libc6", "2.36-9+deb12u14"),
    ]
    assert inventory.distro == Ecosystem("Debian", "12")
    assert _reasons(inventory.warnings) == [
        "components: 2 file component(s) without a purl not read",
        "components[0]: 'internal-lib' 2.1 has no purl; it cannot be matched against advisories",
        "components[1]: 'openssl' 3.0.13: purl type 'generic' has no OSV ecosystem Vigil matches;"
        " not matched",
        "components[2]: 'left-pad' has no version; it cannot be matched against advisories",
    ]
    assert {w.cataloger for w in inventory.warnings} == {"cyclonedx-json"}


def test_nested_components_are_read_and_too_deep_nesting_is_reported() -> None:
    nested: dict[str, Any] = {"type": "library", "name": "ms", "purl": "pkg:npm/ms@2.1.2"}
    for _ in range(MAX_DEPTH + 2):
        nested = {
            "type": "application",
            "name": "wrapper",
            "purl": "pkg:npm/wrapper@1.0.0",
            "components": [nested],
        }
    inventory = decode_sbom(
        _cdx(
            [
                {
                    "type": "application",
                    "name": "app",
                    "purl": "pkg:npm/app@1.0.0",
                    "components": [
                        {"type": "library", "name": "debug", "purl": "pkg:npm/debug@4.3.4"}
                    ],
                },
                nested,
            ]
        )
    )
    names = [p.name for p in inventory.packages]
    assert names[:3] == ["app", "wrapper", "debug"]
    assert "ms" not in names
    assert any(f"nested deeper than {MAX_DEPTH}" in w.reason for w in inventory.warnings)


def test_os_packages_without_a_release_are_scoped_by_the_os_component_or_reported() -> None:
    bare = "pkg:deb/debian/libc6@2.36-9?arch=amd64&upstream=glibc"
    with_os = decode_sbom(
        _cdx(
            [
                {"type": "operating-system", "name": "debian", "version": "12"},
                {"type": "library", "name": "libc6", "purl": bare},
            ]
        )
    )
    assert with_os.packages[0].ecosystem == Ecosystem("Debian", "12")
    assert with_os.warnings == ()
    unknown_os = decode_sbom(
        _cdx(
            [
                {"type": "operating-system", "name": "fedora", "version": "40"},
                {"type": "library", "name": "libc6", "purl": bare},
            ]
        )
    )
    assert unknown_os.packages[0].ecosystem == Ecosystem("Debian")
    assert unknown_os.distro is None
    assert _reasons(unknown_os.warnings) == [
        "components[0]: operating system 'fedora' '40' has no OSV ecosystem Vigil knows",
        ": 1 Debian package(s) name no release (no purl distro qualifier and no matching "
        "operating system in the document); recorded as bare 'Debian'",
    ]


def test_an_ecosystem_property_contradicting_the_purl_is_not_trusted() -> None:
    component = {
        "type": "library",
        "name": "lodash",
        "purl": "pkg:npm/lodash@4.17.21",
        "properties": [
            {"name": "vigil:package:ecosystem", "value": "PyPI"},
            {"name": "vigil:package:cataloger", "value": "npm-installed"},
        ],
    }
    inventory = decode_sbom(_cdx([component]))
    assert inventory.packages[0].ecosystem == Ecosystem("npm")
    assert inventory.packages[0].cataloger == "npm-installed"
    assert "ecosystem property 'PyPI' ignored; the purl says npm" in inventory.warnings[0].reason


def test_warnings_are_capped() -> None:
    many = [{"type": "library", "name": f"lib{i}"} for i in range(MAX_WARNINGS + 5)]
    warnings = decode_sbom(_cdx(many)).warnings
    assert len(warnings) == MAX_WARNINGS + 1
    assert warnings[-1].reason == "5 more warning(s) like the above not listed"


def _spdx(packages: list[Any], relationships: list[Any], **extra: Any) -> str:
    document = {
        "spdxVersion": "SPDX-2.3",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "doc-name",
        "packages": packages,
        "relationships": relationships,
        **extra,
    }
    return json.dumps(document)


def _purl_ref(purl: str) -> list[dict[str, str]]:
    return [
        {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}
    ]


def test_spdx_root_os_and_purl_less_packages() -> None:
    inventory = decode_sbom(
        _spdx(
            [
                {"SPDXID": "SPDXRef-root", "name": "alpine:3.19"},
                {
                    "SPDXID": "SPDXRef-os",
                    "name": "alpine",
                    "versionInfo": "3.19.1",
                    "primaryPackagePurpose": "OPERATING-SYSTEM",
                },
                {
                    "SPDXID": "SPDXRef-a",
                    "name": "libcrypto3",
                    "versionInfo": "3.1.4-r5",
                    "externalRefs": _purl_ref(
                        "pkg:apk/alpine/libcrypto3@3.1.4-r5?upstream=openssl"
                    ),
                },
                {"SPDXID": "SPDXRef-b", "name": "busybox-extras", "versionInfo": "1.36.1-r15"},
                {
                    "SPDXID": "SPDXRef-c",
                    "name": "x",
                    "annotations": [{"comment": '{"vigil:package:cataloger": ' + "[" * 5000}],
                },
            ],
            [
                {
                    "spdxElementId": "SPDXRef-DOCUMENT",
                    "relationshipType": "DESCRIBES",
                    "relatedSpdxElement": "SPDXRef-root",
                }
            ],
        )
    )
    assert inventory.target == "alpine:3.19"
    assert inventory.distro == Ecosystem("Alpine", "v3.19")
    [package] = inventory.packages
    assert (package.ecosystem, package.source_name) == (Ecosystem("Alpine", "v3.19"), "openssl")
    assert _reasons(inventory.warnings) == [
        "packages[3]: 'busybox-extras' 1.36.1-r15 has no purl; it cannot be matched against"
        " advisories",
        "packages[4]: 'x' has no purl; it cannot be matched against advisories",
    ]


def test_spdx_document_describes_and_described_by() -> None:
    packages = [
        {"SPDXID": "SPDXRef-app", "name": "my-app"},
        {
            "SPDXID": "SPDXRef-dep",
            "name": "ms",
            "versionInfo": "2.1.2",
            "externalRefs": _purl_ref("pkg:npm/ms@2.1.2"),
        },
    ]
    described = decode_sbom(_spdx(packages, [], documentDescribes=["SPDXRef-app"]))
    inverse = decode_sbom(
        _spdx(
            packages,
            [
                {
                    "spdxElementId": "SPDXRef-app",
                    "relationshipType": "DESCRIBED_BY",
                    "relatedSpdxElement": "SPDXRef-DOCUMENT",
                }
            ],
        )
    )
    for inventory in (described, inverse):
        assert inventory.target == "my-app"
        assert [p.name for p in inventory.packages] == ["ms"]
        assert inventory.warnings == ()
    assert decode_sbom(_spdx(packages[1:], [])).target == "doc-name"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"bomFormat": "CycloneDX", "specVersion": "2.0"}', "specVersion '2.0' is not supported"),
        ('{"spdxVersion": "SPDX-2.1", "packages": []}', "SPDX version 'SPDX-2.1' is not supported"),
        ('{"hello": "world"}', "not a CycloneDX, SPDX or vigil-json document"),
        ("[1, 2]", "must be a JSON object"),
        ("{not json", "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>', "XML SBOMs"),
        ("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n", "tag-value"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
    ],
)
def test_unreadable_documents_are_refused(data: str | bytes, message: str) -> None:
    with pytest.raises(InvalidSbom, match=message):
        decode_sbom(data)


def test_input_size_is_bounded() -> None:
    data = _cdx([{"type": "library", "name": "ms", "purl": "pkg:npm/ms@2.1.2"}]).encode()
    assert decode_sbom(data, limit=len(data)).packages
    with pytest.raises(InvalidSbom, match=f"the limit is {len(data) - 1}"):
        decode_sbom(data, limit=len(data) - 1)


def test_utf8_byte_order_mark_is_accepted() -> None:
    text = "\ufeff" + _cdx([{"type": "library", "name": "ms", "purl": "pkg:npm/ms@2.1.2"}])
    for data in (text, text.encode()):
        assert [p.name for p in decode_sbom(data).packages] == ["ms"]


def test_warnings_a_document_states_are_capped_too() -> None:
    stated = [
        {"name": f"vigil:warning:{i}", "value": f"x/{i}: unreadable"}
        for i in range(MAX_STATED_WARNINGS + 2)
    ]
    warnings = decode_sbom(_cdx([], metadata={"properties": stated})).warnings
    assert len(warnings) == MAX_STATED_WARNINGS + 1
    assert warnings[0] == ScanWarning("x/0", "unreadable")
    assert warnings[-1].reason == "2 more warning(s) like the above not listed"


def _vigil(**changes: Any) -> dict[str, Any]:
    package = {
        "name": "ms",
        "version": "2.1.2",
        "ecosystem": "npm",
        "purl": "pkg:npm/ms@2.1.2",
        "cataloger": "npm-package-lock",
        "locations": [{"path": "package-lock.json"}],
    }
    document: dict[str, Any] = {
        "schemaVersion": "1.0",
        "target": "t",
        "packages": [package, dict(package)],
    }
    document.update(changes)
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_vigil(schemaVersion="2.0"), "schemaVersion '2.0' is not 1.x"),
        (_vigil(target=None), "target must be a string"),
        (_vigil(distro="Gentoo"), "distro: unknown ecosystem 'Gentoo'"),
        (_vigil(packages={"a": 1}), "packages must be an array"),
        (_vigil(packages=[1]), r"packages\[0\] is not an object"),
        (_vigil(warnings=[{"path": "x"}]), r"warnings\[0\].reason must be a string"),
    ],
)
def test_vigil_json_errors_name_the_place(document: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidSbom, match=message):
        inventory_from_vigil_json(json.dumps(document))


def test_vigil_json_errors_inside_packages() -> None:
    document = _vigil()
    document["packages"][1]["ecosystem"] = "Pypi"
    with pytest.raises(InvalidSbom, match=r"packages\[1\].ecosystem: unknown ecosystem 'Pypi'"):
        inventory_from_vigil_json(json.dumps(document))
    document["packages"][1] = {**document["packages"][0], "locations": [{"path": 7}]}
    with pytest.raises(InvalidSbom, match=r"packages\[1\].locations\[0\].path must be a string"):
        inventory_from_vigil_json(json.dumps(document))


def test_vigil_json_minor_versions_and_unknown_keys_are_accepted() -> None:
    inventory = inventory_from_vigil_json(json.dumps(_vigil(schemaVersion="1.7", future={"x": 1})))
    assert [p.name for p in inventory.packages] == ["ms", "ms"]


def test_wrongly_typed_spdx_fields_are_ignored() -> None:
    packages: list[Any] = [
        {"SPDXID": ["SPDXRef-x"], "name": "ms", "externalRefs": _purl_ref("pkg:npm/ms@2.1.2")},
        {"SPDXID": "SPDXRef-y", "name": 7, "primaryPackagePurpose": {"x": 1}},
    ]
    inventory = decode_sbom(_spdx(packages, [], documentDescribes=5))
    assert [p.name for p in inventory.packages] == ["ms"]
    assert inventory.target == "doc-name"
    assert _reasons(inventory.warnings) == [
        "packages[1]: an unnamed element has no purl; it cannot be matched against advisories"
    ]
