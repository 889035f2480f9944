"""What changed a report since a position: the events recorded later that move its figures.

Each pathway of the report's scope that gained events after the position is folded event by
event from its state at the position (reporting's copy of its stream); the rows each event
changes are read for what they add to the report's period (an entry by its opening date, an
exit by its date, hours by their month, MAD hours by their days, trainings and support actions
by their date), and an event is listed with the metrics whose contribution it moved. The
figures themselves, now, come from the report recomputed; this list says why they moved.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from services.reporting.projections.derive import fold
from services.reporting.projections.pathway_rows import derived_rows
from services.reporting.reports import asof, outcomes
from services.reporting.reports.rows import Query

# At most this many late events are listed (the oldest first); `truncated` says when more.
MAX_EVENTS = 1000
LATER = """
SELECT pathway_id::text AS pathway_id, position, event_id::text AS id, type, schema_version,
       occurred_on, data
  FROM outcomes.events
 WHERE pathway_id = ANY(CAST(:ids AS uuid[])) AND position <= :head
 ORDER BY pathway_id, position"""
# The metrics each report names for a family of contributions.
METRICS: dict[str, dict[str, tuple[str, ...]]] = {
    "outcomes": {
        "entries": ("entries",),
        "active": ("active",),
        "exits": ("exits", "exits_by_category", "average_months"),
        "counted": ("counted_exits", "counted_exits_by_category"),
        "hours": ("hours_worked", "etp"),
        "mads": ("mad_hours",),
        "training": ("trainings_completed",),
        "support": ("support_actions",),
    },
    "etp": {"hours": ("hours_worked", "etp_realised", "consumption_rate")},
}

# What a pathway not opened yet adds.
NOTHING: dict[str, Any] = {
    "entries": False,
    "active": False,
    "exits": None,
    "counted": None,
    "hours": [],
    "mads": [],
    "training": 0,
    "support": 0,
}


# The structures a report filtered by kind or area can read: by their kind now, and by any
# département or region they were ever located in (a superset: the report's SQL decides).
FILTERED = """
SELECT s.id::text FROM reference_data.structures s
 WHERE (CAST(:kind AS text) IS NULL OR s.kind = CAST(:kind AS text))
   AND (CAST(:department AS text) IS NULL OR s.department = CAST(:department AS text)
        OR EXISTS (SELECT 1 FROM reference_data.locations l WHERE l.structure_id = s.id
                     AND l.department = CAST(:department AS text)))
   AND (CAST(:region AS text) IS NULL OR s.region = CAST(:region AS text)
        OR EXISTS (SELECT 1 FROM reference_data.locations l WHERE l.structure_id = s.id
                     AND l.region = CAST(:region AS text)))"""


def structures_of(conn: Connection, q: Query) -> list[str] | None:
    """The structures whose late events can move a report of `q`; None: any structure."""
    found = outcomes.scope_structures(conn, q)
    if found is not None or not (q.kind or q.department or q.region):
        return found
    bind = {"kind": q.kind, "department": q.department, "region": q.region}
    return list(conn.execute(text(FILTERED), bind).scalars())


def late_events(
    conn: Connection,
    report: str,
    position: int,
    head: int,
    structures: list[str] | None,
    start: date,
    end: date,
) -> tuple[list[dict], bool]:
    """The events after `position` (up to `head`) that move the report's figures for the
    period, oldest first, each with the metrics it moved; and whether the list was cut."""
    touched = asof.touched(conn, position, structures)
    streams: dict[str, list[dict]] = {}
    if touched:
        rows = conn.execute(text(LATER), {"ids": touched, "head": head}).mappings()
        for row in rows:
            streams.setdefault(row["pathway_id"], []).append(dict(row))
    found = []
    for pid, stream in streams.items():
        known = [e for e in stream if e["position"] <= position]
        was = _contribution(pid, known, start, end)
        for event in (e for e in stream if e["position"] > position):
            known.append(event)
            now = _contribution(pid, known, start, end)
            moved = [
                metric
                for family, metrics in METRICS[report].items()
                if was[family] != now[family]
                for metric in metrics
            ]
            if moved:
                found.append(_event(pid, event, moved))
            was = now
    found.sort(key=lambda e: e["position"])
    return found[:MAX_EVENTS], len(found) > MAX_EVENTS


def _event(pid: str, event: dict, moved: list[str]) -> dict:
    return {
        "position": event["position"],
        "pathway_id": pid,
        "type": event["type"],
        "occurred_on": _iso(event["occurred_on"]),
        "metrics": moved,
    }


def _contribution(pid: str, stream: list[dict], start: date, end: date) -> dict[str, Any]:
    """What the pathway adds to each family of metrics of the period, from its derived rows."""
    if not stream:
        return NOTHING
    rows = derived_rows({pid: fold(stream)})
    if not rows["pathways"]:
        return NOTHING
    p = rows["pathways"][0]
    opened, exited = p["opened_on"], p["exited_on"]
    exit_in = exited is not None and start <= exited <= end
    return {
        "entries": start <= opened <= end,
        "active": opened <= end and (exited is None or exited >= start),
        "exits": (exited, p["exit_category"]) if exit_in else None,
        "counted": (exited, p["counted_hours"], p["counted_months"]) if exit_in else None,
        "hours": sorted(
            (h["month"], h["hours"])
            for h in rows["monthly_hours"]
            if _month_in(h["month"], start, end)
        ),
        "mads": sorted(
            (str(m["start_on"]), str(m["end_on"]), m["hours"], m["client_kind"])
            for m in rows["mads"]
            if _day(m["start_on"]) <= end and _day(m["end_on"]) >= start
        ),
        "training": _activities(rows["activities"], "training", start, end),
        "support": _activities(rows["activities"], "support", start, end),
    }


def _activities(rows: list[dict], kind: str, start: date, end: date) -> int:
    return sum(1 for a in rows if kind in a["kind"] and start <= _day(a["occurred_on"]) <= end)


def _month_in(month: Any, start: date, end: date) -> bool:
    first = _day(month)
    return date(start.year, start.month, 1) <= first <= end


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
