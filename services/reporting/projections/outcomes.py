"""The `outcomes` projection: reporting's copy of the log and the rows derived per pathway.

Every page is applied with set-based statements: the events are copied, then each pathway the
page touches has its rows derived again from its whole copied stream (voids included) and
replaced. Rebuild and incremental catch-up therefore produce identical tables.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import orjson
from sqlalchemy import Connection, text

from services.reporting.projections.alert_rules import alert_rows
from services.reporting.projections.derive import Folded, fold
from shared.outcomes import exit_category

SCHEMA = "outcomes"
DERIVED = ("pathways", "criteria", "monthly_hours", "mads", "activities", "alerts")

COPY = """
INSERT INTO {s}.events (position, pathway_id, event_id, type, occurred_on, data)
SELECT p, pw, e, t, o, CAST(d AS jsonb)
  FROM unnest(CAST(:p AS bigint[]), CAST(:pw AS uuid[]), CAST(:e AS uuid[]),
              CAST(:t AS text[]), CAST(:o AS date[]), CAST(:d AS text[])) AS u(p, pw, e, t, o, d)
ON CONFLICT (position) DO NOTHING
"""
STREAMS = """
SELECT pathway_id::text AS pathway_id, position, event_id::text AS id, type, occurred_on, data
  FROM {s}.events WHERE pathway_id = ANY(CAST(:ids AS uuid[])) ORDER BY pathway_id, position
"""
INSERTS = {
    "pathways": """
        INSERT INTO {s}.pathways SELECT * FROM unnest(
          CAST(:pathway_id AS uuid[]), CAST(:structure_id AS uuid[]), CAST(:opened_on AS date[]),
          CAST(:exited_on AS date[]), CAST(:exit_reason AS text[]),
          CAST(:exit_category AS text[]), CAST(:sex AS text[]), CAST(:age_band AS text[]),
          CAST(:hours_total AS numeric[]))""",
    "criteria": """
        INSERT INTO {s}.criteria SELECT * FROM unnest(
          CAST(:pathway_id AS uuid[]), CAST(:criterion AS text[]))""",
    "monthly_hours": """
        INSERT INTO {s}.monthly_hours SELECT * FROM unnest(
          CAST(:pathway_id AS uuid[]), CAST(:month AS date[]), CAST(:hours AS numeric[]))""",
    "mads": """
        INSERT INTO {s}.mads SELECT * FROM unnest(
          CAST(:pathway_id AS uuid[]), CAST(:seq AS int[]), CAST(:client_kind AS text[]),
          CAST(:start_on AS date[]), CAST(:end_on AS date[]), CAST(:hours AS numeric[]))""",
    "activities": """
        INSERT INTO {s}.activities SELECT * FROM unnest(
          CAST(:pathway_id AS uuid[]), CAST(:seq AS int[]), CAST(:kind AS text[]),
          CAST(:occurred_on AS date[]))""",
    "alerts": """
        INSERT INTO {s}.alerts SELECT * FROM unnest(
          CAST(:pathway_id AS uuid[]), CAST(:seq AS int[]), CAST(:code AS text[]),
          CAST(:due_on AS date[]), CAST(:active_from AS date[]), CAST(:active_until AS date[]),
          CAST(:message AS text[]))""",
}


def apply(conn: Connection, events: list[dict[str, Any]], schema: str = SCHEMA) -> None:
    """Apply one page of feed events to the tables of `schema`."""
    if not events:
        return
    conn.execute(text(COPY.format(s=schema)), _copy_params(events))
    ids = sorted({e["pathway_id"] for e in events})
    streams: dict[str, list[dict]] = defaultdict(list)
    for row in conn.execute(text(STREAMS.format(s=schema)), {"ids": ids}).mappings():
        streams[row["pathway_id"]].append(dict(row))
    rows = derived_rows({pid: fold(stream) for pid, stream in streams.items()})
    for table in DERIVED:
        conn.execute(
            text(f"DELETE FROM {schema}.{table} WHERE pathway_id = ANY(CAST(:ids AS uuid[]))"),
            {"ids": ids},
        )
        if rows[table]:
            conn.execute(text(INSERTS[table].format(s=schema)), _columns(rows[table]))


def _copy_params(events: list[dict[str, Any]]) -> dict[str, list]:
    return {
        "p": [e["position"] for e in events],
        "pw": [e["pathway_id"] for e in events],
        "e": [e["id"] for e in events],
        "t": [e["type"] for e in events],
        "o": [e["occurred_on"] for e in events],
        "d": [orjson.dumps(e["data"]).decode() for e in events],
    }


def _columns(rows: list[dict]) -> dict[str, list]:
    """Row dicts → one list per column, for unnest."""
    return {key: [r[key] for r in rows] for key in rows[0]}


def derived_rows(folded: dict[str, Folded]) -> dict[str, list[dict]]:
    """Rows of every derived table for the given folded pathways (unopened ones have none)."""
    rows: dict[str, list[dict]] = {table: [] for table in DERIVED}
    for pid, state in folded.items():
        if state.opened_on is None:
            continue
        rows["pathways"].append(_pathway_row(pid, state))
        rows["criteria"] += [{"pathway_id": pid, "criterion": c} for c in state.criteria]
        rows["monthly_hours"] += [
            {"pathway_id": pid, "month": f"{m}-01", "hours": h}
            for m, h in sorted(state.hours_by_month.items())
        ]
        rows["mads"] += [
            {
                "pathway_id": pid,
                "seq": i,
                "client_kind": m.client_kind,
                "start_on": m.start_on,
                "end_on": m.end_on,
                "hours": m.hours,
            }
            for i, m in enumerate(state.mads)
        ]
        rows["activities"] += [
            {"pathway_id": pid, "seq": i, "kind": k, "occurred_on": on}
            for i, (k, on) in enumerate(state.activities)
        ]
        rows["alerts"] += [
            {"pathway_id": pid, "seq": i, **vars(a)} for i, a in enumerate(alert_rows(state))
        ]
    return rows


def _pathway_row(pid: str, state: Folded) -> dict:
    exited_on, reason = state.exit or (None, None)
    return {
        "pathway_id": pid,
        "structure_id": state.structure_id,
        "opened_on": state.opened_on,
        "exited_on": exited_on,
        "exit_reason": reason,
        "exit_category": exit_category(reason) if reason else None,
        "sex": state.sex,
        "age_band": state.age_band,
        "hours_total": float(sum(state.hours_by_month.values())),
    }
