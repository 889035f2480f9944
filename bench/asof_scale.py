"""Time reports as of a log position at national scale (a measurement, not a test).

    python -m bench.asof_scale [--structures 5300] [--pathways 1000000] [--touched 10000]

The national data of `bench.report_scale` (structures, GES, dense tallies, pathway rows) gets a
copy of the log behind it for `--touched` pathways (the pathways of the first structures, in
order, plus one structure-year's worth): each pathway's opening, one hours declaration per month
of its rows and its exit, in `outcomes.events`. The position asked is the one before every
pathway's last event, so that every one of them is *touched* after it: its stream is folded
again, truncated there, at each request (the worst case; a pathway untouched since the position
costs nothing). Timed through the reporting app (admin token), `--repeats` times each, median
and p95 ms: the live report of one structure-year and of the network-year, then the same as of
the position. Scratch databases are dropped at the end. Without `DATABASE_URL`, a PostgreSQL of
its own is started under `var/bench-asof/` (filling national data holds long transactions).
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg

from bench.report_scale import (
    MONTHS,
    _add_months,
    fill_annexes,
    fill_groups,
    fill_pathways,
    fill_structures,
    fill_tallies,
    timed,
)
from shared.embedded import EmbeddedPostgres, free_port
from tests.support import (
    Engines,
    admin_token,
    drop_all,
    make_settings,
    migrate_all,
    start_services,
)

# The log behind the chosen pathways: opening, hours per month, exit; ordered by each event's
# rank in its pathway, so that every pathway's last event comes after the position asked.
EVENTS = """
WITH chosen AS (
    SELECT p.* FROM outcomes.pathways p
      JOIN (SELECT structure_id FROM outcomes.pathways GROUP BY structure_id
             ORDER BY structure_id) s USING (structure_id)
     ORDER BY p.structure_id, p.pathway_id LIMIT %(touched)s),
stream AS (
    SELECT pathway_id, 0 AS rank, 'pathway_opened' AS type, opened_on AS on_,
           jsonb_build_object('structure_id', structure_id, 'sex', sex, 'age_band', age_band,
                              'eligibility', jsonb_build_object('criteria', jsonb_build_array()))
           AS data
      FROM chosen
    UNION ALL
    SELECT h.pathway_id, row_number() OVER (PARTITION BY h.pathway_id ORDER BY h.month),
           'hours_worked_recorded', greatest(h.month, c.opened_on),
           jsonb_build_object('month', to_char(h.month, 'YYYY-MM'), 'hours', h.hours)
      FROM outcomes.monthly_hours h JOIN chosen c USING (pathway_id)
    UNION ALL
    SELECT pathway_id, 1000, 'pathway_exited', exited_on, jsonb_build_object('reason', 'cdi')
      FROM chosen WHERE exited_on IS NOT NULL)
INSERT INTO outcomes.events (position, pathway_id, event_id, type, schema_version,
                             occurred_on, data)
SELECT row_number() OVER (ORDER BY last, rank, pathway_id), pathway_id, gen_random_uuid(),
       type, 1, on_, data
  FROM (SELECT *, rank = max(rank) OVER (PARTITION BY pathway_id) AS last FROM stream) x"""


def fill_events(conn: psycopg.Connection, touched: int) -> tuple[int, int, str]:
    """The log of `touched` pathways; (events, the position before their last events, the
    structure with most of them)."""
    conn.execute(EVENTS, {"touched": touched})
    counted = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE position <= (SELECT max(position) -"
        " count(DISTINCT pathway_id) FROM outcomes.events)) FROM outcomes.events"
    ).fetchone()
    most = conn.execute(
        "SELECT p.structure_id::text FROM outcomes.events e JOIN outcomes.pathways p"
        " USING (pathway_id) GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    assert counted is not None and most is not None
    (events, last), structure = counted, most[0]
    conn.execute(
        "UPDATE projection_checkpoints SET position = %(p)s WHERE name = 'outcomes'",
        {"p": events},
    )
    return events, last, structure


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--structures", type=int, default=5300)
    parser.add_argument("--pathways", type=int, default=1_000_000)
    parser.add_argument("--touched", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # A PostgreSQL of its own unless DATABASE_URL names one: filling national data takes
    # minute-long statements, which would hold back every feed of a shared cluster (ADR 0001).
    embedded = None
    if "DATABASE_URL" not in os.environ:
        embedded = EmbeddedPostgres(Path("var") / "bench-asof" / "pg", free_port()).start()
    database_url = embedded.url if embedded else os.environ["DATABASE_URL"]
    settings = make_settings(Engines(database_url, os.environ["REDIS_URL"]))
    migrate_all(settings)
    live = start_services(settings)
    first_month = _add_months(date.today().replace(day=1), -(MONTHS - 1))
    try:
        url = settings.database_url_for("reporting").replace("+psycopg", "")
        started = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            fill_structures(conn, args.structures)
            fill_groups(conn, first_month)
            fill_tallies(conn, first_month)
            fill_pathways(conn, args.pathways, first_month)
            fill_annexes(conn, first_month)
            events, position, structure = fill_events(conn, args.touched)
            conn.execute("VACUUM ANALYZE")
        print(f"filled in {time.perf_counter() - started:.0f} s; {events:,} events copied")
        client = live["reporting"].app.test_client()
        token = admin_token(settings)
        this_month = date.today().replace(day=1)
        year = f"from={_add_months(this_month, -12)}&to={this_month - timedelta(days=1)}"
        asked = {
            "structure-year, live": f"{year}&structure_id={structure}",
            "structure-year, as of": f"{year}&structure_id={structure}&as_of_position={position}",
            "network-year, live": year,
            "network-year, as of": f"{year}&as_of_position={position}",
        }
        print(f"load average {os.getloadavg()[0]:.1f}; as of position {position:,}")
        print(f"{'report':<24}{'median ms':>10}{'p95 ms':>10}")
        for name, query in asked.items():
            try:
                median, p95 = timed(client, token, f"/v1/reports/outcomes?{query}", args.repeats)
            except RuntimeError as error:  # a 503: the statement timeout cut it
                print(f"{name:<24} not answered: {str(error)[:80]}")
                continue
            print(f"{name:<24}{median:>10.0f}{p95:>10.0f}")
        print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        for server in live.values():
            server.stop()
        drop_all(settings)
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    main()
