"""The outcome report by annexe financière and by measure, through the HTTP API
(docs/adr/0012-etp-attribution.md, addendum).

The Port EI has two annexes: B1 (1 ETP, 1 Jan–15 Jun 2025) and B2 (2 ETP, reference 1,600 h,
from 16 Jun). One person enters on 2 June (June belongs to B1: it covers the 1st), works 100 h
in June and 100 h in July, and leaves on 20 July (July belongs to B2): the entry is B1's, the
exit B2's, each holds 100 h, and the person is active under both. Another works 182 h in March
under EI_MP, for which there is no annexe: outside any annexe, under its own measure.
"""

from __future__ import annotations

import csv
import io

import pytest
from worlds import world  # noqa: F401  (fixture)

from tests.support import bearer, catch_up_to

YEAR = "from=2025-01-01&to=2025-12-31"


@pytest.fixture(scope="module")
def scene(world):  # noqa: F811
    net = world.network()
    ei = net.structure("EI du Port", "EI", "29")
    net.group("GES du Port", [(ei, "2024-01-01", None)])
    b1 = net.annex(ei, "EI0292500001A0M0", "EI_DC", "VALIDE", "2025-01-01", "2025-06-15", 1)
    b2 = net.annex(ei, "EI0292500002A0M0", "EI_DC", "VALIDE", "2025-06-16", "2025-12-31", 2, 1600)
    net.load_reference()
    p = net.open(ei, "2025-06-02", "M", "26_49", ["RSA"])
    p.contract("2025-06-02", "2025-07-20")
    p.hours("2025-06", 100)
    p.hours("2025-07", 100)
    p.exit("2025-07-20", "cdi")
    q = net.open(ei, "2025-03-03", "F", "26_49", ["RSA"], measure="EI_MP")
    q.contract("2025-03-03", "2025-12-31")
    q.hours("2025-03", 182)
    catch_up_to(world.settings, max(p.last_position, q.last_position))
    return {"world": world, "net": net, "ei": ei, "b1": b1, "b2": b2}


def outcomes(scene, query: str, token: dict | None = None) -> dict:
    here = scene["world"]
    r = here.reporting.get(f"/v1/reports/outcomes?{query}", headers=token or here.admin)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json


def etp_rows(scene, query: str) -> dict:
    here = scene["world"]
    r = here.reporting.get(f"/v1/reports/etp?{query}", headers=here.admin)
    assert r.status_code == 200, r.get_data(as_text=True)
    return {tuple(r["key"].values()): r for r in r.json["rows"]}


def test_entries_exits_and_hours_go_to_the_annex_holding_their_month(scene):
    report = outcomes(scene, f"{YEAR}&structure_id={scene['ei']}&group_by=annex")
    rows = {r["key"]["annex"]: r for r in report["rows"]}
    assert set(rows) == {scene["b1"], scene["b2"], None}
    b1, b2, outside = rows[scene["b1"]], rows[scene["b2"]], rows[None]
    assert [b1["label"], b2["label"], outside["label"]] == [
        {"annex": "EI0292500001A0M0"},
        {"annex": "EI0292500002A0M0"},
        {"annex": "Hors annexe financière"},
    ]
    got = {k: (r["entries"], r["exits"], r["active"], r["hours_worked"]) for k, r in rows.items()}
    assert got == {scene["b1"]: (1, 0, 1, 100), scene["b2"]: (0, 1, 1, 100), None: (1, 0, 1, 182)}
    assert b2["exits_by_category"]["emploi_durable"] == 1
    total = report["total"]
    assert (total["entries"], total["exits"], total["active"], total["hours_worked"]) == (
        2,
        1,
        2,
        382,
    )
    # The same ETP as the ETP report's rows: each month by its annexe's reference.
    etp = etp_rows(scene, f"{YEAR}&structure_id={scene['ei']}&group_by=annex")
    assert b1["etp"] == pytest.approx(100 * 12 / 1820 / 12)
    assert b2["etp"] == pytest.approx(100 * 12 / 1600 / 12)
    for annex_id, row in rows.items():
        assert row["etp"] == pytest.approx(etp[(annex_id,)]["etp_realised"])


def test_by_measure_with_its_french_label(scene):
    report = outcomes(scene, f"{YEAR}&structure_id={scene['ei']}&group_by=measure")
    rows = {r["key"]["measure"]: r for r in report["rows"]}
    assert set(rows) == {"EI_DC", "EI_MP"}
    assert rows["EI_MP"]["label"] == {"measure": "Entreprise d'insertion (milieu pénitentiaire)"}
    assert (rows["EI_DC"]["entries"], rows["EI_DC"]["exits"], rows["EI_DC"]["hours_worked"]) == (
        1,
        1,
        200,
    )
    assert (rows["EI_MP"]["entries"], rows["EI_MP"]["hours_worked"]) == (1, 182)
    assert rows["EI_MP"]["etp"] == pytest.approx(182 / 1820)


def test_by_annex_and_month_and_for_the_structure_itself(scene):
    token = bearer(scene["net"].tokens[scene["ei"]])
    report = outcomes(scene, "from=2025-06-01&to=2025-07-31&group_by=annex,month", token)
    got = {
        (r["key"]["annex"], r["key"]["month"]): (r["entries"], r["exits"], r["hours_worked"])
        for r in report["rows"]
    }
    assert got[(scene["b1"], "2025-06")] == (1, 0, 100)
    assert got[(scene["b2"], "2025-07")] == (0, 1, 100)
    assert (scene["b1"], "2025-07") not in got and (scene["b2"], "2025-06") not in got


def test_csv_names_the_annex_and_a_bad_dimension_is_a_422(scene):
    here = scene["world"]
    query = f"/v1/reports/outcomes?{YEAR}&structure_id={scene['ei']}&group_by=measure&format=csv"
    text = here.reporting.get(query, headers=here.admin).data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][0] == "Mesure"
    assert [line[0] for line in lines[1:]] == [
        "Entreprise d'insertion (droit commun)",
        "Entreprise d'insertion (milieu pénitentiaire)",
        "Total",
    ]
    r = here.reporting.get("/v1/reports/outcomes?group_by=annexe", headers=here.admin)
    assert r.status_code == 422 and "Dimension inconnue" in str(r.json)
