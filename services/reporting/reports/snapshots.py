"""Frozen reports (snapshots): a report computed as of the projections' position, kept as the
exact bytes of its canonical JSON (keys sorted, no spaces) with their SHA-256, its parameters,
label and author. Stored in `knowledge.snapshots`, which no rebuild touches. A snapshot is read
by whoever could read its report with its parameters (the report's own scoping decides).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import Connection, text

from services.reporting.catchup import checkpoints
from services.reporting.reports import etp, outcomes
from shared.auth import Caller
from shared.problems import Problem

Report = Callable[[Connection, Caller, dict], dict]
REPORTS: dict[str, tuple[type[Schema], Report]] = {
    "outcomes": (outcomes.OutcomeParams, outcomes.outcome_report),
    "etp": (etp.EtpParams, etp.etp_report),
}
# Parameters a snapshot decides itself: its position is the projections' when it is taken.
OWN = ("format", "min_position", "as_of_position")
INSERT = """
INSERT INTO knowledge.snapshots (id, report, params, label, as_of_position, created_at,
       created_by, sha256, body, structure_id, group_id, department, region)
VALUES (CAST(:id AS uuid), :report, CAST(:params AS jsonb), :label, :as_of_position,
        :created_at, CAST(:created_by AS jsonb), :sha256, :body, CAST(:structure_id AS uuid),
        CAST(:group_id AS uuid), :department, :region)"""
COLUMNS = """id::text AS id, report, params, label, as_of_position, created_at, created_by,
       sha256"""
ONE = f"SELECT {COLUMNS}, body FROM knowledge.snapshots WHERE id = CAST(:id AS uuid)"
IN_SCOPE = (
    "SELECT EXISTS (SELECT 1 FROM knowledge.snapshots WHERE id = CAST(:id AS uuid) AND {where})"
)
LIST = f"""SELECT {COLUMNS} FROM knowledge.snapshots WHERE {{where}}
 ORDER BY created_at DESC, id LIMIT :limit"""
MAX_LISTED = 200


class SnapshotIn(Schema):
    """Body of POST /v1/reports/snapshots."""

    report = fields.String(required=True, validate=validate.OneOf(sorted(REPORTS)))
    params = fields.Dict(keys=fields.String(), load_default=dict)
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))


def report_params(report: str, raw: dict[str, Any]) -> dict:
    """The report's parameters from a snapshot's, checked as the report's query would be."""
    own = sorted(k for k in raw if k in OWN)
    if own:
        raise Problem(
            422,
            "Paramètres fixés par le rapport figé lui-même : " + ", ".join(own) + ".",
            errors={"params": [f"{k} : non accepté" for k in own]},
        )
    schema, _ = REPORTS[report]
    try:
        return schema().load({k: "" if v is None else str(v) for k, v in raw.items()})
    except ValidationError as error:
        raise Problem(
            422, "Paramètres du rapport invalides.", errors={"params": _messages(error)}
        ) from error


def _messages(error: ValidationError) -> list[str]:
    found = error.messages if isinstance(error.messages, dict) else {"": error.messages}
    return [f"{k} : {' '.join(map(str, v))}" for k, v in found.items()]


def create(conn: Connection, caller: Caller, report: str, raw: dict, label: str) -> bytes:
    """Compute the report as of the projections' position, store it; the answer's bytes."""
    params = report_params(report, raw)
    q = outcomes.scoped_query(conn, caller, {"group_by": "", **params})
    position = checkpoints.included_position(conn)
    body = canonical(REPORTS[report][1](conn, caller, {**params, "as_of_position": position}))
    row = {
        "id": str(uuid.uuid4()),
        "report": report,
        "params": orjson.dumps(raw, option=orjson.OPT_SORT_KEYS).decode(),
        "label": label,
        "as_of_position": position,
        "created_at": datetime.now(UTC),
        "created_by": orjson.dumps(author(caller)).decode(),
        "sha256": hashlib.sha256(body).hexdigest(),
        "body": body,
        "structure_id": q.structure_id,
        "group_id": q.group_id,
        "department": q.department,
        "region": q.region,
    }
    conn.execute(text(INSERT), row)
    conn.commit()
    return envelope({**row, "params": raw, "created_by": author(caller)}, body)


def canonical(report: dict) -> bytes:
    """The bytes a snapshot keeps and hashes: keys sorted, no spaces."""
    return orjson.dumps(report, option=orjson.OPT_SORT_KEYS)


def author(caller: Caller) -> dict:
    """Who froze it: the token, and the staff account when a signed-in person did."""
    return {"token_id": caller.token_id, "staff_id": caller.staff_id}


def envelope(meta: dict, body: bytes) -> bytes:
    """The answer: the snapshot's fields, then its body written as the very bytes stored."""
    head = {
        k: meta[k]
        for k in ("id", "report", "params", "label", "as_of_position", "created_by", "sha256")
    }
    head["created_at"] = _iso(meta["created_at"])
    return orjson.dumps(head, option=orjson.OPT_SORT_KEYS)[:-1] + b',"body":' + body + b"}"


def read(conn: Connection, caller: Caller, snapshot_id: str) -> dict:
    """A stored snapshot (its `body` as bytes) the caller may read, else 404 or 403."""
    row = conn.execute(text(ONE), {"id": snapshot_id}).mappings().first()
    if row is None:
        raise Problem(404, "Rapport figé introuvable.")
    found = dict(row)
    found["body"] = bytes(found["body"])
    try:
        params = report_params(found["report"], found["params"])
    except Problem:  # parameters a later version no longer takes: the scope it was read in
        where, bind = _scope(conn, caller)
        if not conn.execute(
            text(IN_SCOPE.format(where=where)), {**bind, "id": snapshot_id}
        ).scalar():
            raise Problem(403, "Ce rapport figé est hors de votre périmètre.") from None
        found["params_loaded"] = None
        return found
    outcomes.scoped_query(conn, caller, {"group_by": "", **params})  # 403 when out of scope
    found["params_loaded"] = params
    return found


def listed(conn: Connection, caller: Caller, report: str | None) -> list[dict]:
    """The snapshots of the caller's scope, latest first (without their bodies)."""
    where, bind = _scope(conn, caller)
    if report:
        where += " AND report = :report"
        bind["report"] = report
    rows = conn.execute(text(LIST.format(where=where)), {**bind, "limit": MAX_LISTED})
    return [{**dict(r), "created_at": _iso(r.created_at)} for r in rows.mappings()]


def _scope(conn: Connection, caller: Caller) -> tuple[str, dict]:
    if caller.scope == "structure":
        return "structure_id = CAST(:s AS uuid)", {"s": caller.structure_id}
    if caller.scope == "group":
        return (
            "(group_id = CAST(:g AS uuid) OR structure_id IN (SELECT structure_id"
            " FROM reference_data.memberships WHERE group_id = CAST(:g AS uuid)))",
            {"g": caller.group_id},
        )
    if caller.scope == "territory":
        return "(department = :d OR region = :r)", {"d": caller.department, "r": caller.region}
    return "true", {}


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return str(value)
