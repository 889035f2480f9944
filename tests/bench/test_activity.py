"""The lag spikes' causes are read from the samples taken during the spikes only."""

from __future__ import annotations

from bench.activity import spikes, summary

VACUUM = ("iae_pathways", "autovacuum worker", "CPU", "-", "autovacuum: VACUUM events", 3.0)
REPORT = ("iae_reporting", "client backend", "IO", "DataFileRead", "SELECT 1", 0.01)


def test_only_samples_inside_a_spike_are_counted():
    lags = [(10.0, 0.1), (20.0, 2.0)]  # one append seen quickly, one two seconds late
    samples = [(10.05, [REPORT]), (20.5, [VACUUM]), (21.5, [VACUUM, REPORT]), (30.0, [REPORT])]

    count, causes = spikes(lags, samples)

    assert count == 1
    assert causes[0] == (
        "autovacuum worker iae_pathways autovacuum: VACUUM events (CPU:-) long transaction",
        1.0,
    )
    assert dict(causes)["client backend iae_reporting SELECT 1 (IO:DataFileRead)"] == 0.5


def test_a_database_busy_with_many_statements_stands_out_as_a_whole():
    lags = [(0.0, 10.0)]
    statements = [
        ("iae_reporting", "client backend", "CPU", "-", f"UPDATE t{i}", 0.1) for i in range(4)
    ]
    samples = [(float(i + 1), [statement]) for i, statement in enumerate(statements)]

    _, causes = spikes(lags, samples)

    assert causes[0] == ("client backend iae_reporting (any statement)", 1.0)
    assert dict(causes)["client backend iae_reporting UPDATE t0 (CPU:-)"] == 0.25


def test_a_window_without_spikes_says_so():
    assert summary(*spikes([(1.0, 0.2)], [(1.1, [VACUUM])])) == "no spike over 0.5 s"
