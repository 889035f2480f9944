"""Open alerts of a pathway: deadlines staff asked to see and legal limits at risk."""

from dataclasses import dataclass
from datetime import date, timedelta

from shared.domain.limits import CONTRACT_ENDING_ALERT_DAYS, PASS_ENDING_ALERT_DAYS
from shared.domain.pathway import limits, messages
from shared.domain.pathway.state import PathwayState


@dataclass(frozen=True)
class Alert:
    """`due_on` is the deadline, or the last day within a legal limit that was passed."""

    code: str
    message: str
    due_on: date | None = None


def alerts(state: PathwayState, kind: str, today: date) -> list[Alert]:
    """Alerts of an open pathway; an exited one has none."""
    if not state.opened or state.exit:
        return []
    return [
        *_pass_ending(state, today),
        *_cumulated_contracts(state, kind, today),
        *_ai_480_hours(state, kind, today),
        *_contracts_ending(state, today),
    ]


def _pass_ending(state: PathwayState, today: date) -> list[Alert]:
    """The PASS IAE ends within 90 days."""
    pass_iae = state.pass_iae
    if not pass_iae or not _within(pass_iae.end_on, today, PASS_ENDING_ALERT_DAYS):
        return []
    message = messages.pass_ending(pass_iae.number, pass_iae.end_on)
    return [Alert("pass_ending", message, pass_iae.end_on)]


def _cumulated_contracts(state: PathwayState, kind: str, today: date) -> list[Alert]:
    """CDDI or ETTI missions beyond 24 months in total (L5132-15-1, L5132-6)."""
    found = []
    cddi_on = limits.cddi_limit_passed_on(state, today)
    if cddi_on:
        found.append(Alert("cddi_24_months", messages.cddi_24_months(cddi_on), cddi_on))
    mission_on = limits.mission_limit_passed_on(state, kind, today)
    if mission_on:
        found.append(Alert("mission_24_months", messages.mission_24_months(mission_on), mission_on))
    return found


def _ai_480_hours(state: PathwayState, kind: str, today: date) -> list[Alert]:
    """Company windows still running that reached 400 h or passed 480 h (L5132-9)."""
    return [
        Alert("ai_480_hours", messages.ai_480_hours(window), window.last_on)
        for window in limits.ai_mad_windows_at_risk(state, kind)
        if window.last_on >= today
    ]


def _contracts_ending(state: PathwayState, today: date) -> list[Alert]:
    """Running contracts whose planned end is within 30 days."""
    return [
        Alert(
            "contract_ending", messages.contract_ending(c.type, c.planned_end_on), c.planned_end_on
        )
        for c in state.contracts.values()
        if c.running
        and c.planned_end_on
        and _within(c.planned_end_on, today, CONTRACT_ENDING_ALERT_DAYS)
    ]


def _within(day: date, today: date, days: int) -> bool:
    """Whether a date falls between today and `days` days from now."""
    return today <= day <= today + timedelta(days=days)
