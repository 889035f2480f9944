"""Synthetic annexes financières of a demo network (docs/domain.md §6b): one per conventioned
structure and year of its hours, funding about the ETP its generated hours give.

Pure: the same seed, structures and hours always give the same annexes. Our choices, for a demo
that shows every case of the « ETP » page: past years `VALIDE`, the current one `PROVISOIRE`;
funded ETP within about ±12 % of the realised ones, so that some annexes raise the under- or
over-consumption alert; the first ETTI counts by 1,607 h a year; every fourth structure gets an
avenant on 1 July of a past year; the first conventioned structure's last past annexe ends on
30 November, leaving its December outside any annexe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from client.synthetic import StructureSpec, rng_for
from shared.domain.measures import default_measure, monthly_etp

ETTI_REFERENCE_HOURS = 1607.0  # a collective agreement's 35 h less the days it grants
FUNDING_SPREAD = (0.88, 1.12)
AMENDED_EVERY = 4
AMENDMENT_FACTORS = (0.9, 1.1)
MIN_ETP = 0.1

# Hours by month ("YYYY-MM" → hours) of one structure's default-measure pathways.
Hours = Mapping[str, float]


@dataclass(frozen=True)
class AmendmentSpec:
    number: str
    effective_on: date
    etp_conventioned: float


@dataclass(frozen=True)
class AnnexSpec:
    structure_index: int
    number: str
    measure: str
    state: str
    starts_on: date
    ends_on: date
    etp_conventioned: float
    reference_hours: float | None
    amendments: tuple[AmendmentSpec, ...] = ()

    def body(self) -> dict:
        """The registry's POST /v1/structures/{id}/annexes body."""
        body = {
            "number": self.number,
            "measure": self.measure,
            "state": self.state,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "etp_conventioned": self.etp_conventioned,
        }
        return {**body, "reference_hours": self.reference_hours} if self.reference_hours else body


def annexes(
    seed: int, specs: Iterable[StructureSpec], hours: Mapping[int, Hours], today: date
) -> list[AnnexSpec]:
    """The annexes of every conventioned structure, by structure then year."""
    found: list[AnnexSpec] = []
    conventioned = [s for s in specs if default_measure(s.kind) and s.convention_number]
    first_etti = next((s.index for s in conventioned if s.kind == "ETTI"), None)
    for n, spec in enumerate(conventioned):
        reference = ETTI_REFERENCE_HOURS if spec.index == first_etti else None
        by_month = hours.get(spec.index, {})
        years = sorted({int(month[:4]) for month in by_month})
        for year in years:
            last_past = year == max((y for y in years if y < today.year), default=None)
            found.append(
                _annex(seed, spec, year, by_month, reference, today, n, last_past and n == 0)
            )
    return found


def _annex(
    seed: int,
    spec: StructureSpec,
    year: int,
    by_month: Hours,
    reference: float | None,
    today: date,
    n: int,
    short: bool,
) -> AnnexSpec:
    rng = rng_for(seed, "annex", spec.index, year)
    measure = default_measure(spec.kind)
    assert measure is not None  # conventioned structures only
    months = sorted(m for m in by_month if m.startswith(f"{year}-"))
    starts_on = date.fromisoformat(f"{months[0]}-01")
    current = year == today.year
    # The months it funds so far: from its start to December, or to the last complete month.
    last = max(today.month - 1, starts_on.month) if current else 12
    hours = sum(by_month[m] for m in months if int(m[5:]) <= last)
    span = last - starts_on.month + 1
    realised = monthly_etp(hours, reference or measure.reference_hours) / span
    etp = max(MIN_ETP, round(realised * rng.uniform(*FUNDING_SPREAD), 1))
    number = f"{spec.kind}{spec.department:0>3}{year % 100:02d}{spec.index:04d}"
    amendments: tuple[AmendmentSpec, ...] = ()
    july = date(year, 7, 1)
    if not current and n % AMENDED_EVERY == 1 and starts_on < july:
        amended = max(MIN_ETP, round(etp * rng.choice(AMENDMENT_FACTORS), 1))
        amendments = (AmendmentSpec(f"{number}A1M0", july, amended),)
    return AnnexSpec(
        spec.index,
        f"{number}A0M0",
        measure.code,
        "PROVISOIRE" if current else "VALIDE",
        starts_on,
        date(year, 11, 30) if short else date(year, 12, 31),
        etp,
        reference,
        amendments,
    )
