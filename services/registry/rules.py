"""Pure registry rules: GES membership periods and what each token scope must be bound to.

No I/O here: the API loads the rows, asks these functions, and turns their answers into
problem+json errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

T = TypeVar("T")

# Scopes bound to an entity or an area, and the fields naming it (docs/api.md, "Scopes"): a
# territory token names exactly one of a département or a region.
BOUND_FIELDS = {
    "structure": ("structure_id",),
    "group": ("group_id",),
    "territory": ("department", "region"),
}
BINDING_FIELDS = ("structure_id", "group_id", "department", "region")


@dataclass(frozen=True)
class Stay:
    """One membership of a structure in a GES; `joined_on` and `left_on` both inclusive."""

    joined_on: date
    left_on: date | None = None

    @property
    def is_open(self) -> bool:
        return self.left_on is None

    def includes(self, on: date) -> bool:
        """Whether the structure was a member on that day."""
        return self.joined_on <= on and (self.left_on is None or on <= self.left_on)

    def overlaps(self, other: Stay) -> bool:
        """Two inclusive periods share at least one day."""
        return other.includes(self.joined_on) or self.includes(other.joined_on)


def join_decision(stays: Iterable[Stay], joined_on: date) -> str:
    """`unchanged` (a repeated join), `overlap` (refused), or `join` (a new stay opens)."""
    stays = list(stays)
    if any(s.is_open and s.joined_on == joined_on for s in stays):
        return "unchanged"
    new = Stay(joined_on)
    return "overlap" if any(new.overlaps(s) for s in stays) else "join"


def leave_decision(stays: Iterable[Stay], left_on: date) -> str:
    """`not_member` (no open stay), `before_join` (left_on < joined_on), or `leave`."""
    current = next((s for s in stays if s.is_open), None)
    if current is None:
        return "not_member"
    return "before_join" if left_on < current.joined_on else "leave"


def members_on(stays: Iterable[tuple[T, Stay]], on: date) -> list[T]:
    """The members (whatever identifies them) whose stay includes that day, in the order given."""
    return [member for member, stay in stays if stay.includes(on)]


def binding_errors(
    scope: str,
    structure_id: object,
    group_id: object,
    department: object = None,
    region: object = None,
) -> dict[str, list[str]]:
    """Each scope names exactly the entity or area it is bound to (none for admin and network)."""
    allowed = BOUND_FIELDS.get(scope, ())
    given = {
        "structure_id": structure_id,
        "group_id": group_id,
        "department": department,
        "region": region,
    }
    errors: dict[str, list[str]] = {}
    for name in BINDING_FIELDS:
        if name not in allowed and given[name] is not None:
            errors[name] = [f"Interdit pour la portée « {scope} »."]
    named = [name for name in allowed if given[name] is not None]
    if allowed and not named:
        either = " ou ".join(allowed)
        for name in allowed:
            errors[name] = [
                f"Obligatoire pour la portée « {scope} » ({either})."
                if len(allowed) > 1
                else f"Obligatoire pour la portée « {scope} »."
            ]
    elif len(named) > 1:
        for name in named:
            errors[name] = [f"Un seul de {' ou '.join(allowed)} pour la portée « {scope} »."]
    return errors
