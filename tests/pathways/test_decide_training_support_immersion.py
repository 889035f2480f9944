import dataclasses
from datetime import date

import pytest
from pathway_builders import (
    context,
    errors_of,
    immersion,
    pathway,
    support_action,
    training_completed,
    training_started,
)

ON = date(2025, 3, 3)


def test_a_training_can_start_while_the_pathway_is_open():
    assert errors_of(pathway(), training_started(ON)) == {}


def test_a_training_id_cannot_start_twice():
    started = training_started(ON)
    again = training_started(ON, training_id=started.data["training_id"])
    assert list(errors_of(pathway(started), again)) == ["events.0.data.training_id"]


def test_a_started_training_can_be_completed():
    started = training_started(ON)
    assert errors_of(pathway(started), training_completed(started.data["training_id"], ON)) == {}


def test_a_training_never_started_cannot_be_completed():
    completed = training_completed("5d1c9f0e-7d0a-4c9e-9a53-3f1f5b2f0abc", ON)
    assert errors_of(pathway(), completed) == {
        "events.0.data.training_id": ["No training started with this id in the pathway."]
    }


def test_a_training_cannot_be_completed_twice():
    started = training_started(ON)
    done = training_completed(started.data["training_id"], ON)
    again = training_completed(started.data["training_id"], date(2025, 3, 4))
    assert list(errors_of(pathway(started, done), again)) == ["events.0.data.training_id"]


def test_a_support_action_is_accepted_while_the_pathway_is_open():
    assert errors_of(pathway(), support_action(ON, "projet_professionnel", "professional")) == {}


def test_a_support_topic_of_another_domain_is_refused():
    errors = errors_of(pathway(), support_action(ON, "sante", "professional"))
    assert list(errors) == ["events.0.data.topic"]


@pytest.mark.parametrize("kind", ["AI", "ACI", "EI", "EITI", "ETT_ESS", "OSP"])
def test_an_immersion_is_accepted_outside_etti(kind):
    event_ = immersion(ON, date(2025, 3, 14))
    assert errors_of(pathway(), event_, ctx=context(kind=kind)) == {}


def test_an_etti_cannot_prescribe_an_immersion():
    errors = errors_of(pathway(), immersion(ON), ctx=context(kind="ETTI"))
    assert list(errors) == ["events.0.type"]


def test_france_travail_may_prescribe_an_immersion_to_an_etti_employee():
    prescribed = immersion(ON)
    prescribed = dataclasses.replace(
        prescribed, data={**prescribed.data, "prescribed_by": "france_travail"}
    )
    assert errors_of(pathway(), prescribed, ctx=context(kind="ETTI")) == {}
    by_itself = dataclasses.replace(
        prescribed, data={**prescribed.data, "prescribed_by": "structure"}
    )
    assert list(errors_of(pathway(), by_itself, ctx=context(kind="ETTI"))) == ["events.0.type"]


def test_an_immersion_longer_than_a_month_is_refused():
    errors = errors_of(pathway(), immersion(ON, date(2025, 4, 4)))
    assert list(errors) == ["events.0.data.end_on"]
