"""The pathways service and the reporting worker read a log the same way: for random valid logs,
the PASS end, the exit and whether it counts, the hours and the MAD hours that a pathway shows equal
what reporting derives into its rows. Pure: no I/O."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from client.demo import SIZES, Network
from services.pathways.decide.pathway import Context, PersonFacts, decide, fold, view
from services.reporting.projections.derive import fold as derive_fold
from services.reporting.projections.pathway_rows import derived_rows
from shared.domain.codes import WITHDRAWN_CATEGORY
from shared.domain.outcomes import EVERY_BASIS, HOURS_BASIS, MONTHS_BASIS, counting_basis
from shared.domain.pathway.alerts import PASS_ENDING
from tests.support import generated_events

TODAY = date(2026, 3, 15)
STRUCTURE_ID = "00000000-0000-4000-8000-00000000000a"
PERSON_ID = "00000000-0000-4000-8000-00000000000b"


def decided(spec, kind: str):
    """The pathway's state as the pathways service folds it from the events it accepted."""
    events = generated_events(spec, STRUCTURE_ID, PERSON_ID)
    person = PersonFacts(PERSON_ID, spec.person.birth_date, spec.person.sex)
    decision = decide(fold([]), events, Context(STRUCTURE_ID, kind, TODAY, person))
    assert decision.accepted, decision.errors
    return decision.state


def fed(state) -> list[dict]:
    """The same events as the feed hands them to reporting."""
    return [
        {
            "position": i,
            "id": e.id,
            "type": e.type,
            "occurred_on": e.occurred_on.isoformat(),
            "data": e.data,
        }
        for i, e in enumerate(state.log, start=1)
    ]


def reporting_facts(rows: dict[str, list[dict]], kind: str) -> dict:
    [pathway] = rows["pathways"]
    mads: dict[str, float] = defaultdict(float)
    for row in rows["mads"]:
        mads[row["client_kind"]] += row["hours"]
    by_basis = {
        HOURS_BASIS: pathway["counted_hours"],
        MONTHS_BASIS: pathway["counted_months"],
        EVERY_BASIS: pathway["exit_category"] not in (None, WITHDRAWN_CATEGORY),
    }
    counted = by_basis[counting_basis(kind)]
    pass_end = [a["due_on"] for a in rows["alerts"] if a["code"] == PASS_ENDING]
    return {
        "exit": (pathway["exited_on"], pathway["exit_reason"], pathway["exit_category"], counted)
        if pathway["exited_on"]
        else None,
        "hours": float(pathway["hours_total"]),
        "mad_hours": {k: h for k, h in mads.items() if h},
        "pass_end": pass_end[0] if pass_end else None,
    }


def pathway_facts(state, kind: str) -> dict:
    shown = view(state, kind, TODAY, pathway_id="p")
    exit_ = shown["exit"]
    return {
        "exit": (
            date.fromisoformat(exit_["on"]),
            exit_["reason"],
            exit_["category"],
            exit_["counted"],
        )
        if exit_
        else None,
        "hours": float(shown["hours_worked"]),
        "mad_hours": {k: h for k, h in shown["mad_hours"].items() if h},
        "pass_end": date.fromisoformat(shown["pass_iae"]["end_on"]) if shown["pass_iae"] else None,
    }


@settings(max_examples=4, deadline=None)
@given(st.integers(min_value=0, max_value=1_000_000))
def test_both_services_read_any_valid_log_alike(seed):
    network = Network(seed, SIZES["small"], TODAY)
    compared = 0
    for structure in network.structures:
        for spec in itertools.islice(network.pathways_of(structure), 8):
            state = decided(spec, structure.kind)
            rows = derived_rows({"p": derive_fold(fed(state))})
            assert reporting_facts(rows, structure.kind) == pathway_facts(state, structure.kind)
            compared += 1
    assert compared >= 50
