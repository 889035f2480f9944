"""Names that a spreadsheet would run as formulas are written as text in every exported file: the
outcome and ETP reports, from the API and from the dashboard's downloads (docs/api.md, exports)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.reporting import dashboard_seed as seed

YEAR = date.today().year
OPENED = date(YEAR, 1, 5) if date.today() >= date(YEAR, 1, 6) else date(YEAR - 1, 12, 1)
PERIOD = f"from={OPENED.year}-01-01&to={min(date.today(), date(OPENED.year, 12, 31))}"
MARK = uuid.uuid4().hex[:4]
# Annex numbers of this module's own: three random digits met another module's fixed number
# (ACI035260001A0M0) in the shared registry once in a few hundred sessions.
SERIES = uuid.uuid4().hex[:8].upper()
NAMES = [
    f'=HYPERLINK("http://x/{MARK}")',
    f"+33{MARK}",
    f"-2{MARK}",
    f"@SUM(A1){MARK}",
    f"\tTab{MARK}",
    f"\rCR{MARK}",
]
GROUP = f"=1+1 GES {MARK}"


@pytest.fixture(scope="module")
def dangerous(settings, registry, pathways, reporting, admin):
    """Structures and a group whose names start a formula, each with a pathway and an annexe."""
    group = registry.post("/v1/groups", headers=admin, json={"name": GROUP})
    assert group.status_code == 201, group.json
    position = 0
    for number, name in enumerate(NAMES, start=1):
        made = registry.post(
            "/v1/structures",
            headers=admin,
            json={"siret": seed.luhn_siret(), "name": name, "kind": "ACI", "department": "35"},
        )
        assert made.status_code == 201, made.json
        structure = seed.Seeded(
            made.json["id"],
            seed.token(registry, admin, "structure", structure_id=made.json["id"]),
            name,
        )
        joined = registry.put(
            f"/v1/groups/{group.json['id']}/members/{structure.structure_id}",
            headers=admin,
            json={"joined_on": f"{OPENED.year - 1}-01-01"},
        )
        assert joined.status_code == 200, joined.json
        annex = registry.post(
            f"/v1/structures/{structure.structure_id}/annexes",
            headers=admin,
            json={
                "number": f"ACI035{SERIES}{number:03d}A0M0",
                "measure": "ACI_DC",
                "state": "VALIDE",
                "starts_on": f"{OPENED.year}-01-01",
                "ends_on": f"{OPENED.year}-12-31",
                "etp_conventioned": 1,
            },
        )
        assert annex.status_code == 201, annex.json
        position = seed.pathway(pathways, structure, OPENED)
    seed.settle(settings, reporting, admin, position)
    return group.json["id"]


def rows_of_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def assert_csv_safe(body: bytes, names: list[str]) -> None:
    cells = {c for row in rows_of_csv(body) for c in row}
    for name in names:
        assert "'" + name in cells, f"{name!r} is not written as text"
        assert name not in cells
    for row in rows_of_csv(body):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def assert_xlsx_safe(body: bytes, names: list[str]) -> None:
    # XML reads a carriage return in text back as a line feed: the only change to a name.
    names = [n.replace("\r", "\n") for n in names]
    sheet = load_workbook(io.BytesIO(body)).active
    found = {}
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
            if cell.value in names:
                found[cell.value] = cell.data_type
    assert found == {name: "s" for name in names}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("report", "group_by", "names"),
    [
        ("outcomes", "structure", NAMES),
        ("outcomes", "group", [GROUP]),
        ("etp", "structure", NAMES),
    ],
)
def test_the_api_files_write_formula_like_names_as_text(
    dangerous, reporting, admin, fmt, report, group_by, names
):
    query = f"/v1/reports/{report}?{PERIOD}&group_by={group_by}&group_id={dangerous}&format={fmt}"
    answer = reporting.get(query, headers=admin)
    assert answer.status_code == 200, answer.data[:300]
    (assert_csv_safe if fmt == "csv" else assert_xlsx_safe)(answer.data, names)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("by", "names"), [("structure", NAMES), ("group", [GROUP])])
def test_the_dashboard_downloads_write_formula_like_names_as_text(
    dangerous, services, registry, admin, fmt, by, names
):
    browser = services["reporting"].app.test_client()
    seed.sign_in(browser, seed.token(registry, admin, "network"))
    answer = browser.get(f"/export?period=year&year={OPENED.year}&by={by}&format={fmt}")
    assert answer.status_code == 200, answer.text[:300]
    assert "attachment" in answer.headers["Content-Disposition"]
    (assert_csv_safe if fmt == "csv" else assert_xlsx_safe)(answer.data, names)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_dashboard_etp_download_is_the_api_file(dangerous, services, reporting, admin, fmt):
    """The ETP page's downloads (by annexe number and month) are the ETP report API's files,
    written by the same function, hence with the same protection."""
    browser = services["reporting"].app.test_client()
    seed.sign_in(browser, admin["Authorization"].removeprefix("Bearer "))
    query = f"period=year&year={OPENED.year}&group_id={dangerous}"
    answer = browser.get(f"/etp/export?{query}&table=annexes&format={fmt}")
    assert answer.status_code == 200, answer.text[:300]
    api = reporting.get(
        f"/v1/reports/etp?{PERIOD}&group_by=annex&group_id={dangerous}&format={fmt}",
        headers=admin,
    )
    assert api.status_code == 200
    if fmt == "csv":
        assert answer.data == api.data
        assert len(rows_of_csv(answer.data)) == len(NAMES) + 2  # header, one per annexe, total
