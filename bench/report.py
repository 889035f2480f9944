"""The run's outcome: the table on stdout and the JSON files under bench/results/."""

from __future__ import annotations

import math
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

import orjson

from bench.measure import Figure

# Targets, each checked on figures of the same run (docs/performance.md).
RATIOS = (
    ("http_append_eps", "bare_http_insert_rps", 0.70),
    ("http_batch_eps", "raw_batch_insert_eps", 0.35),
    ("store_append_eps", "peer_eventsourcing_eps", 2.0),
    ("store_append_8_eps", "peer_eventsourcing_8_eps", 3.0),
    ("catch_up_eps", "raw_scan_eps", 0.25),
)
LIMITS = {
    "rebuild_1m_s": ("<", 60.0),
    "lag_p99_s": ("<=", 1.0),
    "report_p95_ms": ("<=", 100.0),
    "etp_report_p95_ms": ("<=", 100.0),
    "asof_report_p95_ms": ("<=", 300.0),
    "post_exit_report_p95_ms": ("<=", 100.0),
    "worker_rss_mb": ("<=", 300.0),
}


def machine(server_versions: dict[str, str]) -> dict:
    """What the figures were measured on, as the README quotes it."""
    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()
    cpu = [
        line.split(":", 1)[1].strip()
        for line in Path("/proc/cpuinfo").read_text().splitlines()
        if line.startswith("model name")
    ]
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(int(meminfo[1]) / 1024**2, 1),
        "cpu_model": cpu[0] if cpu else platform.processor(),
        "python": platform.python_version(),
        **server_versions,
    }


def ratios(figures: dict[str, Figure]) -> dict[str, dict]:
    out = {}
    for top, bottom, target in RATIOS:
        if top not in figures or bottom not in figures:
            continue  # an interrupted run: only ratios of figures it measured
        value = figures[top].median / figures[bottom].median
        out[f"{top} / {bottom}"] = {
            "value": round(value, 3),
            "target": target,
            "met": value >= target,
        }
    return out


def _met(key: str, value: float) -> bool | None:
    if key not in LIMITS:
        return None
    op, limit = LIMITS[key]
    return value < limit if op == "<" else value <= limit


def document(
    figures: dict[str, Figure], info: dict, mode: str, seconds: float, complete: bool = True
) -> dict:
    return {
        "complete": complete,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "mode": mode,
        "duration_s": round(seconds, 1),
        "machine": info,
        "figures": {
            k: {**f.as_dict(), "target": LIMITS.get(k), "met": _met(k, f.median)}
            for k, f in figures.items()
        },
        "ratios": ratios(figures),
    }


def write(doc: dict, folder: Path) -> Path:
    """latest.json plus a dated copy, so that runs can be compared later."""
    folder.mkdir(parents=True, exist_ok=True)
    body = orjson.dumps(doc, option=orjson.OPT_INDENT_2)
    stamp = doc["generated_at"].replace(":", "").replace("-", "")
    suffix = "" if doc["complete"] else "-incomplete"
    (folder / f"{stamp}-{doc['mode']}{suffix}.json").write_bytes(body)
    latest = folder / ("latest.json" if doc["complete"] else "latest-incomplete.json")
    latest.write_bytes(body)
    return latest


def _num(value: float) -> str:
    if math.isinf(value):
        return "inf"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def table(doc: dict) -> str:
    """The human view: each figure's median (min–max) and whether its target is met."""
    lines = [f"{'figure':<28} {'median':>12} {'min':>12} {'max':>12}  unit      target", "-" * 90]
    for key, f in doc["figures"].items():
        target = (
            ""
            if f["target"] is None
            else (f"{f['target'][0]} {f['target'][1]:g} " + ("ok" if f["met"] else "MISSED"))
        )
        lines.append(
            f"{key:<28} {_num(f['median']):>12} {_num(f['min']):>12} {_num(f['max']):>12}"
            f"  {f['unit']:<9} {target}"
        )
    lines += ["", f"{'ratio':<56} {'value':>8}  target", "-" * 90]
    for name, r in doc["ratios"].items():
        lines.append(
            f"{name:<56} {r['value']:>8.3f}  >= {r['target']:g} " + ("ok" if r["met"] else "MISSED")
        )
    m = doc["machine"]
    lines += [
        "",
        f"machine: {m['nproc']} CPU ({m['cpu_model']}), {m['memory_gib']} GiB, "
        f"PostgreSQL {m.get('postgresql', '?')}, Redis {m.get('redis', '?')}; "
        f"run took {doc['duration_s']:.0f} s"
        + ("" if doc["complete"] else " - INCOMPLETE: stopped before its last figures"),
    ]
    return "\n".join(lines)
