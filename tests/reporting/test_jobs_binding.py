"""Binding the catch-up jobs to settings is all or nothing."""

from __future__ import annotations

import pytest

from services.reporting.catchup import jobs
from shared.settings import Settings


def test_a_binding_that_fails_leaves_no_half_context_behind(settings):
    broken = Settings.from_env({}, database_url="not a database url")
    with pytest.raises(Exception, match="URL"):
        jobs.configure(broken)
    jobs.dispose()  # nothing half-bound to trip on (it raised KeyError: 'engine')
    jobs.configure(settings)
    assert jobs.context()["settings"] is settings
