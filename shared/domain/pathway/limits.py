"""Legal limits measured on a pathway's state (domain §5): shared by warnings and alerts.

Limits are not rejections: structures record what happened and these functions show where a
rule is at risk.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

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
    PASS_WAITING_PERIOD_DAYS,
    SUSPENSION_MAX_BACKDATING_DAYS,
)
from shared.domain.pathway.records import Event
from shared.domain.pathway.state import Contract, MiseADisposition, PathwayState, fold_records
from shared.domain.periods import Period, limit_passed_on, plus_months

# The last day of a contract that has none yet.
FOREVER = date(9999, 12, 31)


@dataclass(frozen=True)
class MadWindow:
    """Hours of mise à disposition with companies, all of them together, over one 24-month
    window opened by the employee's first company MAD after the previous window (L5132-9 2°,
    R5132-18 2°, D5132-18-1)."""

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


@dataclass(frozen=True)
class ContractLimit(CumulatedLimit):
    """One contract beyond its legal length, its renewals included."""

    contract_id: str
    start_on: date


def cumulated_limit(state: PathwayState, contract_type: str, months: int) -> CumulatedLimit | None:
    """Where the pathway's contracts of one type pass `months` in total, if they ever do.

    A running contract with no planned end is taken to run for ever: the limit is then passed
    the day after its last day within it.
    """
    contracts = [c for c in state.contracts.values() if c.type == contract_type]
    return _limit_of(contracts, months)


def contract_limits(state: PathwayState, contract_type: str, months: int) -> list[ContractLimit]:
    """The pathway's contracts of one type that each pass `months`, renewals included (a
    renewal moves the contract's planned end), soonest first."""
    found = []
    for c in sorted(state.contracts.values(), key=lambda c: (c.start_on, c.id)):
        if c.type == contract_type and (limit := _limit_of([c], months)):
            found.append(ContractLimit(limit.last_on, limit.alert_from, c.id, c.start_on))
    return found


def _limit_of(contracts: list[Contract], months: int) -> CumulatedLimit | None:
    """Where these contracts together pass `months`, if they ever do."""
    if not contracts:
        return None
    fixed, open_starts = _contract_periods(contracts)
    last_on = limit_passed_on(fixed + [(s, FOREVER) for s in open_starts], months)
    if last_on is None:
        return None
    known_until = max([end for _, end in fixed] + open_starts)
    return CumulatedLimit(last_on, None if known_until > last_on else last_on + timedelta(1))


def _contract_periods(contracts: list[Contract]) -> tuple[list[Period], list[date]]:
    """Known periods (ended or planned) and starts of running contracts with no planned end."""
    fixed: list[Period] = []
    open_starts: list[date] = []
    for c in contracts:
        end = c.ended_on or c.planned_end_on
        if end is None:
            open_starts.append(c.start_on)
        else:
            fixed.append((c.start_on, max(c.start_on, end)))
    return fixed, open_starts


def company_mad_windows(mads: Iterable[MiseADisposition]) -> list[MadWindow]:
    """The employee's 24-month windows of MAD with companies, all companies together.

    The law caps the hours « dans une ou plusieurs entreprises » over 24 months from the first
    mise à disposition (L5132-9 2°, R5132-18 2°, D5132-18-1; the URSSAF reads it alike): the
    first company MAD opens a window, the first one after it ends opens the next, whatever
    the company. MADs with individuals, associations or local authorities do not count. A
    MAD's hours count at its start date.
    """
    windows: list[MadWindow] = []
    with_companies = sorted(
        (m for m in mads if m.client_kind == COMPANY_CLIENT_KIND), key=lambda m: m.start_on
    )
    for mad in with_companies:
        last = windows[-1] if windows else None
        if last and last.covers(mad.start_on):
            windows[-1] = replace(last, hours=last.hours + mad.hours)
        else:
            windows.append(_new_window(mad))
    return windows


def _new_window(mad: MiseADisposition) -> MadWindow:
    """The window a company MAD opens: 24 months from its start."""
    last_on = plus_months(mad.start_on, AI_MAD_COMPANY_WINDOW_MONTHS) - timedelta(1)
    return MadWindow(mad.start_on, last_on, mad.hours)


def cddi_limit(state: PathwayState) -> CumulatedLimit | None:
    """CDDI beyond 24 months in total (L5132-15-1)."""
    return cumulated_limit(state, "CDDI", CDDI_MAX_MONTHS)


def mission_limits(state: PathwayState) -> list[ContractLimit]:
    """ETTI mission contracts each beyond 24 months, renewals included (L5132-6): the limit
    binds each contract with its renewals, not the sum of the pathway's missions (CDDI, by
    contrast, are limited in total, L5132-15-1)."""
    return contract_limits(state, "MISSION", MISSION_MAX_MONTHS)


def mad_windows_at_risk(state: PathwayState) -> list[MadWindow]:
    """Windows of MAD with companies that reached 400 h (our choice) or passed 480 h."""
    windows = company_mad_windows(state.mises_a_disposition)
    return [w for w in windows if w.hours >= AI_MAD_COMPANY_ALERT_HOURS]


def cddi_too_short(contract: Contract) -> bool:
    """A CDDI planned for less than 4 months (L5132-15-1); unknown when no planned end."""
    if contract.planned_end_on is None:
        return False
    shortest = plus_months(contract.start_on, CDDI_MIN_MONTHS)
    return contract.planned_end_on + timedelta(1) < shortest


def cddi_weekly_hours_off(contract: Contract, kind: str) -> bool:
    """CDDI weekly hours outside 20-35 h; an AI may go lower (L5132-15-1)."""
    too_low = kind != "AI" and contract.weekly_hours < CDDI_MIN_WEEKLY_HOURS
    return too_low or contract.weekly_hours > CDDI_MAX_WEEKLY_HOURS


def cdi_inclusion_met(state: PathwayState, contract: Contract, age: int | None) -> bool:
    """CDI inclusion: aged 57 or more and 12 months of pathway at signature (loi 2020-1577)."""
    old_enough = age is None or age >= CDI_INCLUSION_MIN_AGE
    opened_on = state.opened_on or contract.start_on
    long_enough = plus_months(opened_on, CDI_INCLUSION_MIN_PATHWAY_MONTHS)
    return old_enough and contract.start_on >= long_enough


# --- The PASS IAE clock (docs/domain.md §4) ----------------------------------------------------


def latest_pass_end(streams: Iterable[Iterable[Event]]) -> date | None:
    """The last day of the latest PASS among a person's other pathways (each folded, so that
    suspensions, prolongations and voids count); None when none had a PASS."""
    ends = [state.pass_iae.end_on for state in map(fold_records, streams) if state.pass_iae]
    return max(ends, default=None)


def pass_waiting_until(previous_end_on: date | None, opened_on: date) -> date | None:
    """The last day of the two-year waiting period after a PASS ended, when `opened_on` falls
    in it (after the end, within PASS_WAITING_PERIOD_DAYS); None otherwise."""
    if previous_end_on is None:
        return None
    until = previous_end_on + timedelta(days=PASS_WAITING_PERIOD_DAYS)
    return until if previous_end_on < opened_on <= until else None


def suspension_backdated(start_on: date, recorded_on: date) -> bool:
    """Whether a suspension starts more than SUSPENSION_MAX_BACKDATING_DAYS before the day it
    is recorded."""
    return (recorded_on - start_on).days > SUSPENSION_MAX_BACKDATING_DAYS
