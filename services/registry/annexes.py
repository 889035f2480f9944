"""Annexes financières and their avenants: created and changed by admins, read within each
scope's reach; every write audited and published whole on the changes feed (docs/domain.md §6b).

The rules themselves (counting states, overlaps, the number's shape) live in
shared/domain/annexes.py; this module loads the rows, asks them, and answers problems."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.registry import journal, visibility
from services.registry.models import Amendment, Annex, Structure
from shared.auth import Caller
from shared.domain import annexes as rules
from shared.problems import Problem

UNKNOWN = "Aucune annexe financière ne porte cet identifiant."
UNKNOWN_STRUCTURE = "Aucune structure ne porte cet identifiant."
OUT_OF_SCOPE = "Cette annexe financière est hors de la portée de ce jeton."
INVALID = "Les données envoyées ne sont pas valides."
TWIN = "Une annexe financière porte déjà ce numéro."
TWIN_AMENDMENT = "Cette annexe a déjà un avenant portant ce numéro."
OVERLAP = (
    "Cette annexe chevaucherait l'annexe {number} ({starts_on} – {ends_on}) de la même structure "
    "et de la même mesure : deux annexes dans un état qui compte (provisoire, validée, clôturée) "
    "ne se chevauchent jamais."
)


def _invalid(field: str, message: str) -> Problem:
    return Problem(422, message, errors={field: [message]})


def _pure(annex: Annex) -> rules.Annex:
    return rules.Annex(
        annex.number,
        annex.measure,
        annex.state,
        annex.starts_on,
        annex.ends_on,
        annex.etp_conventioned,
    )


def _refuse_overlap(session: Session, annex: Annex) -> None:
    """A counting annex never overlaps another counting one of its structure and measure."""
    others = session.scalars(
        select(Annex).where(
            Annex.structure_id == annex.structure_id,
            Annex.measure == annex.measure,
            Annex.id != annex.id,
        )
    )
    clash = rules.clashes(_pure(annex), [_pure(other) for other in others])
    if clash:
        first = min(clash, key=lambda a: a.starts_on)
        detail = OVERLAP.format(
            number=first.number,
            starts_on=first.starts_on.isoformat(),
            ends_on=first.ends_on.isoformat(),
        )
        raise Problem(409, detail, slug="annex-overlap", existing_number=first.number)


def _refuse_twin(session: Session, number: str) -> None:
    twin = session.scalar(select(Annex.id).where(Annex.number == number))
    if twin is not None:
        raise Problem(409, TWIN, slug="duplicate-annex", existing_id=str(twin))


def _flush(session: Session, message: str, slug: str) -> None:
    """Flush, turning a race on a unique number into the same 409."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise Problem(409, message, slug=slug) from exc


def _lock_structure(session: Session, structure_id: uuid.UUID) -> Structure:
    """Annex writes of one structure are serialised, so two overlapping ones cannot both pass."""
    structure = session.get(Structure, structure_id, with_for_update=True)
    if structure is None:
        raise Problem(404, UNKNOWN_STRUCTURE)
    return structure


def _locked(session: Session, annex_id: uuid.UUID) -> Annex:
    annex = session.get(Annex, annex_id)
    if annex is None:
        raise Problem(404, UNKNOWN)
    _lock_structure(session, annex.structure_id)
    session.refresh(annex)  # read again under the lock
    return annex


def create(session: Session, caller: Caller, structure_id: uuid.UUID, data: dict) -> Annex:
    structure = _lock_structure(session, structure_id)
    wrong_measure = rules.measure_error(data["measure"], structure.kind)
    if wrong_measure:
        raise _invalid("measure", wrong_measure)
    _refuse_twin(session, data["number"])
    hours = data.get("reference_hours") or rules.default_reference_hours(data["measure"])
    annex = Annex(id=uuid.uuid4(), structure_id=structure.id, **{**data, "reference_hours": hours})
    annex.amendments = []
    _refuse_overlap(session, annex)
    session.add(annex)
    _flush(session, TWIN, "duplicate-annex")
    journal.record(session, caller, "create", annex, journal.annex_data(annex))
    return annex


def update(session: Session, caller: Caller, annex_id: uuid.UUID, data: dict) -> Annex:
    """A new state or end date; an update that changes nothing writes nothing."""
    annex = _locked(session, annex_id)
    ends_on = data.get("ends_on", annex.ends_on)
    if ends_on < annex.starts_on:
        raise _invalid("ends_on", rules.ENDS_BEFORE_START.format(annex.starts_on.isoformat()))
    late = [a.effective_on for a in annex.amendments if a.effective_on > ends_on]
    if late:
        raise _invalid("ends_on", rules.AMENDMENTS_AFTER_END.format(max(late).isoformat()))
    before = journal.annex_data(annex)
    for name, value in data.items():
        setattr(annex, name, value)
    changed = journal.diff(before, journal.annex_data(annex))
    if changed:
        _refuse_overlap(session, annex)
        session.flush()
        journal.record(session, caller, "update", annex, changed)
    return annex


def amend(session: Session, caller: Caller, annex_id: uuid.UUID, data: dict) -> Annex:
    """Record an avenant: from its effective date the annexe funds its number of ETP."""
    annex = _locked(session, annex_id)
    if not annex.starts_on <= data["effective_on"] <= annex.ends_on:
        message = rules.OUTSIDE_VALIDITY.format(
            annex.starts_on.isoformat(), annex.ends_on.isoformat()
        )
        raise _invalid("effective_on", message)
    if any(a.number == data["number"] for a in annex.amendments):
        raise Problem(409, TWIN_AMENDMENT, slug="duplicate-amendment")
    amendment = Amendment(id=uuid.uuid4(), annex_id=annex.id, **data)
    annex.amendments.append(amendment)
    _flush(session, TWIN_AMENDMENT, "duplicate-amendment")
    annex.amendments.sort(key=lambda a: a.effective_on)
    journal.record(session, caller, "amend", annex, {"amendment": _amendment_data(amendment)})
    return annex


def _amendment_data(a: Amendment) -> dict:
    return {
        "id": str(a.id),
        "number": a.number,
        "effective_on": a.effective_on.isoformat(),
        "etp_conventioned": a.etp_conventioned,
    }


def get(session: Session, caller: Caller, annex_id: uuid.UUID) -> Annex:
    """An annex the caller may see; another one is outside its scope (403), unknown is 404."""
    annex = session.get(Annex, annex_id)
    if annex is None:
        raise Problem(404, UNKNOWN)
    if not session.scalar(select(visibility.annexes(caller)).where(Annex.id == annex_id)):
        raise Problem(403, OUT_OF_SCOPE)
    return annex


def _filtered(caller: Caller, args: dict) -> Select:
    query = select(Annex).where(visibility.annexes(caller))
    area = {k: args[k] for k in ("department", "region") if k in args}
    if area:
        located = select(Structure.id).where(
            *(getattr(Structure, name) == value for name, value in area.items())
        )
        query = query.where(Annex.structure_id.in_(located))
    if "structure_id" in args:
        query = query.where(Annex.structure_id == args["structure_id"])
    if "year" in args:
        first, last = date(args["year"], 1, 1), date(args["year"], 12, 31)
        query = query.where(Annex.starts_on <= last, Annex.ends_on >= first)
    return query


def listing(session: Session, caller: Caller, args: dict, limit: int) -> tuple[list, int]:
    """One page of the visible annexes matching the filters, by start date, and their total."""
    query = _filtered(caller, args)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page = query.order_by(Annex.starts_on, Annex.number, Annex.id)
    return list(session.scalars(page.limit(limit).offset(args["offset"]))), total or 0
