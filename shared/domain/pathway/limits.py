"""Legal limits measured on a pathway's state (domain §5): shared by warnings and alerts.

Limits are not rejections: structures record what happened and these functions show where a
rule is at risk.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from shared.domain.codes import COMPANY_CLIENT_KIND
from shared.domain.limits import (
    AI_MAD_COMPANY_ALERT_HOURS,
    AI_MAD_COMPANY_WINDOW_MONTHS,
    CDDI_MAX_MONTHS,
    CDDI_MAX_WEEKLY_HOURS,
    CDDI_MIN_MONTHS,
    CDDI_MIN_WEEKLY_HOURS,
    CDI_INCLUSION_MIN_AGE,
    CDI_INCLUSION_MIN_PATHWAY_MONTHS,
    MISSION_MAX_MONTHS,
)
from shared.domain.pathway.state import Contract, MiseADisposition, PathwayState
from shared.domain.periods import Period, limit_passed_on

# The last day of a contract that has none yet.
FOREVER = date(9999, 12, 31)


@dataclass(frozen=True)
class MadWindow:
    """Hours of mise à disposition with one company over one 24-month window (L5132-9)."""

    client_siret: str
    start_on: date
    last_on: date
    hours: float

    def covers(self, day: date) -> bool:
        return self.start_on <= day <= self.last_on


@dataclass(frozen=True)
class CumulatedLimit:
    """Contracts of one type beyond a legal total: the last day within it, and the first day
    the excess is certain (None: the periods already known, ended or planned, pass it)."""

    last_on: date
    alert_from: date | None

    def passed_by(self, day: date) -> bool:
        return self.alert_from is None or self.alert_from <= day


def cumulated_limit(state: PathwayState, contract_type: str, months: int) -> CumulatedLimit | None:
    """Where the pathway's contracts of one type pass `months` in total, if they ever do.

    A running contract with no planned end is taken to run for ever: the limit is then passed
    the day after its last day within it.
    """
    fixed, open_starts = _contract_periods(state, contract_type)
    if not fixed and not open_starts:
        return None
    last_on = limit_passed_on(fixed + [(s, FOREVER) for s in open_starts], months)
    if last_on is None:
        return None
    known_until = max([end for _, end in fixed] + open_starts)
    return CumulatedLimit(last_on, None if known_until > last_on else last_on + timedelta(1))


def _contract_periods(state: PathwayState, contract_type: str) -> tuple[list[Period], list[date]]:
    """Known periods (ended or planned) and starts of running contracts with no planned end."""
    fixed: list[Period] = []
    open_starts: list[date] = []
    for c in state.contracts.values():
        if c.type != contract_type:
            continue
        end = c.ended_on or c.planned_end_on
        if end is None:
            open_starts.append(c.start_on)
        else:
            fixed.append((c.start_on, max(c.start_on, end)))
    return fixed, open_starts


def company_mad_windows(mads: Iterable[MiseADisposition]) -> list[MadWindow]:
    """24-month windows per company, each opened by the first MAD after the previous window."""
    windows: list[MadWindow] = []
    by_company = sorted(
        (m for m in mads if m.client_kind == COMPANY_CLIENT_KIND and m.client_siret),
        key=lambda m: (m.client_siret or "", m.start_on),
    )
    for mad in by_company:
        last = windows[-1] if windows else None
        if last and last.client_siret == mad.client_siret and last.covers(mad.start_on):
            windows[-1] = replace(last, hours=last.hours + mad.hours)
        else:
            windows.append(_new_window(mad))
    return windows


def _new_window(mad: MiseADisposition) -> MadWindow:
    """The window a company's MAD opens: 24 months from its start."""
    last_on = mad.start_on + relativedelta(months=AI_MAD_COMPANY_WINDOW_MONTHS) - timedelta(1)
    return MadWindow(mad.client_siret or "", mad.start_on, last_on, mad.hours)


def cddi_limit(state: PathwayState) -> CumulatedLimit | None:
    """CDDI beyond 24 months in total (L5132-15-1)."""
    return cumulated_limit(state, "CDDI", CDDI_MAX_MONTHS)


def mission_limit(state: PathwayState) -> CumulatedLimit | None:
    """ETTI missions beyond 24 months in total, renewals included (L5132-6)."""
    return cumulated_limit(state, "MISSION", MISSION_MAX_MONTHS)


def mad_windows_at_risk(state: PathwayState) -> list[MadWindow]:
    """Company windows that reached the alert threshold (400 h, our choice) or passed 480 h."""
    windows = company_mad_windows(state.mises_a_disposition)
    return [w for w in windows if w.hours >= AI_MAD_COMPANY_ALERT_HOURS]


def cddi_too_short(contract: Contract) -> bool:
    """A CDDI planned for less than 4 months (L5132-15-1); unknown when no planned end."""
    if contract.planned_end_on is None:
        return False
    shortest: date = contract.start_on + relativedelta(months=CDDI_MIN_MONTHS)
    return contract.planned_end_on + timedelta(1) < shortest


def cddi_weekly_hours_off(contract: Contract, kind: str) -> bool:
    """CDDI weekly hours outside 20-35 h; an AI may go lower (L5132-15-1)."""
    too_low = kind != "AI" and contract.weekly_hours < CDDI_MIN_WEEKLY_HOURS
    return too_low or contract.weekly_hours > CDDI_MAX_WEEKLY_HOURS


def cdi_inclusion_met(state: PathwayState, contract: Contract, age: int | None) -> bool:
    """CDI inclusion: aged 57 or more and 12 months of pathway at signature (loi 2020-1577)."""
    old_enough = age is None or age >= CDI_INCLUSION_MIN_AGE
    opened_on = state.opened_on or contract.start_on
    long_enough = opened_on + relativedelta(months=CDI_INCLUSION_MIN_PATHWAY_MONTHS)
    return old_enough and contract.start_on >= long_enough
