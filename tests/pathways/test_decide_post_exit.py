"""What became of the person after the exit: accepted on an exited pathway only, one per
months_after (a later one replaces it), voidable (docs/domain.md §8)."""

from datetime import date

from pathway_builders import errors_of, exited, pathway, post_exit, support_action, voided

from services.pathways.decide.pathway import fold

EXIT_ON = date(2026, 3, 31)
LATER = date(2026, 4, 30)


def test_a_situation_is_accepted_on_an_exited_pathway():
    assert errors_of(pathway(exited(EXIT_ON)), post_exit(LATER, months_after=1)) == {}


def test_a_situation_is_refused_on_an_open_pathway():
    assert errors_of(pathway(), post_exit(LATER)) == {
        "events.0.type": [
            "The pathway has not exited: a situation after the exit is recorded on an exited "
            "pathway only."
        ]
    }


def test_a_situation_cannot_be_dated_before_the_exit():
    errors = errors_of(pathway(exited(EXIT_ON)), post_exit(date(2026, 3, 30)))
    assert errors == {"events.0.occurred_on": ["Must not be before the exit (2026-03-31)."]}


def test_other_events_stay_refused_after_a_situation():
    state = pathway(exited(EXIT_ON), post_exit(LATER))
    assert list(errors_of(state, support_action(LATER))) == ["events.0.type"]


def test_a_later_situation_replaces_the_earlier_one_of_the_same_month():
    state = pathway(
        exited(EXIT_ON),
        post_exit(LATER, months_after=6, situation="chomage"),
        post_exit(LATER, months_after=1, situation="inconnu"),
        post_exit(date(2026, 6, 1), months_after=6, situation="cdi", source="employer"),
    )
    assert [(s.months_after, s.situation, s.source) for s in state.post_exit] == [
        (1, "inconnu", "person"),
        (6, "cdi", "employer"),
    ]


def test_voiding_a_situation_brings_back_the_one_it_replaced():
    replacing = post_exit(date(2026, 6, 1), situation="cdi")
    state = pathway(exited(EXIT_ON), post_exit(LATER, situation="chomage"), replacing)
    assert errors_of(state, voided(replacing)) == {}
    after = fold([*state.log, voided(replacing)])
    assert [s.situation for s in after.post_exit] == ["chomage"]


def test_situations_of_a_voided_exit_say_nothing_about_the_pathway():
    exit_ = exited(EXIT_ON)
    state = pathway(exit_, post_exit(LATER), voided(exit_, LATER))
    assert state.status == "open"
    assert state.post_exit == ()
    assert list(errors_of(state, post_exit(LATER))) == ["events.0.type"]
