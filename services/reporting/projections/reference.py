"""The `reference` projection: the registry's structures, groups, memberships and annexes
financières, copied so that a report never calls another service. Each change carries the
entity's whole new state."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, text

from services.reporting.projections import annexes, locations
from shared.domain.territories import DEPARTMENT_REGION

SCHEMA = "reference_data"
TABLES = ("structures", "groups", "memberships", locations.TABLE, *annexes.TABLES)
# The entities reporting asks the registry's changes for (annexes are opt-in there).
ENTITIES = ("structure", "group", "membership", "annex")

UPSERTS = {
    "structure": """
        INSERT INTO {s}.structures AS t (id, siret, name, kind, department, region,
                                         convention_number, sectors)
        SELECT * FROM unnest(CAST(:id AS uuid[]), CAST(:siret AS text[]), CAST(:name AS text[]),
                             CAST(:kind AS text[]), CAST(:department AS text[]),
                             CAST(:region AS text[]), CAST(:convention_number AS text[]),
                             CAST(:sectors AS jsonb[]))
        ON CONFLICT (id) DO UPDATE SET siret = excluded.siret, name = excluded.name,
            kind = excluded.kind, department = excluded.department, region = excluded.region,
            convention_number = excluded.convention_number, sectors = excluded.sectors""",
    "group": """
        INSERT INTO {s}.groups AS t (id, name)
        SELECT * FROM unnest(CAST(:id AS uuid[]), CAST(:name AS text[]))
        ON CONFLICT (id) DO UPDATE SET name = excluded.name""",
    "membership": """
        INSERT INTO {s}.memberships AS t (id, group_id, structure_id, joined_on, left_on)
        SELECT * FROM unnest(CAST(:id AS uuid[]), CAST(:group_id AS uuid[]),
                             CAST(:structure_id AS uuid[]), CAST(:joined_on AS date[]),
                             CAST(:left_on AS date[]))
        ON CONFLICT (id) DO UPDATE SET group_id = excluded.group_id,
            structure_id = excluded.structure_id, joined_on = excluded.joined_on,
            left_on = excluded.left_on""",
}
COLUMNS = {
    "structure": (
        "id",
        "siret",
        "name",
        "kind",
        "department",
        "region",
        "convention_number",
        "sectors",
    ),
    "group": ("id", "name"),
    "membership": ("id", "group_id", "structure_id", "joined_on", "left_on"),
}


def apply(conn: Connection, items: list[dict[str, Any]], schema: str = SCHEMA) -> None:
    """Upsert a page of registry changes; within a page the latest change of an entity wins."""
    latest: dict[tuple[str, str], dict] = {}
    for item in items:
        if item["entity"] not in ENTITIES:
            raise ValueError(f"entité inconnue « {item['entity']} » (seq {item['seq']})")
        latest[(item["entity"], str(item["id"]))] = {**item["data"], "id": str(item["id"])}
    for entity, sql in UPSERTS.items():
        rows = [_row(entity, data) for (kind, _), data in latest.items() if kind == entity]
        if rows:
            params = {c: [r[c] for r in rows] for c in COLUMNS[entity]}
            conn.execute(text(sql.format(s=schema)), params)
    locations.apply(conn, items, schema)  # every structure change in order, not the latest
    annexes.apply(conn, [data for (kind, _), data in latest.items() if kind == "annex"], schema)


def _row(entity: str, data: dict[str, Any]) -> dict[str, Any]:
    row = {c: data.get(c) for c in COLUMNS[entity]}
    if entity == "structure":
        row["region"] = row["region"] or DEPARTMENT_REGION.get(row["department"] or "")
        row["sectors"] = (
            orjson.dumps(row["sectors"]).decode() if row["sectors"] is not None else None
        )
    return row
