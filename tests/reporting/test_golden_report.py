"""The golden test: a hand-built network whose 2025 outcome report was computed by hand.

Structures: S1 "AI du Val" (AI, 35 Ille-et-Vilaine), S2 "ACI des Jardins" (ACI, 44),
S3 "EI Recyclerie" (EI, 35). GES Ouest: S1 since 2024-01-01, S3 from 2024-01-01 to 2025-06-30;
GES Atlantique: S3 since 2025-07-01 (S3 changes group mid-year).

| pw  | str | opened     | exit (reason → category)             | counted? (rule)             |
|-----|-----|------------|--------------------------------------|-----------------------------|
| P1  | S1  | 2024-03-01 | 2025-02-28 cdi → durable             | yes: 220 h ≥ 150 h          |
| P2  | S1  | 2025-02-01 | 2025-04-30 chomage → autre           | no: 110 h (March 40 → 50)   |
| P3  | S1  | 2025-03-01 | 2025-05-31 deces → retrait           | no: retrait                 |
| P4  | S1  | 2025-06-01 | 2025-09-30 voided: still open        |                             |
| P5  | S2  | 2025-01-15 | 2025-06-15 cdd_moins_6_mois → trans. | no: no hour declared (*)    |
| P6  | S2  | 2025-04-01 | 2025-05-20 autre_siae → positive     | no: never hired             |
| P7  | S2  | 2024-06-01 | 2025-03-31 chomage → autre           | no: never hired (*)         |
| P8  | S2  | 2023-01-10 | 2024-12-20 (not active in 2025)      |                             |
| P9  | S3  | 2025-02-01 | 2025-09-15 cdi_inclusion → durable   | yes: 226 days since hire    |
| P10 | S3  | 2025-08-01 | open                                 |                             |
| P11 | S3  | 2025-03-01 | 2025-11-30 conge_longue_duree → retr.| no: retrait                 |

(*) Counted exits follow the State's rule (docs/domain.md §8): in ACI/EI at least 3 months of
365/12 days from the first hire, with hours declared; in AI/ETTI at least 150 hours. Under the
former rule (3 calendar months from the opening, no hours needed) P5 and P7 counted: that change
alone takes the network's counted exits from 4 to 2 (transition 1 → 0, other 1 → 0), its rates
from 75 % / 50 % to 100 % / 100 %, and the 26–49 age band's counted exits from 3 to 2 (P7).

Days opened → exit: P1 364, P2 88, P3 91, P5 151, P6 49, P7 303, P9 226, P11 274 (sum 1546).
Hours of 2025 months: P1 80+90 (Dec 2024's 50 is outside), P2 60+50, P3 100+100, P4 70,
P9 100 (Feb) + 120 (Aug), P10 90 (Aug): 860 h. MAD: P1 particulier 30 h (January), P2
entreprise 24 h, P4 association 40 h from 2025-12-20 to 2026-01-08, 12 of its 20 days in 2025:
24 h. Trainings completed: P2 (March), P10 (October). Support actions: P3 ×1, P5 ×2.
"""

from __future__ import annotations

import csv
import io

import pytest
from builders import catch_up_to
from openpyxl import load_workbook
from worlds import world  # noqa: F401  (fixture)

from tests.support import bearer

YEAR = "from=2025-01-01&to=2025-12-31"
# ETP over the year: Σ hours × 12 / 1,820 over its 12 months, i.e. hours / 1,820 (domain §6). It
# was hours / (1,820 × 365 / 365.25) while ETP was prorated by days; the figures below follow.
ETP_YEAR = 1820
ZERO_MAD = {"particulier": 0.0, "entreprise": 0.0, "association": 0.0, "collectivite": 0.0}


def _categories(durable=0, transition=0, positive=0, other=0, withdrawn=None) -> dict:
    found = {
        "emploi_durable": durable,
        "emploi_transition": transition,
        "sortie_positive": positive,
        "autre_sortie": other,
    }
    return found if withdrawn is None else {**found, "retrait": withdrawn}


@pytest.fixture(scope="module")
def golden(world):  # noqa: F811  (the fixture imported from worlds)
    net = world.network()
    s1 = net.structure("AI du Val", "AI", "35")
    s2 = net.structure("ACI des Jardins", "ACI", "44")
    s3 = net.structure("EI Recyclerie", "EI", "35")
    g1 = net.group("GES Ouest", [(s1, "2024-01-01", None), (s3, "2024-01-01", "2025-06-30")])
    g2 = net.group("GES Atlantique", [(s3, "2025-07-01", None)])
    net.load_reference()
    last = max(
        p.last_position
        for p in _ai_pathways(net, s1) + _aci_pathways(net, s2) + _ei_pathways(net, s3)
    )
    catch_up_to(world.settings, last)
    return {"net": net, "s1": s1, "s2": s2, "s3": s3, "g1": g1, "g2": g2, "world": world}


def _ai_pathways(net, s1):
    p1 = net.open(s1, "2024-03-01", "F", "26_49", ["RSA"])
    c = p1.contract("2024-03-01", "2025-02-28", weekly=20)
    p1.hours("2024-12", 50)
    p1.hours("2025-01", 80)
    p1.mad("particulier", "2025-01-10", "2025-01-20", 30)
    p1.hours("2025-02", 90)
    p1.end_contract(c, "2025-02-28")
    p1.exit("2025-02-28", "cdi")
    p2 = net.open(s1, "2025-02-01", "M", "under_26", ["JEUNE", "QPV"])
    c = p2.contract("2025-02-01", "2025-07-31", weekly=24)
    p2.append(
        "training_started",
        "2025-02-10",
        {"training_id": "5b0f0d1e-0000-4000-8000-000000000001", "kind": "qualifying"},
    )
    p2.hours("2025-02", 60)
    p2.append(
        "training_completed",
        "2025-03-15",
        {"training_id": "5b0f0d1e-0000-4000-8000-000000000001", "hours": 35, "certified": True},
    )
    p2.hours("2025-03", 40)
    p2.mad("entreprise", "2025-03-25", "2025-04-05", 24, siret_="73282932000074")
    p2.append("hours_worked_recorded", "2025-04-02", {"month": "2025-03", "hours": 50})
    p2.end_contract(c, "2025-04-30")
    p2.exit("2025-04-30", "chomage")
    p3 = net.open(s1, "2025-03-01", "F", "50_plus", ["SENIOR", "RSA"])
    c = p3.contract("2025-03-01", "2025-12-31")
    p3.append(
        "support_action_recorded",
        "2025-03-10",
        {"domain": "social", "topic": "logement", "delivery": "internal"},
    )
    p3.hours("2025-03", 100)
    p3.hours("2025-04", 100)
    p3.end_contract(c, "2025-05-31")
    p3.exit("2025-05-31", "deces")
    p4 = net.open(s1, "2025-06-01", "M", "26_49", ["ASS"])
    p4.contract("2025-06-01", "2026-05-31")
    p4.hours("2025-06", 70)
    p4.void("2025-10-05", p4.exit("2025-09-30", "formation_qualifiante"))
    p4.mad("association", "2025-12-20", "2026-01-08", 40)
    return [p1, p2, p3, p4]


def _aci_pathways(net, s2):
    p5 = net.open(s2, "2025-01-15", "F", "under_26", ["JEUNE", "MOBILITE", "CAP_BEP"])
    c = p5.contract("2025-01-15", "2025-07-14")
    for on in ("2025-02-01", "2025-03-01"):
        p5.append(
            "support_action_recorded",
            on,
            {"domain": "professional", "topic": "projet_professionnel", "delivery": "external"},
        )
    p5.end_contract(c, "2025-06-15")
    p5.exit("2025-06-15", "cdd_moins_6_mois")
    p6 = net.open(s2, "2025-04-01", "M", "50_plus", ["RSA"])
    p6.exit("2025-05-20", "autre_siae")
    p7 = net.open(s2, "2024-06-01", "F", "26_49", ["RSA", "TH"], pass_start="2024-06-01")
    p7.append(
        "pass_suspended",
        "2024-09-01",
        {"start_on": "2024-09-01", "end_on": "2024-09-30", "reason": "CONTRACT_SUSPENDED"},
    )
    p7.exit("2025-03-31", "chomage")
    p8 = net.open(s2, "2023-01-10", "F", "26_49", ["RSA"])
    p8.exit("2024-12-20", "chomage")
    return [p5, p6, p7, p8]


def _ei_pathways(net, s3):
    p9 = net.open(s3, "2025-02-01", "M", "26_49", ["RSA"])
    c = p9.contract("2025-02-01", "2025-12-31")
    p9.hours("2025-02", 100)
    p9.hours("2025-08", 120)
    p9.end_contract(c, "2025-09-15")
    p9.exit("2025-09-15", "cdi_inclusion")
    p10 = net.open(s3, "2025-08-01", "F", "26_49", ["DETLD"])
    p10.contract("2025-08-01", "2026-07-31")
    p10.hours("2025-08", 90)
    p10.append(
        "training_started",
        "2025-08-20",
        {"training_id": "5b0f0d1e-0000-4000-8000-000000000002", "kind": "adaptation"},
    )
    p10.append(
        "training_completed",
        "2025-10-01",
        {"training_id": "5b0f0d1e-0000-4000-8000-000000000002", "hours": 20, "certified": False},
    )
    p11 = net.open(s3, "2025-03-01", "M", "under_26", ["JEUNE", "QPV", "MOBILITE"])
    p11.exit("2025-11-30", "conge_longue_duree")
    return [p9, p10, p11]


NETWORK_TOTAL = {
    "entries": 8,
    "active": 10,
    "exits": 8,
    # No transfer in this network: internal moves, a metric of every report, stay 0.
    "internal_moves": 0,
    "counted_exits": 2,  # 4 under the former rule (P5, P7: see (*) above)
    "exits_by_category": _categories(2, 1, 1, 2, withdrawn=2),
    "counted_exits_by_category": _categories(2, 0, 0, 0),
    "dynamic_exit_rate": 2 / 2,
    "durable_exit_rate": 2 / 2,
    "average_months": pytest.approx(1546 / 8 / 30.4375),
    "hours_worked": 860.0,
    "etp": pytest.approx(860 / ETP_YEAR),
    "mad_hours": {**ZERO_MAD, "particulier": 30.0, "entreprise": 24.0, "association": 24.0},
    "trainings_completed": 2,
    "support_actions": 3,
}


def _get(golden, query: str, token_headers=None):
    here = golden["world"]
    r = here.reporting.get(
        f"/v1/reports/outcomes?{YEAR}&{query}", headers=token_headers or here.admin
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    return r


def test_the_network_total_matches_the_hand_computed_report(golden):
    body = _get(golden, "").json
    assert body["from"] == "2025-01-01" and body["to"] == "2025-12-31"
    assert body["group_by"] == []
    assert body["total"] == NETWORK_TOTAL
    assert body["rows"] == [{"key": {}, "label": {}, **NETWORK_TOTAL, "suppressed": False}]


def test_groups_count_a_structure_only_on_its_membership_dates(golden):
    rows = _get(golden, "group_by=group").json["rows"]
    assert [r["key"] for r in rows] == [{"group": golden["g2"]}, {"group": golden["g1"]}]
    assert rows[0] == {
        "key": {"group": golden["g2"]},
        "label": {"group": "GES Atlantique"},
        "entries": 1,
        "active": 3,
        "exits": 2,
        "internal_moves": 0,  # no transfer here (docs/domain.md §8)
        "counted_exits": 1,
        "exits_by_category": _categories(1, withdrawn=1),
        "counted_exits_by_category": _categories(1),
        "dynamic_exit_rate": 1.0,
        "durable_exit_rate": 1.0,
        "average_months": pytest.approx((226 + 274) / 2 / 30.4375),
        "hours_worked": 210.0,
        "etp": pytest.approx(210 / ETP_YEAR),
        "mad_hours": ZERO_MAD,
        "trainings_completed": 1,
        "support_actions": 0,
        "suppressed": False,
    }
    assert rows[1] == {
        "key": {"group": golden["g1"]},
        "label": {"group": "GES Ouest"},
        "entries": 5,
        "active": 6,
        "exits": 3,
        "internal_moves": 0,  # no transfer here (docs/domain.md §8)
        "counted_exits": 1,
        "exits_by_category": _categories(1, other=1, withdrawn=1),
        "counted_exits_by_category": _categories(1),
        "dynamic_exit_rate": 1.0,
        "durable_exit_rate": 1.0,
        "average_months": pytest.approx((364 + 88 + 91) / 3 / 30.4375),
        "hours_worked": 650.0,
        "etp": pytest.approx(650 / ETP_YEAR),
        "mad_hours": {**ZERO_MAD, "particulier": 30.0, "entreprise": 24.0, "association": 24.0},
        "trainings_completed": 1,
        "support_actions": 1,
        "suppressed": False,
    }


AGE_26_49 = {
    "entries": 3,
    "active": 5,
    "exits": 3,
    "internal_moves": 0,
    "counted_exits": 2,  # 3 under the former rule (P7: see (*) above)
    "exits_by_category": _categories(2, other=1, withdrawn=0),
    "counted_exits_by_category": _categories(2),
    "dynamic_exit_rate": 1.0,
    "durable_exit_rate": 1.0,
    "average_months": pytest.approx((364 + 303 + 226) / 3 / 30.4375),
    "hours_worked": 550.0,
    "etp": pytest.approx(550 / ETP_YEAR),
    "mad_hours": {**ZERO_MAD, "particulier": 30.0, "association": 24.0},
    "trainings_completed": 1,
    "support_actions": 0,
    "suppressed": False,
}


def test_age_bands_of_fewer_than_five_people_are_suppressed_for_the_network(golden):
    rows = _get(golden, "group_by=age_band").json["rows"]
    assert [r["label"]["age_band"] for r in rows] == [
        "50 ans et plus",
        "De 26 à 49 ans",
        "Moins de 26 ans",
    ]
    hidden = {k: None for k in NETWORK_TOTAL}
    assert rows[0] == {
        "key": {"age_band": "50_plus"},
        "label": {"age_band": "50 ans et plus"},
        **hidden,
        "suppressed": True,
    }
    assert rows[1] == {
        "key": {"age_band": "26_49"},
        "label": {"age_band": "De 26 à 49 ans"},
        **AGE_26_49,
    }
    assert rows[2]["suppressed"] is True and rows[2]["entries"] is None


def test_a_structure_reading_its_own_age_bands_sees_every_row(golden):
    token = golden["net"].tokens[golden["s1"]]
    rows = _get(golden, "group_by=age_band", bearer(token)).json["rows"]
    assert {r["key"]["age_band"]: (r["active"], r["suppressed"]) for r in rows} == {
        "50_plus": (1, False),
        "26_49": (2, False),
        "under_26": (1, False),
    }


def test_the_csv_export_matches_the_hand_computed_report(golden):
    r = _get(golden, "group_by=age_band&format=csv")
    assert r.headers["Content-Disposition"] == (
        'attachment; filename="rapport-sorties_2025-01-01_2025-12-31.csv"'
    )
    raw = r.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:5] == [
        "Tranche d'âge",
        "Entrées",
        "Parcours actifs",
        "Sorties",
        "Sorties examinées",
    ]
    # 25 columns: the last one, internal moves, is 0 outside group reports (docs/domain.md §8).
    assert lines[1] == ["50 ans et plus"] + ["< 5"] * 25
    assert ";".join(lines[2]) == (
        "De 26 à 49 ans;3;5;3;2;2;0;0;1;0;2;0;0;0;100,00;100,00;9,78;550,00;0,30;"
        "30,00;0,00;24,00;0,00;1;0;0"
    )
    assert ";".join(lines[4]) == (
        "Total;8;10;8;2;2;1;1;2;2;2;0;0;0;100,00;100,00;6,35;860,00;0,47;30,00;24,00;24,00;0,00;2;3;0"
    )


def test_the_xlsx_export_has_a_frozen_french_header_numbers_and_percentages(golden):
    r = _get(golden, "group_by=age_band&format=xlsx")
    sheet = load_workbook(io.BytesIO(r.get_data())).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "Tranche d'âge" and sheet["B1"].value == "Entrées"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("50 ans et plus",) + ("< 5",) * 25  # internal moves last, see above
    assert rows[1][:5] == ("De 26 à 49 ans", 3, 5, 3, 2)  # counted: the State's rule, see (*)
    assert rows[3][0] == "Total" and rows[3][14] == pytest.approx(1.0)
    assert sheet.cell(row=3, column=15).number_format == "0.00%"
    assert sheet.cell(row=3, column=15).value == pytest.approx(1.0)
