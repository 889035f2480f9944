"""Structures: creation, update and scoped reading, each write audited and published."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.registry import journal, tokens, visibility
from services.registry.models import Membership, Structure
from shared.auth import Caller
from shared.domain.identifiers import region_of
from shared.problems import Problem

TWIN = "Une structure de ce type existe déjà pour ce SIRET (unicité SIRET + type)."
OUT_OF_SCOPE = "Cette structure est hors de la portée de ce jeton."
UNKNOWN = "Aucune structure visible ne porte cet identifiant."


def _refuse_twin(session: Session, siret: str, kind: str, own_id: uuid.UUID | None = None) -> None:
    """One SIRET may carry several kinds, but each (SIRET, kind) once (domain §1)."""
    twin = session.scalar(
        select(Structure.id).where(Structure.siret == siret, Structure.kind == kind)
    )
    if twin is not None and twin != own_id:
        raise Problem(409, TWIN, slug="duplicate-structure", existing_id=str(twin))


def _flush(session: Session) -> None:
    """Flush, turning a race on the (SIRET, kind) constraint into the same 409."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise Problem(409, TWIN, slug="duplicate-structure") from exc


def create(session: Session, caller: Caller, data: dict) -> Structure:
    _refuse_twin(session, data["siret"], data["kind"])
    structure = Structure(id=uuid.uuid4(), region=region_of(data["department"]), **data)
    session.add(structure)
    _flush(session)
    journal.record(session, caller, "create", structure, journal.structure_data(structure))
    return structure


def update(session: Session, caller: Caller, structure_id: uuid.UUID, data: dict) -> Structure:
    """Apply the given fields; an update that changes nothing writes nothing."""
    structure = session.get(Structure, structure_id, with_for_update=True)
    if structure is None:
        raise Problem(404, UNKNOWN)
    data = dict(data)
    moved_on = data.pop("moved_on", None)
    siret, kind = data.get("siret", structure.siret), data.get("kind", structure.kind)
    _refuse_twin(session, siret, kind, structure.id)
    before = journal.structure_data(structure)
    for name, value in data.items():
        setattr(structure, name, value)
    region = region_of(structure.department)
    if region is None:  # the schema admits known départements only
        raise Problem(422, "Département inconnu.", errors={"department": ["Département inconnu."]})
    structure.region = region
    changed = journal.diff(before, journal.structure_data(structure))
    moved = _moved_on(changed, moved_on)
    if changed.get("closed_on"):
        _close(session, caller, structure)
    if changed:
        _flush(session)
        dated = {name: {"from": None, "to": on} for name, on in moved.items()}
        journal.record(session, caller, "update", structure, {**changed, **dated}, moved)
    return structure


def _close(session: Session, caller: Caller, structure: Structure) -> None:
    """Closing is a recorded fact, never announced ahead; it revokes the structure's tokens in
    the same transaction (each revocation audited), so they fail everywhere within the cache
    time."""
    if structure.closed_on is not None and structure.closed_on > date.today():
        message = "La date de fermeture ne peut pas être dans le futur."
        raise Problem(422, message, errors={"closed_on": [message]})
    tokens.revoke_structure_tokens(session, caller, structure.id)


def _moved_on(changed: dict, moved_on: date | None) -> dict:
    """A change of département is a move, dated (the day of the change unless given): reports
    count a structure's activity where it was located on each date (docs/domain.md §6c)."""
    if "department" not in changed:
        if moved_on is not None:
            message = "Une date de déménagement accompagne un changement de département."
            raise Problem(422, message, errors={"moved_on": [message]})
        return {}
    return {"moved_on": (moved_on or date.today()).isoformat()}


def get(session: Session, caller: Caller, structure_id: uuid.UUID) -> Structure:
    """A structure the caller may see; another one is outside its scope (403, docs/api.md: only
    persons and pathways hide their existence), an unknown id is 404."""
    structure = session.get(Structure, structure_id)
    if structure is None:
        raise Problem(404, UNKNOWN)
    if not session.scalar(
        select(visibility.structures(caller)).where(Structure.id == structure_id)
    ):
        raise Problem(403, OUT_OF_SCOPE)
    return structure


def _filtered(caller: Caller, args: dict) -> Select:
    query = select(Structure).where(visibility.structures(caller))
    for name in ("kind", "department"):
        if name in args:
            query = query.where(getattr(Structure, name) == args[name])
    if "group_id" in args:
        query = query.where(Structure.id.in_(_member_ids(args["group_id"], args.get("on"))))
    return query


def _member_ids(group_id: uuid.UUID, on: date | None) -> Select:
    """Structures with a membership in the group (on that day, both ends inclusive, when given)."""
    query = select(Membership.structure_id).where(Membership.group_id == group_id)
    if on is not None:
        query = query.where(
            Membership.joined_on <= on, (Membership.left_on.is_(None)) | (Membership.left_on >= on)
        )
    return query


def listing(session: Session, caller: Caller, args: dict, limit: int) -> tuple[list, int]:
    """One page of the visible structures matching the filters, by name, and their total."""
    query = _filtered(caller, args)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page = query.order_by(Structure.name, Structure.id).limit(limit).offset(args["offset"])
    return list(session.scalars(page)), total or 0
