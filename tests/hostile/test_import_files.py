"""Hostile import files: whatever an uploaded CSV or XLSX declares or holds, the import answers
quickly, and the process's memory stays bounded (measured: the peak resident size while the
request runs, against the size before it)."""

from __future__ import annotations

import gc
import io
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import openpyxl
import psutil
import pytest

MIB = 1024 * 1024
BOUND_MIB = 200  # generous: the fixed reader stays within a few tens
SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
HEADER_ROW = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>parcours</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>type</t></is></c></row>'
)


@contextmanager
def peak_memory() -> Iterator[dict[str, float]]:
    """The growth of this process's resident size at its peak while the block runs, in MiB."""
    process = psutil.Process()
    gc.collect()
    base = process.memory_info().rss
    measured = {"peak": base, "seconds": 0.0}
    running = True

    def sample() -> None:
        while running:
            measured["peak"] = max(measured["peak"], process.memory_info().rss)
            time.sleep(0.002)

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.perf_counter()
    sampler.start()
    result: dict[str, float] = {}
    try:
        yield result
    finally:
        running = False
        sampler.join()
        result["growth_mib"] = (measured["peak"] - base) / MIB
        result["seconds"] = time.perf_counter() - started


def upload(pathways, structure, content: bytes, name: str):
    """POST the file as one multipart body built here: the test client's own encoder spools a
    large one to a temporary file it never closes."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    return pathways.post(
        "/v1/imports",
        headers=structure.headers,
        data=head.encode() + content + f"\r\n--{boundary}--\r\n".encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _sent(tally, response, expected: set[int], used: dict[str, float]):
    tally["hostile_cases"] += 1
    tally["server_errors"] += response.status_code >= 500
    assert response.status_code in expected, (response.status_code, response.get_data()[:300])
    assert used["growth_mib"] < BOUND_MIB, used
    return response


def workbook(write_sheet: Callable[[io.BufferedIOBase], None]) -> bytes:
    """A real workbook made by openpyxl whose first sheet's XML is written by `write_sheet`."""
    book = openpyxl.Workbook()
    book.active.append(["parcours", "type"])
    made = io.BytesIO()
    book.save(made)
    source = zipfile.ZipFile(made)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            if entry.filename != SHEET:
                archive.writestr(entry.filename, source.read(entry.filename))
                continue
            with archive.open(SHEET, "w") as sheet:
                write_sheet(sheet)
    return out.getvalue()


def sheet_of(*parts: bytes) -> Callable[[io.BufferedIOBase], None]:
    def write(sheet) -> None:
        sheet.write(SHEET_HEAD)
        for part in parts:
            sheet.write(part)
        sheet.write(b"</worksheet>")

    return write


def test_a_declared_dimension_is_ignored(pathways, structure, tally):
    """1.6 kB declaring A1:XFD6000 took 6.8 s and 700 MiB: each line up to the last one was
    padded to the 16,384 columns declared."""
    far_row = b'<row r="6000"><c r="A6000" t="inlineStr"><is><t>D-1</t></is></c></row>'
    content = workbook(
        sheet_of(
            b'<dimension ref="A1:XFD6000"/><sheetData>',
            HEADER_ROW,
            far_row,
            b"</sheetData>",
        )
    )
    assert len(content) < 8 * 1024

    with peak_memory() as used:
        answer = upload(pathways, structure, content, "dimension.xlsx")

    _sent(tally, answer, {200}, used)
    assert [r["line"] for r in answer.json["rejected"]] == [6000], answer.json


def test_a_line_far_down_a_sheet_is_refused_at_the_line_limit(pathways, structure, tally):
    """A million lines declared would have needed 128 GiB."""
    far_row = b'<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>D-1</t></is></c></row>'
    content = workbook(
        sheet_of(
            b'<dimension ref="A1:XFD1000000"/><sheetData>', HEADER_ROW, far_row, b"</sheetData>"
        )
    )

    with peak_memory() as used:
        answer = upload(pathways, structure, content, "loin.xlsx")

    _sent(tally, answer, {422}, used)
    assert "100 000 lignes, lignes vides comprises" in answer.json["errors"]["file"][0]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(pathways, structure, tally):
    row = b"<row><c><v>1</v></c></row>" * 4096

    def bomb(sheet) -> None:
        sheet.write(SHEET_HEAD + b"<sheetData>" + HEADER_ROW)
        for _ in range(2_000):  # 200 MiB of rows, a few hundred kB compressed
            sheet.write(row)
        sheet.write(b"</sheetData></worksheet>")

    content = workbook(bomb)
    assert len(content) < 1024 * 1024

    with peak_memory() as used:
        answer = upload(pathways, structure, content, "bombe.xlsx")

    _sent(tally, answer, {422}, used)
    assert "Classeur XLSX refusé" in answer.json["errors"]["file"][0]


def _rows(count: int, first: int = 2) -> bytes:
    return b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>R-%d</t></is></c>'
        b'<c r="B%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n, n, n)
        for n in range(first, first + count)
    )


def test_a_sheet_of_more_lines_than_the_limit_is_refused(pathways, structure, tally):
    content = workbook(sheet_of(b"<sheetData>", HEADER_ROW, _rows(150_000), b"</sheetData>"))

    with peak_memory() as used:
        answer = upload(pathways, structure, content, "lignes.xlsx")

    _sent(tally, answer, {422}, used)
    assert "100 000 lignes" in answer.json["errors"]["file"][0]


def test_more_than_twenty_thousand_events_is_a_422_naming_the_limit(pathways, structure, tally):
    content = workbook(sheet_of(b"<sheetData>", HEADER_ROW, _rows(20_001), b"</sheetData>"))

    with peak_memory() as used:
        answer = upload(pathways, structure, content, "evenements.xlsx")

    _sent(tally, answer, {422}, used)
    assert "plus de 20 000 lignes d'événements" in answer.json["errors"]["file"][0]


def test_a_row_of_a_million_cells_is_refused(pathways, structure, tally):
    """Cells of varied values compress too little for the ratio to catch them; openpyxl would
    build the whole row (400 MiB) before keeping its first columns."""
    cells = b"".join(b"<c><v>%d</v></c>" % (n * 7919 % 1_000_003) for n in range(1_000_000))
    content = workbook(sheet_of(b"<sheetData>", HEADER_ROW, b'<row r="2">', cells, b"</row>"))

    with peak_memory() as used:
        answer = upload(pathways, structure, content, "large.xlsx")

    _sent(tally, answer, {422}, used)
    assert "une ligne de plus de" in answer.json["errors"]["file"][0]


def test_entities_are_refused(pathways, structure, tally):
    laughs = (
        b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    content = workbook(
        lambda sheet: sheet.write(
            SHEET_HEAD.replace(b"?><worksheet", b"?>" + laughs + b"<worksheet")
            + b"<sheetData>"
            + HEADER_ROW
            + b"</sheetData></worksheet>"
        )
    )

    with peak_memory() as used:
        answer = upload(pathways, structure, content, "entites.xlsx")

    _sent(tally, answer, {422}, used)
    assert "DOCTYPE" in answer.json["errors"]["file"][0]


@pytest.mark.parametrize(
    ("line", "limit"),
    [(b"P;pathway_exited\n", "20 000 lignes d'événements"), (b";\n", "100 000 lignes")],
)
def test_a_csv_of_many_short_lines_is_refused_without_reading_them_all(
    pathways, structure, tally, line, limit
):
    """5 MiB of short lines took 14 s and 1.26 GiB: every row was built before the count."""
    content = b"parcours;type\n" + line * ((4_900_000 - 14) // len(line))

    with peak_memory() as used:
        answer = upload(pathways, structure, content, "lignes.csv")

    _sent(tally, answer, {422}, used)
    assert limit in answer.json["errors"]["file"][0]
