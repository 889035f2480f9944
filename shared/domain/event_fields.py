"""Marshmallow building blocks of the event payloads: strict JSON fields and reusable checks."""

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate

from shared.domain.periods import plus_months

Validator = Callable[[Any], None]


class StrictFloat(fields.Float):
    """A JSON number: a string such as "12" is refused rather than silently converted."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBoolean(fields.Boolean):
    """A JSON boolean: "yes", 1 or "true" are refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class CodeOf(validate.OneOf):
    """Accepts only the codes of one table of shared.domain.codes, and keeps the table's French
    labels so that the published schemas can say what each code means."""

    def __init__(self, table: Mapping[str, str]) -> None:
        super().__init__(sorted(table), error="Must be one of: {choices}.")
        self.labels: Mapping[str, str] = table


def code_of(table: Mapping[str, str]) -> CodeOf:
    """Validator accepting only the codes of one table of shared.domain.codes."""
    return CodeOf(table)


def satisfies(predicate: Callable[[str], bool], message: str) -> Validator:
    """Validator from a boolean predicate of shared.domain.identifiers."""

    def check(value: str) -> None:
        if not predicate(value):
            raise ValidationError(message)

    return check


def unique(values: list[Any]) -> None:
    """A list of codes must not repeat one (repeats would inflate counts)."""
    if len(set(values)) != len(values):
        raise ValidationError("Must not contain duplicates.")


def hours(maximum: float | None = None, allow_zero: bool = False, **kwargs: Any) -> StrictFloat:
    """A number of hours, positive (or zero when allowed), with an optional maximum."""
    bounds = validate.Range(min=0, max=maximum, min_inclusive=allow_zero)
    return StrictFloat(validate=bounds, **kwargs)


def check_period(data: Mapping[str, Any], start: str = "start_on", end: str = "end_on") -> None:
    """An end date is never before its start date."""
    if data.get(start) and data.get(end) and data[end] < data[start]:
        raise ValidationError(f"Must not be before {start}.", field_name=end)


def check_within_months(
    data: Mapping[str, Any], months: int, start: str = "start_on", end: str = "end_on"
) -> None:
    """An end date is at most a number of calendar months after its start date."""
    first, last = data.get(start), data.get(end)
    if isinstance(first, date) and isinstance(last, date) and last > plus_months(first, months):
        raise ValidationError(f"Must be at most {months} month(s) after {start}.", field_name=end)


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested messages as {"a.b.0": [...]}, the API's field paths."""
    if not isinstance(messages, Mapping):
        return {prefix or "_schema": [str(m) for m in _as_list(messages)]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        path = prefix if key == "_schema" else ".".join(p for p in (prefix, str(key)) if p)
        for field, texts in flatten_messages(value, path).items():
            flat.setdefault(field, []).extend(texts)
    return flat


def _as_list(value: Any) -> list[Any]:
    """Marshmallow gives a message or a list of messages."""
    return value if isinstance(value, list) else [value]
