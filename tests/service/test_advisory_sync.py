"""``sync_database``: the sources in order, progress reported, a failure kept to its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_db_support import advisory_server
from vigil.service.advisory_config import SourceConfig
from vigil.service.advisory_sync import SourceOutcome, sync_database


class Recorder:
    """A progress display that writes down what it was told."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, object]] = []

    def started(self, source: str) -> None:
        self.events.append(("started", source, None))

    def advanced(self, source: str, records: int) -> None:
        self.events.append(("advanced", source, records))

    def finished(self, source: str, outcome: SourceOutcome) -> None:
        self.events.append(("finished", source, outcome.ok))


def test_progress_and_a_failure_kept_to_its_source(tmp_path: Path) -> None:
    recorder = Recorder()
    with advisory_server() as server:
        config = SourceConfig(
            osv_url=f"{server.base_url}/osv",
            nvd_url=f"{server.base_url}/nvd",
            epss_url=f"{server.base_url}/missing.csv.gz",
            kev_url=f"{server.base_url}/kev.json",
            attempts=1,
        )
        summary = sync_database(
            tmp_path / "a.db",
            config,
            sources=("osv", "epss", "kev"),
            ecosystems=("PyPI",),
            progress=recorder,
            workers=1,
        )

    assert not summary.ok
    assert [(o.source, o.ok) for o in summary.outcomes] == [
        ("osv:PyPI", True),
        ("epss", False),
        ("kev", True),
    ]
    assert summary.outcomes[1].error == f"{server.base_url}/missing.csv.gz: HTTP 404"
    assert recorder.events[0] == ("started", "osv:PyPI", None)
    assert ("advanced", "osv:PyPI", 1000) in recorder.events
    assert [e for e in recorder.events if e[0] == "finished"] == [
        ("finished", "osv:PyPI", True),
        ("finished", "epss", False),
        ("finished", "kev", True),
    ]
    assert summary.to_json()["sources"][1]["error"].endswith("HTTP 404")


def test_unknown_sources_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown source 'ghsa'"):
        sync_database(tmp_path / "a.db", SourceConfig(), sources=("ghsa",))
    assert not (tmp_path / "a.db").exists()
