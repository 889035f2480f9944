"""Outcome rules shared by the pathway view and the reports (domain §8, docs/api.md metrics)."""

from datetime import date

from dateutil.relativedelta import relativedelta

from shared.domain.codes import (
    DYNAMIC_CATEGORIES,
    EXIT_REASON_CATEGORY,
    HOUR_COUNTED_KINDS,
    WITHDRAWN_CATEGORY,
)
from shared.domain.limits import (
    COUNTED_EXIT_MIN_HOURS,
    COUNTED_EXIT_MIN_MONTHS,
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    ETP_HOURS_PER_YEAR,
)


def exit_category(reason: str) -> str:
    """Category of an exit reason (emploi_durable, ..., retrait)."""
    return EXIT_REASON_CATEGORY[reason]


def is_dynamic(category: str) -> bool:
    """Whether a category is a "sortie dynamique" (durable, transition or positive)."""
    return category in DYNAMIC_CATEGORIES


# How a kind's exits are counted: by hours worked (AI, ETTI, ETT_ESS) or by length of stay.
HOURS_BASIS = "hours"
MONTHS_BASIS = "months"


def counting_basis(kind: str | None) -> str:
    """Whether exits of this kind count by hours worked or by length of stay (docs/domain.md §8)."""
    return HOURS_BASIS if kind in HOUR_COUNTED_KINDS else MONTHS_BASIS


def counted_by_basis(
    opened_on: date, exited_on: date, category: str, hours_worked_total: float
) -> dict[str, bool]:
    """Whether an exit counts under each basis: reports store both, since the structure's kind
    (reference data, copied apart from the log) picks one when a report is read."""
    if category == WITHDRAWN_CATEGORY:
        return {HOURS_BASIS: False, MONTHS_BASIS: False}
    return {
        HOURS_BASIS: hours_worked_total > COUNTED_EXIT_MIN_HOURS,
        MONTHS_BASIS: exited_on > opened_on + relativedelta(months=COUNTED_EXIT_MIN_MONTHS),
    }


def is_counted_exit(
    kind: str, opened_on: date, exited_on: date, category: str, hours_worked_total: float
) -> bool:
    """A "sortie examinée": not withdrawn, and the person stayed long enough for the kind."""
    bases = counted_by_basis(opened_on, exited_on, category, hours_worked_total)
    return bases[counting_basis(kind)]


def pathway_months(opened_on: date, end_on: date) -> float:
    """Length of a pathway in months: days from opening to end / 30.4375."""
    return (end_on - opened_on).days / DAYS_PER_MONTH


def etp(hours: float, days: int) -> float:
    """Full-time equivalents of hours worked over a period of days (1,820 h a year)."""
    if days <= 0:
        return 0.0
    return hours / (ETP_HOURS_PER_YEAR * days / DAYS_PER_YEAR)
