"""An advisory store of every OSV fixture record with NVD, KEV and EPSS enrichment synced from
their real files: what the scan, server and API tests match against."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from tests.advisories.conftest import load_advisories
from tests.advisories.test_enrichment import KEV, epss_gz, nvd_cves, nvd_feed
from vigil.advisories.enrich import sync_enrichment
from vigil.advisories.sources.epss import EpssSource
from vigil.advisories.sources.kev import KevSource
from vigil.advisories.sources.nvd import NvdFeedSource
from vigil.advisories.store import AdvisoryStore


def build_enriched_store(directory: Path, synced: datetime) -> Path:
    """``directory/advisories.db``, every record and enrichment synced at ``synced``."""
    path = directory / "advisories.db"
    with AdvisoryStore(path, clock=lambda: synced) as store:
        with store.batch("fixtures", complete=False) as batch:
            for advisory in load_advisories():
                batch.put(advisory)
            batch.commit(None)
        nvd = directory / "nvd.json"
        nvd.write_text(json.dumps(nvd_feed(nvd_cves())))
        sync_enrichment(store, NvdFeedSource(str(nvd)))
        sync_enrichment(store, KevSource(str(KEV)))
        sync_enrichment(store, EpssSource(str(epss_gz(directory))))
    return path
