"""Pure membership and token-binding rules, without any I/O."""

from __future__ import annotations

from datetime import date

from services.registry.rules import Stay, binding_errors, join_decision, leave_decision, members_on

JAN_1, JUN_30, JUL_1, DEC_31 = (
    date(2025, 1, 1),
    date(2025, 6, 30),
    date(2025, 7, 1),
    date(2025, 12, 31),
)


def test_a_stay_includes_both_its_first_and_last_day():
    stay = Stay(JAN_1, JUN_30)
    assert stay.includes(JAN_1) and stay.includes(JUN_30)


def test_a_stay_excludes_the_day_after_it_ends_and_the_day_before_it_starts():
    stay = Stay(date(2025, 1, 2), JUN_30)
    assert not stay.includes(JUL_1) and not stay.includes(JAN_1)


def test_an_open_stay_includes_every_later_day():
    assert Stay(JAN_1).includes(date(2040, 1, 1))


def test_stays_sharing_a_single_day_overlap():
    assert Stay(JAN_1, JUN_30).overlaps(Stay(JUN_30, DEC_31))


def test_consecutive_stays_do_not_overlap():
    assert not Stay(JAN_1, JUN_30).overlaps(Stay(JUL_1, DEC_31))


def test_a_stay_inside_another_overlaps_it_both_ways():
    outer, inner = Stay(JAN_1, DEC_31), Stay(JUN_30, JUL_1)
    assert outer.overlaps(inner) and inner.overlaps(outer)


def test_a_first_join_opens_a_stay():
    assert join_decision([], JAN_1) == "join"


def test_repeating_the_current_join_changes_nothing():
    assert join_decision([Stay(JAN_1)], JAN_1) == "unchanged"


def test_joining_again_while_a_member_is_an_overlap():
    assert join_decision([Stay(JAN_1)], JUL_1) == "overlap"


def test_rejoining_on_the_day_of_leaving_is_an_overlap():
    assert join_decision([Stay(JAN_1, JUN_30)], JUN_30) == "overlap"


def test_rejoining_the_day_after_leaving_opens_a_new_stay():
    assert join_decision([Stay(JAN_1, JUN_30)], JUL_1) == "join"


def test_joining_before_a_past_stay_ended_is_an_overlap():
    assert join_decision([Stay(JUL_1, DEC_31)], JAN_1) == "overlap"


def test_leaving_without_a_current_stay_is_refused():
    assert leave_decision([Stay(JAN_1, JUN_30)], DEC_31) == "not_member"


def test_leaving_before_joining_is_refused():
    assert leave_decision([Stay(JUL_1)], JUN_30) == "before_join"


def test_leaving_on_the_day_of_joining_is_accepted():
    assert leave_decision([Stay(JUL_1)], JUL_1) == "leave"


def test_members_on_a_day_are_those_whose_stay_includes_it():
    stays = [("a", Stay(JAN_1, JUN_30)), ("b", Stay(JUL_1)), ("c", Stay(JAN_1))]
    assert members_on(stays, JUN_30) == ["a", "c"]


def test_a_structure_token_needs_its_structure():
    assert binding_errors("structure", None, None) == {
        "structure_id": ["Obligatoire pour la portée « structure »."]
    }


def test_a_group_token_cannot_also_name_a_structure():
    assert set(binding_errors("group", "s", "g")) == {"structure_id"}


def test_a_network_token_names_nothing():
    assert set(binding_errors("network", "s", "g")) == {"structure_id", "group_id"}


def test_an_admin_token_without_binding_is_valid():
    assert binding_errors("admin", None, None) == {}


def test_a_territory_token_names_a_department_or_a_region():
    assert binding_errors("territory", None, None, "35", None) == {}
    assert binding_errors("territory", None, None, None, "53") == {}
    assert set(binding_errors("territory", None, None)) == {"department", "region"}


def test_a_territory_token_names_only_one_area_and_no_structure():
    assert set(binding_errors("territory", None, None, "35", "53")) == {"department", "region"}
    assert set(binding_errors("territory", "s", None, "35", None)) == {"structure_id"}


def test_other_scopes_name_no_area():
    assert set(binding_errors("network", None, None, "35", "53")) == {"department", "region"}
