"""The terminal table: grouped by severity, one row per package, totals, safe at 80 columns."""

from __future__ import annotations

from dataclasses import replace

from tests.reports.findings import AIOHTTP, SUDO, findings
from vigil.reports.context import ReportContext
from vigil.reports.table import render_table


def lines(data: bytes) -> list[str]:
    return data.decode().splitlines()


def test_groups_come_in_severity_order_with_totals(context: ReportContext) -> None:
    out = lines(render_table(findings(), replace(context, width=120)))

    groups = [line.split()[0] for line in out if line.split()[0:1] and "(" in line.split()[-1]]
    assert groups == ["HIGH", "MEDIUM", "LOW", "UNTRIAGED"]
    assert out[0].split() == ["Vulnerability", "Package", "Installed", "Fixed", "in", "Fix",
                              "EPSS", "KEV"]  # fmt: skip
    assert out[-1] == "Total: 5 findings (HIGH 2, MEDIUM 1, LOW 1, UNTRIAGED 1); 2 ignored"


def test_rows_carry_versions_fix_state_epss_and_kev(context: ReportContext) -> None:
    out = [line.split() for line in lines(render_table(findings(), replace(context, width=120)))]

    assert ["CVE-2021-3156", "sudo", "1.8.27-1+deb10u2", "1.8.27-1+deb10u3", "fixed", "0.940",
            "yes"] in out  # fmt: skip
    # Two packages of one finding: the second row names no vulnerability and repeats no EPSS.
    at = out.index(["CVE-2022-0778", "libssl1.1", "1.1.1k-1+deb11u1", "1.1.1k-1+deb11u2",
                    "fixed", "0.732"])  # fmt: skip
    assert out[at + 1] == ["openssl", "1.1.1k-1+deb11u1", "1.1.1k-1+deb11u2", "fixed"]
    # No fixed version: a dash; the distribution's "will not fix" is its own state.
    assert ["CVE-2013-4392", "systemd", "247.3-7+deb11u1", "—", "wontfix", "—"] in out
    assert ["GO-2026-4950", "github.com/valyala/fasthttp", "v1.69.0", "1.70.0", "fixed",
            "—"] in out  # fmt: skip


def test_readable_at_80_columns(context: ReportContext) -> None:
    out = lines(render_table(findings(), context))

    assert max(len(line) for line in out) <= 80
    # Vulnerability ids never wrap; long versions and names fold inside their cells.
    ids = [line.split()[0] for line in out if line.startswith(("CVE-", "GO-"))]
    assert ids == ["CVE-2021-3156", "CVE-2022-0778", "CVE-2021-21330", "CVE-2013-4392",
                   "GO-2026-4950"]  # fmt: skip


def test_no_findings_says_so(context: ReportContext) -> None:
    out = lines(render_table([], replace(context, ignored=0)))
    assert out == ["No vulnerabilities found in dir:rootfs.", "Total: 0 findings"]


def test_color_only_when_asked(context: ReportContext) -> None:
    plain = render_table([SUDO], context)
    colored = render_table([SUDO], replace(context, color=True))
    assert b"\x1b[" not in plain
    assert b"\x1b[31m" in colored  # HIGH in red


def test_hostile_names_cannot_drive_the_terminal(context: ReportContext) -> None:
    evil = AIOHTTP | {}
    details = dict(evil["packageVulnerabilityDetails"])
    details["vulnerablePackages"] = [
        {"name": "pkg\x1b[2J[bold]x[/bold]", "version": "1\r\n2", "fixedInVersion": "NotAvailable"}
    ]
    evil["packageVulnerabilityDetails"] = details
    out = render_table([evil], replace(context, width=200)).decode()

    assert "\x1b" not in out
    assert "\r" not in out
    assert "pkg\\x1b[2J[bold]x[/bold]" in out  # shown escaped, markup not interpreted
    assert "1\\r\\n2" in out


def test_malformed_findings_still_render(context: ReportContext) -> None:
    odd = [
        {},
        {"severity": ["HIGH"], "packageVulnerabilityDetails": {"vulnerablePackages": "x"}},
        {"severity": "CRITICAL", "epss": {"score": float("nan")},
         "packageVulnerabilityDetails": {"vulnerabilityId": "CVE-1", "vulnerablePackages": [3]}},
    ]  # fmt: skip
    out = render_table(odd, context).decode()

    assert "CRITICAL (1)" in out
    assert "UNTRIAGED (2)" in out
    assert out.splitlines()[-1] == "Total: 3 findings (CRITICAL 1, UNTRIAGED 2); 2 ignored"
