"""The demo's annexes financières (client/annexes.py): pure, deterministic, realistic."""

from __future__ import annotations

from datetime import date

from client.demo import SIZES, Network
from shared.domain.annexes import Annex, clashes, is_valid_number, month_annexes
from shared.domain.measures import default_measure, monthly_etp

TODAY = date(2026, 9, 15)


def network(seed: int = 7) -> Network:
    return Network(seed, SIZES["small"], TODAY)


def test_the_same_seed_gives_the_same_annexes_and_another_seed_others():
    assert network().annexes == network().annexes
    assert network().annexes != network(8).annexes


def test_one_valid_annex_per_conventioned_structure_and_past_year_provisional_this_year():
    n = network()
    conventioned = {s.index for s in n.structures if default_measure(s.kind)}
    by_structure: dict[int, list] = {}
    for a in n.annexes:
        by_structure.setdefault(a.structure_index, []).append(a)
        assert a.state == ("PROVISOIRE" if a.starts_on.year == TODAY.year else "VALIDE")
        assert a.measure == f"{n.structures[a.structure_index].kind}_DC"
        assert is_valid_number(a.number) and a.etp_conventioned > 0
    assert set(by_structure) == conventioned
    for found in by_structure.values():
        years = [a.starts_on.year for a in found]
        assert len(years) == len(set(years)) and TODAY.year in years
        annexes = [Annex(a.number, a.measure, a.state, a.starts_on, a.ends_on, 1) for a in found]
        assert all(not clashes(a, [b for b in annexes if b != a]) for a in annexes)
    assert len({a.number for a in n.annexes}) == len(n.annexes)


def test_funded_etp_is_about_what_the_generated_hours_give():
    n = network()
    hours = n.hours()
    for a in n.annexes:
        if a.starts_on.year == TODAY.year or a.starts_on.month != 1:
            continue
        reference = a.reference_hours or 1820.0
        months = hours[a.structure_index]
        realised = (
            sum(
                monthly_etp(h, reference)
                for m, h in months.items()
                if m[:4] == str(a.starts_on.year)
            )
            / 12
        )
        assert 0.8 * realised <= a.etp_conventioned <= 1.2 * realised + 0.1


def test_one_etti_counts_by_1607_hours_some_are_amended_and_one_month_is_outside():
    n = network()
    kinds = {s.index: s.kind for s in n.structures}
    assert {kinds[a.structure_index] for a in n.annexes if a.reference_hours == 1607} == {"ETTI"}
    amended = [a for a in n.annexes if a.amendments]
    assert amended and all(
        x.effective_on == date(x.effective_on.year, 7, 1) for a in amended for x in a.amendments
    )
    first = min(a.structure_index for a in n.annexes)
    held = month_annexes(
        Annex(a.number, a.measure, a.state, a.starts_on, a.ends_on, a.etp_conventioned)
        for a in n.annexes
        if a.structure_index == first
    )
    assert date(TODAY.year - 1, 12, 1) not in held
    assert date(TODAY.year - 1, 11, 1) in held and date(TODAY.year, 1, 1) in held
