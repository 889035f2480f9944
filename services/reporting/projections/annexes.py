"""Annexes financières in the reference copy: each change carries the whole annexe with its
avenants (docs/adr/0011-annexes-and-territories.md), so it is upserted and its avenants
replaced. `annex_months` then says, for every structure whose annexes changed, which annexe
each month of a measure belongs to, the ETP it funds that month and its reference hours: the
rules of `shared/domain/annexes.py`, applied once here so that reports only join
(docs/adr/0012-etp-attribution.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import orjson
from sqlalchemy import Connection, text

from shared.domain.annexes import Amendment, Annex, month_annexes, month_funded_etp

TABLES = ("annexes", "amendments", "annex_months")
UPSERT = """
INSERT INTO {s}.annexes AS t (id, structure_id, number, measure, state, starts_on, ends_on,
                              etp_conventioned, reference_hours)
SELECT id, structure_id, number, measure, state, starts_on, ends_on, etp_conventioned,
       reference_hours
  FROM json_populate_recordset(NULL::{s}.annexes, CAST(:doc AS json))
ON CONFLICT (id) DO UPDATE SET structure_id = excluded.structure_id, number = excluded.number,
    measure = excluded.measure, state = excluded.state, starts_on = excluded.starts_on,
    ends_on = excluded.ends_on, etp_conventioned = excluded.etp_conventioned,
    reference_hours = excluded.reference_hours"""
INSERT = (
    "INSERT INTO {s}.{t} SELECT * FROM json_populate_recordset(NULL::{s}.{t}, CAST(:doc AS json))"
)
STRUCTURES = "CAST(:ids AS uuid[])"
READ_ANNEXES = f"""
SELECT id::text, structure_id::text, number, measure, state, starts_on, ends_on,
       etp_conventioned::float8, reference_hours::float8
  FROM {{s}}.annexes WHERE structure_id = ANY({STRUCTURES})"""
READ_AMENDMENTS = f"""
SELECT m.annex_id::text, m.number, m.effective_on, m.etp_conventioned::float8
  FROM {{s}}.amendments m JOIN {{s}}.annexes a ON a.id = m.annex_id
 WHERE a.structure_id = ANY({STRUCTURES}) ORDER BY m.annex_id, m.seq"""


def apply(conn: Connection, annexes: list[dict[str, Any]], schema: str) -> None:
    """Upsert the annexes (the latest change of each, in page order), replace their avenants,
    and work out again the months of every structure they belong to."""
    if not annexes:
        return
    ids = [a["id"] for a in annexes]
    conn.execute(text(UPSERT.format(s=schema)), _doc(annexes))
    conn.execute(
        text(f"DELETE FROM {schema}.amendments WHERE annex_id = ANY(CAST(:ids AS uuid[]))"),
        {"ids": ids},
    )
    amendments = [
        {
            "annex_id": a["id"],
            "seq": i,
            **{k: m[k] for k in ("number", "effective_on")},
            "etp_conventioned": m["etp_conventioned"],
        }
        for a in annexes
        for i, m in enumerate(a.get("amendments") or ())
    ]
    if amendments:
        conn.execute(text(INSERT.format(s=schema, t="amendments")), _doc(amendments))
    _months(conn, schema, sorted({a["structure_id"] for a in annexes}))


def _months(conn: Connection, schema: str, structures: list[str]) -> None:
    """`annex_months` of these structures, derived afresh from all their annexes."""
    params = {"ids": structures}
    conn.execute(
        text(f"DELETE FROM {schema}.annex_months WHERE structure_id = ANY({STRUCTURES})"), params
    )
    found = conn.execute(text(READ_ANNEXES.format(s=schema)), params).all()
    avenants: dict[str, list[Amendment]] = defaultdict(list)
    for annex_id, number, effective_on, etp in conn.execute(
        text(READ_AMENDMENTS.format(s=schema)), params
    ):
        avenants[annex_id].append(Amendment(number, effective_on, etp))
    pairs: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in found:
        pairs[(row[1], row[3])].append(row)
    rows = []
    for (structure_id, measure), annexes in pairs.items():
        by_number = {r[2]: r for r in annexes}
        domain = [Annex(r[2], r[3], r[4], r[5], r[6], r[7]) for r in annexes]
        for month, annex in month_annexes(domain).items():
            raw = by_number[annex.number]
            rows.append(_month_row(structure_id, measure, month, raw, annex, avenants[raw[0]]))
    if rows:
        conn.execute(text(INSERT.format(s=schema, t="annex_months")), _doc(rows))


def _month_row(
    structure_id: str, measure: str, month: date, raw: tuple, annex: Annex, avenants: list
) -> dict:
    return {
        "structure_id": structure_id,
        "measure": measure,
        "month": month.isoformat(),
        "annex_id": raw[0],
        "etp_conventioned": month_funded_etp(annex, avenants, month),
        "reference_hours": raw[8],
    }


def _doc(rows: list[dict]) -> dict[str, str]:
    return {"doc": orjson.dumps(rows, default=str).decode()}
