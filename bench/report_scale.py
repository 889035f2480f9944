"""Time the outcome report on national-scale tallies (a measurement, not a test).

    python -m bench.report_scale [--structures 5300] [--pathways 1000000] [--repeats 20] [--keep]

A scratch reporting database at its latest migration gets 5,300 structures (kinds weighted
like the national split, random départements), a few GES with month-aligned memberships, and
*dense* monthly tallies filled directly in SQL: every structure × the last 25 months and the
open month, × sex × age band, × criterion, with small counts. Pathway rows (with criteria and
monthly hours) are generated alike when `--pathways` is not 0, for the reports the rows answer.
The numbers are meaningless; only their volume matters, to time the report's SQL. Every
`group_by` is then asked `--repeats` times through the reporting app (admin token) for the
twelve whole months before this one, as `bench.reporting.report_p95_ms` does (and a few
reports the pathway rows answer, fewer times), and a table of median / p95 milliseconds is
printed with the load average. Scratch databases are dropped at the end.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from datetime import date, timedelta

import psycopg

from bench.measure import percentile
from services.reporting.projections import tally_layout as layout
from services.reporting.reports.etp import ETP_DIMENSIONS
from services.reporting.reports.outcomes import DIMENSIONS
from shared.domain.territories import DEPARTMENT_REGION
from tests.support import (
    Engines,
    admin_token,
    bearer,
    drop_all,
    make_settings,
    migrate_all,
    start_services,
)

# Cumulative shares of the national split of structure kinds.
KIND_SHARES = (("ACI", 0.44), ("AI", 0.74), ("EI", 0.87), ("ETTI", 0.99), ("EITI", 1.0))
CRITERIA = ("RSA", "QPV", "TH", "JEUNE", "DELD", "SENIOR")
PEOPLE = [(s, a) for s in ("F", "M") for a in ("under_26", "26_49", "50_plus", "")]
MONTHS = 25
GROUPS, MEMBERS = 30, 12
PAIRS = ("kind,month", "group,kind", "criterion,sex")
# Reports the pathway rows answer (a period of days, or criterion × sex), timed fewer times.
ROWS_REPEATS = 3


def fill_structures(conn: psycopg.Connection, count: int) -> None:
    kinds = " ".join(f"WHEN r < {share} THEN '{kind}'" for kind, share in KIND_SHARES)
    deps = list(DEPARTMENT_REGION)
    conn.execute(
        f"""INSERT INTO reference_data.structures (id, name, kind, department, region)
        SELECT gen_random_uuid(), 'Structure ' || i, CASE {kinds} END, d, '00'
          FROM (SELECT i, random() AS r,
                       (CAST(%(deps)s AS text[]))[1 + floor(random() * %(n)s)::int] AS d
                  FROM generate_series(1, %(count)s) i) x""",
        {"deps": deps, "n": len(deps), "count": count},
    )
    conn.execute(
        "UPDATE reference_data.structures s SET region = r.region"
        " FROM unnest(CAST(%(d)s AS text[]), CAST(%(r)s AS text[])) AS r(department, region)"
        " WHERE r.department = s.department",
        {"d": deps, "r": [DEPARTMENT_REGION[d] for d in deps]},
    )


def fill_groups(conn: psycopg.Connection, first_month: date) -> None:
    """GES of a dozen members each; memberships start on a 1st and end on a month's last day
    (or stay open), as the registry's national data has them."""
    conn.execute(
        "INSERT INTO reference_data.groups (id, name)"
        " SELECT gen_random_uuid(), 'GES ' || i FROM generate_series(1, %(n)s) i",
        {"n": GROUPS},
    )
    conn.execute(
        """INSERT INTO reference_data.memberships (id, group_id, structure_id, joined_on, left_on)
        SELECT gen_random_uuid(), g.id, s.id, j,
               CASE WHEN random() < 0.2 THEN (j + interval '13 months' - interval '1 day')::date
               END
          FROM (SELECT id, row_number() OVER (ORDER BY id) AS i FROM reference_data.groups) g
          JOIN (SELECT id, row_number() OVER (ORDER BY id) AS i
                  FROM reference_data.structures) s ON (s.i - 1) / %(m)s + 1 = g.i
         CROSS JOIN LATERAL (SELECT (%(first)s + floor(random() * 12)::int
                                     * interval '1 month')::date AS j) x""",
        {"m": MEMBERS, "first": first_month},
    )


def _amounts() -> str:
    """Small random amounts for every tally metric (hours and MAD hours as decimals)."""
    found = []
    for m in layout.METRICS:
        if m in layout.DECIMALS:
            found.append(f"round(CAST(random() * 300 AS numeric), 2) AS {m}")
        elif m in ("n", "entries"):
            found.append(f"1 + floor(random() * 6)::int AS {m}")
        else:
            found.append(f"floor(random() * 3)::int AS {m}")
    return ", ".join(found)


def fill_tallies(conn: psycopg.Connection, first_month: date) -> None:
    """Every structure × month (and the open month) in each grain: dense cells."""
    extra = {
        "tally": ("", ""),
        "tally_people": (
            ", p.sex, p.age_band",
            " CROSS JOIN (VALUES "
            + ", ".join(f"('{s}', '{a}')" for s, a in PEOPLE)
            + ") AS p(sex, age_band)",
        ),
        "tally_criteria": (
            ", c.criterion",
            " CROSS JOIN unnest(ARRAY[" + ", ".join(f"'{c}'" for c in CRITERIA) + "]) c(criterion)",
        ),
        # Every pathway under its kind's default measure, as almost all are.
        "tally_measures": (", ''", ""),
    }
    for grain, columns in layout.GRAINS.items():
        keys, join = extra[grain]
        conn.execute(
            f"""INSERT INTO outcomes.{grain} ({", ".join(columns)}, {", ".join(layout.METRICS)})
            SELECT s.id, m.month{keys}, {_amounts()}
              FROM reference_data.structures s
             CROSS JOIN (SELECT d::date AS month FROM generate_series(
                            %(first)s, %(last)s, interval '1 month') d
                         UNION ALL SELECT DATE '{layout.OPEN}') m{join}""",
            {"first": first_month, "last": _add_months(first_month, MONTHS - 1)},
        )


def fill_pathways(conn: psycopg.Connection, count: int, first_month: date) -> None:
    """Pathway rows over two years, a third still open, with criteria and monthly hours."""
    days = (date.today() - first_month).days
    conn.execute(
        """INSERT INTO outcomes.pathways (pathway_id, structure_id, opened_on, exited_on,
                                          exit_reason, exit_category, sex, age_band, hours_total,
                                          counted_hours, counted_months)
        SELECT gen_random_uuid(), s.id, o, e, CASE WHEN e IS NOT NULL THEN 'cdi' END,
               CASE WHEN e IS NOT NULL THEN (ARRAY['emploi_durable', 'emploi_transition',
                    'sortie_positive', 'autre_sortie', 'retrait'])[1 + floor(random() * 5)::int]
               END,
               (ARRAY['F', 'M'])[1 + floor(random() * 2)::int],
               (ARRAY['under_26', '26_49', '50_plus'])[1 + floor(random() * 3)::int],
               floor(random() * 900),
               CASE WHEN e IS NOT NULL THEN random() < 0.6 END,
               CASE WHEN e IS NOT NULL THEN random() < 0.6 END
          FROM (SELECT (%(first)s + floor(random() * %(days)s)::int) AS o,
                       1 + floor(random() * (SELECT count(*) FROM reference_data.structures))
                       AS si, random() AS r
                  FROM generate_series(1, %(count)s)) x
          JOIN (SELECT id, row_number() OVER (ORDER BY id) AS i
                  FROM reference_data.structures) s ON s.i = x.si
         CROSS JOIN LATERAL (SELECT CASE WHEN r < 0.66 THEN least(CURRENT_DATE,
                                 o + 30 + floor(random() * 600)::int) END AS e) y""",
        {"first": first_month, "days": days, "count": count},
    )
    conn.execute(
        "INSERT INTO outcomes.criteria (pathway_id, criterion)"
        " SELECT pathway_id, c FROM outcomes.pathways,"
        " unnest(CAST(%(c)s AS text[])) c WHERE random() < 0.33",
        {"c": list(CRITERIA)},
    )
    conn.execute(
        """INSERT INTO outcomes.monthly_hours (pathway_id, month, hours)
        SELECT pathway_id, m, 70 FROM outcomes.pathways,
               generate_series(date_trunc('month', opened_on),
                               coalesce(exited_on, CURRENT_DATE), interval '1 month') m
         WHERE random() < 0.5"""
    )


def fill_post_exit(conn: psycopg.Connection) -> None:
    """Follow-ups of the exits old enough for them: 60 % followed at 1 month, 45 % at 3, 35 % at
    6, half of those in employment (drawn from a hash of the row: PostgreSQL would draw a
    `random()` once per month, not per row)."""
    conn.execute(
        """INSERT INTO outcomes.post_exit (pathway_id, months_after, situation, category,
                                           in_employment, source, recorded_on)
        SELECT pathway_id, m, 'cdi', 'emploi_durable', draw % 2 = 0, 'salarie',
               exited_on + m * 30
          FROM (SELECT pathway_id, exited_on, m, share,
                       abs(hashtext(pathway_id::text || m)) % 100 AS draw
                  FROM outcomes.pathways
                 CROSS JOIN (VALUES (1, 60), (3, 45), (6, 35)) AS f(m, share)
                 WHERE exited_on IS NOT NULL AND exited_on + m * 30 <= CURRENT_DATE) x
         WHERE draw < share"""
    )


def fill_annexes(conn: psycopg.Connection, first_month: date) -> None:
    """One annexe a calendar year per structure of a conventioned kind (its `_DC` measure, 1 to
    30 ETP), its months in `annex_months`, and `measure_hours` summed from the hours rows, as
    the projections would derive them (docs/adr/0012-etp-attribution.md)."""
    last = _add_months(first_month, MONTHS)
    conn.execute(
        """INSERT INTO reference_data.annexes (id, structure_id, number, measure, state,
                                               starts_on, ends_on, etp_conventioned,
                                               reference_hours)
        SELECT gen_random_uuid(), s.id, 'AF' || s.i || 'Y' || y, s.kind || '_DC', 'VALIDE',
               make_date(y, 1, 1), make_date(y, 12, 31), 1 + floor(random() * 30), 1820
          FROM (SELECT id, kind, row_number() OVER (ORDER BY id) AS i
                  FROM reference_data.structures) s,
               generate_series(CAST(%(y0)s AS int), CAST(%(y1)s AS int)) y""",
        {"y0": first_month.year, "y1": last.year},
    )
    conn.execute(
        """INSERT INTO reference_data.annex_months (structure_id, measure, month, annex_id,
                                                    etp_conventioned, reference_hours)
        SELECT a.structure_id, a.measure, m, a.id, a.etp_conventioned, a.reference_hours
          FROM reference_data.annexes a,
               generate_series(a.starts_on, a.ends_on, interval '1 month') m"""
    )
    conn.execute(
        """INSERT INTO outcomes.measure_hours (structure_id, measure, month, hours, n)
        SELECT p.structure_id, '', h.month, sum(h.hours), count(*)
          FROM outcomes.monthly_hours h JOIN outcomes.pathways p USING (pathway_id)
         GROUP BY 1, 3"""
    )


def _add_months(day: date, months: int) -> date:
    years, month = divmod(day.month - 1 + months, 12)
    return date(day.year + years, month + 1, 1)


def time_reports(client, token: str, repeats: int) -> dict[str, tuple[float, float]]:
    """Median and p95 milliseconds per group_by, over the twelve whole months before this one,
    then a few reports from the pathway rows (the year to today, criterion × sex)."""
    this_month = date.today().replace(day=1)
    whole = f"from={_add_months(this_month, -12)}&to={this_month - timedelta(days=1)}"
    to_today = f"from={date.today() - timedelta(days=364)}&to={date.today()}"
    found = {}
    for dims in ("", *DIMENSIONS, *PAIRS):
        rows = dims == "criterion,sex"
        found[dims or "(total)"] = _time(
            client, token, whole, dims, ROWS_REPEATS if rows else repeats
        )
    for dims in ("", "kind"):
        found[f"{dims or '(total)'}, to today"] = _time(client, token, to_today, dims, ROWS_REPEATS)
    for dims in ETP_DIMENSIONS:
        found[f"ETP {dims}"] = _time(client, token, whole, dims, repeats, "etp")
    for dims in ("", *DIMENSIONS):
        found[f"après {dims or '(total)'}"] = _time(
            client, token, whole, dims, ROWS_REPEATS, "post-exit"
        )
    return found


def etp_report_p95_ms(found: dict[str, tuple[float, float]]) -> float:
    """The national one-year ETP report's p95, any `group_by`: the worst of its dimensions."""
    return max(p95 for name, (_, p95) in found.items() if name.startswith("ETP "))


def _time(
    client, token: str, period: str, dims: str, repeats: int, report: str = "outcomes"
) -> tuple[float, float]:
    return timed(client, token, f"/v1/reports/{report}?{period}&group_by={dims}", repeats)


def timed(client, token: str, url: str, repeats: int) -> tuple[float, float]:
    """Median and p95 milliseconds of `repeats` GETs of `url` through the app's test client."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        r = client.get(url, headers=bearer(token))
        times.append((time.perf_counter() - started) * 1000)
        if r.status_code != 200:
            raise RuntimeError(r.get_data(as_text=True)[:500])
    return statistics.median(times), percentile(times, 95)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--structures", type=int, default=5300)
    parser.add_argument("--pathways", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    settings = make_settings(Engines(os.environ["DATABASE_URL"], os.environ["REDIS_URL"]))
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
            if args.pathways:
                fill_pathways(conn, args.pathways, first_month)
                fill_post_exit(conn)
            fill_annexes(conn, first_month)
            conn.execute("VACUUM ANALYZE")
        print(f"filled in {time.perf_counter() - started:.0f} s")
        client = live["reporting"].app.test_client()
        print(f"load average {os.getloadavg()[0]:.1f}")
        print(f"{'group_by':<22}{'median ms':>10}{'p95 ms':>10}")
        found = time_reports(client, admin_token(settings), args.repeats)
        for dims, (median, p95) in found.items():
            print(f"{dims:<22}{median:>10.0f}{p95:>10.0f}")
        print(f"etp_report_p95_ms {etp_report_p95_ms(found):.0f}")
        after = max(p95 for name, (_, p95) in found.items() if name.startswith("après "))
        print(f"post_exit_report_p95_ms {after:.0f}")
        print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        for server in live.values():
            server.stop()
        if args.keep:
            print(f"kept: {settings.database_url_for('reporting')}")
        else:
            drop_all(settings)


if __name__ == "__main__":
    main()
