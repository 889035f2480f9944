"""What each scope may read (docs/api.md, "Scopes"), as SQL conditions added to every query."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, false, select, true

from services.registry.models import Annex, Group, Membership, Structure
from shared.auth import Caller

READ_ALL_SCOPES = ("admin", "network")


def _in_area(caller: Caller) -> ColumnElement[bool]:
    """The structures located in a territory token's département or region."""
    if caller.department:
        return Structure.department == caller.department
    if caller.region:
        return Structure.region == caller.region
    return false()  # a territory token always names one (services/registry/rules.py)


def structures(caller: Caller) -> ColumnElement[bool]:
    """A group sees the structures that are its members today (a departed one no longer, a
    rejoined one again); a structure sees itself; a territory the structures located in its
    area. The `service` scope and the bootstrap token see none."""
    if caller.scope in READ_ALL_SCOPES:
        return true()
    if caller.scope == "group":
        today = date.today()
        members = select(Membership.structure_id).where(
            Membership.group_id == uuid.UUID(caller.group_id),
            Membership.joined_on <= today,
            Membership.left_on.is_(None) | (Membership.left_on >= today),
        )
        return Structure.id.in_(members)
    if caller.scope == "territory":
        return _in_area(caller)
    if caller.scope == "structure" and caller.structure_id:
        return Structure.id == uuid.UUID(caller.structure_id)
    return false()


def _visible_structure_ids(caller: Caller):
    return select(Structure.id).where(structures(caller))


def groups(caller: Caller) -> ColumnElement[bool]:
    """A group sees itself; a structure the groups it belongs or belonged to; a territory the
    groups that have or had a member in its area (and only those members, see `memberships`)."""
    if caller.scope in READ_ALL_SCOPES:
        return true()
    if caller.scope == "group":
        return Group.id == uuid.UUID(caller.group_id)
    joined = select(Membership.group_id).where(
        Membership.structure_id.in_(_visible_structure_ids(caller))
    )
    return Group.id.in_(joined)


def memberships(caller: Caller) -> ColumnElement[bool]:
    """A structure sees only its own memberships, never the other members of its group; a
    territory only those of the structures in its area."""
    if caller.scope in ("structure", "territory"):
        return Membership.structure_id.in_(_visible_structure_ids(caller))
    return true()


def annexes(caller: Caller) -> ColumnElement[bool]:
    """The annexes of the structures the caller may see (docs/api.md, registry table)."""
    if caller.scope in READ_ALL_SCOPES:
        return true()
    return Annex.structure_id.in_(_visible_structure_ids(caller))
