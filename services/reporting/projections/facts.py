"""Pathway facts: one row per pathway (opening, structure), the base of the entry counts."""

from __future__ import annotations

from sqlalchemy import Connection, text

UPSERT = text(
    """
    INSERT INTO pathway_facts (pathway_id, structure_id, opened_on)
    SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:structures AS uuid[]), CAST(:dates AS date[]))
    ON CONFLICT (pathway_id) DO UPDATE SET structure_id = excluded.structure_id,
                                           opened_on = excluded.opened_on
    """
)


def apply(conn: Connection, events: list[dict]) -> None:
    """Apply one page of feed events with one set-based statement."""
    opened = [e for e in events if e["type"] == "pathway_opened"]
    if not opened:
        return
    conn.execute(UPSERT, {
        "ids": [e["pathway_id"] for e in opened],
        "structures": [e["structure_id"] for e in opened],
        "dates": [e["occurred_on"] for e in opened],
    })
