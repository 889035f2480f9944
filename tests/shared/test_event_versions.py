"""Which versions of an event a client may send (shared/domain/event_versions.py), without I/O."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.domain import codes, event_versions
from shared.domain import events as ev

KEY = (ev.PATHWAY_OPENED, 2)
WINDOW = event_versions.DEPRECATED[KEY]


def test_every_deprecated_version_is_older_than_its_types_current_one_and_has_a_schema():
    for event_type, version in event_versions.DEPRECATED:
        assert version < ev.SCHEMA_VERSION[event_type]
        assert (event_type, version) in event_versions.PREVIOUS_DATA_SCHEMAS
        assert all(
            (event_type, v) in ev.UPCASTERS for v in range(version, ev.SCHEMA_VERSION[event_type])
        )
    for window in event_versions.DEPRECATED.values():
        assert window.deprecated_on < window.sunset_on


def test_the_accepted_versions_are_the_deprecated_ones_then_the_current_one():
    assert event_versions.accepted_versions(ev.PATHWAY_OPENED) == [2, 3]
    assert event_versions.accepted_versions(ev.CONTRACT_STARTED) == [1]


def test_a_deprecated_version_is_accepted_until_its_sunset_and_refused_after():
    assert event_versions.check_sendable(ev.PATHWAY_OPENED, 3, WINDOW.sunset_on) is None
    assert event_versions.check_sendable(*KEY, WINDOW.sunset_on) == WINDOW
    with pytest.raises(event_versions.RetiredVersion, match="n'est plus acceptée depuis le"):
        event_versions.check_sendable(*KEY, WINDOW.sunset_on + timedelta(days=1))
    with pytest.raises(event_versions.RetiredVersion, match="la version courante est 3"):
        event_versions.check_sendable(ev.PATHWAY_OPENED, 1, WINDOW.deprecated_on)


def test_the_previous_schema_knows_the_old_criterion_code_and_not_the_new_one():
    previous = event_versions.data_schema(*KEY)()
    data = {
        "person_id": "6f1c5a1e-0000-4000-8000-000000000001",
        "structure_id": "6f1c5a1e-0000-4000-8000-000000000002",
        "orienteur": "03",
        "eligibility": {"diagnosed_by": "prescriber", "criteria": ["PM"]},
    }
    assert previous.validate(data) == {}
    renamed = {**data, "eligibility": {"diagnosed_by": "prescriber", "criteria": ["MOBILITE"]}}
    assert "eligibility" in previous.validate(renamed)
    assert set(codes.RENAMED_CRITERIA.values()) <= set(codes.ELIGIBILITY_CRITERIA)
    assert not set(codes.RENAMED_CRITERIA) & set(codes.ELIGIBILITY_CRITERIA)
