"""The `outcomes` projection: reporting's copy of the log and the rows derived per pathway (their
builders in `pathway_rows`).

Every page is applied with set-based statements: the events are copied, each touched pathway's
stored state (`states`) takes the page's events, and only the derived rows that differ between
the state before and after are deleted or inserted. A void re-folds the pathway's whole copied
stream. Rows are a pure function of the stream, so rebuild and catch-up give identical tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from functools import partial
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Connection, text

from services.reporting.projections import measure_hours, parking, rollups, tallies
from services.reporting.projections.derive import copied, dump, fold, fold_more, load
from services.reporting.projections.pathway_rows import CHANGES, DERIVED, derived_rows
from shared.domain import events as ev
from shared.domain.pathway.state import PathwayState

SCHEMA = "outcomes"
STATES = "states"
# Rows travel as one JSON document per statement, unpacked by PostgreSQL into the table's own
# row type: one parameter to encode (orjson), no per-element array escaping in Python.
COPY = """
INSERT INTO {s}.events (position, pathway_id, event_id, type, schema_version, occurred_on, data)
SELECT position, pathway_id, event_id, type, schema_version, occurred_on, data
  FROM json_populate_recordset(NULL::{s}.events, CAST(:doc AS json))
ON CONFLICT (position) DO NOTHING
RETURNING position
"""
INSERT = (
    "INSERT INTO {s}.{t} SELECT * FROM json_populate_recordset(NULL::{s}.{t}, CAST(:doc AS json))"
)
DELETE = """
DELETE FROM {s}.{t} AS t USING json_populate_recordset(NULL::{s}.{t}, CAST(:doc AS json)) AS d
 WHERE {match}"""
LOAD_STATES = """
SELECT pathway_id::text, state::text FROM {s}.states WHERE pathway_id = ANY(CAST(:ids AS uuid[]))
"""
SAVE_STATES = """
INSERT INTO {s}.states (pathway_id, state)
SELECT pathway_id, state FROM json_populate_recordset(NULL::{s}.states, CAST(:doc AS json))
ON CONFLICT (pathway_id) DO UPDATE SET state = excluded.state
"""
KEYS = {
    "pathways": ("pathway_id",),
    "criteria": ("pathway_id", "criterion"),
    "monthly_hours": ("pathway_id", "month"),
    "mads": ("pathway_id", "seq"),
    "activities": ("pathway_id", "seq"),
    "alerts": ("pathway_id", "seq"),
    "transfers": ("pathway_id",),
    "post_exit": ("pathway_id", "months_after"),
}
# A row's primary key, as a dictionary key (a bare value for one column).
_KEY_OF = {table: itemgetter(*columns) for table, columns in KEYS.items()}
STREAMS = """
SELECT pathway_id::text AS pathway_id, position, event_id::text AS id, type, schema_version,
       occurred_on, data
  FROM {s}.events WHERE pathway_id = ANY(CAST(:ids AS uuid[])) ORDER BY pathway_id, position
"""


def apply(conn: Connection, events: list[dict[str, Any]], schema: str = SCHEMA) -> None:
    """Apply one page of feed events to the tables of `schema`: only the rows that change.

    A pathway that cannot be derived is parked (`parking`), its rows and contributions taken
    away; a parked pathway's events are copied but not applied. The others flow on."""
    if not events:
        return
    # A crash may lose this commit, but the checkpoint goes with the rows: the page is read
    # again, never half-applied. Not waiting for the WAL flush is then safe, and faster.
    conn.execute(text("SET LOCAL synchronous_commit = off"))
    fresh = set(conn.execute(text(COPY.format(s=schema)), _doc(_copied(events))).scalars())
    pages: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        if event["position"] in fresh:
            pages[event["pathway_id"]].append(event)
    for pid in parking.held(conn, schema, pages) if pages else ():
        del pages[pid]
    if not pages:
        return
    before, folds, unknown, prior = _states(conn, schema, pages)
    tables = _changed_tables(pages, before)
    after, new, failed = derive_each(folds, tables)
    for pid in failed:
        tables[pid] = set(DERIVED)  # its rows all go
    parking.park(conn, schema, _located(conn, schema, failed))
    changed = _write_rows(conn, schema, derived_rows(before, tables), new, unknown)
    _tally(conn, schema, {**before, **prior}, after, changed)


def retry(conn: Connection, pid: str, schema: str = SCHEMA) -> parking.Parked | None:
    """Derive a parked pathway again from its whole copied stream, with the code of the day:
    None once its rows are written and it is no longer parked, else why it stays parked."""
    stream = _streams(conn, schema, [pid])[pid]
    after, new, failed = derive_each({pid: partial(fold, stream)}, {})
    if failed:
        [found] = _located(conn, schema, failed)
        parking.park(conn, schema, [found])
        return found
    changed = _write_rows(conn, schema, derived_rows({}), new, [pid])
    _tally(conn, schema, {}, after, changed)
    parking.unpark(conn, schema, pid)
    return None


def _tally(
    conn: Connection,
    schema: str,
    before: dict[str, PathwayState],
    after: dict[str, PathwayState],
    changed: tallies.RowChanges,
) -> None:
    """Tallies, hours by measure and rollups from the states before and after; states kept."""
    tallies.write(conn, schema, before, after, changed)
    measure_hours.write(conn, schema, before, after)
    rollups.repair(conn, schema)
    states = [{"pathway_id": pid, "state": dump(state)} for pid, state in after.items()]
    if states:
        conn.execute(text(SAVE_STATES.format(s=schema)), _doc(states))


Fold = Callable[[], PathwayState]


def derive_each(
    folds: Mapping[str, Fold], tables: Mapping[str, Collection[str]]
) -> tuple[dict[str, PathwayState], dict[str, list[dict]], list[str]]:
    """Each pathway folded and its rows derived on its own: (states, rows, failing pathways)."""
    after: dict[str, PathwayState] = {}
    rows: dict[str, list[dict]] = {table: [] for table in DERIVED}
    failed = []
    for pid, folding in folds.items():
        done, error = parking.attempt(partial(_state_and_rows, pid, folding, tables))
        if done is None:
            failed.append(pid)
            continue
        after[pid] = done[0]
        for table, found in done[1].items():
            rows[table] += found
    return after, rows, failed


def _state_and_rows(
    pid: str, folding: Fold, tables: Mapping[str, Collection[str]]
) -> tuple[PathwayState, dict[str, list[dict]]]:
    state = folding()
    return state, derived_rows({pid: state}, tables)


def derivable(pid: str, stream: list[dict]) -> None:
    """Fold a stream and derive every row of it; raises what a failing pathway raises."""
    derived_rows({pid: fold(stream)})


def _located(conn: Connection, schema: str, failed: list[str]) -> list[parking.Parked]:
    """Where and why each failing pathway fails, found on its whole copied stream."""
    streams = _streams(conn, schema, failed)
    return [parking.locate(pid, streams[pid], partial(derivable, pid)) for pid in failed]


def _changed_tables(pages: dict[str, list[dict]], before: dict) -> dict[str, set[str]]:
    """The tables each pathway's page can change, for the pathways whose old rows are known."""
    return {
        pid: {"alerts"}.union(*(CHANGES.get(e["type"], DERIVED) for e in pages[pid]))
        for pid in before
    }


def _states(
    conn: Connection, schema: str, pages: dict[str, list[dict]]
) -> tuple[dict[str, PathwayState], dict[str, Fold], list[str], dict[str, PathwayState]]:
    """States before the page and how to fold each pathway's state after it; a void (or a
    state never stored) means a re-fold of the pathway's whole copied stream, and its old rows
    are then unknown: replaced whole. `prior` is what those re-folded pathways stood at before
    the page, for the tallies."""
    ids = sorted(pages)
    stored: dict[str, str] = dict(
        conn.execute(text(LOAD_STATES.format(s=schema)), {"ids": ids}).all()
    )
    before, refold = {}, []
    for pid, page in pages.items():
        voids = any(e["type"] == ev.EVENT_VOIDED for e in page)
        state = load(stored[pid]) if pid in stored and not voids else None
        if state is not None:
            before[pid] = state
        elif pid in stored or page[0]["type"] != ev.PATHWAY_OPENED or voids:
            refold.append(pid)
    folds: dict[str, Fold] = {
        pid: partial(fold_more, copied(state), pages[pid]) for pid, state in before.items()
    }
    fresh = [pid for pid in ids if _new(pid, before, refold)]
    folds.update({pid: partial(fold_more, PathwayState(), pages[pid]) for pid in fresh})
    streams = _streams(conn, schema, refold)
    folds.update({pid: partial(fold, stream) for pid, stream in streams.items()})
    return before, folds, refold, _prior(stored, streams, pages)


def _prior(
    stored: dict[str, str], streams: dict[str, list[dict]], pages: dict[str, list[dict]]
) -> dict[str, PathwayState]:
    """Re-folded pathways as they stood before the page: their stored state, or else their
    copied stream without the page's events (a pathway projected before states were kept)."""
    prior = {}
    for pid, stream in streams.items():
        fresh = {e["position"] for e in pages[pid]}
        earlier = [e for e in stream if e["position"] not in fresh]
        state = load(stored[pid]) if pid in stored else None
        prior[pid] = state if state is not None else fold(earlier)
    return prior


def _new(pid: str, before: dict, refold: list[str]) -> bool:
    return pid not in before and pid not in refold


def _streams(conn: Connection, schema: str, ids: list[str]) -> dict[str, list[dict]]:
    streams: dict[str, list[dict]] = {pid: [] for pid in ids}
    if ids:
        for row in conn.execute(text(STREAMS.format(s=schema)), {"ids": ids}).mappings():
            streams[row["pathway_id"]].append(dict(row))
    return streams


def _write_rows(
    conn: Connection,
    schema: str,
    old: dict[str, list[dict]],
    new: dict[str, list[dict]],
    replaced: list[str],
) -> tallies.RowChanges:
    """Delete the rows that went or changed, insert the rows that came or changed; say which,
    complete for every pathway but the `replaced` ones (whose old rows were not derived)."""
    changed = tallies.RowChanges({}, {}, frozenset(replaced))
    for table in DERIVED:
        key = _KEY_OF[table]
        was = {key(r): r for r in old[table]}
        now = {key(r): r for r in new[table]}
        gone = [r for k, r in was.items() if now.get(k) != r]
        came = [r for k, r in now.items() if was.get(k) != r]
        if replaced:
            _delete(conn, schema, table, ("pathway_id",), [{"pathway_id": p} for p in replaced])
        if gone:
            _delete(conn, schema, table, KEYS[table], gone)
        if came:
            conn.execute(text(INSERT.format(s=schema, t=table)), _doc(came))
        changed.gone[table], changed.came[table] = gone, came
    return changed


def _delete(conn: Connection, schema: str, table: str, key: tuple, rows: list[dict]) -> None:
    """Delete rows by (part of) their primary key, set-based."""
    match = " AND ".join(f"t.{c} = d.{c}" for c in key)
    conn.execute(text(DELETE.format(s=schema, t=table, match=match)), _doc(rows))


def _copied(events: list[dict[str, Any]]) -> list[dict]:
    return [
        {
            "position": e["position"],
            "pathway_id": e["pathway_id"],
            "event_id": e["id"],
            "type": e["type"],
            "schema_version": ev.version_of(e),
            "occurred_on": e["occurred_on"],
            "data": e["data"],
        }
        for e in events
    ]


def _doc(rows: list) -> dict[str, str]:
    return {"doc": orjson.dumps(rows).decode()}
