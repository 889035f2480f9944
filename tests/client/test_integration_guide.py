"""Every example of docs/integration.md, replayed in order against the live services.

Convention (stated in the guide): a request block (```http, or ```csv for a file to import) is
followed by a ```http response block; its status, quoted headers and quoted body fields must match.
A `{name}` in a response captures the value; in a request it is replaced by it.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import requests
from client_support import endpoints_of, run_worker
from dateutil.relativedelta import relativedelta

from client.synthetic import rng_for, siret
from services.pathways.imports.columns import HEADERS
from tests.support import admin_token

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "integration.md"
BLOCK = re.compile(r"```(http|csv)\n(.*?)```", re.S)
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def dates(today: date) -> dict[str, str]:
    """The guide's dates, placed so that every example respects the pathway rules."""
    entry = today - timedelta(days=100)
    pass_start = today - timedelta(days=500)
    pass_end = pass_start + timedelta(days=729)
    days = {
        "aujourdhui": today,
        "date_entree": entry,
        "fin_mois_entree": entry + relativedelta(day=31),
        "date_accompagnement": entry + timedelta(days=3),
        "date_fin_prevue": entry + timedelta(days=120),
        "date_renouvellement": today - timedelta(days=10),
        "nouvelle_fin_prevue": entry + timedelta(days=240),
        "debut_mad": entry + timedelta(days=5),
        "fin_mad": entry + timedelta(days=25),
        "debut_formation": entry + timedelta(days=15),
        "fin_formation": entry + timedelta(days=45),
        "debut_immersion": entry + timedelta(days=50),
        "fin_immersion": entry + timedelta(days=60),
        "debut_suspension": entry + timedelta(days=10),
        "fin_suspension": entry + timedelta(days=30),
        "debut_pass": pass_start,
        "fin_pass": pass_end,
        "fin_pass_prolongee": pass_end + timedelta(days=180),
        "date_sortie": today - timedelta(days=3),
    }
    values = {k: v.isoformat() for k, v in days.items()}
    values["mois_entree"], values["mois_courant"] = entry.strftime("%Y-%m"), today.strftime("%Y-%m")
    values["date_entree_fr"] = entry.strftime("%d/%m/%Y")
    return values


def fill(text: str, values: dict[str, str]) -> str:
    """Placeholders replaced; an unknown one is a new UUID (ids the client chooses)."""

    def value(match: re.Match) -> str:
        return values.setdefault(match[1], str(uuid.uuid4()))

    return PLACEHOLDER.sub(value, text)


def parse(block: str) -> tuple[str, dict[str, str], str]:
    head, _, body = block.partition("\n\n")
    first, *header_lines = head.strip().split("\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return first, headers, body.strip()


def matches(expected, actual, values: dict[str, str], path: str = "") -> list[str]:
    """Differences between the documented fields and the answer; captures placeholders."""
    if isinstance(expected, str) and PLACEHOLDER.fullmatch(expected):
        name = expected[1:-1]
        if name not in values:
            values[name] = actual
        return [] if values[name] == actual else [f"{path}: {actual!r} != {values[name]!r}"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: not an object: {actual!r}"]
        return [
            d
            for k, v in expected.items()
            for d in (
                matches(v, actual[k], values, f"{path}.{k}")
                if k in actual
                else [f"{path}.{k}: missing"]
            )
        ]
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) < len(expected):
            return [f"{path}: {actual!r}"]
        return [
            d for i, v in enumerate(expected) for d in matches(v, actual[i], values, f"{path}.{i}")
        ]
    return [] if expected == actual else [f"{path}: {actual!r} != {expected!r}"]


def send(kind: str, block: str, values: dict, urls: dict[str, str], settings) -> requests.Response:
    """The request of a block, to the service its Host names (or the import, for a CSV)."""
    if kind == "csv":
        return requests.post(
            f"{urls['5002']}/v1/imports",
            timeout=30,
            headers={"Authorization": f"Bearer {values['jeton_structure']}"},
            files={"file": ("exemple.csv", fill(block, values).encode())},
        )
    first, headers, body = parse(fill(block, values))
    method, path, _ = first.split(" ")
    port = headers.pop("Host").rsplit(":", 1)[1]
    if port == "5003":
        catch_up(settings, urls["5003"], values)
    return requests.request(
        method, urls[port] + path, headers=headers, timeout=30, data=body.encode() if body else None
    )


def catch_up(settings, reporting: str, values: dict, seconds: float = 30) -> None:
    """Run the worker until reports include every event appended so far.

    The feed only returns events older than every running transaction of the PostgreSQL cluster,
    so a transaction of another test session may delay it for a while (never break it)."""
    headers = {"Authorization": f"Bearer {admin_token(settings)}"}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run_worker(settings)
        states = requests.get(f"{reporting}/v1/projections", headers=headers, timeout=30).json()
        if all(
            p["position"] >= values.get("_position", 0) for p in states if p["name"] != "reference"
        ):
            return
        time.sleep(0.5)


def remember_position(response: requests.Response, values: dict) -> None:
    """The highest log position an append answered, for `catch_up`."""
    body = response.json() if "json" in response.headers.get("Content-Type", "") else None
    items = body.get("results", [body]) if isinstance(body, dict) else []
    positions = [
        e["position"]
        for item in items
        for e in item.get("events", []) or []
        if isinstance(e, dict) and e.get("position")
    ]
    values["_position"] = max([values.get("_position", 0), *positions])


def check(response: requests.Response, block: str, values: dict) -> list[str]:
    first, headers, body = parse(block)
    problems = (
        []
        if response.status_code == int(first.split(" ")[1])
        else [f"status {response.status_code} != {first}: {response.text[:500]}"]
    )
    for name, value in headers.items():
        if not response.headers.get(name, "").startswith(value):
            problems.append(f"{name}: {response.headers.get(name)}")
    if body and not problems:
        problems += matches(json.loads(body), response.json(), values)
    return problems


def examples() -> list[tuple[str, str, str]]:
    blocks = BLOCK.findall(GUIDE.read_text(encoding="utf-8"))
    pairs = list(zip(blocks[::2], blocks[1::2], strict=True))
    assert all(r[0] == "http" and r[1].startswith("HTTP/1.1") for _, r in pairs)
    return [(kind, request, response[1]) for (kind, request), response in pairs]


def test_every_example_of_the_integration_guide_answers_as_documented(settings, services):
    endpoints = endpoints_of(settings)
    urls = {"5001": endpoints.registry, "5002": endpoints.pathways, "5003": endpoints.reporting}
    values = {
        "jeton_admin": admin_token(settings),
        "siret": siret(rng_for(uuid.uuid4().hex)),
        **dates(date.today()),
    }
    failures = []
    for number, (kind, request, response) in enumerate(examples(), start=1):
        answer = send(kind, request, values, urls, settings)
        remember_position(answer, values)
        problems = check(answer, response, values)
        failures += [f"example {number} ({request.splitlines()[0]}): {p}" for p in problems]

    assert failures == [], "\n".join(failures)


def test_the_guide_documents_every_column_of_the_import_template():
    text = GUIDE.read_text(encoding="utf-8")

    assert [h for h in HEADERS if f"`{h}`" not in text] == []
