"""Reading import rows the way staff type them, without I/O."""

from __future__ import annotations

from datetime import datetime

import pytest

from services.pathways.imports.files import read_rows
from services.pathways.imports.ids import ImportIds, earlier_pathway_id
from services.pathways.imports.rows import (
    FileProblem,
    Row,
    RowError,
    RowEvent,
    column_of,
    earlier_events,
    reference_id,
    to_event,
    with_ids,
)

STRUCTURE = "6f0c1a52-3f0e-4d53-9a55-6b0b7ad1f001"
IDS = ImportIds(b"s" * 32, STRUCTURE)


def event_of(**cells) -> RowEvent:
    result = to_event(IDS, Row(2, {"parcours": "P-1", **cells}))
    assert isinstance(result, RowEvent), result
    return result


def test_french_dates_and_decimal_commas_become_the_api_s_forms():
    row = event_of(type="hours_worked_recorded", date="30/04/2025", mois="04/2025", heures="98,5")

    assert row.event == {
        "type": "hours_worked_recorded",
        "occurred_on": "2025-04-30",
        "data": {"month": "2025-04", "hours": 98.5},
    }


def test_excel_cells_keep_their_meaning():
    row = event_of(
        type="pathway_opened",
        date=datetime(2025, 1, 6),
        personne="p",
        orienteur=3,
        criteres="RSA, QPV",
        diagnostic="prescriber",
    )

    assert row.event["occurred_on"] == "2025-01-06"
    assert row.event["data"]["orienteur"] == "03"
    assert row.event["data"]["eligibility"] == {
        "diagnosed_by": "prescriber",
        "criteria": ["RSA", "QPV"],
    }


def test_an_opening_is_recorded_for_the_uploading_structure():
    row = event_of(type="pathway_opened", date="2025-01-06", personne="p")

    assert row.event["data"]["structure_id"] == STRUCTURE


def test_a_contract_without_a_date_is_dated_by_its_start():
    row = event_of(
        type="contract_started",
        contrat="C-1",
        type_contrat="CDDI",
        debut="06/01/2025",
        heures_hebdo="26",
    )

    assert row.event["occurred_on"] == "2025-01-06"
    assert row.event["data"]["contract_id"] == reference_id(row.pathway_id, "contrat", "C-1")


def test_a_reference_names_the_same_pathway_in_every_file_of_a_structure():
    other = ImportIds(IDS.secret, "0b7c4f8e-1d2a-4c3b-9e5f-6a7b8c9d0e1f")

    assert IDS.pathway("P-1") == ImportIds(b"s" * 32, STRUCTURE).pathway("P-1")
    assert IDS.pathway("P-1") != other.pathway("P-1")


def test_a_uuid_reference_is_used_as_is():
    pathway_id = "0b7c4f8e-1d2a-4c3b-9e5f-6a7b8c9d0e1f"

    assert IDS.pathway(pathway_id) == pathway_id


def test_a_filled_column_the_type_does_not_use_is_an_error():
    result = to_event(
        IDS,
        Row(
            5,
            {
                "parcours": "P-1",
                "type": "support_action_recorded",
                "date": "2025-01-06",
                "mois": "2025-01",
            },
        ),
    )

    assert isinstance(result, RowError)
    assert result.line == 5
    assert list(result.errors) == ["mois"]


def test_a_row_without_a_pathway_says_so():
    result = to_event(IDS, Row(3, {"type": "support_action_recorded"}))

    assert isinstance(result, RowError)
    assert set(result.errors) == {"parcours"}


def test_a_row_of_a_dated_type_without_a_date_says_so():
    result = to_event(IDS, Row(3, {"parcours": "P", "type": "support_action_recorded"}))

    assert isinstance(result, RowError)
    assert result.errors == {"date": ["Obligatoire."]}


def test_identical_rows_are_distinct_events_with_stable_ids():
    rows = [event_of(type="support_action_recorded", date="2025-01-06")] * 2

    first, second = with_ids(IDS, rows), with_ids(IDS, rows)

    assert first[0].event["id"] != first[1].event["id"]
    assert [r.event["id"] for r in first] == [r.event["id"] for r in second]


def test_an_api_field_path_points_to_its_template_column():
    assert column_of("mise_a_disposition_recorded", "events.0.data.client_siret") == "siret_client"
    assert column_of("pathway_opened", "events.0.data.eligibility.criteria.1") == "criteres"
    assert column_of("pathway_opened", "events.0.occurred_on") == "date"


def test_headers_are_read_whatever_their_accents_and_case():
    rows = read_rows("Parcours;TYPE;Date;Critères\nP;pathway_opened;2025-01-06;RSA\n".encode())

    assert rows == [
        Row(2, {"parcours": "P", "type": "pathway_opened", "date": "2025-01-06", "criteres": "RSA"})
    ]


def test_a_windows_1252_csv_from_excel_is_read():
    content = "parcours;type;date;intitule\nP;training_started;2025-01-06;Français\n"

    rows = read_rows(content.encode("cp1252"))

    assert rows[0].cells["intitule"] == "Français"


def test_blank_lines_are_skipped_and_lines_keep_their_number():
    rows = read_rows(b"parcours;type\n;\nP;pathway_exited\n")

    assert [r.line for r in rows] == [3]


def test_a_value_beyond_the_header_is_kept_to_be_reported():
    rows = read_rows(b"parcours;type\nP;pathway_exited;surplus\n")

    assert rows[0].cells["colonne_3"] == "surplus"


@pytest.mark.parametrize(
    "content", [b"", b"  \n", b"parcours;inconnu\n", b"type\n", b"parcours;type;type\n"]
)
def test_an_unreadable_file_is_refused_whole(content):
    with pytest.raises(FileProblem):
        read_rows(content)


def test_a_prescribers_agreement_and_a_france_travail_immersion_can_be_imported():
    prolonged = event_of(type="pass_prolonged", date="2026-06-01", fin="2027-06-01", motif="RQTH")
    assert "approved_by" not in prolonged.event["data"]
    approved = event_of(
        type="pass_prolonged",
        date="2026-06-01",
        fin="2027-06-01",
        motif="RQTH",
        accord_prolongation="prescriber",
    )
    assert approved.event["data"]["approved_by"] == "prescriber"
    immersion = event_of(
        type="immersion_recorded",
        debut="2026-03-02",
        fin="2026-03-13",
        objectif="discover",
        prescripteur_immersion="france_travail",
    )
    assert immersion.event["data"]["prescribed_by"] == "france_travail"


def test_a_pathway_id_is_keyed_by_the_server_secret_not_the_published_namespace():
    other_secret = ImportIds(b"t" * 32, STRUCTURE)

    assert IDS.pathway("P-1") != other_secret.pathway("P-1")
    assert IDS.pathway("P-1") != earlier_pathway_id(STRUCTURE, "P-1")


def test_the_ids_an_earlier_import_gave_stay_those_the_structure_owns():
    earlier = earlier_pathway_id(STRUCTURE, "P-1")
    knowing = IDS.knowing([earlier])
    cells = {"parcours": "P-1", "type": "pathway_exited", "date": "2025-01-06", "motif": "autre"}
    row = to_event(knowing, Row(2, cells))

    assert knowing.pathway("P-1") == earlier
    assert isinstance(row, RowEvent) and row.pathway_id == earlier
    old_ids = earlier_events(knowing, [row])
    assert [r.event["id"] for r in with_ids(knowing.knowing(old_ids), [row])] == old_ids
    assert with_ids(knowing, [row])[0].event["id"] not in old_ids


def test_a_nul_in_a_cell_refuses_the_row_by_its_column():
    result = to_event(
        IDS, Row(4, {"parcours": "P-1", "type": "support_action_recorded", "theme": "loge\x00ment"})
    )

    assert result == RowError(4, {"theme": ["Le caractère nul (U+0000) n'est pas accepté."]})
