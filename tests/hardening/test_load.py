"""Readers on a real `newsdesk serve` process while `newsdesk ingest` writes in another process:
no error response, no "database is locked", no lost or doubled article (a short run of
bench/load.py; the full one has 100 readers for a minute and prints latency). No timing asserts.
"""

from __future__ import annotations

import pytest

from bench.load import run_load
from newsdesk.enrich.evaluation import datasets_root

pytestmark = pytest.mark.skipif(not (datasets_root() / "stories").is_dir(),
                                reason="../shared/datasets is not there")


def test_readers_and_a_concurrent_ingest_see_no_errors_and_lose_nothing(tmp_path):
    result = run_load(tmp_path, readers=20, seconds=12, articles=60)
    assert result.ingest_runs >= 1 and not result.ingest_failures
    assert result.requests > 0 and all(result.latencies.values()), result.latencies.keys()
    assert result.error_count == 0, result.errors
    assert not result.log_problems, result.log_problems
    assert result.integrity == "ok"
    assert not result.missing, f"{len(result.missing)} articles lost: {result.missing[:5]}"
    assert len(result.expected_ids) > 60 and result.stored == len(result.expected_ids)
    assert result.duplicate_urls == 0
