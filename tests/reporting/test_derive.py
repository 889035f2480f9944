"""Reporting's own fold and alert rules: pure, no I/O."""

from __future__ import annotations

from datetime import date

import pytest

from services.reporting.projections.derive import EventNotApplicable, copied, fold, fold_more
from services.reporting.projections.pathway_rows import CHANGES, DERIVED, derived_rows
from shared.domain.pathway.alerts import alert_windows as alert_rows

S = "6f1c1f7e-0000-4000-8000-000000000001"


def ev(position: int, type_: str, on: str, data: dict, id_: str | None = None) -> dict:
    return {
        "position": position,
        "id": id_ or f"00000000-0000-4000-8000-{position:012d}",
        "type": type_,
        "occurred_on": on,
        "data": data,
    }


def opened(pass_end: str | None = None) -> dict:
    data = {"structure_id": S, "eligibility": {"criteria": ["RSA", "QPV"]}, "sex": "F"}
    if pass_end:
        data["pass_iae"] = {"number": "999990000001", "start_on": "2025-01-01", "end_on": pass_end}
    return ev(1, "pathway_opened", "2025-01-01", data)


def test_a_later_declaration_for_a_month_replaces_the_earlier_one():
    state = fold(
        [
            opened(),
            ev(2, "hours_worked_recorded", "2025-02-28", {"month": "2025-02", "hours": 40}),
            ev(3, "hours_worked_recorded", "2025-03-02", {"month": "2025-02", "hours": 55}),
        ]
    )
    assert state.hours_by_month == {"2025-02": 55.0}


def test_voiding_the_exit_reopens_the_pathway():
    exited = ev(2, "pathway_exited", "2025-05-01", {"reason": "cdi"})
    state = fold(
        [
            opened(),
            exited,
            ev(
                3,
                "event_voided",
                "2025-06-01",
                {"event_id": exited["id"].upper(), "reason": "erreur"},
            ),
        ]
    )
    assert state.exit is None


def test_a_suspension_pushes_the_pass_end_back_by_its_length():
    state = fold(
        [
            opened("2026-12-31"),
            ev(
                2,
                "pass_suspended",
                "2025-03-01",
                {"start_on": "2025-03-01", "end_on": "2025-03-10", "reason": "CONTRACT_BROKEN"},
            ),
        ]
    )
    assert state.pass_iae.end_on == date(2027, 1, 10)


def test_an_unreadable_event_names_its_position():
    with pytest.raises(EventNotApplicable) as error:
        fold([opened(), ev(7, "pathway_exited", "2025-05-01", {"reason": "no_such_reason"})])
    assert error.value.position == 7


def test_a_pass_ending_alert_is_open_during_the_ninety_days_before_the_end():
    [row] = alert_rows(fold([opened("2026-12-14")]))
    assert (row.code, row.active_from, row.active_until) == (
        "pass_ending",
        date(2026, 9, 15),
        date(2026, 12, 14),
    )


def test_an_open_ended_mission_raises_its_alert_the_day_after_the_24_months():
    state = fold(
        [
            opened(),
            ev(
                2,
                "contract_started",
                "2025-01-01",
                {
                    "contract_id": "c1",
                    "contract_type": "MISSION",
                    "start_on": "2025-01-01",
                    "weekly_hours": 35,
                },
            ),
        ]
    )
    [row] = [r for r in alert_rows(state) if r.code == "mission_24_months"]
    assert (row.due_on, row.active_from, row.active_until) == (
        date(2026, 12, 31),
        date(2027, 1, 1),
        None,
    )


def mission(position: int, contract_id: str, start: str, end: str) -> dict:
    data = {"contract_id": contract_id, "contract_type": "MISSION", "start_on": start}
    return ev(position, "contract_started", start, {**data, "planned_end_on": end})


def test_two_missions_of_13_months_raise_no_alert():
    # L5132-6 limits each mission contract: the former sum over the pathway raised one here.
    first = mission(2, "c1", "2025-01-01", "2026-01-31")
    second = mission(3, "c2", "2026-02-01", "2027-02-28")
    assert [
        r for r in alert_rows(fold([opened(), first, second])) if r.code != "contract_ending"
    ] == []


def test_a_mission_renewed_past_24_months_raises_an_alert_naming_it():
    renewed = ev(
        3, "contract_renewed", "2026-01-15", {"contract_id": "c1", "planned_end_on": "2027-03-31"}
    )
    state = fold([opened(), mission(2, "c1", "2025-01-01", "2026-01-31"), renewed])
    [row] = [r for r in alert_rows(state) if r.code == "mission_24_months"]
    assert (row.due_on, row.active_from) == (date(2026, 12, 31), None)
    assert row.message.startswith("Contrat de mission commencé le 01/01/2025 : ")


def company_mad(position: int, siret: str, hours: float) -> dict:
    data = {"client_kind": "entreprise", "client_siret": siret, "start_on": "2025-02-01"}
    return ev(
        position,
        "mise_a_disposition_recorded",
        "2025-02-01",
        {**data, "end_on": "2025-06-30", "hours": hours},
    )


def test_company_mad_hours_from_400_raise_the_480_hour_alert():
    mads = [company_mad(2 + i, "73282932000074", 200) for i in range(2)]
    [row] = [r for r in alert_rows(fold([opened(), *mads])) if r.code == "ai_480_hours"]
    assert row.active_until == date(2027, 1, 31)
    assert "400 h" in row.message


def test_the_480_hour_alert_adds_the_hours_of_every_company():
    # L5132-9: 480 h « dans une ou plusieurs entreprises »; the former count per SIRET saw
    # 200 h with each company here and raised nothing.
    mads = [company_mad(2, "73282932000074", 200), company_mad(3, "35600000049837", 200)]
    [row] = [r for r in alert_rows(fold([opened(), *mads])) if r.code == "ai_480_hours"]
    assert row.active_until == date(2027, 1, 31)
    assert "toutes entreprises confondues : 400 h" in row.message


def test_a_mad_with_an_association_does_not_count_toward_the_480_hours():
    data = {"client_kind": "association", "start_on": "2025-02-01", "end_on": "2025-06-30"}
    other = ev(3, "mise_a_disposition_recorded", "2025-02-01", {**data, "hours": 300})
    state = fold([opened(), company_mad(2, "73282932000074", 200), other])
    assert [r for r in alert_rows(state) if r.code == "ai_480_hours"] == []


def contract(position: int, type_: str, data: dict) -> dict:
    return ev(position, type_, "2025-04-01", {"contract_id": "c1", **data})


TO = ("9a3c1f0e-5b1d-4c7e-8f00-1d2e3f405162", "0b8e2c4a-7d6f-4e3b-9a1c-2d3e4f506172")
LATER = [
    contract(10, "contract_renewed", {"planned_end_on": "2025-12-31", "contract_type": "CDDI"}),
    contract(11, "contract_ended", {"ended_on": "2025-06-30", "reason": "fin"}),
    ev(12, "pass_suspended", "2025-04-01", {"start_on": "2025-04-01", "end_on": "2025-04-05"}),
    ev(13, "pass_prolonged", "2025-04-01", {"end_on": "2027-06-30"}),
    ev(14, "hours_worked_recorded", "2025-04-30", {"month": "2025-04", "hours": 70}),
    ev(
        15,
        "mise_a_disposition_recorded",
        "2025-04-01",
        {
            "client_kind": "particulier",
            "start_on": "2025-04-01",
            "end_on": "2025-05-10",
            "hours": 9,
        },
    ),
    ev(16, "training_started", "2025-04-01", {"title": "CACES"}),
    ev(17, "training_completed", "2025-04-20", {"title": "CACES"}),
    ev(18, "support_action_recorded", "2025-04-02", {"domain": "social", "topic": "logement"}),
    ev(19, "immersion_recorded", "2025-04-03", {"siret": "73282932000074"}),
    # A transfer: an exit changes the pathway row and the transfer row (docs/domain.md §8).
    ev(
        20,
        "pathway_exited",
        "2025-07-01",
        {"reason": "cdi", "transferred_to": {"structure_id": TO[0], "pathway_id": TO[1]}},
    ),
]


def earlier() -> list[dict]:
    started = {"contract_type": "CDDI", "start_on": "2025-01-02", "planned_end_on": "2025-06-30"}
    return [
        opened("2026-12-31"),
        contract(2, "contract_started", started),
        ev(3, "hours_worked_recorded", "2025-02-28", {"month": "2025-02", "hours": 40}),
        ev(4, "support_action_recorded", "2025-02-02", {"domain": "social", "topic": "x"}),
    ]


def test_folding_into_a_copy_leaves_the_state_it_was_copied_from_as_it_was():
    state = fold(earlier())
    fold_more(copied(state), LATER)
    assert state == fold(earlier())


@pytest.mark.parametrize("event", LATER, ids=lambda e: e["type"])
def test_an_event_changes_no_derived_table_but_alerts_and_those_said(event):
    before = fold(earlier())
    after = fold_more(copied(before), [event])
    kept = set(DERIVED) - {"alerts", *CHANGES[event["type"]]}
    was, now = derived_rows({"p": before}), derived_rows({"p": after})
    assert {t: now[t] for t in kept} == {t: was[t] for t in kept}
    assert all(now[t] != was[t] for t in CHANGES[event["type"]])
