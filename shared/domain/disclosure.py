"""Which cells of an aggregate to hide outside the owning structure (docs/domain.md §10).

A cell of fewer than MIN_CELL pathways is hidden (primary suppression), and no hidden cell may be
recomputed as a sum the caller can read minus the visible cells of its breakdown (complementary
suppression). A breakdown is a set of cells that add up to something the caller can also read:

- one dimension: every cell, which add up to the report's total;
- two dimensions: the cells sharing a value of the first dimension (they add up to that value's
  row of the one-dimension report), and likewise the cells sharing a value of the second. Both
  directions count, even when one dimension is not personal: the cells of one sex across
  structures add up to that sex's row of the report by sex, and entries or exits across months
  add up to the period's row.

Where a breakdown of several cells has exactly one hidden, the smallest of its visible cells is
hidden too (the smaller key on a tie); hiding it may leave another breakdown with a single hidden
cell, so this repeats until no breakdown has one. A one-dimension breakdown of a single hidden
cell hides the total instead. `criterion` cells count a pathway under each of its criteria and do
not add up to the total: they get the same protection all the same (conservative).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.domain.limits import MIN_CELL

# Breakdowns by personal characteristics (statistics keep only these categories, §10).
SENSITIVE_DIMENSIONS = frozenset({"criterion", "sex", "age_band"})

Key = TypeVar("Key", bound=tuple[object, ...])
Order = tuple[tuple[bool, str], ...]


@dataclass(frozen=True)
class Hidden(Generic[Key]):
    """The cells to hide, by key, and whether the total must be hidden too."""

    cells: frozenset[Key]
    total: bool = False


def hidden_cells(
    counts: Mapping[Key, int], dims: Sequence[str], every_dimension: bool = False
) -> Hidden[Key]:
    """The cells of a report by `dims` to hide from anyone but the owning structure.

    `counts` maps each cell's key (its values in the order of `dims`) to the number of pathways
    it is built from (the report's `active`). Nothing is hidden unless a dimension is personal
    (SENSITIVE_DIMENSIONS) or `every_dimension` says that every cell is about few people (the
    follow-ups after the exit of a cohort). The answer does not depend on the order of `counts`.
    """
    if not (every_dimension or SENSITIVE_DIMENSIONS & set(dims)):
        return Hidden(frozenset())
    keys = sorted(counts, key=_order)
    hidden = {k for k in keys if counts[k] < MIN_CELL}
    breakdowns = _breakdowns(keys, len(dims))
    total, changed = False, True
    while changed:
        changed = False
        for cells in breakdowns:
            if sum(k in hidden for k in cells) != 1:
                continue
            visible = [k for k in cells if k not in hidden]
            if visible:
                hidden.add(min(visible, key=lambda k: (counts[k], _order(k))))
                changed = True
            elif len(dims) == 1:
                total = True
    return Hidden(frozenset(hidden), total)


def _breakdowns(keys: list[Key], width: int) -> list[list[Key]]:
    """The sets of cells that add up to something readable, each in key order."""
    if width == 1:
        return [keys]
    found: dict[tuple[int, Order], list[Key]] = {}
    for key in keys:
        for axis in range(width):
            # The cells sharing every value but the one along `axis`.
            shared = tuple(v for i, v in enumerate(key) if i != axis)
            found.setdefault((axis, _order(shared)), []).append(key)
    return [found[k] for k in sorted(found)]


def _order(key: tuple[object, ...]) -> Order:
    """A total order on keys whose values may be None (a pathway outside any annex)."""
    return tuple((v is None, str(v)) for v in key)
