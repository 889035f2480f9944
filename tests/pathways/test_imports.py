"""File import through the HTTP API, on real PostgreSQL: every bad line reported precisely, every
good line appended exactly once, however many times the file is uploaded."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, timedelta
from uuid import uuid4

import openpyxl
from pathways_support import make_org, open_pathway

from services.pathways.app import create_app
from services.pathways.imports.columns import HEADERS
from services.pathways.imports.files import read_rows
from services.pathways.imports.ids import ImportIds, earlier_pathway_id
from services.pathways.imports.rows import RowEvent, earlier_events, to_event, with_ids
from tests.support import dispose_engines

OPENED_ON = date.today() - timedelta(days=120)
FR = OPENED_ON.strftime("%d/%m/%Y")
MONTH = OPENED_ON.strftime("%Y-%m")
HEADER = (
    "parcours;type;date;personne;orienteur;diagnostic;criteres;contrat;type_contrat;debut;"
    "fin;heures_hebdo;heures;mois;domaine;theme;realisation;type_client"
)


def csv_file(person_id: str) -> bytes:
    """Four good rows of one pathway, then a deliberate error on each of lines 6 to 11."""
    later = (date.today() + timedelta(days=1)).isoformat()
    planned_end = OPENED_ON + timedelta(days=180)
    month_end = min(date.today(), OPENED_ON.replace(day=28))
    rows = [
        f"P-1;pathway_opened;{FR};{person_id};03;prescriber;RSA QPV;;;;;;;;;;;",
        f"P-1;contract_started;;;;;;C-1;CDDI;{OPENED_ON};{planned_end};26;;;;;;",
        f"P-1;hours_worked_recorded;{max(month_end, OPENED_ON)};;;;;;;;;;98,5;{MONTH};;;;",
        f"P-1;support_action_recorded;{FR};;;;;;;;;;2;;social;logement;internal;",
        f"P-1;teleportation;{FR};;;;;;;;;;;;;;;",
        "P-1;support_action_recorded;31/02/2025;;;;;;;;;;;;social;logement;internal;",
        f"P-1;support_action_recorded;{later};;;;;;;;;;;;social;logement;internal;",
        f"P-1;hours_worked_recorded;{FR};;;;;;;;;;beaucoup;{MONTH};;;;",
        f"P-1;support_action_recorded;{FR};;;;;;;;;;;;social;logement;internal;particulier",
        f"P-2;contract_started;;;;;;C-1;CDDI;{OPENED_ON};;26;;;;;;",
    ]
    return ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode()


def upload(pathways, org, content: bytes, name: str = "evenements.csv"):
    return pathways.post(
        "/v1/imports",
        headers=org.headers,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def pathway_of(answer, line: int = 2) -> str:
    """The id the import gave the pathway of a line it appended."""
    return next(e["pathway_id"] for e in answer.json["events"] if e["line"] == line)


def test_a_file_with_errors_reports_each_bad_line_and_appends_each_good_one(pathways, org, person):
    answer = upload(pathways, org, csv_file(person))

    assert answer.status_code == 200, answer.json
    assert answer.json["accepted"] == 4
    assert answer.json["already_present"] == 0
    rejected = {r["line"]: r["errors"] for r in answer.json["rejected"]}
    assert sorted(rejected) == [6, 7, 8, 9, 10, 11]
    assert list(rejected[6]) == ["type"]
    assert list(rejected[7]) == ["date"]
    assert list(rejected[8]) == ["date"]
    assert list(rejected[9]) == ["heures"]
    assert list(rejected[10]) == ["type_client"]
    assert "pathway_opened" in rejected[11]["type"][0]


def test_the_good_lines_are_in_the_pathway_in_file_order(pathways, org, person):
    answer = upload(pathways, org, csv_file(person))

    pathway_id = pathway_of(answer)
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers)
    assert stream.status_code == 200, stream.json
    assert [e["type"] for e in stream.json] == [
        "pathway_opened",
        "contract_started",
        "hours_worked_recorded",
        "support_action_recorded",
    ]
    assert stream.json[2]["data"]["hours"] == 98.5


def test_uploading_the_same_file_twice_appends_every_good_line_exactly_once(pathways, org, person):
    content = csv_file(person)
    first = upload(pathways, org, content)
    second = upload(pathways, org, content)

    assert second.status_code == 200, second.json
    assert second.json["accepted"] == 0
    assert second.json["already_present"] == first.json["accepted"] == 4
    assert [r["line"] for r in second.json["rejected"]] == [6, 7, 8, 9, 10, 11]
    assert [e["event_id"] for e in second.json["events"]] == [
        e["event_id"] for e in first.json["events"]
    ]
    assert {e["pathway_id"] for e in second.json["events"]} == {pathway_of(first)}
    stream = pathways.get(f"/v1/pathways/{pathway_of(first)}/events", headers=org.headers)
    assert len(stream.json) == 4


def test_an_xlsx_file_is_read_with_excel_dates_and_numbers(pathways, org, person):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Parcours", "Type", "Date", "Personne", "Orienteur", "Diagnostic", "Critères"])
    sheet.append(["X-1", "pathway_opened", OPENED_ON, person, 3, "prescriber", "RSA"])
    out = io.BytesIO()
    book.save(out)

    answer = upload(pathways, org, out.getvalue(), "evenements.xlsx")

    assert answer.status_code == 200, answer.json
    assert answer.json["accepted"] == 1, answer.json
    stream = pathways.get(f"/v1/pathways/{pathway_of(answer)}/events", headers=org.headers)
    assert stream.json[0]["occurred_on"] == OPENED_ON.isoformat()
    assert stream.json[0]["data"]["orienteur"] == "03"


def test_a_comma_separated_file_without_bom_is_read(pathways, org, person):
    content = (
        f"parcours,type,date,personne,orienteur,diagnostic,criteres\n"
        f"V-1,pathway_opened,{OPENED_ON},{person},03,prescriber,RSA\n".encode()
    )

    answer = upload(pathways, org, content)

    assert answer.status_code == 200, answer.json
    assert answer.json["accepted"] == 1


def test_a_file_with_an_unknown_column_is_refused_whole(pathways, org, person):
    content = f"parcours;type;date;couleur\nP-9;pathway_opened;{OPENED_ON};bleu\n".encode()

    answer = upload(pathways, org, content)

    assert answer.status_code == 422
    assert "couleur" in answer.json["errors"]["file"][0]


def test_a_file_that_is_no_spreadsheet_is_refused_with_a_clear_problem(pathways, org):
    answer = upload(pathways, org, b"PK\x03\x04 not really a zip", "evenements.xlsx")

    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert answer.json["errors"]["file"]


def test_an_upload_without_a_file_is_a_validation_error(pathways, org):
    answer = pathways.post(
        "/v1/imports", headers=org.headers, data={}, content_type="multipart/form-data"
    )

    assert answer.status_code == 422
    assert "file" in answer.json["errors"]


def test_only_a_structure_token_may_import(pathways, admin, person):
    answer = pathways.post(
        "/v1/imports",
        headers=admin,
        data={"file": (io.BytesIO(b"parcours;type\n"), "e.csv")},
        content_type="multipart/form-data",
    )

    assert answer.status_code == 403


def test_a_pathway_of_another_structure_is_rejected_on_its_line(
    pathways, registry, admin, org, person
):
    pathway_id = pathway_of(upload(pathways, org, csv_file(person)))
    other = make_org(registry, admin, "ACI")
    content = (
        f"parcours;type;date;domaine;theme;realisation\n"
        f"{pathway_id};support_action_recorded;{OPENED_ON};social;logement;internal\n"
    )

    answer = upload(pathways, other, content.encode())

    assert answer.json["rejected"] == [
        {"line": 2, "errors": {"parcours": [answer.json["rejected"][0]["errors"]["parcours"][0]]}}
    ]
    assert answer.json["accepted"] == 0


def test_the_csv_template_has_every_column_for_excel(pathways):
    answer = pathways.get("/v1/imports/template.csv")

    assert answer.status_code == 200
    text = answer.data.decode("utf-8")
    assert text.startswith("\ufeff")
    assert text.lstrip("\ufeff").strip().split(";") == list(HEADERS)


def test_the_xlsx_template_has_the_sheet_to_fill_and_its_help(pathways):
    answer = pathways.get("/v1/imports/template.xlsx")

    book = openpyxl.load_workbook(io.BytesIO(answer.data), read_only=True)
    try:
        assert book.sheetnames == ["Événements", "Aide"]
        header = next(book["Événements"].iter_rows(values_only=True))
        assert list(header) == list(HEADERS)
    finally:
        book.close()


def test_the_import_is_documented_in_the_openapi(pathways):
    spec = pathways.get("/openapi.json").json

    operation = spec["paths"]["/v1/imports"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"200", "422"} <= set(operation["responses"])


def _imported_the_earlier_way(pathways, org, content: bytes) -> list[RowEvent]:
    """Append a file's rows as imports did before the keyed ids: uuid5 of a published namespace
    for the pathway and for each row."""
    ids = ImportIds(b"unused" * 8, org.id)
    rows = read_rows(content)
    ids = ids.knowing(earlier_pathway_id(org.id, r.cells["parcours"]) for r in rows)
    events = [to_event(ids, row) for row in rows]
    events = with_ids(ids.knowing(earlier_events(ids, events)), events)
    items = [{"pathway_id": e.pathway_id, "events": [e.event]} for e in events]
    answer = pathways.post("/v1/events/batch", headers=org.headers, json={"items": items})
    assert [r["status"] for r in answer.json["results"]] == [201] * len(items), answer.json
    return events


def test_a_pathway_an_earlier_import_made_keeps_its_id_and_rows(pathways, org, person):
    opened = f"OLD-1;pathway_opened;{FR};{person};03;prescriber;RSA;;;"
    action = f"OLD-1;support_action_recorded;{FR};;;;;social;logement;internal"
    header = "parcours;type;date;personne;orienteur;diagnostic;criteres;domaine;theme;realisation"
    earlier = _imported_the_earlier_way(pathways, org, f"{header}\n{opened}\n".encode())

    again = upload(pathways, org, f"{header}\n{opened}\n{action}\n".encode())

    assert again.status_code == 200, again.json
    assert (again.json["already_present"], again.json["accepted"]) == (1, 1), again.json
    assert again.json["events"][0]["event_id"] == earlier[0].event["id"]
    assert {e["pathway_id"] for e in again.json["events"]} == {earlier[0].pathway_id}
    stream = pathways.get(f"/v1/pathways/{earlier[0].pathway_id}/events", headers=org.headers)
    assert [e["type"] for e in stream.json] == ["pathway_opened", "support_action_recorded"]


def test_a_row_an_earlier_import_added_to_a_pathway_named_by_its_id_is_not_added_again(
    pathways, org, person
):
    pathway_id, _ = open_pathway(pathways, org, person)
    header = "parcours;type;date;domaine;theme;realisation"
    content = f"{header}\n{pathway_id};support_action_recorded;{FR};social;logement;internal\n"
    earlier = _imported_the_earlier_way(pathways, org, content.encode())

    again = upload(pathways, org, content.encode())

    assert (again.json["already_present"], again.json["accepted"]) == (1, 0), again.json
    assert again.json["events"][0]["event_id"] == earlier[0].event["id"]


def test_each_tokens_uploads_are_rate_limited(settings, services, registry, admin):
    app = create_app(
        replace(settings, rate_limit_imports="2/minute", queue_prefix="rl" + uuid4().hex[:10])
    )
    try:
        client, org = app.test_client(), make_org(registry, admin)
        for _ in range(2):
            assert upload(client, org, b"").status_code == 422  # an empty file, refused whole
        limited = upload(client, org, b"")
        assert limited.status_code == 429
        assert "Trop de requêtes" in limited.json["detail"]
        assert int(limited.headers["Retry-After"]) >= 1
        assert upload(client, make_org(registry, admin), b"").status_code == 422  # another token
    finally:
        dispose_engines(app)
        app.extensions["iae_redis"].close()
