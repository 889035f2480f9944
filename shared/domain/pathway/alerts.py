"""Alerts of a pathway: deadlines staff asked to see and legal limits at risk (docs/domain.md §5).

An alert is computed once from the pathway's state, with the days during which it is open, so
that it does not depend on today: the pathways service shows the alerts open today, and the
reporting worker stores them with their days and answers `GET /v1/alerts` by comparing dates.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from shared.domain import post_exit
from shared.domain.annexes import OVER_CONSUMPTION_CODE, UNDER_CONSUMPTION_CODE
from shared.domain.limits import (
    CONTRACT_ENDING_ALERT_DAYS,
    PASS_ENDING_ALERT_DAYS,
    POST_EXIT_DUE_ALERT_DAYS,
)
from shared.domain.pathway import limits, messages
from shared.domain.pathway.state import PathwayState

PASS_ENDING = "pass_ending"
CDDI_24_MONTHS = "cddi_24_months"
MISSION_24_MONTHS = "mission_24_months"
AI_480_HOURS = "ai_480_hours"
CONTRACT_ENDING = "contract_ending"
POST_EXIT_DUE = "post_exit_due"
# Alerts about an annexe financière, not a pathway (pathway_id null): computed by reporting
# from the annexes and the hours (shared/domain/annexes.py has the rule and the message).
ANNEX_UNDER_CONSUMPTION = UNDER_CONSUMPTION_CODE
ANNEX_OVER_CONSUMPTION = OVER_CONSUMPTION_CODE
CODES = (
    PASS_ENDING,
    CDDI_24_MONTHS,
    MISSION_24_MONTHS,
    AI_480_HOURS,
    CONTRACT_ENDING,
    POST_EXIT_DUE,
    ANNEX_UNDER_CONSUMPTION,
    ANNEX_OVER_CONSUMPTION,
)
# The alerts of an exited pathway: every other one is about a pathway in progress.
AFTER_EXIT_CODES = frozenset({POST_EXIT_DUE})
# Limits that bind one kind of structure only: ETTI missions (L5132-6), the AI's mises à
# disposition with companies (L5132-9). CDDI limits bind every kind that signs CDDI.
KIND_OF_CODE = {MISSION_24_MONTHS: "ETTI", AI_480_HOURS: "AI"}
# What each alert is about, as staff read it in lists and filters.
LABELS = {
    PASS_ENDING: "PASS IAE arrivant à échéance (moins de 90 jours)",
    CDDI_24_MONTHS: "CDDI : durée maximale de 24 mois atteinte ou proche",
    MISSION_24_MONTHS: "Contrat de mission d'ETTI : durée de 24 mois atteinte ou proche",
    AI_480_HOURS: "Mises à disposition en entreprises : 400 h atteintes ou 480 h dépassées",
    CONTRACT_ENDING: "Contrat se terminant dans les 30 jours",
    POST_EXIT_DUE: "Suivi après la sortie à faire dans les 30 jours",
    ANNEX_UNDER_CONSUMPTION: "Annexe financière sous-consommée (ETP réalisés sous le seuil)",
    ANNEX_OVER_CONSUMPTION: "Annexe financière surconsommée (ETP réalisés au-delà du seuil)",
}


@dataclass(frozen=True)
class Alert:
    """`due_on` is the deadline, or the last day within a legal limit that was passed; the alert
    is open from `active_from` to `active_until` (None: unbounded on that side)."""

    code: str
    message: str
    due_on: date
    # When it is shown, not what it says: two alerts saying the same thing are equal.
    active_from: date | None = field(default=None, compare=False)
    active_until: date | None = field(default=None, compare=False)

    def open_on(self, day: date) -> bool:
        after_start = self.active_from is None or self.active_from <= day
        return after_start and (self.active_until is None or day <= self.active_until)


def applies(code: str, kind: str | None) -> bool:
    """Whether an alert concerns a structure of this kind."""
    wanted = KIND_OF_CODE.get(code)
    return wanted is None or wanted == kind


def alerts(state: PathwayState, kind: str, today: date) -> list[Alert]:
    """Alerts open today on a pathway of a structure of `kind`: on an exited one, only the
    follow-ups after the exit that are due."""
    if not state.opened:
        return []
    return [
        a
        for a in alert_windows(state)
        if applies(a.code, kind)
        and a.open_on(today)
        and (state.exit is None or a.code in AFTER_EXIT_CODES)
    ]


def alert_windows(state: PathwayState) -> list[Alert]:
    """Every alert the pathway may raise, whatever the day and the structure's kind (an exited
    pathway's alerts about its PASS and contracts included: readers show only the follow-ups
    after the exit for it, AFTER_EXIT_CODES)."""
    follow_ups = _post_exit_due(state)
    if not (state.pass_iae or state.contracts or state.mises_a_disposition):
        return follow_ups  # the others are about these: most pathways of a page have none yet
    return [
        *_pass_ending(state),
        *_cumulated(CDDI_24_MONTHS, limits.cddi_limit(state), messages.cddi_24_months),
        *_missions(state),
        *_ai_480_hours(state),
        *_contracts_ending(state),
        *follow_ups,
    ]


def _pass_ending(state: PathwayState) -> list[Alert]:
    """The PASS IAE ends within 90 days (asked by staff of Les emplois de l'inclusion)."""
    pass_iae = state.pass_iae
    if not pass_iae:
        return []
    end = pass_iae.end_on
    message = messages.pass_ending(pass_iae.number, end)
    return [Alert(PASS_ENDING, message, end, end - timedelta(PASS_ENDING_ALERT_DAYS), end)]


def _cumulated(
    code: str, limit: limits.CumulatedLimit | None, message: Callable[[date], str]
) -> list[Alert]:
    """Contracts of one type beyond their legal total (L5132-15-1 for CDDI)."""
    if limit is None:
        return []
    return [Alert(code, message(limit.last_on), limit.last_on, limit.alert_from)]


def _missions(state: PathwayState) -> list[Alert]:
    """One alert per ETTI mission contract beyond 24 months, renewals included (L5132-6): its
    message names the contract by its start date."""
    return [
        Alert(
            MISSION_24_MONTHS,
            messages.mission_24_months(limit.start_on, limit.last_on),
            limit.last_on,
            limit.alert_from,
        )
        for limit in limits.mission_limits(state)
    ]


def _ai_480_hours(state: PathwayState) -> list[Alert]:
    """Windows of 24 months of MAD with companies, all of them together, that reached 400 h
    (our choice) or passed 480 h (L5132-9 2°, R5132-18 2°, D5132-18-1)."""
    return [
        Alert(AI_480_HOURS, messages.ai_480_hours(window), window.last_on, None, window.last_on)
        for window in limits.mad_windows_at_risk(state)
    ]


def _contracts_ending(state: PathwayState) -> list[Alert]:
    """Running contracts whose planned end is within 30 days."""
    return [
        Alert(
            CONTRACT_ENDING,
            messages.contract_ending(c.type, c.planned_end_on),
            c.planned_end_on,
            c.planned_end_on - timedelta(CONTRACT_ENDING_ALERT_DAYS),
            c.planned_end_on,
        )
        for c in sorted(state.contracts.values(), key=lambda c: (c.start_on, c.type))
        if c.running and c.planned_end_on
    ]


def _post_exit_due(state: PathwayState) -> list[Alert]:
    """Each follow-up after the exit (1, 3, 6 months) not recorded yet, open from 30 days before
    it is due to the day it is due (docs/domain.md §8)."""
    done = {s.months_after for s in state.post_exit}
    exit_ = state.exit
    if exit_ is None or not post_exit.is_followed(exit_.reason, bool(exit_.transferred_to)):
        return []
    found = []
    for months in post_exit.FOLLOWED_MONTHS:
        if months in done:
            continue
        due = post_exit.due_on(exit_.on, months)
        message = messages.post_exit_due(months, due)
        found.append(
            Alert(POST_EXIT_DUE, message, due, due - timedelta(POST_EXIT_DUE_ALERT_DAYS), due)
        )
    return found
