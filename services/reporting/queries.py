"""Report queries: SQL aggregates over projection tables, never a fold of events."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, text


def entries(conn: Connection, start: date, end: date, structure_id: str | None) -> int:
    sql = "SELECT count(*) FROM pathway_facts WHERE opened_on BETWEEN :s AND :e"
    params: dict = {"s": start, "e": end}
    if structure_id:
        sql += " AND structure_id = :st"
        params["st"] = structure_id
    return conn.execute(text(sql), params).scalar_one()


def as_of_position(conn: Connection) -> int:
    return conn.execute(
        text("SELECT coalesce(min(position), 0) FROM projection_checkpoints")
    ).scalar_one()
