"""Schemathesis against each service's own OpenAPI: generated requests, valid and invalid,
bounded in number, must never get a 5xx nor an answer that breaks the documented schema."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.hostile.fuzz_support import CHECKS

BOUNDED = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# The scope each service is fuzzed with: the one that reaches the most request parsing.
SCOPES = {"registry": "admin", "pathways": "structure", "reporting": "admin"}


def _fuzz(operation, mode: GenerationMode, base_url: str, headers: dict, tally) -> str | None:
    """Play bounded cases of one operation; the first failure's message, or None."""

    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=mode))
    def play(case) -> None:
        if isinstance(case.query, dict) and "min_position" in case.query:
            case.query["min_position"] = 0  # a position never reached waits 10 s, then 503
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        tally["fuzz_cases"] += 1
        tally["server_errors"] += response.status_code >= 500
        assert response.status_code < 500, f"{response.status_code} {response.text[:500]}"
        case.validate_response(response, checks=CHECKS)

    try:
        play()
    except Unsatisfiable:  # a public operation without parameters has nothing to make invalid
        assert mode == GenerationMode.NEGATIVE, operation.label
    except Exception as failure:  # schemathesis reports each broken check as an exception
        return f"{operation.label} [{mode}]: {str(failure)[:1500]}"
    return None


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("service", list(SCOPES))
def test_generated_requests_never_get_a_5xx_or_an_undocumented_answer(
    services, admin, structure, tally, service, mode
):
    headers = admin if SCOPES[service] == "admin" else structure.headers
    live = services[service]
    # The document is read over HTTP and the cases are sent over HTTP, as a client would.
    spec = requests.get(f"{live.url}/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(spec)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    failures = [f for op in operations if (f := _fuzz(op, mode, live.url, headers, tally))]
    assert failures == [], "\n\n".join(failures)
