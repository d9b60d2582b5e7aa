from __future__ import annotations

import pytest

from tests.catalog.dirfs import FIXTURES
from vigil.catalog.os_release import Identification, identify, parse_os_release
from vigil.domain import Ecosystem

SAMPLES = FIXTURES / "os-release"


def _identify_os_release(name: str) -> Identification:
    return identify({"etc/os-release": (SAMPLES / name).read_bytes()})


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("debian-12-host", "Debian:12"),
        ("debian-11", "Debian:11"),
        ("distroless-debian10", "Debian:10"),
        ("ubuntu-22.04", "Ubuntu:22.04:LTS"),
        ("pop-22.04", "Ubuntu:22.04:LTS"),
        ("linuxmint-19.2", "Ubuntu:18.04:LTS"),
        ("alpine-3.22.0", "Alpine:v3.22"),
        ("rhel-ubi8-8.7", "Red Hat:enterprise_linux:8"),
        ("rhel-8.10", "Red Hat:enterprise_linux:8"),
        ("almalinux-9.1", "AlmaLinux:9"),
        ("opensuse-leap-15.4", "openSUSE:Leap 15.4"),
        ("opensuse-tumbleweed-20230304", "openSUSE:Tumbleweed"),
    ],
)
def test_real_os_release_files_map_to_osv_ecosystems(sample: str, expected: str) -> None:
    found = _identify_os_release(sample)

    assert found.environment.distro == Ecosystem.parse(expected)
    assert str(found.environment.distro) == expected
    assert found.warnings == ()


@pytest.mark.parametrize("sample", ["fedora-37", "centos-8", "archlinux"])
def test_distributions_without_an_osv_ecosystem_are_named_in_a_warning(sample: str) -> None:
    found = _identify_os_release(sample)

    assert found.environment.distro is None
    assert [w.path for w in found.warnings] == ["etc/os-release"]
    assert "has no OSV ecosystem" in found.warnings[0].reason
    # The fields are still handed to catalogers (purl namespaces and distro qualifiers).
    assert dict(found.environment.os_release)["ID"] in {"fedora", "centos", "arch"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('ID=ubuntu\nVERSION_ID="23.10"\nVERSION="23.10 (Mantic Minotaur)"\n', "Ubuntu:23.10"),
        (
            'ID=ubuntu\nVERSION_ID="24.04"\nVERSION="24.04.1 LTS (Noble Numbat)"\n',
            "Ubuntu:24.04:LTS",
        ),
        ('ID=ubuntu\nVERSION_ID="20.04"\n', "Ubuntu:20.04:LTS"),
        ('ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n', "Rocky Linux:9"),
        ('ID="rhel"\nVERSION_ID="9.4"\n', "Red Hat:enterprise_linux:9"),
        (
            'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\n'
            'PRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\nID="sles"\n',
            "SUSE:Linux Enterprise Server 15 SP5",
        ),
        ('ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\nVERSION_ID="20230201"\n', "Wolfi"),
        ('ID="chainguard"\nNAME="Chainguard"\nVERSION_ID="20230214"\n', "Chainguard"),
        ('NAME="VMware Photon OS"\nVERSION_ID=5.0\nID=photon\n', "Photon OS:5.0"),
        ('NAME="Mageia"\nVERSION_ID="9"\nID=mageia\n', "Mageia:9"),
        (
            'NAME="openEuler"\nVERSION="22.03 (LTS-SP1)"\nID="openEuler"\n',
            "openEuler:22.03-LTS-SP1",
        ),
        ("ID=alpine\nVERSION_ID=3.20.0_alpha20240329\n", "Alpine:v3.20"),
        (
            'ID=debian\nVERSION_CODENAME=trixie\nPRETTY_NAME="Debian GNU/Linux trixie/sid"\n',
            "Debian:13",
        ),
        ('ID=raspbian\nID_LIKE=debian\nVERSION_ID="11"\n', "Debian:11"),
    ],
)
def test_hand_written_os_release_variants(text: str, expected: str) -> None:
    assert identify({"etc/os-release": text.encode()}).environment.distro == Ecosystem.parse(
        expected
    )


def test_etc_os_release_wins_over_usr_lib_and_usr_lib_is_used_alone() -> None:
    debian = (SAMPLES / "debian-11").read_bytes()
    ubuntu = (SAMPLES / "ubuntu-22.04").read_bytes()

    both = identify({"etc/os-release": debian, "usr/lib/os-release": ubuntu})
    only_usr = identify({"usr/lib/os-release": ubuntu})

    assert str(both.environment.distro) == "Debian:11"
    assert str(only_usr.environment.distro) == "Ubuntu:22.04:LTS"


def test_debian_testing_without_version_id_falls_back_to_debian_version() -> None:
    found = identify(
        {"etc/os-release": b'ID=debian\nNAME="Debian GNU/Linux"\n', "etc/debian_version": b"12.5\n"}
    )
    assert str(found.environment.distro) == "Debian:12"


@pytest.mark.parametrize(
    ("files", "expected", "pairs"),
    [
        ({"etc/debian_version": b"12.11\n"}, "Debian:12", {"ID": "debian", "VERSION_ID": "12"}),
        ({"etc/debian_version": b"bookworm/sid\n"}, "Debian:12", {"ID": "debian"}),
        ({"etc/alpine-release": b"3.19.1\n"}, "Alpine:v3.19", {"VERSION_ID": "3.19.1"}),
        (
            {"etc/redhat-release": b"Red Hat Enterprise Linux Server release 7.9 (Maipo)\n"},
            "Red Hat:enterprise_linux:7",
            {"ID": "rhel", "VERSION_ID": "7.9"},
        ),
        (
            {"etc/redhat-release": b"Rocky Linux release 9.3 (Blue Onyx)\n"},
            "Rocky Linux:9",
            {"ID": "rocky"},
        ),
        (
            {
                "etc/lsb-release": b"DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\n"
                b'DISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.3 LTS"\n'
            },
            "Ubuntu:22.04:LTS",
            {"ID": "ubuntu", "VERSION_ID": "22.04"},
        ),
    ],
)
def test_distro_files_identify_roots_without_os_release(
    files: dict[str, bytes], expected: str, pairs: dict[str, str]
) -> None:
    env = identify(files).environment
    assert str(env.distro) == expected
    assert pairs.items() <= dict(env.os_release).items()


def test_centos_6_redhat_release_is_recorded_with_a_warning() -> None:
    found = identify({"etc/redhat-release": b"CentOS release 6.10 (Final)\n"})

    assert found.environment.distro is None
    assert dict(found.environment.os_release) == {"ID": "centos", "VERSION_ID": "6.10"}
    assert found.warnings[0].path == "etc/redhat-release"


def test_nothing_recognisable_gives_an_empty_environment() -> None:
    assert identify({}).environment.distro is None
    assert identify({"etc/os-release": b"\x00\x01garbage"}).environment.distro is None
    assert identify({"etc/debian_version": b"kali-rolling\n"}).environment.distro is None


def test_parse_os_release_quoting_and_comments() -> None:
    text = (
        "# comment\n"
        'NAME="Debian \\"GNU\\"/Linux"\n'
        "ID=debian\n"
        "VERSION_ID='12'\n"
        "BROKEN LINE\n"
        "lower=ignored\n"
        'BUG_REPORT_URL="https://example.invalid/issues""\n'
    )
    assert parse_os_release(text) == {
        "NAME": 'Debian "GNU"/Linux',
        "ID": "debian",
        "VERSION_ID": "12",
        "BUG_REPORT_URL": "https://example.invalid/issues",
    }
