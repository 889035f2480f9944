"""The PASS IAE clock: two years from its start (computed when the client sends no end),
prolongations capped over all reasons, suspensions, and the waiting period after a PASS ends."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest
from marshmallow import ValidationError
from pathway_builders import (
    context,
    errors_of,
    opened,
    pass_data,
    pass_prolonged,
    pass_suspended,
    pathway,
    person,
    training_started,
    voided,
    warning_codes,
)
from pathways_support import append
from pathways_support import opened as http_opened

from services.pathways.decide.pathway import PathwayState, decide, fold
from shared.domain.events import load_event_data
from shared.domain.pathway.limits import latest_pass_end, pass_waiting_until
from shared.domain.pathway.records import pass_end_from, suspension_latest_end


def test_a_pass_lasts_two_years_less_a_day():
    assert pass_end_from(date(2025, 1, 6)) == date(2027, 1, 5)
    assert pass_end_from(date(2024, 3, 1)) == date(2026, 2, 28)  # 730 days, leap day included


def opening_data(**pass_iae) -> dict:
    data = dict(opened().data)
    data["pass_iae"] = {"number": "999991234567", "start_on": "2025-01-06", **pass_iae}
    return data


def test_an_opening_without_a_pass_end_stores_the_computed_one():
    stored = load_event_data("pathway_opened", opening_data())
    assert stored["pass_iae"]["end_on"] == "2027-01-05"


def test_a_pass_end_before_its_start_is_refused():
    with pytest.raises(ValidationError) as error:
        load_event_data("pathway_opened", opening_data(end_on="2025-01-01"))
    assert "pass_iae.end_on" in error.value.messages


def test_a_pass_end_that_disagrees_is_kept_with_a_warning():
    sent = opening_data(end_on="2026-12-31")
    assert warning_codes(PathwayState(), opened(pass_iae=sent["pass_iae"])) == [
        "pass_end_on_differs"
    ]
    state = fold([opened(pass_iae=load_event_data("pathway_opened", sent)["pass_iae"])])
    assert state.pass_iae is not None and state.pass_iae.end_on == date(2026, 12, 31)


def test_a_pass_end_two_years_after_its_start_raises_nothing():
    sent = opening_data(end_on="2027-01-05")
    assert warning_codes(PathwayState(), opened(pass_iae=sent["pass_iae"])) == []


def test_over_http_the_computed_end_is_stored_and_shown(pathways, org, person):
    pathway_id = str(uuid.uuid4())
    event = http_opened(org, person, pass_iae={"number": "999991234567", "start_on": "2025-01-06"})
    answer = append(pathways, org, pathway_id, [event], expected=0)
    assert answer.status_code == 201, answer.json
    assert answer.json["warnings"] == []
    shown = pathways.get(f"/v1/pathways/{pathway_id}", headers=org.headers).json
    assert shown["pass_iae"]["end_on"] == "2027-01-05"
    again = append(pathways, org, pathway_id, [event], expected=0)  # a retry is the same request
    assert again.status_code in (200, 201) and again.json["events"] == answer.json["events"]


def test_over_http_a_disagreeing_end_is_stored_with_a_french_warning(pathways, org, person):
    pathway_id = str(uuid.uuid4())
    pass_iae = {"number": "999991234567", "start_on": "2025-01-06", "end_on": "2026-06-30"}
    answer = append(pathways, org, pathway_id, [http_opened(org, person, pass_iae=pass_iae)], 0)
    assert answer.status_code == 201, answer.json
    [warning] = answer.json["warnings"]
    assert warning["code"] == "pass_end_on_differs"
    assert "30/06/2026" in warning["message"] and "05/01/2027" in warning["message"]
    shown = pathways.get(f"/v1/pathways/{pathway_id}", headers=org.headers).json
    assert shown["pass_iae"]["end_on"] == "2026-06-30"


# --- Prolongations: caps over all reasons, the prescriber's agreement -----------------------------


def test_prolongation_caps_count_every_prolongation_whatever_its_reason():
    ctx = context(today=date(2029, 6, 1), who=person(birth_date=date(1970, 1, 1)))
    senior = [
        pass_prolonged(date(2026, 6, 1), date(2028, 1, 5), "SENIOR"),
        pass_prolonged(date(2027, 6, 1), date(2029, 1, 4), "SENIOR"),
        pass_prolonged(date(2028, 6, 1), date(2030, 1, 4), "SENIOR"),
    ]
    state = pathway(*senior)
    # 1,095 days of SENIOR already: an RQTH one (cap 3 years) no longer fits, where it used to
    # be judged on RQTH prolongations alone (none).
    errors = errors_of(state, pass_prolonged(date(2029, 6, 1), date(2030, 2, 4)), ctx=ctx)
    assert errors == {
        "events.0.data.end_on": [
            "With a RQTH prolongation, the prolongations of a PASS IAE total at most 1095 days, "
            "whatever their reasons (1095 already granted)."
        ]
    }
    # SENIOR's own cap (5 years) still leaves room.
    more_senior = pass_prolonged(date(2029, 6, 1), date(2031, 1, 4), "SENIOR")
    assert errors_of(state, more_senior, ctx=ctx) == {}


def test_a_prolongation_reaching_the_cap_exactly_is_accepted():
    first = pass_prolonged(date(2026, 6, 1), date(2028, 1, 5))
    second = pass_prolonged(date(2027, 6, 1), date(2029, 1, 4))
    ctx = context(today=date(2029, 1, 1))
    assert (
        errors_of(
            pathway(first, second), pass_prolonged(date(2028, 6, 1), date(2030, 1, 4)), ctx=ctx
        )
        == {}
    )


def test_a_senior_cdi_prolongation_stops_at_ten_years():
    ctx = context(who=person(birth_date=date(1960, 1, 1)))
    ten_years = pass_prolonged(date(2026, 6, 1), date(2037, 1, 2), "SENIOR_CDI")  # 3,650 days
    assert errors_of(pathway(), ten_years, ctx=ctx) == {}
    beyond = pass_prolonged(date(2026, 6, 1), date(2037, 1, 3), "SENIOR_CDI")
    assert list(errors_of(pathway(), beyond, ctx=ctx)) == ["events.0.data.end_on"]


@pytest.mark.parametrize("reason", ["RQTH", "SENIOR", "PARTICULAR_DIFFICULTIES"])
def test_a_prolongation_needing_a_prescriber_without_one_is_stored_with_a_warning(reason):
    ctx = context(kind="ACI", who=person(birth_date=date(1960, 1, 1)))
    event_ = pass_prolonged(date(2026, 6, 1), date(2027, 6, 1), reason)
    assert warning_codes(pathway(), event_, ctx=ctx) == ["pass_prolongation_not_approved"]
    event_.data["approved_by"] = "prescriber"
    assert warning_codes(pathway(), event_, ctx=ctx) == []


def test_a_training_prolongation_needs_no_prescriber():
    state = pathway(training_started(date(2026, 1, 5)))
    event_ = pass_prolonged(date(2026, 6, 1), date(2027, 6, 1), "COMPLETE_TRAINING")
    assert warning_codes(state, event_) == []


def test_an_unknown_approver_is_refused():
    with pytest.raises(ValidationError) as error:
        load_event_data(
            "pass_prolonged", {"end_on": "2027-06-01", "reason": "RQTH", "approved_by": "employer"}
        )
    assert list(error.value.messages) == ["approved_by"]


# --- Suspensions: 36 months less a day, backdated by 365 days at most -----------------------------


def test_a_suspension_may_last_36_months_less_a_day():
    assert suspension_latest_end(date(2025, 5, 1)) == date(2028, 4, 30)
    data = {"start_on": "2025-05-01", "end_on": "2028-04-30", "reason": "CONTRACT_BROKEN"}
    assert load_event_data("pass_suspended", data)["end_on"] == "2028-04-30"
    with pytest.raises(ValidationError) as error:
        load_event_data("pass_suspended", {**data, "end_on": "2028-05-01"})
    assert error.value.messages == {
        "end_on": ["A suspension lasts at most 36 months: it ends on 2028-04-30 at the latest."]
    }


def test_a_suspension_backdated_by_more_than_365_days_is_stored_with_a_warning():
    ctx = context(today=date(2026, 6, 15))
    assert (
        warning_codes(pathway(), pass_suspended(date(2025, 6, 15), date(2025, 7, 31)), ctx=ctx)
        == []
    )
    old = pass_suspended(date(2025, 6, 14), date(2025, 7, 31))
    decision = decide(pathway(), [old], ctx)
    assert [w.code for w in decision.warnings] == ["pass_suspension_backdated"]
    assert (
        "14/06/2025" in decision.warnings[0].message and "365 jours" in decision.warnings[0].message
    )


# --- The two-year waiting period after a PASS ends ----------------------------------------------


def test_the_waiting_period_runs_two_years_after_the_pass_end():
    end = date(2024, 1, 2)
    assert pass_waiting_until(end, date(2024, 1, 2)) is None  # the PASS still runs
    assert pass_waiting_until(end, date(2024, 1, 3)) == date(2026, 1, 1)
    assert pass_waiting_until(end, date(2026, 1, 1)) == date(2026, 1, 1)
    assert pass_waiting_until(end, date(2026, 1, 2)) is None
    assert pass_waiting_until(None, date(2025, 1, 1)) is None


def test_the_latest_pass_end_counts_suspensions_and_ignores_voided_ones():
    suspension = pass_suspended(date(2022, 6, 1), date(2022, 6, 30))
    first = [
        opened(on=date(2022, 1, 3), pass_iae=pass_data(date(2022, 1, 3), date(2024, 1, 2))),
        suspension,
    ]
    assert latest_pass_end([first]) == date(2024, 2, 1)
    assert latest_pass_end([[*first, voided(suspension)]]) == date(2024, 1, 2)
    assert latest_pass_end([]) is None


def test_an_employer_diagnosis_within_the_waiting_period_is_stored_with_a_warning():
    ctx = replace(context(kind="ACI"), previous_pass_end_on=date(2024, 1, 2))
    employer = opened(on=date(2025, 1, 6), diagnosed_by="employer", criteria=("RSA",))
    decision = decide(PathwayState(), [employer], ctx)
    assert [w.code for w in decision.warnings] == ["pass_waiting_period"]
    assert "02/01/2024" in decision.warnings[0].message
    prescriber = opened(on=date(2025, 1, 6))
    assert warning_codes(PathwayState(), prescriber, ctx=ctx) == []


def test_over_http_an_employer_opening_after_a_recent_pass_warns(pathways, org, person):
    first = str(uuid.uuid4())
    pass_iae = {"number": "999991234567", "start_on": "2022-01-03"}
    opening = http_opened(org, person, on=date(2022, 1, 3), pass_iae=pass_iae)
    exit_ = {
        "id": str(uuid.uuid4()),
        "type": "pathway_exited",
        "occurred_on": "2023-06-30",
        "data": {"reason": "chomage"},
    }
    assert append(pathways, org, first, [opening, exit_], expected=0).status_code == 201
    employer = http_opened(org, person, on=date(2025, 1, 6))
    employer["data"]["eligibility"] = {"diagnosed_by": "employer", "criteria": ["RSA"]}
    answer = append(pathways, org, str(uuid.uuid4()), [employer], expected=0)
    assert answer.status_code == 201, answer.json
    assert [w["code"] for w in answer.json["warnings"]] == ["pass_waiting_period"]
    assert "02/01/2024" in answer.json["warnings"][0]["message"]
    prescriber = http_opened(org, person, on=date(2025, 1, 6))
    answer = append(pathways, org, str(uuid.uuid4()), [prescriber], expected=0)
    assert answer.status_code == 201 and answer.json["warnings"] == []
