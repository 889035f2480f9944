"""`make bench` (python -m bench [--quick] [--out DIR]): one run, every figure, one table."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from bench import phases, report, stack
from bench.sizes import FULL, QUICK
from shared.embedded import EmbeddedPostgres

RESULTS = Path(__file__).resolve().parent / "results"


def measure(run: phases.Run) -> None:
    phases.prepare(run)
    phases.raw_baselines(run)
    phases.bare_http(run)
    phases.peer_and_store(run)
    phases.http_writes(run)
    source, _ = phases.national_log(run)
    phases.scan_and_rebuild(run)
    phases.catch_up(run, source)
    phases.national_scale(run, source)
    phases.reads(run)
    phases.standby_reads(run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder of the JSON results")
    args = parser.parse_args(argv)
    # A stopped run (SIGTERM, e.g. a time limit) still cleans up and writes what it measured.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started, engines = time.perf_counter(), stack.Engines.start()
    run = phases.Run(
        stack.make_settings(engines.database_url, engines.redis_url), QUICK if args.quick else FULL
    )
    run.primary = next((e for e in engines.started if isinstance(e, EmbeddedPostgres)), None)
    complete, versions = False, phases.server_versions(run.settings)
    try:
        measure(run)
        complete = True
    finally:
        stack.stop(run.procs)
        stack.drop_all(run.settings, phases.SCRATCH)
        engines.stop()
        doc = report.document(
            run.figures,
            report.machine(versions),
            "quick" if args.quick else "full",
            time.perf_counter() - started,
            complete,
        )
        print("\n" + report.table(doc) + f"\n\nwritten: {report.write(doc, args.out)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
