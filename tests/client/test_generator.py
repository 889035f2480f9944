"""The synthetic network, without I/O: reproducible, shaped like the published figures, and made
only of events the pathway rules accept."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from client.demo import SIZES, Network
from client.synthetic import structures
from services.pathways.decide.pathway import Context, PersonFacts, decide, fold
from shared.domain import codes
from shared.domain.identifiers import is_valid_siret
from shared.domain.outcomes import exit_category
from tests.support import generated_events

TODAY = date(2026, 3, 15)
STRUCTURE_ID = "00000000-0000-4000-8000-00000000000a"
PERSON_ID = "00000000-0000-4000-8000-00000000000b"


def small(seed: int = 7) -> Network:
    return Network(seed, SIZES["small"], TODAY)


def all_pathways(network: Network):
    return [p for s in network.structures for p in network.pathways_of(s)]


def test_the_same_seed_gives_the_same_network():
    assert all_pathways(small(7)) == all_pathways(small(7))
    assert small(7).groups == small(7).groups


def test_another_seed_gives_another_network():
    assert all_pathways(small(7))[0].events != all_pathways(small(8))[0].events


def test_the_small_demo_has_every_kind_and_the_requested_sizes():
    network = small()

    assert len(network.structures) == 12
    assert {s.kind for s in network.structures} == set(codes.STRUCTURE_KINDS)
    assert len(all_pathways(network)) == 300


def test_structures_have_valid_sirets_and_pathway_shares_follow_the_kind_mix():
    specs = structures(3, 200, 10_000)
    by_kind = Counter()
    for spec in specs:
        by_kind[spec.kind] += spec.pathways

    assert all(is_valid_siret(s.siret) for s in specs)
    assert by_kind["ACI"] / 10_000 == pytest.approx(0.44, abs=0.01)
    assert by_kind["AI"] / 10_000 == pytest.approx(0.30, abs=0.01)


def test_every_generated_event_is_accepted_by_the_pathway_rules():
    network = small(11)
    kinds = {s.index: s.kind for s in network.structures}
    refused = {}
    for spec in all_pathways(network):
        events = generated_events(spec, STRUCTURE_ID, PERSON_ID)
        person = PersonFacts(PERSON_ID, spec.person.birth_date, spec.person.sex)
        context = Context(STRUCTURE_ID, kinds[spec.structure_index], TODAY, person)
        decision = decide(fold([]), events, context)
        if decision.errors:
            refused[spec.pathway_id] = decision.errors

    assert refused == {}


def test_no_event_is_dated_after_today_or_before_its_opening():
    for spec in all_pathways(small()):
        days = [date.fromisoformat(e["occurred_on"]) for e in spec.events]
        assert spec.opened_on == days[0] == min(days)
        assert max(days) <= TODAY


def test_exits_cover_every_category_and_about_half_are_dynamic():
    network = Network(5, SIZES["medium"], TODAY)
    exits = Counter(
        exit_category(p.exit_reason)
        for s in network.structures[:40]
        for p in network.pathways_of(s)
        if p.exit_reason
    )
    counted = sum(n for c, n in exits.items() if c != "retrait")
    dynamic = sum(exits[c] for c in codes.DYNAMIC_CATEGORIES)

    assert set(exits) == set(codes.EXIT_CATEGORIES)
    assert 0.45 <= dynamic / counted <= 0.65


def test_mises_a_disposition_happen_only_where_the_kind_allows_and_name_a_company():
    mads = [
        (p.kind, e["data"])
        for p in all_pathways(small())
        for e in p.events
        if e["type"] == "mise_a_disposition_recorded"
    ]

    assert mads
    assert {kind for kind, _ in mads} <= codes.MAD_KINDS
    assert all(
        is_valid_siret(d["client_siret"]) for _, d in mads if d["client_kind"] == "entreprise"
    )
    assert {d["client_kind"] for _, d in mads} == set(codes.CLIENT_KINDS)


def test_groups_have_members_that_join_leave_and_rejoin():
    network = Network(2, SIZES["medium"], TODAY)
    memberships = [m for g in network.groups for m in g.members]

    assert len(network.groups) == 20
    assert any(m.left_on for m in memberships)
    assert any(
        len({m.joined_on for m in g.members if m.structure_index == i}) > 1
        for g in network.groups
        for i in {m.structure_index for m in g.members}
    )
    assert all(m.left_on is None or m.joined_on < m.left_on <= TODAY for m in memberships)
