"""Which annexe a month of hours belongs to, and the ETP it funds that month (docs/domain.md
§6b, docs/adr/0012-etp-attribution.md): pure rules, boundary cases."""

from __future__ import annotations

from datetime import date

from shared.domain.annexes import Amendment, Annex, month_annexes, month_funded_etp


def annex(number="A1", starts=date(2026, 1, 1), ends=date(2026, 12, 31), etp=10.0, **kw) -> Annex:
    values = {"measure": "ACI_DC", "state": "VALIDE", **kw}
    return Annex(number, starts_on=starts, ends_on=ends, etp_conventioned=etp, **values)


def test_an_annex_starting_mid_month_holds_that_month_and_funds_from_its_first_day():
    late = annex(starts=date(2026, 3, 16))
    held = month_annexes([late])
    assert min(held) == date(2026, 3, 1) and held[date(2026, 3, 1)] is late
    assert date(2026, 2, 1) not in held and len(held) == 10
    assert month_funded_etp(late, [], date(2026, 3, 1)) == 10.0


def test_an_amendment_effective_mid_month_counts_from_the_next_month():
    a = annex()
    amendments = [Amendment("A1A1", date(2026, 7, 15), 14.0)]
    assert month_funded_etp(a, amendments, date(2026, 7, 1)) == 10.0
    assert month_funded_etp(a, amendments, date(2026, 8, 1)) == 14.0
    on_the_first = [Amendment("A1A1", date(2026, 7, 1), 14.0)]
    assert month_funded_etp(a, on_the_first, date(2026, 7, 1)) == 14.0


def test_an_amendment_on_the_day_a_mid_month_annex_starts_counts_that_month():
    late = annex(starts=date(2026, 3, 16))
    assert month_funded_etp(late, [Amendment("x", date(2026, 3, 16), 12.0)], date(2026, 3, 1)) == 12
    assert month_funded_etp(late, [Amendment("x", date(2026, 3, 20), 12.0)], date(2026, 3, 1)) == 10


def test_of_two_successive_annexes_the_one_covering_the_first_day_holds_the_month():
    first = annex("B1", ends=date(2026, 6, 15), etp=1.0)
    second = annex("B2", starts=date(2026, 6, 16), etp=2.0)
    held = month_annexes([second, first])
    assert held[date(2026, 6, 1)] is first and held[date(2026, 7, 1)] is second
    assert held[date(2026, 5, 1)] is first and held[date(2026, 12, 1)] is second
    assert month_funded_etp(first, [], date(2026, 6, 1)) == 1.0


def test_after_a_gap_the_annex_starting_earliest_in_the_month_holds_it():
    first = annex("B1", ends=date(2026, 5, 31))
    third = annex("B3", starts=date(2026, 6, 20))
    second = annex("B2", starts=date(2026, 6, 10), ends=date(2026, 6, 19))
    held = month_annexes([third, first, second])
    assert held[date(2026, 6, 1)] is second and held[date(2026, 7, 1)] is third


def test_a_draft_a_cancelled_or_an_fdi_annex_holds_no_month():
    for other in (
        annex(state="BROUILLON"),
        annex(state="ANNULE"),
        annex(measure="FDI_ACI"),
    ):
        assert month_annexes([other]) == {}
    draft = annex("D", state="BROUILLON")
    assert month_funded_etp(draft, [], date(2026, 1, 1)) == 0.0
    valid = annex("V", starts=date(2026, 7, 1))
    assert set(month_annexes([draft, valid])) == {date(2026, m, 1) for m in range(7, 13)}
