"""Knowledge time through the real services: reports as of a position, frozen reports that stay
byte for byte what they were, and what changed since (docs/adr/0016-knowledge-time.md).

ACI "Atelier du Port" (S1) and EI "Bourg Services" (S2); GES "GES Ouest": S1 since 2025-01-01.
Known at the snapshot (position `frozen`): pathway A in S1 opened 2025-02-03 with 100 h in
February, pathway B in S2 opened 2025-03-03. Recorded later, in this order: a late declaration of
50 h for March (`late_hours`), the void of February's declaration (`void`), A's exit back-dated
to 2025-03-31 (`exit`), pathway C in S1 opened 2025-04-01 (`late_entry`); then S2 joins the GES
from 2025-01-01 in the registry (reference data, outside the pathways log).
"""

from __future__ import annotations

import hashlib

import orjson
import pytest
from builders import catch_up_to
from sqlalchemy import text
from worlds import world  # noqa: F401  (fixture)

from services.reporting.catchup import jobs
from tests.support import bearer, run_worker

YEAR = "from=2025-01-01&to=2025-12-31"
PARAMS = {"from": "2025-01-01", "to": "2025-12-31"}


@pytest.fixture(scope="module")
def scene(world):  # noqa: F811
    n = world.network()
    s1 = n.structure("Atelier du Port", "ACI", "35")
    s2 = n.structure("Bourg Services", "EI", "35")
    ges = n.group("GES Ouest", [(s1, "2025-01-01", None)])
    n.load_reference()
    a = n.open(s1, "2025-02-03", "F", "26_49", ["RSA"])
    a.contract("2025-02-03", "2025-12-31")
    february = a.append("hours_worked_recorded", "2025-02-28", {"month": "2025-02", "hours": 100})
    b = n.open(s2, "2025-03-03", "M", "26_49", ["RSA"])
    catch_up_to(world.settings, b.last_position)
    positions = {"frozen": b.last_position}
    snaps = {
        name: _freeze(world, report, params, f"Bilan {name}")
        for name, report, params in (
            ("structure", "outcomes", {**PARAMS, "structure_id": s1}),
            ("group", "outcomes", {**PARAMS, "group_id": ges, "group_by": "structure"}),
            ("etp", "etp", {**PARAMS, "structure_id": s1, "group_by": "month"}),
            ("ei", "outcomes", {**PARAMS, "kind": "EI"}),
        )
    }
    a.append("hours_worked_recorded", "2025-03-31", {"month": "2025-03", "hours": 50})
    positions["late_hours"] = a.last_position
    a.void("2025-04-02", february)
    positions["void"] = a.last_position
    a.exit("2025-03-31", "cdi")
    positions["exit"] = a.last_position
    c = n.open(s1, "2025-04-01", "F", "26_49", ["QPV"])
    positions["late_entry"] = c.last_position
    r = world.registry.put(
        f"/v1/groups/{ges}/members/{s2}", headers=world.admin, json={"joined_on": "2025-01-01"}
    )
    assert r.status_code == 200, r.json
    n.load_reference()
    catch_up_to(world.settings, c.last_position)
    return {"world": world, "net": n, "s1": s1, "s2": s2, "ges": ges, **positions, **snaps}


def _freeze(here, report: str, params: dict, label: str) -> dict:
    r = here.reporting.post(
        "/v1/reports/snapshots",
        headers=here.admin,
        json={"report": report, "params": params, "label": label},
    )
    assert r.status_code == 201, r.json
    return {"answer": r.json, "bytes": r.get_data()}


def _report(scene, query: str, position: int | None = None, path: str = "outcomes") -> dict:
    asked = f"/v1/reports/{path}?{query}" + (f"&as_of_position={position}" if position else "")
    r = scene["world"].reporting.get(asked, headers=scene["world"].admin)
    assert r.status_code == 200, r.json
    return r.json


def _figures(total: dict) -> tuple:
    return total["entries"], total["exits"], total["hours_worked"]


def test_as_of_reports_ignore_what_was_recorded_later_and_apply_voids_recorded_before(scene):
    mine = f"{YEAR}&structure_id={scene['s1']}"
    assert _figures(_report(scene, mine, scene["frozen"])["total"]) == (1, 0, 100)
    assert _figures(_report(scene, mine, scene["late_hours"])["total"]) == (1, 0, 150)
    assert _figures(_report(scene, mine, scene["void"])["total"]) == (1, 0, 50)  # void applied
    assert _figures(_report(scene, mine, scene["exit"])["total"]) == (1, 1, 50)  # back-dated
    assert _figures(_report(scene, mine, scene["late_entry"])["total"]) == (2, 1, 50)
    assert _figures(_report(scene, mine)["total"]) == (2, 1, 50)
    answer = _report(scene, mine, scene["exit"])
    assert answer["as_of_position"] == scene["exit"]
    etp = _report(scene, mine + "&group_by=month", scene["frozen"], "etp")
    assert etp["total"]["hours_worked"] == 100 and etp["as_of_position"] == scene["frozen"]


def test_the_snapshot_is_the_report_as_of_its_position(scene):
    frozen = scene["structure"]["answer"]
    assert frozen["as_of_position"] >= scene["frozen"] and frozen["label"] == "Bilan structure"
    assert set(frozen["created_by"]) == {"token_id", "staff_id"}
    now = _report(scene, f"{YEAR}&structure_id={scene['s1']}", frozen["as_of_position"])
    assert {**now, "generated_at": None} == {**frozen["body"], "generated_at": None}


def test_a_ges_joined_after_the_snapshot_reads_membership_as_known_now(scene):
    """Attribution by business dates, knowledge by position: S2's pathway B was known at the
    snapshot; its structure joined the GES (from January) only in the registry, later. The
    snapshot keeps what was submitted; the as-of report reads today's memberships."""
    submitted = scene["group"]["answer"]["body"]
    assert {r["key"]["structure"] for r in submitted["rows"]} == {scene["s1"]}
    query = f"{YEAR}&group_id={scene['ges']}&group_by=structure"
    as_of = _report(scene, query, scene["frozen"])
    rows = {r["key"]["structure"]: r["entries"] for r in as_of["rows"]}
    assert rows == {scene["s1"]: 1, scene["s2"]: 1}
    again = scene["world"].reporting.get(
        f"/v1/reports/snapshots/{scene['group']['answer']['id']}", headers=scene["world"].admin
    )
    assert again.json["body"] == submitted


def test_what_changed_lists_the_late_events_and_the_metrics_they_moved(scene):
    frozen = scene["structure"]["answer"]
    r = scene["world"].reporting.get(
        f"/v1/reports/snapshots/{frozen['id']}/changes", headers=scene["world"].admin
    )
    assert r.status_code == 200, r.json
    found = {e["position"]: e for e in r.json["events"]}
    assert sorted(found) == [scene[k] for k in ("late_hours", "void", "exit", "late_entry")]
    assert found[scene["exit"]]["type"] == "pathway_exited"
    assert found[scene["exit"]]["occurred_on"] == "2025-03-31"
    assert "exits" in found[scene["exit"]]["metrics"]
    assert found[scene["late_hours"]]["metrics"] == ["hours_worked", "etp"]
    assert found[scene["void"]]["type"] == "event_voided"
    assert "hours_worked" in found[scene["void"]]["metrics"]
    assert "entries" in found[scene["late_entry"]]["metrics"]
    assert all(e["recorded_at"] for e in r.json["events"])
    assert r.json["head_position"] >= scene["late_entry"]
    assert _figures(r.json["now"]["total"]) == (2, 1, 50)
    etp = scene["world"].reporting.get(
        f"/v1/reports/snapshots/{scene['etp']['answer']['id']}/changes",
        headers=scene["world"].admin,
    )
    assert [e["position"] for e in etp.json["events"]] == [scene["late_hours"], scene["void"]]
    # A network report of the EIs only: every late event is the ACI's.
    ei = scene["world"].reporting.get(
        f"/v1/reports/snapshots/{scene['ei']['answer']['id']}/changes",
        headers=scene["world"].admin,
    )
    assert ei.status_code == 200 and ei.json["events"] == []


def _body_bytes(answer: bytes) -> bytes:
    return answer[answer.index(b',"body":') + len(b',"body":') : -1]


def test_a_snapshot_is_byte_identical_after_a_rebuild_and_its_hash_verifies(scene):
    here, frozen = scene["world"], scene["structure"]
    url = f"/v1/reports/snapshots/{frozen['answer']['id']}"
    before = here.reporting.get(url, headers=here.admin).get_data()
    assert before == frozen["bytes"]
    body = _body_bytes(before)
    assert hashlib.sha256(body).hexdigest() == frozen["answer"]["sha256"]
    assert orjson.loads(body) == frozen["answer"]["body"]
    queries = [(f"{YEAR}&structure_id={scene['s1']}", scene[k]) for k in ("exit", "void")]
    as_of = [_report(scene, q, p) for q, p in queries]
    r = here.reporting.post("/v1/projections/outcomes/rebuild", headers=here.admin)
    assert r.status_code == 202
    run_worker(here.settings)
    jobs.configure(here.settings)
    assert here.reporting.get(url, headers=here.admin).get_data() == before
    again = [_report(scene, q, p) for q, p in queries]
    assert [{**a, "generated_at": 0} for a in again] == [{**a, "generated_at": 0} for a in as_of]


def test_a_snapshot_is_read_by_whoever_could_read_its_report(scene):
    here, net = scene["world"], scene["net"]
    own, other = bearer(net.tokens[scene["s1"]]), bearer(net.tokens[scene["s2"]])
    url = f"/v1/reports/snapshots/{scene['structure']['answer']['id']}"
    assert here.reporting.get(url, headers=own).status_code == 200
    refused = here.reporting.get(url, headers=other)
    assert refused.status_code == 403 and refused.json["detail"]
    listed = here.reporting.get("/v1/reports/snapshots", headers=own).json["items"]
    assert {s["label"] for s in listed} == {"Bilan structure", "Bilan etp"}
    assert here.reporting.get("/v1/reports/snapshots", headers=other).json["items"] == []
    group = bearer(net.token("group", group_id=scene["ges"]))
    labels = {
        s["label"] for s in here.reporting.get("/v1/reports/snapshots", headers=group).json["items"]
    }
    assert labels == {"Bilan structure", "Bilan group", "Bilan etp"}
    missing = here.reporting.get(
        "/v1/reports/snapshots/00000000-0000-0000-0000-000000000000", headers=own
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"report": "outcomes", "params": {"as_of_position": 1}, "label": "x"},
        {"report": "outcomes", "params": {"group_by": "couleur"}, "label": "x"},
        {"report": "bilan", "params": {}, "label": "x"},
        {"report": "etp", "params": {}},
        {"report": "etp", "params": {}, "label": ""},
    ],
)
def test_bad_snapshots_are_refused_in_french_and_store_nothing(scene, body):
    here = scene["world"]
    count = len(here.reporting.get("/v1/reports/snapshots", headers=here.admin).json["items"])
    r = here.reporting.post("/v1/reports/snapshots", headers=here.admin, json=body)
    assert r.status_code == 422 and r.json["detail"]
    after = here.reporting.get("/v1/reports/snapshots", headers=here.admin).json["items"]
    assert len(after) == count


def test_a_snapshot_out_of_the_callers_scope_is_refused(scene):
    here, net = scene["world"], scene["net"]
    r = here.reporting.post(
        "/v1/reports/snapshots",
        headers=bearer(net.tokens[scene["s2"]]),
        json={"report": "outcomes", "params": {"structure_id": scene["s1"]}, "label": "x"},
    )
    assert r.status_code == 403


def test_an_as_of_position_beyond_the_log_is_refused(scene):
    here = scene["world"]
    r = here.reporting.get(f"/v1/reports/outcomes?as_of_position={2**40}", headers=here.admin)
    assert r.status_code == 422 and "pas encore atteint" in r.json["detail"]


def test_a_snapshot_stays_readable_when_its_parameters_are_no_longer_accepted(scene):
    """An upgrade may retire a parameter: the frozen body is still given, byte for byte, to
    the scope it was read in; only « what changed since » can no longer recompute it."""
    here, net = scene["world"], scene["net"]
    frozen = _freeze(here, "outcomes", {**PARAMS, "structure_id": scene["s1"]}, "Ancien")
    jobs.configure(here.settings)
    with jobs.context()["engine"].begin() as conn:
        conn.execute(
            text(
                'UPDATE knowledge.snapshots SET params = params || \'{"group_by": "retired"}\''
                " WHERE id = CAST(:i AS uuid)"
            ),
            {"i": frozen["answer"]["id"]},
        )
    url = f"/v1/reports/snapshots/{frozen['answer']['id']}"
    again = here.reporting.get(url, headers=bearer(net.tokens[scene["s1"]]))
    assert again.status_code == 200
    assert _body_bytes(again.get_data()) == _body_bytes(frozen["bytes"])
    assert here.reporting.get(url, headers=bearer(net.tokens[scene["s2"]])).status_code == 403
    changes = here.reporting.get(url + "/changes", headers=here.admin)
    assert changes.status_code == 422 and changes.json["detail"]


def test_the_post_exit_report_answers_as_of_a_position_too(scene):
    """Read by the structure itself: below 5 exits the others see the cells suppressed."""
    own = bearer(scene["net"].tokens[scene["s1"]])
    before, after = (
        scene["world"]
        .reporting.get(f"/v1/reports/post-exit?{YEAR}&as_of_position={scene[k]}", headers=own)
        .json
        for k in ("void", "exit")
    )
    assert before["total"]["exits"] == 0 and before["as_of_position"] == scene["void"]
    assert after["total"]["exits"] == 1 and after["as_of_position"] == scene["exit"]
