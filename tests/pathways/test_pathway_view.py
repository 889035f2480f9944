from datetime import date

from pathway_builders import (
    OPENED_ON,
    PERSON_ID,
    STRUCTURE_ID,
    contract_started,
    exited,
    hours_worked,
    mad,
    pass_suspended,
    pathway,
)

from services.pathways.decide.pathway import view

PATHWAY_ID = "0f0e0d0c-0b0a-4909-8807-060504030201"
TODAY = date(2026, 6, 15)


def test_the_view_of_an_open_pathway_has_the_api_shape():
    started = contract_started(date(2025, 2, 3), "CDD_USAGE", planned_end_on=date(2025, 12, 31))
    state = pathway(started, hours_worked("2025-02", 100), mad(date(2025, 3, 3), hours=20))
    body = view(state, "AI", TODAY, pathway_id=PATHWAY_ID)
    assert body == {
        "id": PATHWAY_ID,
        "person_id": PERSON_ID,
        "structure_id": STRUCTURE_ID,
        "status": "open",
        "opened_on": "2025-01-06",
        "version": 4,
        "pass_iae": {"number": "999991234567", "start_on": "2025-01-06", "end_on": "2027-01-05"},
        "contracts": [
            {
                "contract_id": started.data["contract_id"],
                "contract_type": "CDD_USAGE",
                "start_on": "2025-02-03",
                "planned_end_on": "2025-12-31",
                "weekly_hours": 26,
                "rome_code": None,
                "ended_on": None,
                "end_reason": None,
                "renewals": 0,
            }
        ],
        "hours_worked": 100,
        "mad_hours": {
            "particulier": 0.0,
            "entreprise": 20.0,
            "association": 0.0,
            "collectivite": 0.0,
        },
        "months_in_pathway": 17.2,
        "exit": None,
        "alerts": [],
    }


def test_the_pass_end_in_the_view_includes_suspensions():
    state = pathway(pass_suspended(date(2025, 5, 1), date(2025, 5, 31)))
    assert view(state, "ACI", TODAY, pathway_id=PATHWAY_ID)["pass_iae"]["end_on"] == "2027-02-05"


def test_an_exit_shows_its_category_and_whether_it_counts():
    # Hired at the opening (6 January) with hours declared, out on 7 April: 91 days, short of
    # 3 months of 365/12 days by the State's rule (docs/domain.md §8); the former rule, 3
    # calendar months from the opening, counted it.
    hired = contract_started(OPENED_ON, planned_end_on=date(2025, 12, 31))
    hours = hours_worked("2025-01", 80)
    state = pathway(hired, hours, exited(date(2025, 4, 7), "cdd_moins_6_mois"))
    body = view(state, "ACI", TODAY, pathway_id=PATHWAY_ID)
    assert body["status"] == "exited"
    assert body["exit"] == {
        "on": "2025-04-07",
        "reason": "cdd_moins_6_mois",
        "category": "emploi_transition",
        "counted": False,
        "transferred_to": None,
    }


def test_months_in_an_exited_pathway_stop_at_the_exit():
    state = pathway(exited(date(2025, 4, 7)))
    assert view(state, "ACI", TODAY, pathway_id=PATHWAY_ID)["months_in_pathway"] == 3.0


def test_an_ai_exit_counts_only_from_150_hours():
    # The State's rule counts 150 hours exactly (it used to need more than 150).
    contract = contract_started(OPENED_ON, "CDD_USAGE", planned_end_on=date(2025, 12, 31))
    state = pathway(contract, hours_worked("2025-01", 149.5), exited(date(2025, 12, 1)))
    assert view(state, "AI", TODAY, pathway_id=PATHWAY_ID)["exit"]["counted"] is False
    state = pathway(contract, hours_worked("2025-01", 150), exited(date(2025, 12, 1)))
    assert view(state, "AI", TODAY, pathway_id=PATHWAY_ID)["exit"]["counted"] is True


def test_alerts_appear_in_the_view_with_iso_due_dates():
    state = pathway(contract_started(date(2026, 1, 5), planned_end_on=date(2026, 7, 15)))
    [alert] = view(state, "ACI", TODAY, pathway_id=PATHWAY_ID)["alerts"]
    assert alert["code"] == "contract_ending"
    assert alert["due_on"] == "2026-07-15"
