"""After the exit: what became of the person 1, 3, 6 (and 12) months later (docs/domain.md §8).

A situation is recorded on the exited pathway (`post_exit_situation_recorded`), the one kind of
event accepted after the exit besides a void. One per `months_after`: a later one replaces it.
The report counts the exits of a period followed at 1, 3 and 6 months and those in employment
6 months after; an alert announces each follow-up due.
"""

from collections.abc import Collection, Mapping
from datetime import date, timedelta

from shared.domain.codes import EXIT_REASON_CATEGORY, UNKNOWN_SITUATION
from shared.domain.limits import POST_EXIT_DUE_ALERT_DAYS
from shared.domain.periods import plus_months

# When a situation may be recorded, in months after the exit.
MONTHS_AFTER: tuple[int, ...] = (1, 3, 6, 12)
# The follow-ups funders ask for (FSE+, conseils départementaux): reported and announced.
FOLLOWED_MONTHS: tuple[int, ...] = (1, 3, 6)
# The follow-up whose situation tells whether the person is « en emploi à 6 mois ».
EMPLOYMENT_MONTHS = 6
# A situation in one of these exit categories is employment.
EMPLOYMENT_CATEGORIES = frozenset({"emploi_durable", "emploi_transition"})
# Exit reasons nobody follows up (a transfer is not followed either: the person's pathway goes
# on in the other structure, `is_followed`).
NOT_FOLLOWED_REASONS = frozenset({"deces"})

# How long after the exit a missing follow-up is still chased (our choice): a month after the
# last one is due.
CHASED_MONTHS = FOLLOWED_MONTHS[-1] + 1

MONTHS_AFTER_LABELS: Mapping[int, str] = {
    1: "1 mois après la sortie",
    3: "3 mois après la sortie",
    6: "6 mois après la sortie",
    12: "12 mois après la sortie",
}


def situation_category(situation: str) -> str | None:
    """The exit category of a situation (`emploi_durable`, ...); None when it is unknown."""
    if situation == UNKNOWN_SITUATION:
        return None
    return EXIT_REASON_CATEGORY[situation]


def in_employment(situation: str) -> bool:
    """Whether a situation is employment (durable or transition)."""
    return situation_category(situation) in EMPLOYMENT_CATEGORIES


def due_on(exited_on: date, months_after: int) -> date:
    """The day a follow-up is due: the exit date plus `months_after` calendar months."""
    return plus_months(exited_on, months_after)


def is_followed(reason: str, transferred: bool) -> bool:
    """Whether an exit calls for follow-ups: not after a death nor a transfer."""
    return reason not in NOT_FOLLOWED_REASONS and not transferred


def recording_problem(exited_on: date | None, occurred_on: date) -> str | None:
    """Why a situation cannot be recorded now (in English for API clients), or None: the
    pathway must have exited, and the situation cannot be dated before the exit."""
    if exited_on is None:
        return (
            "The pathway has not exited: a situation after the exit is recorded on an exited "
            "pathway only."
        )
    if occurred_on < exited_on:
        return f"Must not be before the exit ({exited_on.isoformat()})."
    return None


def awaited(
    exited_on: date, reason: str, transferred: bool, recorded: Collection[int], today: date
) -> tuple[int, ...]:
    """The follow-ups (months after the exit) not recorded yet that are due within 30 days or
    overdue, while the exit is recent enough to be chased (CHASED_MONTHS)."""
    if not is_followed(reason, transferred) or today > due_on(exited_on, CHASED_MONTHS):
        return ()
    soon = today + timedelta(days=POST_EXIT_DUE_ALERT_DAYS)
    return tuple(m for m in FOLLOWED_MONTHS if m not in recorded and due_on(exited_on, m) <= soon)
