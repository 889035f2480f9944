"""The values kept out of the log (docs/domain.md §10): taken out, put back, and version-1 data
read as version 2. Pure: no I/O."""

from __future__ import annotations

from shared.domain import events as ev

OPENED = {
    "person_id": "p",
    "pass_iae": {"number": "999991234567", "start_on": "2026-01-05", "end_on": "2028-01-04"},
}


def test_the_pass_number_and_free_texts_are_taken_out_without_touching_the_data_sent():
    kept, values = ev.split_sealed(ev.PATHWAY_OPENED, OPENED)
    assert kept == {
        "person_id": "p",
        "pass_iae": {"start_on": "2026-01-05", "end_on": "2028-01-04"},
    }
    assert values == {"pass_iae.number": "999991234567"}
    assert OPENED["pass_iae"]["number"] == "999991234567"
    assert ev.split_sealed(ev.TRAINING_STARTED, {"kind": "other", "title": "CACES"}) == (
        {"kind": "other"},
        {"title": "CACES"},
    )
    assert ev.split_sealed(ev.EVENT_VOIDED, {"event_id": "e", "reason": "doublon"})[1] == {
        "reason": "doublon"
    }
    assert ev.split_sealed(ev.PATHWAY_OPENED, {"person_id": "p"}) == ({"person_id": "p"}, {})
    assert ev.split_sealed(ev.HOURS_WORKED_RECORDED, {"month": "2026-01"})[1] == {}


def test_values_put_back_or_read_as_null_once_gone():
    kept, values = ev.split_sealed(ev.PATHWAY_OPENED, OPENED)
    assert ev.with_sealed(ev.PATHWAY_OPENED, kept, values) == OPENED
    assert ev.with_sealed(ev.PATHWAY_OPENED, kept, None)["pass_iae"]["number"] is None
    assert ev.with_sealed(ev.TRAINING_STARTED, {"kind": "other"}, None) == {
        "kind": "other",
        "title": None,
    }
    assert ev.with_sealed(ev.PATHWAY_OPENED, {"person_id": "p"}, None) == {"person_id": "p"}


def test_version_one_data_reads_as_version_two_without_the_values():
    assert ev.UPCASTERS.keys() >= {(t, 1) for t in ev.SEALED_FIELDS}
    upcast = ev.upcast(ev.PATHWAY_OPENED, 1, OPENED)
    assert "number" not in upcast["pass_iae"] and upcast["pass_iae"]["start_on"] == "2026-01-05"
    assert ev.upcast(ev.TRAINING_STARTED, 1, {"kind": "other", "title": "CACES"}) == {
        "kind": "other"
    }
    assert ev.upcast(ev.EVENT_VOIDED, 2, {"event_id": "e"}) == {"event_id": "e"}
