"""« Mes salariés »: one structure's people in pathway, from reporting's projections.

Reporting keeps no identity: a row carries the pathway and the person's pseudonymous id, the
PASS end, the running contract, the hours declared for the last three months and the alerts
open today. The names are read by the page, live, from the pathways service's identity vault.
Besides the open pathways, the list holds the people who exited and whose follow-up after the
exit is awaited (docs/domain.md §8).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import Connection, text

from services.reporting.projections.derive import load
from services.reporting.reports.alerts import OPEN_ALERTS
from shared.domain import post_exit
from shared.domain.pathway.alerts import CONTRACT_ENDING, PASS_ENDING
from shared.domain.pathway.state import PathwayState

# The months of hours shown: the three before the current one (declared after the month).
HOURS_MONTHS = 3
PEOPLE = """
SELECT p.pathway_id::text AS pathway_id, s.state::text AS state
  FROM outcomes.pathways p JOIN outcomes.states s USING (pathway_id)
 WHERE p.structure_id = CAST(:structure AS uuid)
   AND (p.exited_on IS NULL OR p.exited_on >= CAST(:exited_since AS date))
"""
HOURS = """
SELECT h.pathway_id::text AS pathway_id, to_char(h.month, 'YYYY-MM') AS month, h.hours
  FROM outcomes.monthly_hours h JOIN outcomes.pathways p USING (pathway_id)
 WHERE p.structure_id = CAST(:structure AS uuid) AND h.month >= CAST(:first AS date)
   AND h.month < CAST(:current AS date)
"""
ALERTS = f"""
SELECT a.pathway_id::text AS pathway_id, a.code, a.message, a.due_on {OPEN_ALERTS}
   AND p.structure_id = CAST(:structure AS uuid)
 ORDER BY a.due_on, a.seq
"""
# The filters of the list, and what each keeps.
FILTERS = {
    "alerte": "Avec une alerte",
    "contrat": "Contrat se terminant",
    "pass": "PASS IAE arrivant à échéance",
    "suivi": "Sortis, suivi à faire",
}
# Each order puts first the person who needs attention soonest (the latest entry by default).
SORTS = {
    "entree": "Date d'entrée",
    "fin_pass": "Fin du PASS IAE",
    "fin_contrat": "Fin du contrat",
    "alertes": "Nombre d'alertes",
}


@dataclass
class Person:
    """One line of the list; `person_id` names the identity the page reads from the vault."""

    pathway_id: str
    person_id: str | None
    opened_on: date
    exited_on: date | None
    pass_end_on: date | None
    contract_type: str | None
    contract_end_on: date | None
    hours: list[tuple[str, float | None]]
    alerts: list[dict] = field(default_factory=list)
    follow_ups_awaited: tuple[int, ...] = ()

    @property
    def codes(self) -> set[str]:
        return {a["code"] for a in self.alerts}


def months_shown(today: date) -> list[str]:
    """The months whose hours are shown, oldest first (YYYY-MM)."""
    current = today.replace(day=1)
    return [
        (current - relativedelta(months=n)).strftime("%Y-%m") for n in range(HOURS_MONTHS, 0, -1)
    ]


def structure_people(conn: Connection, structure_id: str, today: date) -> list[Person]:
    """Every person of the structure the list may show: open pathways, and exits whose follow-up
    after the exit is still awaited."""
    current = today.replace(day=1)
    bind = {
        "structure": structure_id,
        "exited_since": today - relativedelta(months=post_exit.CHASED_MONTHS),
        "first": current - relativedelta(months=HOURS_MONTHS),
        "current": current,
        "today": today,
    }
    months = months_shown(today)
    hours: dict[str, dict[str, float]] = {}
    for row in conn.execute(text(HOURS), bind).mappings():
        hours.setdefault(row["pathway_id"], {})[row["month"]] = float(row["hours"])
    alerts: dict[str, list[dict]] = {}
    for row in conn.execute(text(ALERTS), bind).mappings():
        alerts.setdefault(row["pathway_id"], []).append(dict(row))
    people = []
    for row in conn.execute(text(PEOPLE), bind).mappings():
        state = load(row["state"])
        if state is None or state.opened_on is None:
            continue
        person = _person(row["pathway_id"], state, today)
        if person.exited_on and not person.follow_ups_awaited:
            continue
        declared = hours.get(person.pathway_id, {})
        person.hours = [(m, declared.get(m)) for m in months]
        person.alerts = alerts.get(person.pathway_id, [])
        people.append(person)
    return people


def _person(pathway_id: str, state: PathwayState, today: date) -> Person:
    running = sorted(
        (c for c in state.contracts.values() if c.running),
        key=lambda c: c.start_on,
        reverse=True,
    )
    contract = running[0] if running else None
    exit_ = state.exit
    awaited: tuple[int, ...] = ()
    if exit_:
        recorded = {s.months_after for s in state.post_exit}
        awaited = post_exit.awaited(
            exit_.on, exit_.reason, bool(exit_.transferred_to), recorded, today
        )
    assert state.opened_on is not None
    return Person(
        pathway_id=pathway_id,
        person_id=state.person_id,
        opened_on=state.opened_on,
        exited_on=exit_.on if exit_ else None,
        pass_end_on=state.pass_iae.end_on if state.pass_iae else None,
        contract_type=contract.type if contract else None,
        contract_end_on=contract.planned_end_on if contract else None,
        hours=[],
        follow_ups_awaited=awaited,
    )


def chosen(people: list[Person], wanted: str, sort: str) -> list[Person]:
    """The people a filter keeps, in the chosen order (unknown values: no filter, by entry)."""
    kept = [p for p in people if _keeps(p, wanted)]
    far = date.max
    orders = {
        "fin_pass": lambda p: (p.pass_end_on or far, p.pathway_id),
        "fin_contrat": lambda p: (p.contract_end_on or far, p.pathway_id),
        "alertes": lambda p: (-len(p.alerts), p.pathway_id),
    }
    if sort in orders:
        return sorted(kept, key=orders[sort])
    return sorted(kept, key=lambda p: (-p.opened_on.toordinal(), p.pathway_id))


def _keeps(person: Person, wanted: str) -> bool:
    if wanted == "alerte":
        return bool(person.alerts)
    if wanted == "contrat":
        return CONTRACT_ENDING in person.codes
    if wanted == "pass":
        return PASS_ENDING in person.codes
    if wanted == "suivi":
        return bool(person.follow_ups_awaited)
    return True
