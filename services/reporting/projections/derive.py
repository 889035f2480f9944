"""Reporting's reading of a pathway: the domain's fold over feed events, and the state kept
between pages.

The fold is the one of `shared/domain/pathway/state.py`, the very one the pathways service
decides with, so both services agree on the PASS end, exits, hours and MAD hours. Pure (no
I/O): rebuild and incremental catch-up derive the very same rows, and a void arriving long
after the voided event only needs the pathway's rows derived again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import orjson

from shared.domain import events as ev
from shared.domain.pathway.records import (
    Contract,
    Exit,
    Immersion,
    MiseADisposition,
    PassIae,
    PostExitSituation,
    Prolongation,
    Suspension,
    Training,
)
from shared.domain.pathway.state import (
    Event,
    PathwayState,
    UnreadableEvent,
    evolve_all,
    fold_records,
)

# Types no report reads (immersions are shown by the pathways service only): left out of the
# fold, so that reporting never stops on them.
UNREAD = frozenset({ev.IMMERSION_RECORDED})
# The stored state's layout; a state stored in another one is folded again from the stream.
STATE_FORMAT = 2


class EventNotApplicable(Exception):
    """An event reporting cannot read; the projection stops on it and says where."""

    def __init__(self, position: int, reason: str):
        super().__init__(f"événement à la position {position} : {reason}")
        self.position = position
        self.reason = reason


def fold(events: list[dict[str, Any]]) -> PathwayState:
    """Fold a pathway's feed events (in log order); voided events contribute nothing.

    The state keeps its records only, not the log it was folded from (reporting folds again
    from its copy of the stream when a void arrives): a page's thousands of states then hold
    far fewer objects, which the garbage collector would otherwise scan again and again."""
    return _read(events, lambda read: fold_records(read))


def fold_more(state: PathwayState, events: list[dict[str, Any]]) -> PathwayState:
    """A new state with further events (none of them a void); `state` is left as it was."""
    return _read(events, lambda read: evolve_all(state, read))


def copied(state: PathwayState) -> PathwayState:
    """A state further events can be folded into: the fold never changes the state it is given,
    so a shallow copy is enough."""
    return replace(state)


def _read(events: list[dict[str, Any]], folding: Any) -> PathwayState:
    read = [_event(e) for e in events if e["type"] not in UNREAD]
    try:
        return folding(read)
    except UnreadableEvent as error:
        position = next(e["position"] for e in events if str(e["id"]) == error.event.id)
        raise EventNotApplicable(position, str(error)) from error


def _event(e: dict[str, Any]) -> Event:
    """A copied event as the fold reads it, its data upcast to the current schema version."""
    try:
        data = ev.upcast(e["type"], ev.version_of(e), e["data"])
    except (KeyError, ValueError) as error:
        raise EventNotApplicable(e["position"], f"{e['type']}: {error}") from error
    return Event(str(e["id"]), e["type"], _day(e["occurred_on"]), data)


def dump(state: PathwayState) -> str:
    """The state as stored between pages: its records, without the log it was folded from.

    Keys sorted: an event's nested data (an exit's `transferred_to`) comes with its keys in the
    feed's order during catch-up and in PostgreSQL's jsonb order during a rebuild, and both must
    store the very same text."""
    kept = replace(state, log=(), event_types={}, voided_ids=set())
    document = {"format": STATE_FORMAT, "state": kept}
    return orjson.dumps(document, default=sorted, option=orjson.OPT_SORT_KEYS).decode()


def load(raw: str | bytes | dict) -> PathwayState | None:
    """A stored state, or None when it was stored in an older layout (fold the stream again)."""
    d = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    if d.get("format") != STATE_FORMAT:
        return None
    s = d["state"]
    return PathwayState(
        opened_on=_maybe_day(s["opened_on"]),
        person_id=s["person_id"],
        structure_id=s["structure_id"],
        orienteur=s["orienteur"],
        diagnosed_by=s["diagnosed_by"],
        criteria=tuple(s["criteria"]),
        education_level=s["education_level"],
        sex=s["sex"],
        age_band=s["age_band"],
        measure=s.get("measure"),
        pass_iae=_pass_iae(s["pass_iae"]),
        contracts={k: _contract(c) for k, c in s["contracts"].items()},
        hours_by_month=s["hours_by_month"],
        mises_a_disposition=[_mad(m) for m in s["mises_a_disposition"]],
        trainings={k: _training(t) for k, t in s["trainings"].items()},
        activities=tuple((kind, _day(on)) for kind, on in s["activities"]),
        immersions=[_immersion(i) for i in s["immersions"]],
        exit=_exit(s["exit"]),
        post_exit=tuple(_post_exit(x) for x in s.get("post_exit", ())),
    )


def _pass_iae(p: dict | None) -> PassIae | None:
    if not p:
        return None
    return PassIae(
        p["number"],
        _day(p["start_on"]),
        _day(p["base_end_on"]),
        [Suspension(_day(x["start_on"]), _day(x["end_on"]), x["reason"]) for x in p["suspensions"]],
        [
            Prolongation(
                _day(x["end_on"]), x["reason"], _day(x["declared_on"]), x["extension_days"]
            )
            for x in p["prolongations"]
        ],
    )


def _prolongation(x: dict) -> Prolongation:
    return Prolongation(_day(x["end_on"]), x["reason"], _day(x["declared_on"]), x["extension_days"])


def _contract(c: dict) -> Contract:
    return Contract(
        id=c["id"],
        type=c["type"],
        start_on=_day(c["start_on"]),
        planned_end_on=_maybe_day(c["planned_end_on"]),
        weekly_hours=c["weekly_hours"],
        rome_code=c["rome_code"],
        ended_on=_maybe_day(c["ended_on"]),
        end_reason=c["end_reason"],
        renewals=[_day(r) for r in c["renewals"]],
    )


def _mad(m: dict) -> MiseADisposition:
    return MiseADisposition(
        m["client_kind"], m["client_siret"], _day(m["start_on"]), _day(m["end_on"]), m["hours"]
    )


def _training(t: dict) -> Training:
    return Training(
        id=t["id"],
        kind=t["kind"],
        started_on=_day(t["started_on"]),
        title=t["title"],
        planned_hours=t["planned_hours"],
        completed_on=_maybe_day(t["completed_on"]),
        hours=t["hours"],
        certified=t["certified"],
    )


def _immersion(i: dict) -> Immersion:
    return Immersion(i["objective"], _day(i["start_on"]), _day(i["end_on"]), i["host_siret"])


def _exit(e: dict | None) -> Exit | None:
    return Exit(_day(e["on"]), e["reason"], e["transferred_to"]) if e else None


def _post_exit(x: dict) -> PostExitSituation:
    return PostExitSituation(x["months_after"], x["situation"], x["source"], _day(x["recorded_on"]))


def _maybe_day(value: Any) -> date | None:
    return None if value is None else _day(value)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
