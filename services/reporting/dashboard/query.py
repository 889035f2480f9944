"""What the dashboard is asked to show: a period and the filters the caller's scope allows.

Pure functions over the page's query string, so every rule (period bounds, scope) is tested
without a server; the report API checks the scope again on every call."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.reporting.reports.labels import DIMENSION_LABELS
from shared.auth import Caller
from shared.domain.codes import STRUCTURE_KINDS
from shared.domain.territories import DEPARTMENT_REGION, DEPARTMENTS, REGIONS

PERIOD_KINDS: Mapping[str, str] = {
    "year": "Année",
    "quarter": "Trimestre",
    "month": "Mois",
    "custom": "Période personnalisée",
}
DIMENSIONS: Mapping[str, str] = DIMENSION_LABELS
# A structure sees only itself: breakdowns by structure or territory would be a single row.
STRUCTURE_DIMENSIONS = ("month", "criterion", "sex", "age_band")
YEARS_BACK = 6  # years offered in the picker (our choice: the PASS clock plus the waiting period)


class InvalidChoice(Exception):
    """A value of the query string the page cannot use; `status` 403 when outside the scope."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date
    year: int
    quarter: int
    month: int


@dataclass(frozen=True)
class Selection:
    """A period, the report API's filters, an optional region and the table's dimension."""

    period: Period
    filters: dict[str, str] = field(default_factory=dict)
    region: str | None = None
    dimension: str = "structure"


def selection(args: Mapping[str, str], caller: Caller, today: date) -> Selection:
    """Read the page's query string for this caller, or raise InvalidChoice in French."""
    filters, region = scoped_filters(args, caller)
    return Selection(parse_period(args, today), filters, region, _dimension(args, caller))


def parse_period(args: Mapping[str, str], today: date) -> Period:
    kind = args.get("period") or "year"
    if kind not in PERIOD_KINDS:
        raise InvalidChoice("Type de période inconnu.")
    year = _int(args.get("year"), today.year, today.year - YEARS_BACK, today.year, "Année")
    quarter = _int(args.get("quarter"), (today.month - 1) // 3 + 1, 1, 4, "Trimestre")
    month = _int(args.get("month"), today.month, 1, 12, "Mois")
    start, end = _bounds(kind, year, quarter, month, args)
    if start > today:
        raise InvalidChoice("La période choisie commence après aujourd'hui.")
    return Period(kind, start, min(end, today), year, quarter, month)


def _bounds(kind: str, year: int, quarter: int, month: int, args: Mapping[str, str]):
    if kind == "year":
        return date(year, 1, 1), date(year, 12, 31)
    if kind == "quarter":
        return date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    if kind == "month":
        return date(year, month, 1), _month_end(year, month)
    start, end = _date(args.get("from"), "Date de début"), _date(args.get("to"), "Date de fin")
    if end < start:
        raise InvalidChoice("La date de fin précède la date de début.")
    return start, end


def _month_end(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def _int(raw: str | None, default: int, low: int, high: int, name: str) -> int:
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidChoice(f"{name} : choisissez une valeur entre {low} et {high}.")
    return int(raw)


def _date(raw: str | None, name: str) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        raise InvalidChoice(f"{name} : saisissez une date au format AAAA-MM-JJ.") from None


def scoped_filters(args: Mapping[str, str], caller: Caller) -> tuple[dict[str, str], str | None]:
    """The report API's filters this caller may use; another structure or GES is refused."""
    if caller.scope == "structure":
        _own(args.get("structure_id"), caller.structure_id, "Cette structure")
        return {"structure_id": str(caller.structure_id)}, None
    chosen = _common_filters(args)
    if caller.scope == "group":
        _own(args.get("group_id"), caller.group_id, "Ce GES")
        return {**chosen, "group_id": str(caller.group_id)}, None
    if caller.scope == "territory":
        return _in_area(args, chosen, caller), None
    region = _code(args.get("region"), REGIONS, "Région")
    if region and chosen.get("department"):
        if DEPARTMENT_REGION[chosen["department"]] != region:
            raise InvalidChoice("Ce département n'appartient pas à la région choisie.")
        region = None  # the département is the narrower filter
    return {**chosen, **_ids(args, ("group_id",))}, region


def area_departments(caller: Caller) -> dict[str, str]:
    """The départements a territory token reads (docs/domain.md §6c), by code."""
    return {
        code: name
        for code, name in DEPARTMENTS.items()
        if code == caller.department
        or (caller.department is None and DEPARTMENT_REGION[code] == caller.region)
    }


def _in_area(args: Mapping[str, str], chosen: dict[str, str], caller: Caller) -> dict[str, str]:
    """A territory's filters: a département or region of its own area only (the report API
    restricts every figure to the area and refuses a structure outside it)."""
    outside = "Ce territoire ne peut consulter que les structures de sa zone."
    if chosen.get("department") and chosen["department"] not in area_departments(caller):
        raise InvalidChoice(outside, status=403)
    region = _code(args.get("region"), REGIONS, "Région")
    own_region = caller.region or DEPARTMENT_REGION.get(caller.department or "")
    if region and region != own_region:
        raise InvalidChoice(outside, status=403)
    return chosen


def _own(raw: str | None, own: str | None, what: str) -> None:
    if raw and raw != str(own):
        raise InvalidChoice(f"{what} ne peut consulter que ses propres données.", status=403)


def _common_filters(args: Mapping[str, str]) -> dict[str, str]:
    chosen = _ids(args, ("structure_id",))
    kind = _code(args.get("kind"), STRUCTURE_KINDS, "Type de structure")
    department = _code(args.get("department"), DEPARTMENTS, "Département")
    chosen.update({k: v for k, v in (("kind", kind), ("department", department)) if v})
    return chosen


def _ids(args: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    chosen = {}
    for name in names:
        raw = args.get(name)
        if not raw:
            continue
        try:
            chosen[name] = str(uuid.UUID(raw))
        except ValueError:
            raise InvalidChoice("Identifiant de structure ou de GES mal formé.") from None
    return chosen


def _code(raw: str | None, table: Mapping[str, str], name: str) -> str | None:
    if raw and raw not in table:
        raise InvalidChoice(f"{name} inconnu(e) : « {raw} ».")
    return raw or None


def _dimension(args: Mapping[str, str], caller: Caller) -> str:
    allowed = dimensions_for(caller)
    chosen = args.get("by") or allowed[0]
    if chosen not in allowed:
        raise InvalidChoice("Cette ventilation n'est pas proposée pour votre accès.")
    return chosen


def dimensions_for(caller: Caller) -> tuple[str, ...]:
    if caller.scope == "structure":
        return STRUCTURE_DIMENSIONS
    if caller.scope in ("group", "territory"):
        return tuple(d for d in DIMENSIONS if d != "group")
    return tuple(DIMENSIONS)


def report_params(chosen: Selection, group_by: tuple[str, ...]) -> dict[str, str]:
    """The report API's query for this selection; a region becomes the first dimension."""
    dims = group_by
    if chosen.region:
        dims = ("region", *(d for d in group_by if d != "region"))
    params = {"from": chosen.period.start.isoformat(), "to": chosen.period.end.isoformat()}
    if dims:
        params["group_by"] = ",".join(dims)
    return {**params, **chosen.filters}


def in_region(row: Mapping, region: str | None) -> bool:
    """Keep a report row when no region is chosen, or when it belongs to the chosen one."""
    return region is None or str(row.get("key", {}).get("region")) == region
