"""What every registry write leaves behind, in its own transaction: an audit entry and, for
reference data, a change row that reporting reads through `GET /v1/changes`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from services.registry.models import Annex, AuditEntry, Change, Group, Membership, Structure
from shared import queues
from shared.auth import Caller

log = logging.getLogger("iae.registry.journal")
# Key of the transaction-scoped advisory lock that serialises change rows (ADR 0002): taken
# just before the insert, so a change's seq is drawn only once every lower seq is committed.
CHANGES_LOCK_KEY = 0x1AE_0002
REFERENCE_PROJECTION = "reference"


def structure_data(s: Structure) -> dict:
    return {
        "id": str(s.id),
        "siret": s.siret,
        "name": s.name,
        "kind": s.kind,
        "department": s.department,
        "region": s.region,
        "convention_number": s.convention_number,
        "sectors": list(s.sectors or []),
        "closed_on": s.closed_on.isoformat() if s.closed_on else None,
    }


def group_data(g: Group) -> dict:
    return {"id": str(g.id), "name": g.name}


def membership_data(m: Membership) -> dict:
    return {
        "id": str(m.id),
        "group_id": str(m.group_id),
        "structure_id": str(m.structure_id),
        "joined_on": m.joined_on.isoformat(),
        "left_on": m.left_on.isoformat() if m.left_on else None,
    }


def annex_data(a: Annex) -> dict:
    """The whole annexe with its avenants, as reporting copies it (docs/domain.md §6b)."""
    return {
        "id": str(a.id),
        "structure_id": str(a.structure_id),
        "number": a.number,
        "measure": a.measure,
        "state": a.state,
        "starts_on": a.starts_on.isoformat(),
        "ends_on": a.ends_on.isoformat(),
        "etp_conventioned": a.etp_conventioned,
        "reference_hours": a.reference_hours,
        "amendments": [
            {
                "id": str(m.id),
                "number": m.number,
                "effective_on": m.effective_on.isoformat(),
                "etp_conventioned": m.etp_conventioned,
            }
            for m in sorted(a.amendments, key=lambda m: m.effective_on)
        ],
    }


SNAPSHOTS: dict[type, tuple[str, Callable[[Any], dict]]] = {
    Structure: ("structure", structure_data),
    Group: ("group", group_data),
    Membership: ("membership", membership_data),
    Annex: ("annex", annex_data),
}


def audit(
    session: Session, caller: Caller, action: str, entity: str, entity_id: uuid.UUID, changes: dict
) -> None:
    """Record who did what; `changes` never holds a secret."""
    session.add(
        AuditEntry(
            actor_token_id=caller.token_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            changes=changes,
        )
    )


def record(
    session: Session, caller: Caller, action: str, row, changes: dict, dated: dict | None = None
) -> None:
    """Audit a change of reference data and publish its new state, as the last write; `dated`
    says from when the change holds (a structure's `moved_on`), published with the state."""
    entity, snapshot = SNAPSHOTS[type(row)]
    audit(session, caller, action, entity, row.id, changes)
    session.flush()
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGES_LOCK_KEY})
    data = {**snapshot(row), **(dated or {})}
    session.execute(insert(Change).values(entity=entity, entity_id=row.id, data=data))


def nudge_reporting() -> None:
    """After commit, wake reporting; a Redis outage never fails the request (it sweeps)."""
    settings = current_app.config["SETTINGS"]
    try:
        queues.nudge(
            current_app.extensions["iae_redis"], settings.queue_prefix, REFERENCE_PROJECTION
        )
    except Exception as exc:  # Redis down or slow: reporting's periodic sweep catches up
        log.warning(
            "nudge not sent",
            extra={"projection": REFERENCE_PROJECTION, "error": type(exc).__name__},
        )


def diff(before: dict, after: dict) -> dict:
    """The fields whose value changed, as {field: {"from": old, "to": new}}."""
    return {k: {"from": before.get(k), "to": v} for k, v in after.items() if before.get(k) != v}
