"""The rows derived from each pathway's folded state, one list per table of the `outcomes`
projection: pure functions of the state, shared by catch-up (`outcomes.apply`), the bulk
rebuild (`outcomes_bulk`) and knowledge time (`reports/asof.py`), so that every path writes the
same rows."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from services.reporting.projections import tallies
from shared.domain import events as ev
from shared.domain.outcomes import exit_category
from shared.domain.pathway.alerts import alert_windows
from shared.domain.pathway.state import PathwayState
from shared.domain.post_exit import in_employment, situation_category

DERIVED = (
    "pathways",
    "criteria",
    "monthly_hours",
    "mads",
    "activities",
    "alerts",
    "transfers",
    "post_exit",
)
# The tables an event can change besides alerts (derived again for every touched pathway): a
# page's rows are compared in those only. A type not named here changes them all.
CHANGES: dict[str, tuple[str, ...]] = {
    ev.CONTRACT_STARTED: (),
    ev.CONTRACT_RENEWED: (),
    ev.CONTRACT_ENDED: (),
    ev.PASS_SUSPENDED: (),
    ev.PASS_PROLONGED: (),
    ev.TRAINING_STARTED: (),
    ev.IMMERSION_RECORDED: (),
    ev.MISE_A_DISPOSITION_RECORDED: ("mads",),
    ev.HOURS_WORKED_RECORDED: ("pathways", "monthly_hours"),
    ev.TRAINING_COMPLETED: ("activities",),
    ev.SUPPORT_ACTION_RECORDED: ("activities",),
    ev.PATHWAY_EXITED: ("pathways", "transfers"),
    ev.POST_EXIT_SITUATION_RECORDED: ("pathways", "post_exit"),
}


def derived_rows(
    folded: dict[str, PathwayState], tables: Mapping[str, Collection[str]] | None = None
) -> dict[str, list[dict]]:
    """Rows of every derived table for the given folded pathways (unopened ones have none), or
    of only the tables `tables` names for a pathway (every table for a pathway it leaves out)."""
    rows: dict[str, list[dict]] = {table: [] for table in DERIVED}
    for pid, state in folded.items():
        if state.opened_on is None:
            continue
        for table in tables.get(pid, DERIVED) if tables else DERIVED:
            rows[table] += _ROWS[table](pid, state)
    return rows


def _criteria_rows(pid: str, state: PathwayState) -> list[dict]:
    return [{"pathway_id": pid, "criterion": c} for c in state.criteria]


def _hours_rows(pid: str, state: PathwayState) -> list[dict]:
    return [
        {"pathway_id": pid, "month": f"{m}-01", "hours": h}
        for m, h in sorted(state.hours_by_month.items())
    ]


def _mad_rows(pid: str, state: PathwayState) -> list[dict]:
    return [
        {
            "pathway_id": pid,
            "seq": i,
            "client_kind": m.client_kind,
            "start_on": m.start_on,
            "end_on": m.end_on,
            "hours": m.hours,
        }
        for i, m in enumerate(state.mises_a_disposition)
    ]


def _activity_rows(pid: str, state: PathwayState) -> list[dict]:
    return [
        {"pathway_id": pid, "seq": i, "kind": k, "occurred_on": on}
        for i, (k, on) in enumerate(state.activities)
    ]


def _alert_rows(pid: str, state: PathwayState) -> list[dict]:
    return [{"pathway_id": pid, "seq": i, **vars(a)} for i, a in enumerate(alert_windows(state))]


def _pathway_rows(pid: str, state: PathwayState) -> list[dict]:
    exited_on, reason = (state.exit.on, state.exit.reason) if state.exit else (None, None)
    row = {
        "pathway_id": pid,
        "structure_id": state.structure_id,
        "opened_on": state.opened_on,
        "exited_on": exited_on,
        "exit_reason": reason,
        "exit_category": exit_category(reason) if reason else None,
        "sex": state.sex,
        "age_band": state.age_band,
        "measure": state.measure,
        "hours_total": float(sum(state.hours_by_month.values())),
        **_counted(state),
        **_followed(state),
    }
    return [row]


def _transfer_rows(pid: str, state: PathwayState) -> list[dict]:
    """The link an exit keeps to the pathway the person continues in (docs/domain.md §8): read
    by group reports only, to tell a move between two members from an exit and an entry."""
    if state.exit is None or not state.exit.transferred_to:
        return []
    to = state.exit.transferred_to
    return [
        {
            "pathway_id": pid,
            "structure_id": state.structure_id,
            "exited_on": state.exit.on,
            "to_structure_id": to["structure_id"],
            "to_pathway_id": to["pathway_id"],
        }
    ]


def _post_exit_rows(pid: str, state: PathwayState) -> list[dict]:
    """What became of the person after the exit, with the situation's category (null when
    unknown) and whether it is employment, for the post-exit report (docs/domain.md §8)."""
    return [
        {
            "pathway_id": pid,
            "months_after": s.months_after,
            "situation": s.situation,
            "category": situation_category(s.situation),
            "in_employment": in_employment(s.situation),
            "source": s.source,
            "recorded_on": s.recorded_on,
        }
        for s in state.post_exit
    ]


def _followed(state: PathwayState) -> dict[str, list[int]]:
    """The months after the exit with a follow-up in force, and those in employment, on the
    pathway's own row: the post-exit report counts its cohorts from the pathway rows alone."""
    followed = sorted(s.months_after for s in state.post_exit)
    employed = sorted(s.months_after for s in state.post_exit if in_employment(s.situation))
    return {"followed_after": followed, "employed_after": employed}


def _counted(state: PathwayState) -> dict[str, bool | None]:
    """Whether the exit counts by hours and by length of stay; the kind picks one (reports)."""
    hours, months = tallies.counted_of(state)
    return {"counted_hours": hours, "counted_months": months}


_ROWS = {
    "pathways": _pathway_rows,
    "criteria": _criteria_rows,
    "monthly_hours": _hours_rows,
    "mads": _mad_rows,
    "activities": _activity_rows,
    "alerts": _alert_rows,
    "transfers": _transfer_rows,
    "post_exit": _post_exit_rows,
}
