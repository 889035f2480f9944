"""When `make run` loads the demo: the DEMO setting decides, else a question on a terminal only."""

from __future__ import annotations

from client.demo import wanted


def never_asked(question: str) -> str:
    raise AssertionError(f"asked: {question}")


def test_demo_1_loads_without_asking():
    assert wanted({"DEMO": "1"}, lambda: True, interactive=False, ask=never_asked)


def test_demo_0_never_loads_nor_asks():
    assert not wanted({"DEMO": "0"}, lambda: True, interactive=True, ask=never_asked)


def test_without_a_terminal_nothing_is_asked_nor_loaded():
    assert not wanted({}, lambda: True, interactive=False, ask=never_asked)


def test_on_a_terminal_an_empty_answer_means_yes():
    assert wanted({}, lambda: True, interactive=True, ask=lambda q: "")


def test_on_a_terminal_no_means_no():
    assert not wanted({}, lambda: True, interactive=True, ask=lambda q: "n")


def test_a_registry_with_structures_never_gets_the_demo_twice():
    assert not wanted({"DEMO": "1"}, lambda: False, interactive=True, ask=never_asked)
