"""What a decision needs besides the pathway's own events: the caller's structure and the person."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PersonFacts:
    """The identity facts rules need (age, sex); never stored in events."""

    person_id: str
    birth_date: date
    sex: str


@dataclass(frozen=True)
class Context:
    """The structure appending events (its kind decides many rules), today, and the person."""

    structure_id: str
    kind: str
    today: date
    person: PersonFacts | None = None
    # The end of the latest PASS among the person's other pathways, read for an opening
    # diagnosed by the employer (the two-year waiting period); None when unknown or none.
    previous_pass_end_on: date | None = None
