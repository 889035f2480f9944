"""Which versions of an event's data a client may send: the current one (shared/domain/events.py
SCHEMA_VERSION) and, during their deprecation window, the previous ones listed here. A previous
version sent is upcast to the current one before it is validated and stored; the answer then
carries the `Deprecation` and `Sunset` headers. The changelog is in docs/integration.md."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from marshmallow import Schema, fields

from shared.domain import codes
from shared.domain import events as ev
from shared.domain.event_fields import code_of, unique


@dataclass(frozen=True)
class Window:
    """A deprecated version: deprecated since `deprecated_on`, accepted until `sunset_on`
    (included), refused after."""

    deprecated_on: date
    sunset_on: date


# (type, version) → its deprecation window.
DEPRECATED: Mapping[tuple[str, int], Window] = {
    (ev.PATHWAY_OPENED, 2): Window(date(2026, 12, 7), date(2027, 6, 30)),
}


def _criteria_before_renaming() -> dict[str, str]:
    old = {new: previous for previous, new in codes.RENAMED_CRITERIA.items()}
    return {old.get(code, code): label for code, label in codes.ELIGIBILITY_CRITERIA.items()}


class EligibilityV2Schema(ev.EligibilitySchema):
    criteria = fields.List(
        fields.String(validate=code_of(_criteria_before_renaming())), required=True, validate=unique
    )


class PathwayOpenedV2Schema(ev.PathwayOpenedSchema):
    """pathway_opened as sent in version 2: the criteria before their renaming."""

    eligibility = fields.Nested(EligibilityV2Schema, required=True)


# The data schema of each deprecated version, published while it is accepted.
PREVIOUS_DATA_SCHEMAS: Mapping[tuple[str, int], type[Schema]] = {
    (ev.PATHWAY_OPENED, 2): PathwayOpenedV2Schema,
}


class RetiredVersion(ValueError):
    """A version a client may not send (any more, or not yet)."""


def accepted_versions(event_type: str) -> list[int]:
    """The versions of `event_type` a client may send, oldest first (deprecated ones included)."""
    previous = sorted(v for t, v in DEPRECATED if t == event_type)
    return [*previous, ev.SCHEMA_VERSION[event_type]]


def data_schema(event_type: str, version: int) -> type[Schema]:
    """The data schema of an accepted version of `event_type`; KeyError for any other."""
    if version == ev.SCHEMA_VERSION[event_type]:
        return ev.DATA_SCHEMAS[event_type]
    return PREVIOUS_DATA_SCHEMAS[(event_type, version)]


def check_sendable(event_type: str, version: int, today: date) -> Window | None:
    """The deprecation window of a version a client sends (None: the current one); a version
    that is not accepted on `today` raises RetiredVersion with a French message."""
    current = ev.SCHEMA_VERSION[event_type]
    if version == current:
        return None
    window = DEPRECATED.get((event_type, version))
    if window is None:
        raise RetiredVersion(
            f"Version non acceptée pour {event_type} : la version courante est {current}."
        )
    if today > window.sunset_on:
        raise RetiredVersion(
            f"La version {version} de {event_type} n'est plus acceptée depuis le "
            f"{window.sunset_on.strftime('%d/%m/%Y')} : envoyez la version {current}."
        )
    return window
