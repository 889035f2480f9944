"""The dashboard's frozen reports over HTTP: « Figer ce rapport » (CSRF-protected, labelled),
the list, « Ce qui a changé depuis » after a back-dated exit, and the frozen report's files
with its label, position and hash above the table (never a formula).

ACI "Atelier des Quais": one person opened 2025-02-03, 120 h in February. Frozen; then an exit
dated 2025-03-31 is recorded.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from worlds import world  # noqa: F401  (fixture)

from tests.reporting import dashboard_seed as seed
from tests.support import catch_up_to

PAGE = "period=year&year=2025"
LABEL = "=Bilan 2025 DDETS"  # a formula-like label: the files must keep it as text


@pytest.fixture(scope="module")
def scene(world):  # noqa: F811
    net = world.network()
    aci = net.structure("Atelier des Quais", "ACI", "44")
    net.group("GES des Quais", [(aci, "2024-01-01", None)])
    net.load_reference()
    p = net.open(aci, "2025-02-03", "F", "26_49", ["RSA"])
    p.contract("2025-02-03", "2025-12-31")
    p.hours("2025-02", 120)
    catch_up_to(world.settings, p.last_position)
    browser = world.reporting.application.test_client()
    assert seed.sign_in(browser, net.tokens[aci]).status_code == 303
    page = browser.get(f"/?{PAGE}").get_data(as_text=True)
    answer = browser.post(
        f"/rapports-figes?{PAGE}",
        data={"csrf_token": seed.csrf_of(page), "label": LABEL, "report": "outcomes"},
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    snapshot_id = answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    p.exit("2025-03-31", "cdi")
    catch_up_to(world.settings, p.last_position)
    return {"world": world, "browser": browser, "id": snapshot_id, "exit": p.last_position}


def test_the_report_pages_offer_to_freeze_them_with_a_labelled_field(scene):
    for path in ("/", "/etp"):
        html = scene["browser"].get(f"{path}?{PAGE}").get_data(as_text=True)
        assert "Figer ce rapport" in html
        assert '<label for="freeze-label">' in html and 'id="freeze-label"' in html


def test_a_freeze_without_the_csrf_token_or_a_label_is_refused_and_stores_nothing(scene):
    browser = scene["browser"]
    before = browser.get("/rapports-figes").get_data(as_text=True).count("<tr>")
    forged = browser.post(f"/rapports-figes?{PAGE}", data={"label": "x", "report": "outcomes"})
    assert forged.status_code == 400 and "Formulaire expiré" in forged.get_data(as_text=True)
    page = browser.get(f"/?{PAGE}").get_data(as_text=True)
    empty = browser.post(
        f"/rapports-figes?{PAGE}",
        data={"csrf_token": seed.csrf_of(page), "label": " ", "report": "outcomes"},
    )
    assert empty.status_code == 422 and "libellé" in empty.get_data(as_text=True)
    assert browser.get("/rapports-figes").get_data(as_text=True).count("<tr>") == before


def test_the_list_shows_the_frozen_report(scene):
    html = scene["browser"].get("/rapports-figes").get_data(as_text=True)
    assert "Bilan 2025 DDETS" in html and f"/rapports-figes/{scene['id']}" in html


def test_what_changed_since_shows_the_difference_per_metric_and_the_late_exit(scene):
    html = scene["browser"].get(f"/rapports-figes/{scene['id']}").get_data(as_text=True)
    assert "Ce qui a changé depuis" in html
    exits = re.search(
        r'<th scope="row">Sorties</th>\s*<td class="num">([^<]*)</td>\s*'
        r'<td class="num">([^<]*)</td>\s*<td class="num">([^<]*)</td>',
        html,
    )
    assert exits and exits.groups() == ("0", "1", "+1.00")
    late = re.search(r'<tr data-type="pathway_exited">\s*<td class="num">(\d+)</td>', html)
    assert late and int(late.group(1)) == scene["exit"]
    assert "2025-03-31" in html and "Sortie" in html


def test_the_frozen_files_carry_label_position_and_hash_and_never_a_formula(scene):
    here, browser = scene["world"], scene["browser"]
    frozen = here.reporting.get(f"/v1/reports/snapshots/{scene['id']}", headers=here.admin).json
    url = f"/rapports-figes/{scene['id']}/export"
    text = browser.get(url + "?format=csv").get_data().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0] == ["Rapport figé", "'" + LABEL]
    assert lines[1] == ["Position du journal", str(frozen["as_of_position"])]
    assert lines[2] == ["Empreinte SHA-256", frozen["sha256"]]
    header, total = lines[4], lines[-1]
    assert header[0] == "Mois" and total[0] == "Total"
    # The frozen figures: one entry, no exit yet.
    assert (total[header.index("Entrées")], total[header.index("Sorties")]) == ("1", "0")
    sheet = load_workbook(io.BytesIO(browser.get(url + "?format=xlsx").get_data())).active
    assert sheet["A1"].value == "Rapport figé" and sheet["B1"].value == LABEL
    assert sheet["B1"].data_type == "s" and sheet["B3"].value == frozen["sha256"]
    assert browser.get(url + "?format=pdf").status_code == 422
