from datetime import date

import pytest
from pathway_builders import (
    OTHER_COMPANY_SIRET,
    context,
    contract_renewed,
    contract_started,
    mad,
    pathway,
    person,
    warning_codes,
)

from services.pathways.decide.pathway import decide

START = date(2025, 2, 3)


def test_a_cddi_within_the_law_raises_no_warning():
    assert warning_codes(pathway(), contract_started(START, planned_end_on=date(2025, 8, 2))) == []


def test_a_cddi_shorter_than_four_months_raises_a_warning():
    started = contract_started(START, planned_end_on=date(2025, 6, 1))
    assert warning_codes(pathway(), started) == ["cddi_min_4_months"]


def test_a_cddi_of_exactly_four_months_raises_no_warning():
    assert warning_codes(pathway(), contract_started(START, planned_end_on=date(2025, 6, 2))) == []


@pytest.mark.parametrize("weekly_hours", [19.5, 36])
def test_cddi_weekly_hours_outside_20_to_35_raise_a_warning(weekly_hours):
    started = contract_started(START, weekly_hours=weekly_hours)
    assert warning_codes(pathway(), started) == ["cddi_weekly_hours"]


def test_an_ai_may_offer_a_cddi_under_20_hours_a_week():
    started = contract_started(START, weekly_hours=10)
    assert warning_codes(pathway(), started, ctx=context(kind="AI")) == []


def test_an_ai_cddi_over_35_hours_a_week_raises_a_warning():
    started = contract_started(START, weekly_hours=39)
    assert warning_codes(pathway(), started, ctx=context(kind="AI")) == ["cddi_weekly_hours"]


def test_cddi_beyond_24_months_in_total_raise_a_warning_on_the_renewal():
    started = contract_started(START, planned_end_on=date(2026, 2, 2))
    renewed = contract_renewed(started.data["contract_id"], date(2027, 2, 3), date(2026, 1, 5))
    decision = decide(pathway(started), [renewed], context())
    assert [w.code for w in decision.warnings] == ["cddi_24_months"]
    assert "limite atteinte le 02/02/2027" in decision.warnings[0].message


def test_a_cddi_of_exactly_24_months_raises_no_warning():
    started = contract_started(START, planned_end_on=date(2027, 2, 2))
    assert warning_codes(pathway(), started) == []


def test_successive_cddi_are_summed_for_the_24_months():
    first = contract_started(START, planned_end_on=date(2026, 2, 2))
    second = contract_started(date(2026, 3, 2), planned_end_on=date(2027, 4, 1))
    assert warning_codes(pathway(first), second) == ["cddi_24_months"]


def test_a_mission_renewed_past_24_months_raises_a_warning_naming_the_contract():
    first = contract_started(START, "MISSION", planned_end_on=date(2026, 6, 1))
    renewed = contract_renewed(first.data["contract_id"], date(2027, 3, 1), date(2026, 5, 1))
    decision = decide(pathway(first), [renewed], context(kind="ETTI"))
    assert [w.code for w in decision.warnings] == ["mission_24_months"]
    assert decision.warnings[0].message == (
        "Contrat de mission commencé le 03/02/2025 : durée supérieure à 24 mois, renouvellements "
        "compris (limite atteinte le 02/02/2027, art. L5132-6)."
    )


def test_a_mission_renewed_to_exactly_24_months_raises_no_warning():
    first = contract_started(START, "MISSION", planned_end_on=date(2026, 6, 1))
    renewed = contract_renewed(first.data["contract_id"], date(2027, 2, 2), date(2026, 5, 1))
    assert warning_codes(pathway(first), renewed, ctx=context(kind="ETTI")) == []


def test_successive_missions_are_not_summed_for_the_24_months():
    # L5132-6 limits each mission contract, its renewals included: two missions of 13 months
    # each raise nothing, where the former sum over the pathway's missions warned.
    first = contract_started(START, "MISSION", planned_end_on=date(2026, 3, 2))
    second = contract_started(date(2026, 3, 3), "MISSION", planned_end_on=date(2027, 4, 2))
    assert warning_codes(pathway(first), second, ctx=context(kind="ETTI")) == []


def test_a_new_mission_does_not_repeat_the_warning_of_an_earlier_one():
    first = contract_started(START, "MISSION", planned_end_on=date(2027, 6, 1))
    second = contract_started(date(2026, 3, 3), "MISSION", planned_end_on=date(2026, 9, 2))
    assert warning_codes(pathway(first), second, ctx=context(kind="ETTI")) == []


def test_ett_ess_missions_are_not_bound_by_the_24_months():
    started = contract_started(START, "MISSION", planned_end_on=date(2027, 6, 1))
    assert warning_codes(pathway(), started, ctx=context(kind="ETT_ESS")) == []


def test_a_cdi_inclusion_after_12_months_with_a_person_of_57_raises_no_warning():
    ctx = context(kind="AI", who=person(birth_date=date(1967, 1, 1)))
    started = contract_started(date(2026, 1, 6), "CDI_INCLUSION", planned_end_on=None)
    assert warning_codes(pathway(), started, ctx=ctx) == []


def test_a_cdi_inclusion_before_57_raises_a_warning():
    ctx = context(kind="AI", who=person(birth_date=date(1970, 1, 1)))
    started = contract_started(date(2026, 1, 6), "CDI_INCLUSION", planned_end_on=None)
    decision = decide(pathway(), [started], ctx)
    assert [w.code for w in decision.warnings] == ["cdi_inclusion_conditions"]
    assert "salarié de 56 ans" in decision.warnings[0].message


def test_a_cdi_inclusion_before_12_months_of_pathway_raises_a_warning():
    ctx = context(kind="AI", who=person(birth_date=date(1960, 1, 1)))
    started = contract_started(date(2026, 1, 5), "CDI_INCLUSION", planned_end_on=None)
    assert warning_codes(pathway(), started, ctx=ctx) == ["cdi_inclusion_conditions"]


def ai_company_state(*hours: float):
    contract = contract_started(START, "CDD_USAGE", planned_end_on=date(2026, 12, 31))
    days = [date(2025, 3, 3 + i) for i in range(len(hours))]
    return pathway(contract, *(mad(day, hours=h) for day, h in zip(days, hours, strict=True)))


def test_ai_company_hours_below_400_raise_no_warning():
    state = ai_company_state(*[40] * 9)
    assert warning_codes(state, mad(date(2025, 4, 1), hours=39), ctx=context(kind="AI")) == []


def test_ai_company_hours_reaching_400_raise_a_warning():
    state = ai_company_state(*[40] * 9)
    decision = decide(state, [mad(date(2025, 4, 1), hours=40)], context(kind="AI"))
    assert [w.code for w in decision.warnings] == ["ai_480_hours"]
    assert decision.warnings[0].message == (
        "Mises à disposition en entreprise, toutes entreprises confondues : 400 h sur 24 mois "
        "depuis le 03/03/2025 (plafond légal 480 h, art. L5132-9)."
    )


def test_ai_company_hours_beyond_480_raise_a_warning_saying_so():
    state = ai_company_state(*[40] * 12)
    decision = decide(state, [mad(date(2025, 4, 1), hours=0.5)], context(kind="AI"))
    assert "480,5 h" in decision.warnings[0].message
    assert "plafond légal de 480 h dépassé" in decision.warnings[0].message


def test_hours_with_another_company_count_with_the_first_one():
    # L5132-9 caps the hours « dans une ou plusieurs entreprises »: 10 h with a second company
    # after 480 h with a first one pass the limit, where the former count per SIRET saw 10 h.
    state = ai_company_state(*[40] * 12)
    event_ = mad(date(2025, 4, 1), hours=10, client_siret=OTHER_COMPANY_SIRET)
    decision = decide(state, [event_], context(kind="AI"))
    assert [w.code for w in decision.warnings] == ["ai_480_hours"]
    assert "490 h" in decision.warnings[0].message
    assert "plafond légal de 480 h dépassé" in decision.warnings[0].message


def test_400_hours_over_two_companies_raise_a_warning():
    state = ai_company_state(*[40] * 5)
    event_ = mad(date(2025, 4, 1), date(2025, 5, 31), hours=200, client_siret=OTHER_COMPANY_SIRET)
    decision = decide(state, [event_], context(kind="AI"))
    assert [w.code for w in decision.warnings] == ["ai_480_hours"]
    assert "400 h sur 24 mois depuis le 03/03/2025 (plafond légal 480 h" in (
        decision.warnings[0].message
    )


def test_a_mad_with_an_individual_raises_no_warning_even_past_480_hours():
    state = ai_company_state(*[40] * 12)
    event_ = mad(date(2025, 4, 1), hours=10, client_kind="particulier", client_siret=None)
    assert warning_codes(state, event_, ctx=context(kind="AI")) == []


def test_the_480_hour_window_restarts_after_24_months():
    contract = contract_started(START, "CDD_USAGE", planned_end_on=date(2027, 12, 31))
    state = pathway(contract, *(mad(date(2025, 3, 3 + i), hours=45) for i in range(10)))
    ctx = context(kind="AI", today=date(2027, 6, 1))
    assert warning_codes(state, mad(date(2027, 3, 3), hours=10), ctx=ctx) == []
    assert warning_codes(state, mad(date(2027, 3, 2), hours=10), ctx=ctx) == ["ai_480_hours"]


def test_the_480_hour_rule_does_not_count_individuals():
    contract = contract_started(START, "CDD_USAGE", planned_end_on=date(2026, 12, 31))
    at_home = mad(
        date(2025, 3, 3), date(2025, 6, 30), 470, client_kind="particulier", client_siret=None
    )
    state = pathway(contract, at_home)
    assert warning_codes(state, mad(date(2025, 4, 1), hours=10), ctx=context(kind="AI")) == []


def test_the_480_hour_rule_does_not_apply_to_etti_missions():
    state = ai_company_state(*[40] * 12)
    assert warning_codes(state, mad(date(2025, 4, 1), hours=10), ctx=context(kind="ETTI")) == []


def test_warnings_do_not_prevent_acceptance():
    decision = decide(pathway(), [contract_started(START, weekly_hours=10)], context())
    assert decision.accepted and decision.warnings
