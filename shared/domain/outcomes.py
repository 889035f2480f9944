"""Outcome rules shared by the pathway view and the reports (domain §8, docs/api.md metrics)."""

from collections.abc import Mapping
from datetime import date

from shared.domain.codes import (
    DYNAMIC_CATEGORIES,
    EVERY_EXIT_COUNTED_KINDS,
    EXIT_REASON_CATEGORY,
    HOUR_COUNTED_KINDS,
    WITHDRAWN_CATEGORY,
)
from shared.domain.limits import (
    COUNTED_EXIT_DAYS_PER_MONTH,
    COUNTED_EXIT_MIN_HOURS,
    COUNTED_EXIT_MIN_MONTHS,
    DAYS_PER_MONTH,
)


def exit_category(reason: str) -> str:
    """Category of an exit reason (emploi_durable, ..., retrait)."""
    return EXIT_REASON_CATEGORY[reason]


def is_dynamic(category: str) -> bool:
    """Whether a category is a "sortie dynamique" (durable, transition or positive)."""
    return category in DYNAMIC_CATEGORIES


# How a kind's exits are counted: by hours worked (AI, ETTI, ETT_ESS), by length of stay since
# the first hire (ACI, EI, OSP), or every exit (EITI) — docs/domain.md §8.
HOURS_BASIS = "hours"
MONTHS_BASIS = "months"
EVERY_BASIS = "every"
# The kinds of each basis but the default one (months).
BASIS_KINDS: Mapping[str, frozenset[str]] = {
    HOURS_BASIS: HOUR_COUNTED_KINDS,
    EVERY_BASIS: EVERY_EXIT_COUNTED_KINDS,
}


def counting_basis(kind: str | None) -> str:
    """How exits of this kind are counted (docs/domain.md §8)."""
    for basis, kinds in BASIS_KINDS.items():
        if kind in kinds:
            return basis
    return MONTHS_BASIS


def stayed_counted_months(first_hired_on: date, exited_on: date) -> bool:
    """At least 3 months from the first hire to the exit, in months of 365/12 days."""
    months = (exited_on - first_hired_on).days / COUNTED_EXIT_DAYS_PER_MONTH
    return months >= COUNTED_EXIT_MIN_MONTHS


def counted_by_basis(
    first_hired_on: date | None, exited_on: date, category: str, hours_worked_total: float
) -> dict[str, bool]:
    """Whether an exit counts under each basis: reports store them, since the structure's kind
    (reference data, copied apart from the log) picks one when a report is read.

    `first_hired_on` is the start of the pathway's first contract (None without a contract);
    `hours_worked_total` the sum of the monthly declarations, the latest of each month winning."""
    if category == WITHDRAWN_CATEGORY:
        return {HOURS_BASIS: False, MONTHS_BASIS: False, EVERY_BASIS: False}
    return {
        HOURS_BASIS: hours_worked_total >= COUNTED_EXIT_MIN_HOURS,
        MONTHS_BASIS: first_hired_on is not None
        and hours_worked_total > 0
        and stayed_counted_months(first_hired_on, exited_on),
        EVERY_BASIS: True,
    }


def is_counted_exit(
    kind: str,
    first_hired_on: date | None,
    exited_on: date,
    category: str,
    hours_worked_total: float,
) -> bool:
    """A "sortie examinée": not withdrawn, and counted under the kind's basis."""
    bases = counted_by_basis(first_hired_on, exited_on, category, hours_worked_total)
    return bases[counting_basis(kind)]


def pathway_months(opened_on: date, end_on: date) -> float:
    """Length of a pathway in months: days from opening to end / 30.4375."""
    return (end_on - opened_on).days / DAYS_PER_MONTH
