"""Annexes financières and their avenants (docs/domain.md §6, §6b): the states that count, the
number's shape, and the ETP an annexe funds on a given day.

An annexe financière (AF) funds, for one structure and one measure, a number of ETP over a
period; an avenant (amendment) changes that number from a date. Pure: no I/O, no clock.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from shared.domain.codes import MONTHS_FR
from shared.domain.measures import MEASURES

# Every state an AF can be in, with its French label. Only the counting states enter the ETP
# conventionnés and the no-overlap rule; a draft or a cancelled AF is kept but never counts.
STATES: Mapping[str, str] = {
    "BROUILLON": "Brouillon",
    "PROVISOIRE": "Provisoire",
    "VALIDE": "Validée",
    "CLOTURE": "Clôturée",
    "ANNULE": "Annulée",
}
COUNTING_STATES: frozenset[str] = frozenset({"PROVISOIRE", "VALIDE", "CLOTURE"})

# The ASP number, e.g. ACI051170013A0M1: measure, département, year, sequence, then the avenant
# (A…) and modification (M…) numbers. Measure prefixes vary in length (AI, ACI, ETTI, EITI…) and
# no published rule fixes every part, so the check is deliberately loose: 8 to 30 capital letters
# or digits, spaces dropped and letters upper-cased before the check.
_NUMBER = re.compile(r"[A-Z0-9]{8,30}")
NUMBER_MESSAGE = "Numéro d'annexe invalide : 8 à 30 lettres ou chiffres (ex. : ACI051170013A0M1)."

# The annual hours of one full-time ETP can never exceed 48 h (the legal weekly maximum) x 52
# weeks; above that a reference is a typing error, not a convention.
MAX_REFERENCE_HOURS = 48.0 * 52
REFERENCE_HOURS_MESSAGE = (
    "Heures annuelles de référence invalides : plus de 0 et au plus 2 496 (48 h x 52 semaines)."
)
# Far above any single AF (the largest structures fund a few hundred ETP): a typing error.
MAX_ETP = 10_000.0
ETP_MESSAGE = "Le nombre d'ETP conventionnés doit être supérieur à 0 (et au plus 10 000)."

UNKNOWN_STATE = "État d'annexe inconnu ; valeurs possibles : " + ", ".join(STATES) + "."
ENDS_BEFORE_START = "La date de fin doit être égale ou postérieure à la date de début ({})."
OUTSIDE_VALIDITY = (
    "La date d'effet de l'avenant doit être comprise dans la validité de l'annexe ({} – {})."
)
AMENDMENTS_AFTER_END = "Un avenant prend effet le {} : la fin de l'annexe ne peut pas le précéder."


@dataclass(frozen=True)
class Amendment:
    """An avenant: from `effective_on` the annexe funds `etp_conventioned` ETP."""

    number: str
    effective_on: date
    etp_conventioned: float


@dataclass(frozen=True)
class Annex:
    """What the rules need of an annexe financière: its dates, state and funded ETP."""

    number: str
    measure: str
    state: str
    starts_on: date
    ends_on: date
    etp_conventioned: float

    @property
    def counts(self) -> bool:
        return counts(self.state)

    def covers(self, on: date) -> bool:
        """Whether the day lies in its validity (both ends inclusive)."""
        return self.starts_on <= on <= self.ends_on

    def overlaps(self, other: "Annex") -> bool:
        """Two inclusive periods share at least one day."""
        return self.starts_on <= other.ends_on and other.starts_on <= self.ends_on


def measure_error(measure: str, kind: str) -> str | None:
    """Why an AF of this measure cannot belong to a structure of this kind, or None."""
    found = MEASURES.get(measure)
    if found is None:
        return "Mesure inconnue ; valeurs possibles : " + ", ".join(MEASURES) + "."
    if found.kind != kind:
        own = ", ".join(m.code for m in MEASURES.values() if m.kind == kind) or "aucune"
        return f"La mesure {measure} n'est pas du type de la structure ({kind}) : {own}."
    return None


def default_reference_hours(measure: str) -> float:
    """The annual hours of one ETP the measure sets; an AF may set its own."""
    return MEASURES[measure].reference_hours


def counts(state: str) -> bool:
    """Whether an AF in this state counts (ETP conventionnés, no-overlap rule)."""
    return state in COUNTING_STATES


def normalize_number(value: str) -> str:
    """The number as stored: spaces removed, upper-cased."""
    return "".join(value.split()).upper()


def is_valid_number(value: str) -> bool:
    return _NUMBER.fullmatch(normalize_number(value)) is not None


def is_valid_reference_hours(hours: float) -> bool:
    return 0 < hours <= MAX_REFERENCE_HOURS


def is_valid_etp(etp: float) -> bool:
    return 0 < etp <= MAX_ETP


def clashes(annex: Annex, others: Iterable[Annex]) -> list[Annex]:
    """The other counting AFs of the same measure whose validity overlaps a counting `annex`
    (the caller passes the AFs of the same structure, without `annex` itself)."""
    if not annex.counts:
        return []
    return [
        other
        for other in others
        if other.counts and other.measure == annex.measure and annex.overlaps(other)
    ]


def funded_etp_on(annex: Annex, amendments: Iterable[Amendment], on: date) -> float:
    """The ETP the AF funds on that day: its own figure, replaced by each avenant from its
    effective date (the latest effective date wins; for one date, the last one given). Zero
    outside its validity or when it does not count (docs/domain.md §6b)."""
    if not annex.counts or not annex.covers(on):
        return 0.0
    etp = annex.etp_conventioned
    in_force = [a for a in amendments if a.effective_on <= on]
    for amendment in sorted(in_force, key=lambda a: a.effective_on):
        etp = amendment.etp_conventioned
    return etp


def months_touched(starts_on: date, ends_on: date) -> list[date]:
    """The first days of the calendar months a validity touches, in order."""
    months, month = [], starts_on.replace(day=1)
    while month <= ends_on:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def month_annexes(annexes: Iterable[Annex]) -> dict[date, Annex]:
    """Which AF each month of hours belongs to, among the AFs of one structure and measure
    (docs/adr/0012-etp-attribution.md): the counting AF covering the month's first day, else
    the counting AF starting earliest during the month. Months no counting AF touches are left
    out: their hours are outside any AF. FDI AFs never fund hours (docs/domain.md §6b)."""
    found: dict[date, Annex] = {}
    counting = [a for a in annexes if a.counts and MEASURES[a.measure].counts_in_etp]
    for annex in sorted(counting, key=lambda a: a.starts_on):
        for month in months_touched(annex.starts_on, annex.ends_on):
            held = found.get(month)
            if held is None or (annex.covers(month) and not held.covers(month)):
                found[month] = annex
    return found


def month_funded_etp(annex: Annex, amendments: Iterable[Amendment], month: date) -> float:
    """The ETP an AF funds for a month it holds: the figure in force on the first day it covers
    in that month (an avenant effective mid-month counts from the next month, unless the AF
    itself starts that month on or after the avenant's date)."""
    return funded_etp_on(annex, amendments, max(month, annex.starts_on))


# An AF consuming less than 90 % of what it funds so far this year is likely to lose funds at
# the dialogue de gestion (the State re-allocates unconsumed ETP mid-year); above 105 % the
# structure works hours the State will not pay (docs/adr/0012-etp-attribution.md). Settings
# `ANNEX_UNDER_CONSUMPTION`, `ANNEX_OVER_CONSUMPTION` may change them.
UNDER_CONSUMPTION = 0.90
OVER_CONSUMPTION = 1.05
UNDER_CONSUMPTION_CODE = "annex_under_consumption"
OVER_CONSUMPTION_CODE = "annex_over_consumption"


def consumption_code(
    realised: float, funded: float, under: float = UNDER_CONSUMPTION, over: float = OVER_CONSUMPTION
) -> str | None:
    """The alert an AF's consumption raises (realised and funded ETP over the same months)."""
    if funded <= 0:
        return None
    if realised < under * funded:
        return UNDER_CONSUMPTION_CODE
    if realised > over * funded:
        return OVER_CONSUMPTION_CODE
    return None


def consumption_message(number: str, realised: float, funded: float, last_month: date) -> str:
    """What staff read of an AF consuming too little or too much since January."""
    rate = f"{realised / funded * 100:.0f}".replace(".", ",")
    months = f"de janvier à {MONTHS_FR[last_month.month - 1]} {last_month.year}"
    figures = f"{realised:.2f} ETP réalisés pour {funded:.2f} conventionnés".replace(".", ",")
    return f"Annexe {number} : {rate} % des ETP conventionnés consommés {months} ({figures})."
