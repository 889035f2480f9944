"""The records a pathway is made of: contracts, mises à disposition, the PASS IAE and its clock.

Plain data, shared by the pathways decider and the reporting derivation (docs/domain.md §4–§8).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from shared.domain.limits import PASS_DURATION_DAYS, SUSPENSION_MAX_MONTHS
from shared.domain.periods import plus_months


def pass_end_from(start_on: date) -> date:
    """The end of a PASS IAE that starts on `start_on`: two years, i.e. start + 730 days - 1."""
    return start_on + timedelta(days=PASS_DURATION_DAYS - 1)


def suspension_latest_end(start_on: date) -> date:
    """The last day a PASS suspension starting on `start_on` may run: 36 months less a day."""
    return plus_months(start_on, SUSPENSION_MAX_MONTHS) - timedelta(days=1)


@dataclass(frozen=True)
class Event:
    """One stored event: `data` is its JSON form (ISO dates, UUIDs as strings)."""

    id: str
    type: str
    occurred_on: date
    data: dict[str, Any]
    version: int = 0


@dataclass
class Suspension:
    start_on: date
    end_on: date
    reason: str

    @property
    def days(self) -> int:
        """Days the suspension pushes the PASS end back (both ends included)."""
        return (self.end_on - self.start_on).days + 1


@dataclass
class Prolongation:
    end_on: date
    reason: str
    declared_on: date
    extension_days: int  # from the PASS end when it was declared to its new end


@dataclass
class PassIae:
    number: str | None  # None once erased with the person, and in reporting (docs/domain.md §10)
    start_on: date
    base_end_on: date
    suspensions: list[Suspension] = field(default_factory=list)
    prolongations: list[Prolongation] = field(default_factory=list)

    @property
    def end_on(self) -> date:
        """Base end pushed back by every suspension and prolongation."""
        pushed = sum(s.days for s in self.suspensions)
        pushed += sum(p.extension_days for p in self.prolongations)
        return self.base_end_on + timedelta(days=pushed)


@dataclass
class Contract:
    id: str
    type: str
    start_on: date
    planned_end_on: date | None
    weekly_hours: float
    rome_code: str | None = None
    ended_on: date | None = None
    end_reason: str | None = None
    renewals: list[date] = field(default_factory=list)

    @property
    def running(self) -> bool:
        """A started contract runs until a contract_ended says otherwise."""
        return self.ended_on is None

    def ran_during(self, first: date, last: date) -> bool:
        """Whether the contract ran on at least one day of the period."""
        return self.start_on <= last and (self.ended_on is None or self.ended_on >= first)

    def last_day(self, today: date) -> date:
        """Known or planned last day; today for an open-ended one still running."""
        return self.ended_on or self.planned_end_on or today


@dataclass
class MiseADisposition:
    client_kind: str
    client_siret: str | None
    start_on: date
    end_on: date
    hours: float


@dataclass
class Training:
    id: str
    kind: str
    started_on: date
    title: str | None = None
    planned_hours: float | None = None
    completed_on: date | None = None
    hours: float | None = None
    certified: bool | None = None


@dataclass
class Immersion:
    objective: str
    start_on: date
    end_on: date
    host_siret: str | None = None


@dataclass
class Exit:
    on: date
    reason: str
    transferred_to: dict[str, str] | None = None


@dataclass(frozen=True)
class PostExitSituation:
    """What became of the person `months_after` months after the exit (docs/domain.md §8)."""

    months_after: int
    situation: str
    source: str
    recorded_on: date
