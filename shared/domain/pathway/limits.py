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


@dataclass(frozen=True)
class MadWindow:
    """Hours of mise à disposition with one company over one 24-month window (L5132-9)."""

    client_siret: str
    start_on: date
    last_on: date
    hours: float

    def covers(self, day: date) -> bool:
        return self.start_on <= day <= self.last_on


def contract_periods(state: PathwayState, contract_type: str, today: date) -> list[Period]:
    """Periods of the pathway's contracts of one type, up to their known or planned end."""
    return [
        (c.start_on, max(c.start_on, c.last_day(today)))
        for c in state.contracts.values()
        if c.type == contract_type
    ]


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


def cddi_limit_passed_on(state: PathwayState, today: date) -> date | None:
    """Last day of the 24 months of CDDI, when the pathway's CDDI go beyond (L5132-15-1)."""
    return limit_passed_on(contract_periods(state, "CDDI", today), CDDI_MAX_MONTHS)


def mission_limit_passed_on(state: PathwayState, kind: str, today: date) -> date | None:
    """Last day of the 24 months of ETTI missions, renewals included, when beyond (L5132-6)."""
    if kind != "ETTI":
        return None
    return limit_passed_on(contract_periods(state, "MISSION", today), MISSION_MAX_MONTHS)


def ai_mad_windows_at_risk(state: PathwayState, kind: str) -> list[MadWindow]:
    """AI company windows that reached the alert threshold (400 h, our choice) or passed 480 h."""
    if kind != "AI":
        return []
    windows = company_mad_windows(state.mises_a_disposition)
    return [w for w in windows if w.hours >= AI_MAD_COMPANY_ALERT_HOURS]


def cddi_too_short(contract: Contract) -> bool:
    """A CDDI planned for less than 4 months (L5132-15-1); unknown when no planned end."""
    if contract.planned_end_on is None:
        return False
    return contract.planned_end_on + timedelta(1) < contract.start_on + relativedelta(
        months=CDDI_MIN_MONTHS
    )


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
