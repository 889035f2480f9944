"""What each scope may read (docs/api.md, "Scopes"), as SQL conditions added to every query."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, select, true

from services.registry.models import Group, Membership, Structure
from shared.auth import Caller

READ_ALL_SCOPES = ("admin", "network")


def structures(caller: Caller) -> ColumnElement[bool]:
    """A group sees the structures that were ever its members; a structure sees itself."""
    if caller.scope in READ_ALL_SCOPES:
        return true()
    if caller.scope == "group":
        members = select(Membership.structure_id).where(
            Membership.group_id == uuid.UUID(caller.group_id)
        )
        return Structure.id.in_(members)
    return Structure.id == uuid.UUID(caller.structure_id)


def groups(caller: Caller) -> ColumnElement[bool]:
    """A group sees itself; a structure sees the groups it belongs or belonged to."""
    if caller.scope in READ_ALL_SCOPES:
        return true()
    if caller.scope == "group":
        return Group.id == uuid.UUID(caller.group_id)
    joined = select(Membership.group_id).where(
        Membership.structure_id == uuid.UUID(caller.structure_id)
    )
    return Group.id.in_(joined)


def memberships(caller: Caller) -> ColumnElement[bool]:
    """A structure sees only its own memberships, never the other members of its group."""
    if caller.scope == "structure":
        return Membership.structure_id == uuid.UUID(caller.structure_id)
    return true()
