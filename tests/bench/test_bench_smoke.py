"""The benchmark harness runs end to end in quick mode, on servers of its own as on a fresh machine.

Not a timing assertion: it proves that `make bench` can produce every figure and ratio."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from bench.report import LIMITS, RATIOS

# The quick run is a few minutes of real load: more than the suite's per-test limit.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
FIGURES = {
    "raw_insert_commit_eps",
    "raw_batch_insert_eps",
    "raw_scan_eps",
    "bare_http_insert_rps",
    "peer_eventsourcing_eps",
    "peer_eventsourcing_8_eps",
    "store_append_eps",
    "store_append_8_eps",
    "http_append_eps",
    "http_batch_eps",
    "catch_up_eps",
    "rebuild_1m_s",
    "national_rebuild_s",
    "lag_p99_s",
    "report_p95_ms",
    "etp_report_p95_ms",
    "post_exit_report_p95_ms",
    "structure_report_p95_ms",
    "asof_report_p95_ms",
    "asof_network_report_p95_ms",
    "worker_rss_mb",
    "report_rps_1_reader",
    "report_rps_2_readers",
}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> dict:
    """`make bench --quick` as on a fresh machine: its own embedded servers, a standby of its
    PostgreSQL included."""
    out = tmp_path_factory.mktemp("bench")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {
        "doc": orjson.loads((out / "latest.json").read_bytes()),
        "stdout": done.stdout,
        "files": sorted(p.name for p in out.iterdir()),
    }


def test_the_quick_run_completes(quick_run):
    assert quick_run["doc"]["complete"] is True


def test_the_quick_run_reports_every_figure_with_numeric_median_min_and_max(quick_run):
    figures = quick_run["doc"]["figures"]
    assert set(figures) == FIGURES
    for key, figure in figures.items():
        values = [figure["median"], figure["min"], figure["max"]]
        assert all(isinstance(v, int | float) for v in values), key
        assert figure["min"] <= figure["median"] <= figure["max"], key


def test_the_quick_run_reports_every_ratio_against_its_target(quick_run):
    ratios = quick_run["doc"]["ratios"]
    assert set(ratios) == {f"{top} / {bottom}" for top, bottom, _ in RATIOS}
    assert all(isinstance(r["value"], float) and r["value"] > 0 for r in ratios.values())


def test_the_quick_run_judges_each_limited_figure_against_its_target(quick_run):
    figures = quick_run["doc"]["figures"]
    assert all(isinstance(figures[key]["met"], bool) for key in LIMITS)


def test_the_quick_run_keeps_a_dated_copy_beside_latest(quick_run):
    assert "latest.json" in quick_run["files"]
    assert any(name.endswith("-quick.json") for name in quick_run["files"])


def test_the_quick_run_prints_the_table_with_the_machine(quick_run):
    assert "rebuild_1m_s" in quick_run["stdout"]
    assert "machine:" in quick_run["stdout"]
    assert quick_run["doc"]["machine"]["postgresql"]
