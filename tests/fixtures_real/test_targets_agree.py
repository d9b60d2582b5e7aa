"""The docker archive, the OCI layout and the registry image give the directory's packages, each
located in the layer that introduced it; the whiteout of the top layer is honoured.
"""

from __future__ import annotations

import pytest
from scripts.fixtures import debian12 as builder

from tests.fixtures_real.conftest import IMAGE_KINDS, Scan, Scans
from tests.fixtures_real.references import image_layers, layer_names
from vigil.domain import Package

# Which layer (base, lang, app) introduces each ecosystem's packages in the fixture; the app
# layer's npm packages are the tools under /opt/tools.
LAYER_OF = {"Debian": 0, "PyPI": 1, "npm": 1, "Maven": 2, "Go": 2}


def layer_of(package: Package) -> int:
    if package.locations[0].path.startswith(f"{builder.TOOLS}/"):
        return 2
    return LAYER_OF[package.ecosystem.base.name]


def projection(package: Package) -> tuple[object, ...]:
    """A package without its layer digests."""
    return (
        str(package.ecosystem), package.name, package.version, package.purl, package.cataloger,
        package.source_name, package.source_version, package.arch,
        tuple(location.path for location in package.locations),
    )  # fmt: skip


@pytest.fixture(params=IMAGE_KINDS)
def image(request: pytest.FixtureRequest, scans: Scans) -> Scan:
    kind: str = request.param
    return scans.get(kind, request)


def test_image_gives_the_directorys_packages(image: Scan, directory_scan: Scan) -> None:
    ours = [projection(p) for p in image.inventory.packages]
    assert ours == [projection(p) for p in directory_scan.inventory.packages]
    assert len(ours) > 250
    assert image.inventory.distro == directory_scan.inventory.distro


def test_each_package_remembers_the_layer_that_introduced_it(
    image: Scan, debian12: builder.Debian12
) -> None:
    layers = image_layers(debian12, image.kind)
    assert len(layers) == len(builder.LAYERS)
    for package in image.inventory.packages:
        expected = layers[layer_of(package)]
        assert {location.layer_digest for location in package.locations} == {expected}, package


def test_directory_packages_have_no_layer(directory_scan: Scan) -> None:
    digests = {loc.layer_digest for p in directory_scan.inventory.packages for loc in p.locations}
    assert digests == {None}


def test_whiteout_removes_a_package_of_a_lower_layer(
    debian12: builder.Debian12, directory_scan: Scan
) -> None:
    lang = layer_names(debian12, 1)
    assert f"{builder.SITE_PACKAGES}/six-1.11.0.dist-info/METADATA" in lang
    app = layer_names(debian12, 2)
    assert f"{builder.SITE_PACKAGES}/.wh.six-1.11.0.dist-info" in app
    assert not (debian12.root / builder.SITE_PACKAGES / "six.py").exists()
    assert all(p.name != "six" for p in directory_scan.inventory.packages)
