"""GES groups and their dated memberships: history is kept, a structure may leave and rejoin."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.registry import journal, rules, visibility
from services.registry.models import Group, Membership, Structure
from shared.auth import Caller
from shared.problems import Problem

UNKNOWN_GROUP = "Aucun groupe visible ne porte cet identifiant."
UNKNOWN_STRUCTURE = "Aucune structure ne porte cet identifiant."
OVERLAP = (
    "Cette adhésion chevaucherait une adhésion existante de la structure à ce groupe "
    "(dates d'entrée et de sortie incluses)."
)
NOT_MEMBER = "La structure n'est pas membre de ce groupe : il n'y a pas d'adhésion à clore."
LEFT_BEFORE_JOINED = "La date de sortie doit être égale ou postérieure à la date d'entrée ({})."


def _stay(m: Membership) -> rules.Stay:
    return rules.Stay(m.joined_on, m.left_on)


def view(session: Session, caller: Caller, group: Group, on: date | None) -> dict:
    """The group with its memberships the caller may see (only those of `on`, when given)."""
    rows = session.scalars(
        select(Membership)
        .where(
            Membership.group_id == group.id,
            visibility.memberships(caller),
        )
        .order_by(Membership.joined_on, Membership.structure_id)
    )
    members = list(rows)
    if on is not None:
        members = rules.members_on([(m, _stay(m)) for m in members], on)
    return {
        "id": group.id,
        "name": group.name,
        "members": [
            {"structure_id": m.structure_id, "joined_on": m.joined_on, "left_on": m.left_on}
            for m in members
        ],
    }


def create(session: Session, caller: Caller, name: str) -> Group:
    group = Group(id=uuid.uuid4(), name=name)
    session.add(group)
    journal.record(session, caller, "create", group, journal.group_data(group))
    return group


def get(session: Session, caller: Caller, group_id: uuid.UUID) -> Group:
    """A group the caller may see; any other answers 404 (its existence is not revealed)."""
    group = session.scalar(select(Group).where(Group.id == group_id, visibility.groups(caller)))
    if group is None:
        raise Problem(404, UNKNOWN_GROUP)
    return group


def listing(session: Session, caller: Caller, limit: int, offset: int) -> tuple[list, int]:
    query = select(Group).where(visibility.groups(caller))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page = query.order_by(Group.name, Group.id).limit(limit).offset(offset)
    return list(session.scalars(page)), total or 0


def _locked(session: Session, group_id: uuid.UUID, structure_id: uuid.UUID) -> list[Membership]:
    """Lock the group (membership writes of one group are serialised) and load the stays."""
    if session.get(Group, group_id, with_for_update=True) is None:
        raise Problem(404, UNKNOWN_GROUP)
    if session.get(Structure, structure_id) is None:
        raise Problem(404, UNKNOWN_STRUCTURE)
    return list(
        session.scalars(
            select(Membership).where(
                Membership.group_id == group_id, Membership.structure_id == structure_id
            )
        )
    )


def join(
    session: Session, caller: Caller, group_id: uuid.UUID, structure_id: uuid.UUID, joined_on: date
) -> None:
    """Open a new stay; repeating the current one changes nothing; an overlap is refused."""
    stays = _locked(session, group_id, structure_id)
    decision = rules.join_decision([_stay(m) for m in stays], joined_on)
    if decision == "overlap":
        raise Problem(409, OVERLAP, slug="membership-overlap")
    if decision == "join":
        membership = Membership(
            id=uuid.uuid4(), group_id=group_id, structure_id=structure_id, joined_on=joined_on
        )
        session.add(membership)
        journal.record(session, caller, "join", membership, journal.membership_data(membership))


def leave(
    session: Session, caller: Caller, group_id: uuid.UUID, structure_id: uuid.UUID, left_on: date
) -> None:
    """Close the current stay on `left_on` (inclusive): the stay stays in the history."""
    stays = _locked(session, group_id, structure_id)
    decision = rules.leave_decision([_stay(m) for m in stays], left_on)
    if decision == "not_member":
        raise Problem(409, NOT_MEMBER, slug="not-a-member")
    current = next(m for m in stays if m.left_on is None)
    if decision == "before_join":
        message = LEFT_BEFORE_JOINED.format(current.joined_on.isoformat())
        raise Problem(422, message, errors={"left_on": [message]})
    current.left_on = left_on
    journal.record(
        session, caller, "leave", current, {"left_on": {"from": None, "to": left_on.isoformat()}}
    )
