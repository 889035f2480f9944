"""Warnings returned with an accepted event: legal limits at risk, the event being stored anyway."""

from dataclasses import dataclass
from datetime import date

from services.pathways.decide.context import Context
from shared.domain import events as ev
from shared.domain.codes import COMPANY_CLIENT_KIND, PROLONGATION_RULES
from shared.domain.identifiers import age_on
from shared.domain.outcomes import pathway_months
from shared.domain.pathway import alerts, limits, messages
from shared.domain.pathway.records import pass_end_from
from shared.domain.pathway.state import Contract, Event, PathwayState


@dataclass(frozen=True)
class LimitWarning:
    """A legal limit at risk: `code` for software, `message` in French for staff."""

    code: str
    message: str


def warnings_for(state: PathwayState, event: Event, ctx: Context) -> list[LimitWarning]:
    """Warnings an accepted event raises, judged on the state that includes it."""
    if event.type in (ev.CONTRACT_STARTED, ev.CONTRACT_RENEWED):
        contract = state.contracts[event.data["contract_id"]]
        return _contract_warnings(state, contract, event.type == ev.CONTRACT_STARTED, ctx)
    if event.type == ev.MISE_A_DISPOSITION_RECORDED:
        return _mad_warnings(state, event, ctx)
    if event.type == ev.PATHWAY_OPENED:
        return _pass_end_warnings(state) + _waiting_period_warnings(event, ctx)
    if event.type == ev.PASS_PROLONGED:
        return _prolongation_warnings(event)
    if event.type == ev.PASS_SUSPENDED:
        return _suspension_warnings(event, ctx)
    return []


def _pass_end_warnings(state: PathwayState) -> list[LimitWarning]:
    """A PASS end that is not two years after its start is kept, and said to differ."""
    pass_iae = state.pass_iae
    if pass_iae is None or pass_iae.base_end_on == pass_end_from(pass_iae.start_on):
        return []
    computed = pass_end_from(pass_iae.start_on)
    return [
        LimitWarning(
            "pass_end_on_differs", messages.pass_end_on_differs(pass_iae.base_end_on, computed)
        )
    ]


def _waiting_period_warnings(event: Event, ctx: Context) -> list[LimitWarning]:
    """An employer's diagnosis within two years after the person's last PASS ended: only an
    authorised prescriber may then establish eligibility (docs/domain.md §4)."""
    if event.data["eligibility"]["diagnosed_by"] != "employer":
        return []
    until = limits.pass_waiting_until(ctx.previous_pass_end_on, event.occurred_on)
    if until is None or ctx.previous_pass_end_on is None:
        return []
    message = messages.pass_waiting_period(ctx.previous_pass_end_on, until)
    return [LimitWarning("pass_waiting_period", message)]


def _prolongation_warnings(event: Event) -> list[LimitWarning]:
    """RQTH, SENIOR and PARTICULAR_DIFFICULTIES need an authorised prescriber's agreement."""
    reason = event.data["reason"]
    if not PROLONGATION_RULES[reason].needs_prescriber or event.data.get("approved_by"):
        return []
    return [
        LimitWarning("pass_prolongation_not_approved", messages.prolongation_not_approved(reason))
    ]


def _suspension_warnings(event: Event, ctx: Context) -> list[LimitWarning]:
    """A suspension backdated by more than 365 days is stored, and said to be."""
    start_on = date.fromisoformat(event.data["start_on"])
    if not limits.suspension_backdated(start_on, ctx.today):
        return []
    message = messages.suspension_backdated(start_on, ctx.today)
    return [LimitWarning("pass_suspension_backdated", message)]


def _contract_warnings(
    state: PathwayState, contract: Contract, started: bool, ctx: Context
) -> list[LimitWarning]:
    """Warnings of the contract types the law limits."""
    if contract.type == "CDDI":
        found = _cddi_start_warnings(contract, ctx.kind) if started else []
        return found + _cddi_24_months(state, ctx)
    if contract.type == "MISSION":
        return _mission_24_months(state, contract, ctx)
    if contract.type == "CDI_INCLUSION" and started:
        return _cdi_inclusion_warnings(state, contract, ctx)
    return []


def _cddi_24_months(state: PathwayState, ctx: Context) -> list[LimitWarning]:
    """The pathway's CDDI beyond 24 months in total by today (L5132-15-1)."""
    limit = limits.cddi_limit(state)
    if limit is None or not limit.passed_by(ctx.today):
        return []
    return [LimitWarning(alerts.CDDI_24_MONTHS, messages.cddi_24_months(limit.last_on))]


def _mission_24_months(state: PathwayState, contract: Contract, ctx: Context) -> list[LimitWarning]:
    """This mission contract beyond 24 months by today, its renewals included (L5132-6), in
    an ETTI; the pathway's other missions do not count."""
    if not alerts.applies(alerts.MISSION_24_MONTHS, ctx.kind):
        return []
    return [
        LimitWarning(
            alerts.MISSION_24_MONTHS, messages.mission_24_months(limit.start_on, limit.last_on)
        )
        for limit in limits.mission_limits(state)
        if limit.contract_id == contract.id and limit.passed_by(ctx.today)
    ]


def _cddi_start_warnings(contract: Contract, kind: str) -> list[LimitWarning]:
    """Minimum duration and weekly hours of a new CDDI (L5132-15-1)."""
    found = []
    if limits.cddi_too_short(contract) and contract.planned_end_on:
        message = messages.cddi_min_4_months(contract.start_on, contract.planned_end_on)
        found.append(LimitWarning("cddi_min_4_months", message))
    if limits.cddi_weekly_hours_off(contract, kind):
        message = messages.cddi_weekly_hours(contract.weekly_hours, lower_allowed=kind == "AI")
        found.append(LimitWarning("cddi_weekly_hours", message))
    return found


def _cdi_inclusion_warnings(
    state: PathwayState, contract: Contract, ctx: Context
) -> list[LimitWarning]:
    """CDI inclusion signed before 57 or before 12 months of pathway (loi 2020-1577)."""
    age = age_on(ctx.person.birth_date, contract.start_on) if ctx.person else None
    if limits.cdi_inclusion_met(state, contract, age):
        return []
    months = pathway_months(state.opened_on or contract.start_on, contract.start_on)
    message = messages.cdi_inclusion_conditions(age, months)
    return [LimitWarning("cdi_inclusion_conditions", message)]


def _mad_warnings(state: PathwayState, event: Event, ctx: Context) -> list[LimitWarning]:
    """The 480-hour window, all companies together, this company MAD falls in, when at risk
    (L5132-9 2°, R5132-18 2°, D5132-18-1)."""
    if event.data["client_kind"] != COMPANY_CLIENT_KIND:
        return []
    if not alerts.applies(alerts.AI_480_HOURS, ctx.kind):
        return []
    start_on = date.fromisoformat(event.data["start_on"])
    return [
        LimitWarning(alerts.AI_480_HOURS, messages.ai_480_hours(window))
        for window in limits.mad_windows_at_risk(state)
        if window.covers(start_on)
    ]
