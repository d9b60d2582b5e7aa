"""SARIF 2.1.0 for code scanning dashboards (GitHub's among them).

One rule per vulnerability, one result per (finding, vulnerable package). A result's level
follows the severity: CRITICAL and HIGH are ``error``, MEDIUM ``warning``, LOW and
INFORMATIONAL ``note``; UNTRIAGED (no score known) is a ``warning``, because an unscored
vulnerability is not known to be minor. GitHub ranks security results by the rule's
``security-severity`` property (a CVSS-like score as a string); Vigil gives the Inspector score
(else the highest CVSS base score) when it falls in the finding's severity band, else a score
inside that band, so that the dashboard shows the severity Vigil decided (a distribution's own
rating can differ from NVD's score). The location is the file the package was found in,
relative to the target's root; a package found in no particular file (an SBOM entry) points at
the target itself.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

from vigil.domain import Severity
from vigil.reports.context import ReportContext
from vigil.reports.finding_view import FindingView, PackageView, read_finding

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFORMATIONAL: "note",
    Severity.UNTRIAGED: "warning",
}
# A score inside each band, for findings whose own score lies elsewhere.
_BAND_SCORE = {
    Severity.CRITICAL: 9.5,
    Severity.HIGH: 8.0,
    Severity.MEDIUM: 5.5,
    Severity.LOW: 2.0,
    Severity.INFORMATIONAL: 0.0,
}
_REGION = {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}
_TARGET_SCHEME = re.compile(r"^(dir|docker-archive|oci|registry|zip):")


def render_sarif(findings: Sequence[Mapping[str, Any]], context: ReportContext) -> bytes:
    views = [read_finding(finding) for finding in findings]
    rule_index: dict[str, int] = {}
    rules: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for view in views:
        if view.vulnerability_id not in rule_index:
            rule_index[view.vulnerability_id] = len(rules)
            rules.append(_rule(view))
        index = rule_index[view.vulnerability_id]
        results.extend(_result(view, package, index, context) for package in view.packages)
    driver = {
        "name": context.tool_name,
        "version": context.tool_version,
        "rules": rules,
    }
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "results": results,
                "properties": {"target": context.target, "ignoredFindings": context.ignored},
            }
        ],
    }
    return (json.dumps(log, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def security_severity(view: FindingView) -> str | None:
    """The ``security-severity`` GitHub ranks by, kept inside the finding's severity band."""
    if view.severity is Severity.UNTRIAGED:
        return None
    scores = [s for s in (view.inspector_score,) if s is not None]
    scores = scores or sorted((c.base_score for c in view.cvss), reverse=True)[:1]
    if scores and 0.0 <= scores[0] <= 10.0 and Severity.from_score(scores[0]) is view.severity:
        return f"{scores[0]:.1f}"
    return f"{_BAND_SCORE[view.severity]:.1f}"


def _rule(view: FindingView) -> dict[str, Any]:
    level = _LEVEL[view.severity]
    properties: dict[str, Any] = {
        "tags": ["vulnerability", "security", view.severity.value],
        "precision": "very-high",
    }
    score = security_severity(view)
    if score is not None:
        properties["security-severity"] = score
    rule: dict[str, Any] = {
        "id": view.vulnerability_id,
        "shortDescription": {"text": view.title or view.vulnerability_id},
        "fullDescription": {"text": view.description or view.title or view.vulnerability_id},
        "defaultConfiguration": {"level": level},
        "help": {"text": _help_text(view), "markdown": _help_markdown(view)},
        "properties": properties,
    }
    if view.source_url:
        rule["helpUri"] = view.source_url
    return rule


def _result(
    view: FindingView, package: PackageView, index: int, context: ReportContext
) -> dict[str, Any]:
    fixed = (
        f"Fixed in {package.fixed_in}."
        if package.fixed_in is not None
        else ("The distribution will not fix it." if package.wont_fix else "No fix is known.")
    )
    message = (
        f"{package.name} {package.version} is affected by {view.vulnerability_id} "
        f"({view.severity.value}). {fixed}"
    )
    where = package.file_path or context.target
    result: dict[str, Any] = {
        "ruleId": view.vulnerability_id,
        "ruleIndex": index,
        "level": _LEVEL[view.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(where)},
                    "region": _REGION,
                },
                "message": {"text": f"{package.name}@{package.version}"},
            }
        ],
        "partialFingerprints": {"vigilPackage/v1": _fingerprint(view, package)},
        "properties": _result_properties(view, package),
    }
    return result


def _result_properties(view: FindingView, package: PackageView) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "severity": view.severity.value,
        "packageName": package.name,
        "installedVersion": package.version,
        "fixState": package.fix_state,
    }
    optional = {
        "fixedVersion": package.fixed_in,
        "packageManager": package.package_manager,
        "purl": package.purl,
        "filePath": package.file_path,
        "findingArn": view.arn or None,
    }
    properties.update({key: value for key, value in optional.items() if value is not None})
    return properties


def artifact_uri(path: str) -> str:
    """A relative URI reference for a path inside the target (or for the target itself).

    Colons are escaped, so that no first segment can read as a URI scheme; control characters
    and spaces are percent-encoded like everything outside RFC 3986's path characters.
    """
    path = _TARGET_SCHEME.sub("", path).lstrip("/")
    return urllib.parse.quote(path or ".", safe="/-._~!$&'()*+,;=@")


def _fingerprint(view: FindingView, package: PackageView) -> str:
    key = "\0".join((view.vulnerability_id, package.name, package.version, package.file_path or ""))
    return hashlib.sha256(key.encode()).hexdigest()


def _help_text(view: FindingView) -> str:
    lines = [f"{view.vulnerability_id} ({view.severity.value})"]
    if view.description:
        lines += ["", view.description]
    lines.append("")
    lines += [f"{p.name} {p.version}: {_fix_words(p)}" for p in view.packages]
    if view.reference_urls or view.source_url:
        lines += ["", "References:"]
        lines += [f"- {url}" for url in _references(view)]
    return "\n".join(lines)


def _help_markdown(view: FindingView) -> str:
    lines = [f"**{_md(view.vulnerability_id)}** ({view.severity.value})"]
    if view.description:
        lines += ["", _md(view.description)]
    lines += ["", "| Package | Installed | Fixed in |", "| --- | --- | --- |"]
    lines += [f"| {_md(p.name)} | {_md(p.version)} | {_md(_fix_words(p))} |" for p in view.packages]
    if view.reference_urls or view.source_url:
        lines += ["", "References:", ""]
        lines += [f"- <{url}>" for url in _references(view) if _safe_url(url)]
    return "\n".join(lines)


def _references(view: FindingView) -> list[str]:
    urls = [view.source_url] if view.source_url else []
    return urls + [url for url in view.reference_urls if url not in urls]


def _fix_words(package: PackageView) -> str:
    if package.fixed_in is not None:
        return package.fixed_in
    return "will not be fixed" if package.wont_fix else "no fix known"


def _md(text: str) -> str:
    """Text from advisories shown literally in Markdown: no markup, no raw HTML, one line."""
    text = re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", " ".join(text.split()))
    # A paragraph starting like a list item, a heading or a rule would change meaning.
    numbered = re.match(r"\d+(?=[.)](\s|$))", text)
    if numbered:
        return numbered[0] + "\\" + text[numbered.end() :]
    return "\\" + text if text[:1] in ("-", "+", "#", "=") else text


def _safe_url(url: str) -> bool:
    parsed = urllib.parse.urlsplit(url)
    return parsed.scheme in ("http", "https") and not any(c in url for c in "<> \n\r\t")
