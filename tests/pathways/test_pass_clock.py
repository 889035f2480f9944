"""The PASS IAE clock: two years from its start, computed when the client sends no end."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from marshmallow import ValidationError
from pathway_builders import opened, warning_codes
from pathways_support import append
from pathways_support import opened as http_opened

from services.pathways.decide.pathway import PathwayState, fold
from shared.domain.events import load_event_data
from shared.domain.pathway.records import pass_end_from


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
