"""French labels of report keys: what staff read in rows, exports and the dashboard."""

from __future__ import annotations

from shared.domain.codes import AGE_BANDS, ELIGIBILITY_CRITERIA, SEXES, STRUCTURE_KINDS, label
from shared.domain.territories import DEPARTMENTS, REGIONS

MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
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

# A transfer between two members of a group, counted apart in group reports (docs/domain.md §8).
INTERNAL_MOVES_LABEL = "Mouvements internes au GES"


def month_label(month: str) -> str:
    """'2026-01' → 'janvier 2026'."""
    year, number = month.split("-")
    return f"{MONTHS_FR[int(number) - 1]} {year}"


def key_label(dimension: str, value: str | None, names: dict[str, str]) -> str:
    """French label of one key value; `names` holds structure and group names by id."""
    if value is None:
        return UNKNOWN
    if dimension in ("structure", "group"):
        return names.get(value, value)
    if dimension == "month":
        return month_label(value)
    return label(CODE_TABLES[dimension], value)
