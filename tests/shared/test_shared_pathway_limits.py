"""The legal limits measured on a pathway's records (docs/domain.md §5): pure, no I/O."""

from datetime import date

from shared.domain.pathway import alerts, limits, messages
from shared.domain.pathway.records import Contract, MiseADisposition
from shared.domain.pathway.state import PathwayState

COMPANY_A = "73282932000074"
COMPANY_B = "35600000049837"
FIRST = date(2025, 3, 3)


def company(start_on: date, hours: float, siret: str = COMPANY_A) -> MiseADisposition:
    return MiseADisposition("entreprise", siret, start_on, start_on, hours)


def other_client(start_on: date, hours: float, kind: str) -> MiseADisposition:
    return MiseADisposition(kind, None, start_on, start_on, hours)


def contract(
    id_: str,
    start_on: date,
    planned_end_on: date | None,
    type_: str = "MISSION",
    ended_on: date | None = None,
) -> Contract:
    return Contract(id_, type_, start_on, planned_end_on, 35, ended_on=ended_on)


def state_of(*contracts: Contract, mads: tuple[MiseADisposition, ...] = ()) -> PathwayState:
    return PathwayState(
        opened_on=date(2025, 1, 6),
        contracts={c.id: c for c in contracts},
        mises_a_disposition=list(mads),
    )


# --- AI: 480 hours over 24 months, all companies together (L5132-9 2°, R5132-18 2°) ------------


def test_hours_with_two_companies_fall_in_one_window():
    mads = [company(FIRST, 300), company(date(2025, 9, 1), 300, COMPANY_B)]
    assert limits.company_mad_windows(mads) == [limits.MadWindow(FIRST, date(2027, 3, 2), 600)]


def test_exactly_400_hours_over_two_companies_are_at_risk():
    state = state_of(mads=(company(FIRST, 250), company(date(2025, 4, 1), 150, COMPANY_B)))
    [window] = limits.mad_windows_at_risk(state)
    assert window.hours == 400


def test_just_under_400_hours_over_two_companies_are_not_at_risk():
    state = state_of(mads=(company(FIRST, 250), company(date(2025, 4, 1), 149.5, COMPANY_B)))
    assert limits.mad_windows_at_risk(state) == []


def test_exactly_480_hours_over_two_companies_reach_the_ceiling_without_passing_it():
    [window] = limits.company_mad_windows([company(FIRST, 240), company(FIRST, 240, COMPANY_B)])
    assert messages.ai_480_hours(window) == (
        "Mises à disposition en entreprise, toutes entreprises confondues : 480 h sur 24 mois "
        "depuis le 03/03/2025 (plafond légal 480 h, art. L5132-9)."
    )


def test_480_and_a_half_hours_over_two_companies_pass_the_ceiling():
    [window] = limits.company_mad_windows([company(FIRST, 240), company(FIRST, 240.5, COMPANY_B)])
    assert messages.ai_480_hours(window) == (
        "Mises à disposition en entreprise, toutes entreprises confondues : 480,5 h sur 24 mois "
        "depuis le 03/03/2025, plafond légal de 480 h dépassé (art. L5132-9)."
    )


def test_the_window_runs_24_months_from_the_first_company_mad_whatever_the_company():
    last_day = company(date(2027, 3, 2), 10, COMPANY_B)
    [window] = limits.company_mad_windows([company(FIRST, 100), last_day])
    assert (window.start_on, window.last_on, window.hours) == (FIRST, date(2027, 3, 2), 110)


def test_a_new_window_opens_at_the_first_company_mad_after_the_window_ends():
    mads = [
        company(date(2027, 6, 1), 20, COMPANY_B),
        company(FIRST, 470),
        company(date(2027, 8, 2), 5),
    ]
    assert limits.company_mad_windows(mads) == [
        limits.MadWindow(FIRST, date(2027, 3, 2), 470),
        limits.MadWindow(date(2027, 6, 1), date(2029, 5, 31), 25),
    ]


def test_the_day_after_the_window_the_hours_count_again_from_zero():
    state = state_of(mads=(company(FIRST, 470), company(date(2027, 3, 3), 10, COMPANY_B)))
    assert limits.mad_windows_at_risk(state) == [limits.MadWindow(FIRST, date(2027, 3, 2), 470)]


def test_mads_with_other_clients_neither_count_nor_open_a_window():
    mads = [
        other_client(date(2025, 1, 6), 300, "particulier"),
        other_client(date(2025, 2, 3), 300, "association"),
        other_client(FIRST, 300, "collectivite"),
        company(date(2025, 4, 1), 10),
    ]
    assert limits.company_mad_windows(mads) == [
        limits.MadWindow(date(2025, 4, 1), date(2027, 3, 31), 10)
    ]


def test_a_window_at_risk_raises_one_alert_open_until_its_last_day():
    state = state_of(mads=(company(FIRST, 300), company(date(2025, 9, 1), 100, COMPANY_B)))
    [alert] = [a for a in alerts.alert_windows(state) if a.code == alerts.AI_480_HOURS]
    assert (alert.due_on, alert.active_from, alert.active_until) == (
        date(2027, 3, 2),
        None,
        date(2027, 3, 2),
    )


# --- ETTI: 24 months per mission contract, renewals included (L5132-6) -------------------------


def test_a_mission_of_25_months_passes_the_limit_the_day_after_its_24_months():
    state = state_of(contract("m1", date(2025, 2, 3), date(2027, 3, 2)))
    assert limits.mission_limits(state) == [
        limits.ContractLimit(date(2027, 2, 2), None, "m1", date(2025, 2, 3))
    ]


def test_a_mission_of_exactly_24_months_stays_within_the_limit():
    assert limits.mission_limits(state_of(contract("m1", date(2025, 2, 3), date(2027, 2, 2)))) == []


def test_two_missions_of_13_months_each_stay_within_the_limit():
    first = contract("m1", date(2025, 2, 3), date(2026, 3, 2))
    second = contract("m2", date(2026, 3, 3), date(2027, 4, 2))
    assert limits.mission_limits(state_of(first, second)) == []


def test_a_mission_renewed_past_24_months_passes_the_limit():
    renewed = contract("m1", date(2025, 2, 3), date(2027, 5, 31))
    renewed.renewals.append(date(2027, 5, 31))
    [limit] = limits.mission_limits(state_of(renewed))
    assert (limit.contract_id, limit.last_on) == ("m1", date(2027, 2, 2))


def test_a_mission_ended_before_24_months_stays_within_the_limit():
    ended = contract("m1", date(2025, 2, 3), date(2027, 5, 31), ended_on=date(2026, 12, 31))
    assert limits.mission_limits(state_of(ended)) == []


def test_a_mission_with_no_planned_end_passes_the_limit_only_once_its_24_months_are_over():
    [limit] = limits.mission_limits(state_of(contract("m1", date(2025, 2, 3), None)))
    assert (limit.last_on, limit.alert_from) == (date(2027, 2, 2), date(2027, 2, 3))
    assert not limit.passed_by(date(2027, 2, 2)) and limit.passed_by(date(2027, 2, 3))


def test_each_mission_beyond_24_months_raises_its_own_alert_naming_it():
    first = contract("m1", date(2025, 2, 3), date(2027, 3, 2))
    second = contract("m2", date(2025, 6, 2), date(2027, 9, 1))
    found = [
        a for a in alerts.alert_windows(state_of(first, second)) if a.code == "mission_24_months"
    ]
    assert [(a.due_on, a.message) for a in found] == [
        (date(2027, 2, 2), messages.mission_24_months(date(2025, 2, 3), date(2027, 2, 2))),
        (date(2027, 6, 1), messages.mission_24_months(date(2025, 6, 2), date(2027, 6, 1))),
    ]
    assert "Contrat de mission commencé le 02/06/2025" in found[1].message


def test_cddi_stay_limited_in_total_over_the_pathway():
    first = contract("c1", date(2025, 2, 3), date(2026, 3, 2), "CDDI")
    second = contract("c2", date(2026, 3, 3), date(2027, 4, 2), "CDDI")
    limit = limits.cddi_limit(state_of(first, second))
    assert limit is not None and limit.last_on == date(2027, 2, 2)
