"""Nested validation messages become flat field paths that API clients can act on."""

from __future__ import annotations

from shared.problems import Problem, flatten_errors


def test_nested_messages_are_flattened_to_dotted_paths():
    messages = {"events": {0: {"data": {"hours": ["Must be at most 250."]}}}, "name": ["Missing."]}
    assert flatten_errors(messages) == {
        "events.0.data.hours": ["Must be at most 250."],
        "name": ["Missing."],
    }


def test_schema_level_messages_belong_to_their_parent_path():
    assert flatten_errors({"data": {"_schema": ["end before start"]}}) == {
        "data": ["end before start"]
    }


def test_a_problem_body_follows_rfc_9457():
    body = Problem(
        409, "Version attendue 2, actuelle 3.", slug="version-conflict", current_version=3
    ).body()
    assert body["type"].endswith("/version-conflict")
    assert (body["status"], body["current_version"]) == (409, 3)
    assert body["title"] and body["detail"]
