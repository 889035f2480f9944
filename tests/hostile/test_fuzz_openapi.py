"""Each service's OpenAPI document says exactly what the service does: `schemathesis run --checks
all`, as an integrator runs it, with the repository's schemathesis.toml (every phase: examples,
coverage, fuzzing and stateful; positive and negative requests; a bounded number of cases), must
find no failure of any check: no 5xx, every status, content type, header and body as documented,
every schema-valid request accepted and every invalid one refused, an undeclared method answered
405 with `Allow`, every secured operation refusing a request without its token.

The run changes whatever its token reaches (it closes structures, revokes tokens), so it plays
against services of its own, with databases of their own; the registry comes last, since its run
may revoke the tokens the other two are called with.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from services.reporting.catchup import jobs
from tests.faults.traffic import random_siret
from tests.support import admin_token, drop_all, make_settings, migrate_all, start_services

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "schemathesis.toml"
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
# Each service with the scope that reaches most of its operations; the registry last.
SCOPES = {"pathways": "structure", "reporting": "admin", "registry": "admin"}
GENERATED = re.compile(r"(\d+) generated")


@dataclass
class Own:
    urls: dict[str, str]
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def own(engines) -> Iterator[Own]:
    """The three services on databases of their own, an admin token and a structure's token."""
    # Reports are fuzzed one after another with one token: their rate limit is exercised with its
    # own value by the reporting tests.
    settings = make_settings(engines, rate_limit_reports="100/second")
    migrate_all(settings)
    live = start_services(settings)
    admin = admin_token(settings)
    registry = live["registry"].url
    headers = {"Authorization": f"Bearer {admin}"}
    made = requests.post(
        f"{registry}/v1/structures",
        headers=headers,
        json={"siret": random_siret(), "name": "Conformité", "kind": "ACI", "department": "35"},
        timeout=30,
    )
    assert made.status_code == 201, made.text
    token = requests.post(
        f"{registry}/v1/tokens",
        headers=headers,
        json={"scope": "structure", "structure_id": made.json()["id"], "label": "conformité"},
        timeout=30,
    )
    assert token.status_code == 201, token.text
    yield Own(
        {name: server.url for name, server in live.items()},
        {"admin": admin, "structure": token.json()["token"]},
    )
    jobs.dispose()
    for server in live.values():
        server.stop()
    drop_all(settings)


@pytest.mark.parametrize("service", list(SCOPES))
def test_the_openapi_document_says_exactly_what_the_service_does(own, tally, service):
    token = own.tokens[SCOPES[service]]
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(CONFIG),
            "run",
            f"{own.urls[service]}/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {token}",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    played = GENERATED.search(run.stdout)
    tally["fuzz_cases"] += int(played.group(1)) if played else 0
    report = run.stdout[-12000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert played and int(played.group(1)) > 0, report
