"""French labels of report keys: what staff read in rows, exports and the dashboard."""

from __future__ import annotations

from shared.domain.annexes import OVER_CONSUMPTION_CODE, UNDER_CONSUMPTION_CODE
from shared.domain.codes import (
    AGE_BANDS,
    ELIGIBILITY_CRITERIA,
    MONTHS_FR,
    SEXES,
    STRUCTURE_KINDS,
    label,
)
from shared.domain.measures import MEASURES
from shared.domain.territories import DEPARTMENTS, REGIONS

UNKNOWN = "Non renseigné"
CODE_TABLES = {
    "kind": STRUCTURE_KINDS,
    "department": DEPARTMENTS,
    "region": REGIONS,
    "criterion": ELIGIBILITY_CRITERIA,
    "sex": SEXES,
    "age_band": AGE_BANDS,
}
DIMENSION_LABELS = {
    "structure": "Structure",
    "group": "Groupe (GES)",
    "kind": "Type de structure",
    "department": "Département",
    "region": "Région",
    "month": "Mois",
    "criterion": "Critère d'éligibilité",
    "sex": "Sexe",
    "age_band": "Tranche d'âge",
}
# Dimensions of the annexes financières (docs/domain.md §6b): the outcome report and the ETP
# report accept them; the dashboard's main table does not offer them (its « ETP » page does).
ANNEX_DIMENSION_LABELS = {"annex": "Annexe financière", "measure": "Mesure"}
OUTSIDE_ANNEX = "Hors annexe financière"
# An annexe's consumption in a table cell (alerts' labels: shared/domain/pathway/alerts.py).
CONSUMPTION_LABELS = {
    UNDER_CONSUMPTION_CODE: "Sous-consommation",
    OVER_CONSUMPTION_CODE: "Surconsommation",
    None: "Dans la cible",
}
NO_MEASURE = "Sans mesure (structure non conventionnée)"

# A transfer between two members of a group, counted apart in group reports (docs/domain.md §8).
INTERNAL_MOVES_LABEL = "Mouvements internes au GES"


def month_label(month: str) -> str:
    """'2026-01' → 'janvier 2026'."""
    year, number = month.split("-")
    return f"{MONTHS_FR[int(number) - 1]} {year}"


def key_label(dimension: str, value: str | None, names: dict[str, str]) -> str:
    """French label of one key value; `names` holds structure and group names, and annex
    numbers, by id."""
    if dimension == "annex":
        return OUTSIDE_ANNEX if value is None else names.get(value, value)
    if dimension == "measure":
        return MEASURES[value].label if value and value in MEASURES else NO_MEASURE
    if value is None:
        return UNKNOWN
    if dimension in ("structure", "group"):
        return names.get(value, value)
    if dimension == "month":
        return month_label(value)
    return label(CODE_TABLES[dimension], value)
