from datetime import date

from pathway_builders import (
    OTHER_COMPANY_SIRET,
    contract_ended,
    contract_started,
    exited,
    mad,
    opened,
    pass_data,
    pathway,
    post_exit,
)

from services.pathways.decide.pathway import Alert, alerts

TODAY = date(2026, 6, 15)


def codes_of(found: list[Alert]) -> list[str]:
    return [alert.code for alert in found]


def test_a_fresh_pathway_has_no_alert():
    assert alerts(pathway(), "ACI", date(2025, 1, 6)) == []


def test_a_pass_ending_within_90_days_raises_an_alert():
    state = pathway(opening=opened(pass_iae=pass_data(date(2024, 9, 14), date(2026, 9, 13))))
    assert alerts(state, "ACI", TODAY) == [
        Alert("pass_ending", "Le PASS IAE 999991234567 prend fin le 13/09/2026.", date(2026, 9, 13))
    ]


def test_a_pass_ending_in_91_days_raises_no_alert():
    state = pathway(opening=opened(pass_iae=pass_data(date(2024, 9, 14), date(2026, 9, 14))))
    assert alerts(state, "ACI", TODAY) == []


def test_an_already_ended_pass_raises_no_ending_alert():
    state = pathway(opening=opened(pass_iae=pass_data(date(2024, 1, 6), date(2026, 6, 14))))
    assert alerts(state, "ACI", TODAY) == []


def test_a_contract_planned_to_end_within_30_days_raises_an_alert():
    state = pathway(contract_started(date(2026, 1, 5), planned_end_on=date(2026, 7, 15)))
    [alert] = alerts(state, "ACI", TODAY)
    assert alert == Alert(
        "contract_ending", "CDD d'insertion : fin prévue le 15/07/2026.", date(2026, 7, 15)
    )


def test_a_contract_ending_in_31_days_raises_no_alert():
    state = pathway(contract_started(date(2026, 1, 5), planned_end_on=date(2026, 7, 16)))
    assert alerts(state, "ACI", TODAY) == []


def test_an_ended_contract_raises_no_ending_alert():
    started = contract_started(date(2026, 1, 5), planned_end_on=date(2026, 7, 1))
    ended = contract_ended(started.data["contract_id"], date(2026, 6, 1))
    assert alerts(pathway(started, ended), "ACI", TODAY) == []


def test_cddi_beyond_24_months_raise_an_alert_due_on_the_last_day_within():
    state = pathway(contract_started(date(2025, 1, 6), planned_end_on=date(2027, 3, 1)))
    assert codes_of(alerts(state, "ACI", TODAY)) == ["cddi_24_months"]
    assert alerts(state, "ACI", TODAY)[0].due_on == date(2027, 1, 5)


def test_etti_missions_beyond_24_months_raise_an_alert():
    state = pathway(contract_started(date(2025, 1, 6), "MISSION", planned_end_on=date(2027, 3, 1)))
    assert codes_of(alerts(state, "ETTI", TODAY)) == ["mission_24_months"]
    assert alerts(state, "ETT_ESS", TODAY) == []


def test_two_etti_missions_of_13_months_raise_no_alert():
    # L5132-6 limits each mission contract: the former sum over the pathway raised one here.
    first = contract_started(date(2025, 1, 6), "MISSION", planned_end_on=date(2026, 2, 5))
    second = contract_started(date(2026, 2, 6), "MISSION", planned_end_on=date(2027, 3, 5))
    assert alerts(pathway(first, second), "ETTI", TODAY) == []


def test_each_etti_mission_beyond_24_months_raises_its_own_alert():
    first = contract_started(date(2024, 1, 8), "MISSION", planned_end_on=date(2026, 7, 31))
    second = contract_started(date(2024, 9, 2), "MISSION", planned_end_on=date(2026, 12, 31))
    found = alerts(pathway(first, second), "ETTI", TODAY)
    missions = [a for a in found if a.code == "mission_24_months"]
    assert [a.due_on for a in missions] == [date(2026, 1, 7), date(2026, 9, 1)]
    assert missions[1].message.startswith("Contrat de mission commencé le 02/09/2024 : ")


def test_ai_hours_with_two_companies_raise_one_alert_for_both():
    contract = contract_started(date(2025, 1, 6), "CDD_USAGE", planned_end_on=date(2026, 12, 31))
    first = [mad(date(2025, 3, 3 + i), hours=40) for i in range(5)]
    second = [
        mad(date(2025, 4, 1 + i), hours=40, client_siret=OTHER_COMPANY_SIRET) for i in range(5)
    ]
    [alert] = alerts(pathway(contract, *first, *second), "AI", TODAY)
    assert (alert.code, alert.due_on) == ("ai_480_hours", date(2027, 3, 2))
    assert "toutes entreprises confondues : 400 h" in alert.message


def test_ai_company_hours_at_400_raise_an_alert_while_the_window_runs():
    contract = contract_started(date(2025, 1, 6), "CDD_USAGE", planned_end_on=date(2026, 12, 31))
    state = pathway(contract, *(mad(date(2025, 3, 3 + i), hours=40) for i in range(10)))
    [alert] = alerts(state, "AI", TODAY)
    assert (alert.code, alert.due_on) == ("ai_480_hours", date(2027, 3, 2))
    assert alerts(state, "AI", date(2027, 3, 3)) == []


def test_ai_company_hours_below_400_raise_no_alert():
    contract = contract_started(date(2025, 1, 6), "CDD_USAGE", planned_end_on=date(2026, 12, 31))
    state = pathway(contract, *(mad(date(2025, 3, 3 + i), hours=39) for i in range(10)))
    assert alerts(state, "AI", TODAY) == []


def test_an_exited_pathway_has_no_alert_but_the_follow_up_due():
    state = pathway(
        contract_started(date(2026, 1, 5), planned_end_on=date(2026, 7, 15)),
        exited(date(2026, 6, 1)),
    )
    assert alerts(state, "ACI", TODAY) == [
        Alert(
            "post_exit_due",
            "Suivi à 1 mois après la sortie à renseigner d'ici le 01/07/2026 : "
            "que devient la personne\u00a0?",
            date(2026, 7, 1),
        )
    ]


def test_each_follow_up_is_announced_30_days_before_it_is_due_until_it_is_recorded():
    state = pathway(exited(date(2026, 1, 10)))
    assert alerts(state, "ACI", date(2026, 1, 9)) == []
    [alert] = alerts(state, "ACI", date(2026, 3, 11))
    assert (alert.code, alert.due_on) == ("post_exit_due", date(2026, 4, 10))
    assert alerts(state, "ACI", date(2026, 3, 10)) == []
    assert alerts(state, "ACI", date(2026, 4, 11)) == []
    followed = pathway(exited(date(2026, 1, 10)), post_exit(date(2026, 3, 12), months_after=3))
    assert alerts(followed, "ACI", date(2026, 3, 12)) == []
    assert [a.due_on for a in alerts(followed, "ACI", date(2026, 7, 1))] == [date(2026, 7, 10)]


def test_nobody_follows_up_a_death_or_a_transfer():
    transfer = {
        "structure_id": "5d1c9f0e-7d0a-4c9e-9a53-3f1f5b2f0a0b",
        "pathway_id": "5d1c9f0e-7d0a-4c9e-9a53-3f1f5b2f0a0c",
    }
    for exit_ in (
        exited(date(2026, 6, 1), "deces"),
        exited(date(2026, 6, 1), "autre_siae", transfer),
    ):
        assert alerts(pathway(exit_), "ACI", TODAY) == []
