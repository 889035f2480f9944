"""Reporting's own fold: one pathway's events → the rows its reports and alerts read.

Pure (no I/O), so rebuild and incremental catch-up derive the very same rows, and a void
arriving long after the voided event only needs the pathway's rows derived again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from shared.domain import events as ev
from shared.domain.outcomes import exit_category


@dataclass
class Contract:
    type: str
    start_on: date
    planned_end_on: date | None
    ended_on: date | None = None


@dataclass
class Mad:
    client_kind: str
    client_siret: str | None
    start_on: date
    end_on: date
    hours: float


@dataclass
class PassIae:
    number: str
    end_on: date


@dataclass
class Folded:
    """What reports need of one pathway, voided events left out."""

    structure_id: str | None = None
    opened_on: date | None = None
    sex: str | None = None
    age_band: str | None = None
    criteria: tuple[str, ...] = ()
    pass_iae: PassIae | None = None
    exit: tuple[date, str] | None = None
    contracts: dict[str, Contract] = field(default_factory=dict)
    hours_by_month: dict[str, float] = field(default_factory=dict)
    mads: list[Mad] = field(default_factory=list)
    activities: list[tuple[str, date]] = field(default_factory=list)


class EventNotApplicable(Exception):
    """An event reporting cannot read; the projection stops on it and says where."""

    def __init__(self, position: int, reason: str):
        super().__init__(f"événement à la position {position} : {reason}")
        self.position = position
        self.reason = reason


def fold(events: list[dict[str, Any]]) -> Folded:
    """Fold a pathway's events (in log order); voided events contribute nothing."""
    voided = {
        str(e["data"].get("event_id", "")).lower() for e in events if e["type"] == ev.EVENT_VOIDED
    }
    return fold_more(Folded(), [e for e in events if str(e["id"]).lower() not in voided])


def fold_more(state: Folded, events: list[dict[str, Any]]) -> Folded:
    """Apply further events (none of them a void) to a folded state, in log order."""
    for event in events:
        applier = _APPLIERS.get(event["type"])
        if applier is None:
            continue
        try:
            applier(state, event["data"], _day(event["occurred_on"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise EventNotApplicable(event["position"], f"{type(exc).__name__}: {exc}") from exc
    return state


def load(raw: str | dict) -> Folded:
    """A state stored as JSON (orjson writes the dataclass; dates come back from ISO form)."""
    d = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    pass_iae = d["pass_iae"]
    return Folded(
        structure_id=d["structure_id"],
        opened_on=_maybe_day(d["opened_on"]),
        sex=d["sex"],
        age_band=d["age_band"],
        criteria=tuple(d["criteria"]),
        pass_iae=PassIae(pass_iae["number"], _day(pass_iae["end_on"])) if pass_iae else None,
        exit=(_day(d["exit"][0]), d["exit"][1]) if d["exit"] else None,
        contracts={
            k: Contract(
                c["type"],
                _day(c["start_on"]),
                _maybe_day(c["planned_end_on"]),
                _maybe_day(c["ended_on"]),
            )
            for k, c in d["contracts"].items()
        },
        hours_by_month=d["hours_by_month"],
        mads=[
            Mad(
                m["client_kind"],
                m["client_siret"],
                _day(m["start_on"]),
                _day(m["end_on"]),
                m["hours"],
            )
            for m in d["mads"]
        ],
        activities=[(k, _day(on)) for k, on in d["activities"]],
    )


def copied(state: Folded) -> Folded:
    """A copy further events can be folded into, leaving `state` as it was: cheaper than
    loading the stored JSON twice. Only contracts and the PASS are changed in place."""
    pass_iae = state.pass_iae
    return Folded(
        structure_id=state.structure_id,
        opened_on=state.opened_on,
        sex=state.sex,
        age_band=state.age_band,
        criteria=state.criteria,
        pass_iae=PassIae(pass_iae.number, pass_iae.end_on) if pass_iae else None,
        exit=state.exit,
        contracts={
            k: Contract(c.type, c.start_on, c.planned_end_on, c.ended_on)
            for k, c in state.contracts.items()
        },
        hours_by_month=dict(state.hours_by_month),
        mads=list(state.mads),
        activities=list(state.activities),
    )


def _maybe_day(value: Any) -> date | None:
    return None if value is None else _day(value)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _opened(state: Folded, data: dict, on: date) -> None:
    state.structure_id, state.opened_on = data["structure_id"], on
    state.sex, state.age_band = data.get("sex"), data.get("age_band")
    state.criteria = tuple(sorted(set((data.get("eligibility") or {}).get("criteria") or ())))
    pass_iae = data.get("pass_iae")
    if pass_iae:
        state.pass_iae = PassIae(pass_iae["number"], _day(pass_iae["end_on"]))


def _contract_started(state: Folded, data: dict, on: date) -> None:
    planned = data.get("planned_end_on")
    state.contracts[data["contract_id"]] = Contract(
        data["contract_type"], _day(data["start_on"]), _day(planned) if planned else None
    )


def _contract_renewed(state: Folded, data: dict, on: date) -> None:
    contract = state.contracts.get(data["contract_id"])
    if contract:
        contract.planned_end_on = _day(data["planned_end_on"])


def _contract_ended(state: Folded, data: dict, on: date) -> None:
    contract = state.contracts.get(data["contract_id"])
    if contract:
        contract.ended_on = _day(data["ended_on"])


def _mad(state: Folded, data: dict, on: date) -> None:
    state.mads.append(
        Mad(
            data["client_kind"],
            data.get("client_siret"),
            _day(data["start_on"]),
            _day(data["end_on"]),
            float(data["hours"]),
        )
    )


def _hours(state: Folded, data: dict, on: date) -> None:
    """A later declaration for the same month replaces the earlier one (ASP état mensuel)."""
    date.fromisoformat(data["month"] + "-01")
    state.hours_by_month[data["month"]] = float(data["hours"])


def _training_completed(state: Folded, data: dict, on: date) -> None:
    state.activities.append(("training_completed", on))


def _support_action(state: Folded, data: dict, on: date) -> None:
    state.activities.append(("support_action", on))


def _suspended(state: Folded, data: dict, on: date) -> None:
    """A suspension pushes the PASS end back by its length, both ends included."""
    if state.pass_iae:
        days = (_day(data["end_on"]) - _day(data["start_on"])).days + 1
        state.pass_iae.end_on = date.fromordinal(state.pass_iae.end_on.toordinal() + days)


def _prolonged(state: Folded, data: dict, on: date) -> None:
    """A prolongation starts at the current end and sets a later one (never an earlier one)."""
    if state.pass_iae:
        state.pass_iae.end_on = max(state.pass_iae.end_on, _day(data["end_on"]))


def _exited(state: Folded, data: dict, on: date) -> None:
    exit_category(data["reason"])
    state.exit = (on, data["reason"])


_APPLIERS = {
    ev.PATHWAY_OPENED: _opened,
    ev.CONTRACT_STARTED: _contract_started,
    ev.CONTRACT_RENEWED: _contract_renewed,
    ev.CONTRACT_ENDED: _contract_ended,
    ev.MISE_A_DISPOSITION_RECORDED: _mad,
    ev.HOURS_WORKED_RECORDED: _hours,
    ev.TRAINING_COMPLETED: _training_completed,
    ev.SUPPORT_ACTION_RECORDED: _support_action,
    ev.PASS_SUSPENDED: _suspended,
    ev.PASS_PROLONGED: _prolonged,
    ev.PATHWAY_EXITED: _exited,
}
