"""Contracts, monthly hours and mises à disposition of a synthetic pathway (domain §5 and §6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from client.synthetic import StructureSpec, rng_for, siret
from client.timeline import Timeline, weighted
from shared.domain import codes
from shared.domain import events as ev

RENEWAL_MONTHS = 6
# Contract types each kind signs (domain §5), with their weights; weekly hours; lengths in days
# of the successive contracts (None: one contract renewed every six months).
CONTRACT_TYPES = {
    "ACI": {"CDDI": 1},
    "EI": {"CDDI": 1},
    "EITI": {"OTHER": 1},
    "OSP": {"CDD": 3, "CDI": 2},
    "AI": {"CDD_USAGE": 4, "CDDI": 1},
    "ETTI": {"MISSION": 1},
    "ETT_ESS": {"MISSION": 1},
}
WEEKLY_HOURS = {
    "ACI": (26,),
    "EI": (26, 30, 35),
    "EITI": (20, 35),
    "OSP": (24, 28, 35),
    "AI": (8, 12, 16, 20, 24, 26),
    "ETTI": (35,),
    "ETT_ESS": (35,),
}
CONTRACT_DAYS = {"AI": (30, 120), "ETTI": (14, 70), "ETT_ESS": (14, 70)}
CLIENT_KIND_WEIGHTS = {
    "AI": {"particulier": 35, "association": 20, "collectivite": 20, "entreprise": 25},
    "ETTI": {"entreprise": 90, "association": 5, "collectivite": 5},
}
END_REASON_AT_EXIT = {
    "rupture_essai": "trial_period",
    "licenciement": "dismissal",
    "cdi": "resignation",
    "cdd_6_mois_plus": "resignation",
}


@dataclass
class Contract:
    id: str
    type: str
    start: date
    planned_end: date | None
    end: date | None  # ended_on; None while it runs
    weekly: float

    def days_in(self, first: date, last: date, today: date) -> int:
        """Days the contract ran within [first, last]."""
        return max(0, (min(last, self.end or today) - max(first, self.start)).days + 1)


def work(t: Timeline, structure: StructureSpec, reason: str | None, seed: int) -> None:
    contracts = _contracts(t, structure.kind)
    for c in contracts:
        _contract_events(
            t, c, END_REASON_AT_EXIT.get(reason or "", "term") if c is contracts[-1] else "term"
        )
    _monthly_hours(t, contracts)
    if structure.kind in codes.MAD_KINDS:
        clients = [siret(rng_for(seed, "client", structure.index, i)) for i in range(4)]
        for c in contracts:
            _mises_a_disposition(t, c, structure.kind, clients)


def _contracts(t: Timeline, kind: str) -> list[Contract]:
    """One long contract, or successive short ones (AI, ETTI, ETT ESS) with gaps between."""
    lengths = CONTRACT_DAYS.get(kind)
    contracts: list[Contract] = []
    start = t.opened_on
    while start <= t.last_day:
        c_type = weighted(t.rng, CONTRACT_TYPES[kind])
        planned = (
            None
            if c_type in codes.OPEN_ENDED_CONTRACT_TYPES
            else start
            + (
                timedelta(days=t.rng.randint(*lengths) - 1)
                if lengths
                else relativedelta(months=RENEWAL_MONTHS, days=-1)
            )
        )
        contracts.append(
            Contract(
                t.child_id("contract", len(contracts)),
                c_type,
                start,
                planned,
                None,
                float(t.rng.choice(WEEKLY_HOURS[kind])),
            )
        )
        if lengths is None or planned is None or planned >= t.last_day:
            break
        contracts[-1].end = planned
        start = planned + timedelta(days=1 + t.rng.randint(0, 20))
    if t.exited:  # the pathway has exited: its last contract ends with it
        contracts[-1].end = min(contracts[-1].end or t.last_day, t.last_day)
    return contracts


def _contract_events(t: Timeline, c: Contract, end_reason: str) -> None:
    started = {
        "contract_id": c.id,
        "contract_type": c.type,
        "start_on": c.start.isoformat(),
        "weekly_hours": c.weekly,
    }
    if c.planned_end:
        started["planned_end_on"] = c.planned_end.isoformat()
    t.add(c.start, ev.CONTRACT_STARTED, started)
    planned = c.planned_end
    while planned and planned < (c.end or t.last_day):
        renewed_on, planned = (
            planned - timedelta(days=10),
            planned + relativedelta(months=RENEWAL_MONTHS),
        )
        t.add(
            renewed_on,
            ev.CONTRACT_RENEWED,
            {"contract_id": c.id, "planned_end_on": planned.isoformat()},
        )
    if c.end:
        t.add(
            c.end,
            ev.CONTRACT_ENDED,
            {"contract_id": c.id, "ended_on": c.end.isoformat(), "reason": end_reason},
        )


def _months(first: date, last: date):
    month = first.replace(day=1)
    while month <= last:
        yield month, month + relativedelta(months=1, days=-1)
        month += relativedelta(months=1)


def _monthly_hours(t: Timeline, contracts: list[Contract]) -> None:
    """The état mensuel: hours of each month a contract ran, declared at the month's end."""
    for first, last in _months(t.opened_on, t.last_day):
        hours = sum(c.weekly * c.days_in(first, last, t.last_day) / 7 for c in contracts)
        if hours > 0:
            t.add(
                min(last, t.last_day),
                ev.HOURS_WORKED_RECORDED,
                {"month": first.strftime("%Y-%m"), "hours": min(250.0, round(hours * 2) / 2)},
            )


def _mises_a_disposition(t: Timeline, c: Contract, kind: str, clients: list[str]) -> None:
    """One MAD a month of the contract, with one client for the whole contract."""
    client_kind = weighted(t.rng, CLIENT_KIND_WEIGHTS.get(kind, CLIENT_KIND_WEIGHTS["ETTI"]))
    client = {"client_kind": client_kind}
    if client_kind == codes.COMPANY_CLIENT_KIND:
        client["client_siret"] = t.rng.choice(clients)
    for first, last in _months(c.start, c.end or t.last_day):
        start, end = max(first, c.start), min(last, c.end or t.last_day)
        hours = max(0.5, round(c.weekly * ((end - start).days + 1) / 7 * 2) / 2)
        t.add(
            start,
            ev.MISE_A_DISPOSITION_RECORDED,
            {**client, "start_on": start.isoformat(), "end_on": end.isoformat(), "hours": hours},
        )
