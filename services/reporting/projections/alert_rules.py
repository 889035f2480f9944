"""Alert rows of a folded pathway, stored with the window of days during which each is open.

Alerts depend on today; rows do not. Each row carries `active_from`/`active_until` (None =
unbounded) so that `GET /v1/alerts` only compares today with stored dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from services.reporting.projections.derive import Folded, Mad
from shared.domain.codes import COMPANY_CLIENT_KIND, CONTRACT_TYPES, label
from shared.domain.limits import (
    AI_MAD_COMPANY_ALERT_HOURS,
    AI_MAD_COMPANY_MAX_HOURS,
    AI_MAD_COMPANY_WINDOW_MONTHS,
    CDDI_MAX_MONTHS,
    CONTRACT_ENDING_ALERT_DAYS,
    MISSION_MAX_MONTHS,
    PASS_ENDING_ALERT_DAYS,
)
from shared.domain.periods import Period, limit_passed_on

FOREVER = date(9999, 12, 31)


@dataclass(frozen=True)
class AlertRow:
    code: str
    due_on: date
    active_from: date | None
    active_until: date | None
    message: str


def alert_rows(state: Folded) -> list[AlertRow]:
    """Every alert the pathway may raise; kinds (AI, ETTI) and exits are checked at query time."""
    return [
        *_pass_ending(state),
        *_cumulated(state, "CDDI", CDDI_MAX_MONTHS, "cddi_24_months", _cddi_message),
        *_cumulated(state, "MISSION", MISSION_MAX_MONTHS, "mission_24_months", _mission_message),
        *_ai_480_hours(state.mads),
        *_contracts_ending(state),
    ]


def french_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def french_hours(hours: float) -> str:
    return f"{hours:.2f}".rstrip("0").rstrip(".").replace(".", ",") + " h"


def _pass_ending(state: Folded) -> list[AlertRow]:
    """The PASS IAE ends within 90 days (staff request, Les emplois de l'inclusion)."""
    if not state.pass_iae:
        return []
    end = state.pass_iae.end_on
    message = f"Le PASS IAE {state.pass_iae.number} prend fin le {french_date(end)}."
    return [AlertRow("pass_ending", end, end - timedelta(PASS_ENDING_ALERT_DAYS), end, message)]


def _contracts_ending(state: Folded) -> list[AlertRow]:
    """Running contracts whose planned end is within 30 days."""
    return [
        AlertRow(
            "contract_ending",
            c.planned_end_on,
            c.planned_end_on - timedelta(CONTRACT_ENDING_ALERT_DAYS),
            c.planned_end_on,
            f"{label(CONTRACT_TYPES, c.type)} : fin prévue le {french_date(c.planned_end_on)}.",
        )
        for c in sorted(state.contracts.values(), key=lambda c: (c.start_on, c.type))
        if c.ended_on is None and c.planned_end_on
    ]


def _cumulated(state: Folded, kind: str, months: int, code: str, message) -> list[AlertRow]:
    """Contracts of one type beyond `months` in total (L5132-15-1 for CDDI, L5132-6 missions).

    Running contracts with no planned end are taken to run forever to find the last day within
    the limit; the alert opens the day after it, or at once when known periods already pass it.
    """
    fixed, open_starts = _periods(state, kind)
    limit_on = limit_passed_on(fixed + [(s, FOREVER) for s in open_starts], months)
    if limit_on is None:
        return []
    known_until = max([end for _, end in fixed] + open_starts)
    if known_until > limit_on:
        return [AlertRow(code, limit_on, None, None, message(limit_on))]
    return [AlertRow(code, limit_on, limit_on + timedelta(1), None, message(limit_on))]


def _periods(state: Folded, kind: str) -> tuple[list[Period], list[date]]:
    """Known periods (ended or planned) and starts of running contracts with no planned end."""
    fixed: list[Period] = []
    open_starts: list[date] = []
    for c in state.contracts.values():
        if c.type != kind:
            continue
        end = c.ended_on or c.planned_end_on
        if end is None:
            open_starts.append(c.start_on)
        else:
            fixed.append((c.start_on, max(c.start_on, end)))
    return fixed, open_starts


def _ai_480_hours(mads: list[Mad]) -> list[AlertRow]:
    """Company windows of 24 months that reached 400 h (our choice) or passed 480 h (L5132-9)."""
    return [
        AlertRow("ai_480_hours", last_on, None, last_on, _mad_message(siret, start, last_on, hours))
        for siret, start, last_on, hours in company_windows(mads)
        if hours >= AI_MAD_COMPANY_ALERT_HOURS
    ]


def company_windows(mads: list[Mad]) -> list[tuple[str, date, date, float]]:
    """(siret, first day, last day, hours) of each company's 24-month windows from a first MAD."""
    windows: list[tuple[str, date, date, float]] = []
    company = [m for m in mads if m.client_kind == COMPANY_CLIENT_KIND and m.client_siret]
    for mad in sorted(company, key=lambda m: (m.client_siret, m.start_on)):
        last = windows[-1] if windows else None
        if last and last[0] == mad.client_siret and last[1] <= mad.start_on <= last[2]:
            windows[-1] = (*last[:3], last[3] + mad.hours)
        else:
            end = mad.start_on + relativedelta(months=AI_MAD_COMPANY_WINDOW_MONTHS) - timedelta(1)
            windows.append((mad.client_siret or "", mad.start_on, end, mad.hours))
    return windows


def _mad_message(siret: str, start: date, last_on: date, hours: float) -> str:
    where = (
        f"Mise à disposition auprès de l'entreprise {siret} : {french_hours(hours)} "
        f"sur 24 mois depuis le {french_date(start)}"
    )
    if hours > AI_MAD_COMPANY_MAX_HOURS:
        return f"{where}, plafond légal de {AI_MAD_COMPANY_MAX_HOURS} h dépassé (art. L5132-9)."
    return f"{where} (plafond légal {AI_MAD_COMPANY_MAX_HOURS} h, art. L5132-9)."


def _cddi_message(limit_on: date) -> str:
    return (
        "Durée cumulée des CDDI supérieure à 24 mois "
        f"(limite atteinte le {french_date(limit_on)}) : au-delà, seulement pour achever "
        "une formation ou pour un salarié de 50 ans et plus ou reconnu travailleur handicapé "
        "(art. L5132-15-1)."
    )


def _mission_message(limit_on: date) -> str:
    return (
        "Durée cumulée des contrats de mission supérieure à 24 mois, renouvellements compris "
        f"(limite atteinte le {french_date(limit_on)}, art. L5132-6)."
    )
