"""The State's measures of aide au poste, and the ETP they count hours by (docs/domain.md §6).

A measure (mesure, dispositif) is what an annexe financière funds: one per structure kind for the
common law (`_DC`, droit commun) and one for work in prison (`_MP`, milieu pénitentiaire) where it
exists. Each carries the annual hours of one full-time employee that turns hours into ETP; it is
data, kept here once, and an annexe financière may set its own.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

# 35 h x 52 weeks: the usual annual hours of a full-time employee in the State's tables.
USUAL_REFERENCE_HOURS = 1820.0
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class Measure:
    code: str
    kind: str
    label: str
    reference_hours: float = USUAL_REFERENCE_HOURS
    counts_in_etp: bool = True


MEASURES: Mapping[str, Measure] = {
    m.code: m
    for m in (
        Measure("ACI_DC", "ACI", "Atelier et chantier d'insertion (droit commun)"),
        Measure("ACI_MP", "ACI", "Atelier et chantier d'insertion (milieu pénitentiaire)"),
        Measure("EI_DC", "EI", "Entreprise d'insertion (droit commun)"),
        Measure("EI_MP", "EI", "Entreprise d'insertion (milieu pénitentiaire)"),
        Measure("AI_DC", "AI", "Association intermédiaire (droit commun)"),
        Measure("ETTI_DC", "ETTI", "Entreprise de travail temporaire d'insertion (droit commun)"),
        Measure("EITI_DC", "EITI", "Entreprise d'insertion par le travail indépendant"),
        # Fonds départemental d'insertion: not an aide au poste, never counted in ETP.
        *(
            Measure(f"FDI_{k}", k, f"Fonds départemental d'insertion ({k})", counts_in_etp=False)
            for k in ("ACI", "EI", "AI", "ETTI", "EITI")
        ),
    )
}


def default_measure(kind: str) -> Measure | None:
    """The common-law measure of a structure kind; None for kinds without a convention."""
    return MEASURES.get(f"{kind}_DC")


def reference_hours(kind: str) -> float:
    """Annual hours of one ETP for a kind's default measure (ETT_ESS and OSP: the usual 1,820)."""
    measure = default_measure(kind)
    return measure.reference_hours if measure else USUAL_REFERENCE_HOURS


def monthly_etp(hours: float, reference: float) -> float:
    """The ETP of one month's hours: hours x 12 / the annual reference hours."""
    return hours * MONTHS_PER_YEAR / reference


def period_etp(months: Iterable[tuple[float, float]], months_in_period: int) -> float:
    """ETP over a period: the monthly ETP of each (hours, reference) summed, over its months.

    No proration by days: a period of n calendar months (whole or in part) divides by n.
    """
    if months_in_period <= 0:
        return 0.0
    return sum(monthly_etp(h, ref) for h, ref in months) / months_in_period


def calendar_months(start: date, end: date) -> int:
    """How many calendar months the days from `start` to `end` (inclusive) touch."""
    if end < start:
        return 0
    return (end.year - start.year) * MONTHS_PER_YEAR + end.month - start.month + 1


def pathway_measure(kind: str | None, measure: str | None) -> str | None:
    """The measure a pathway's hours count under: the one it names, else its structure kind's
    default (None for kinds without a convention, ETT_ESS and OSP)."""
    if measure:
        return measure
    found = default_measure(kind or "")
    return found.code if found else None


def pathway_measure_problem(kind: str, measure: str) -> str | None:
    """Why a pathway of a structure of `kind` cannot name `measure`, or None. Only an aide au
    poste measure of the structure's own kind fits; FDI never funds a pathway's hours."""
    found = MEASURES.get(measure)
    if found is None:
        return f"Unknown measure {measure}."
    if default_measure(kind) is None:
        return f"A structure of kind {kind} has no convention, hence no measure."
    if not found.counts_in_etp:
        return f"{measure} (fonds départemental d'insertion) is not an aide au poste measure."
    if found.kind != kind:
        own = ", ".join(m.code for m in MEASURES.values() if m.kind == kind and m.counts_in_etp)
        return f"{measure} is not a measure of a {kind}: {own}."
    return None
