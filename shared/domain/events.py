"""The pathway event contract, shared by the writer (pathways) and the readers (reporting).

One marshmallow schema per event type validates the `data` of an event exactly as docs/api.md lists
it; unknown fields are refused (marshmallow's RAISE default). What is stored in the log is the
JSON form returned by `load_event_data`: dates as ISO strings, UUIDs as lower-case strings.
"""

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from shared.domain import codes
from shared.domain.event_fields import (
    StrictBoolean,
    check_period,
    check_within_months,
    code_of,
    flatten_messages,
    hours,
    satisfies,
    unique,
)
from shared.domain.identifiers import is_valid_pass_number, is_valid_rome_code, is_valid_siret
from shared.domain.limits import (
    IMMERSION_MAX_MONTHS,
    MAX_MONTHLY_HOURS,
    MAX_SUPPORT_ACTION_HOURS,
    MAX_TRAINING_HOURS,
    MAX_WEEKLY_HOURS,
    SUSPENSION_MAX_MONTHS,
)
from shared.domain.measures import MEASURES
from shared.domain.pathway.records import pass_end_from, suspension_latest_end
from shared.domain.post_exit import MONTHS_AFTER

PATHWAY_OPENED = "pathway_opened"
CONTRACT_STARTED = "contract_started"
CONTRACT_RENEWED = "contract_renewed"
CONTRACT_ENDED = "contract_ended"
MISE_A_DISPOSITION_RECORDED = "mise_a_disposition_recorded"
HOURS_WORKED_RECORDED = "hours_worked_recorded"
TRAINING_STARTED = "training_started"
TRAINING_COMPLETED = "training_completed"
SUPPORT_ACTION_RECORDED = "support_action_recorded"
IMMERSION_RECORDED = "immersion_recorded"
PASS_SUSPENDED = "pass_suspended"
PASS_PROLONGED = "pass_prolonged"
PATHWAY_EXITED = "pathway_exited"
EVENT_VOIDED = "event_voided"
POST_EXIT_SITUATION_RECORDED = "post_exit_situation_recorded"

# Added by the server to the stored pathway_opened data (never accepted from a client), so that
# statistics survive the erasure of the person.
OPENED_SERVER_FIELDS = ("sex", "age_band")

_SIRET = satisfies(is_valid_siret, "Not a valid SIRET (14 digits with a valid check key).")
_MONTH = validate.Regexp(r"^[0-9]{4}-(0[1-9]|1[0-2])$", error="Not a valid month (YYYY-MM).")


class UnknownEventType(ValueError):
    """Raised for an event type this contract does not define."""


class _Period(Schema):
    """A payload with start_on and end_on, the end never before the start."""

    start_on = fields.Date(required=True)
    end_on = fields.Date(required=True)

    @validates_schema
    def _end_after_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_period(data)


class EligibilitySchema(Schema):
    """Who diagnosed eligibility, and the criteria found (domain §3)."""

    diagnosed_by = fields.String(required=True, validate=code_of(codes.DIAGNOSED_BY))
    criteria = fields.List(
        fields.String(validate=code_of(codes.ELIGIBILITY_CRITERIA)), required=True, validate=unique
    )


class PassIaeSchema(Schema):
    """The PASS IAE the person holds at entry, with its initial dates.

    Without `end_on` the end is computed (two years) and stored; a sent end that disagrees with
    it is kept and warned about (`pass_end_on_differs`).
    """

    number = fields.String(
        required=True,
        validate=satisfies(
            is_valid_pass_number, "Not a valid PASS IAE number (12 letters or digits)."
        ),
    )
    start_on = fields.Date(required=True)
    end_on = fields.Date()

    @validates_schema
    def _end_after_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "end_on" in data:
            check_period(data)

    @post_load
    def _computed_end(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data.setdefault("end_on", pass_end_from(data["start_on"]))
        return data


class TransferSchema(Schema):
    """The pathway a transferred person continues in (passerelle)."""

    structure_id = fields.UUID(required=True)
    pathway_id = fields.UUID(required=True)


class PathwayOpenedSchema(Schema):
    person_id = fields.UUID(required=True)
    structure_id = fields.UUID(required=True)
    orienteur = fields.String(required=True, validate=code_of(codes.ORIENTEURS))
    eligibility = fields.Nested(EligibilitySchema, required=True)
    education_level = fields.String(validate=code_of(codes.EDUCATION_LEVELS))
    pass_iae = fields.Nested(PassIaeSchema)
    # The measure the pathway's hours count under (docs/domain.md §6b); absent: the structure
    # kind's `_DC`. Whether it fits the structure's kind is the decision's (pathways rules).
    measure = fields.String(
        validate=validate.OneOf(sorted(MEASURES), error="Must be one of: {choices}.")
    )


class ContractStartedSchema(Schema):
    contract_id = fields.UUID(required=True)
    contract_type = fields.String(required=True, validate=code_of(codes.CONTRACT_TYPES))
    start_on = fields.Date(required=True)
    planned_end_on = fields.Date()
    weekly_hours = hours(MAX_WEEKLY_HOURS, required=True)
    rome_code = fields.String(
        validate=satisfies(is_valid_rome_code, "Not a valid ROME code (e.g. K2204).")
    )

    @validates_schema
    def _planned_end(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_period(data, end="planned_end_on")
        if "planned_end_on" in data and data["contract_type"] in codes.OPEN_ENDED_CONTRACT_TYPES:
            raise ValidationError(
                "An open-ended contract has no planned end.", field_name="planned_end_on"
            )


class ContractRenewedSchema(Schema):
    contract_id = fields.UUID(required=True)
    planned_end_on = fields.Date(required=True)


class ContractEndedSchema(Schema):
    contract_id = fields.UUID(required=True)
    ended_on = fields.Date(required=True)
    reason = fields.String(required=True, validate=code_of(codes.CONTRACT_END_REASONS))


class MiseADispositionSchema(_Period):
    client_kind = fields.String(required=True, validate=code_of(codes.CLIENT_KINDS))
    client_siret = fields.String(validate=_SIRET)
    hours = hours(required=True)

    @validates_schema
    def _company_siret(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A company MAD names the client, so that the hours counted toward the 480 hours of
        all companies together (L5132-9) can be traced to each company."""
        if data["client_kind"] == codes.COMPANY_CLIENT_KIND and "client_siret" not in data:
            raise ValidationError("Required for a company (entreprise).", "client_siret")

    @validates_schema
    def _at_most_48_hours_a_week(self, data: dict[str, Any], **kwargs: Any) -> None:
        """More than 48 hours a week over the period is impossible (L3121-20)."""
        days = (data["end_on"] - data["start_on"]).days + 1
        weeks = -(-days // 7)
        if days > 0 and data["hours"] > MAX_WEEKLY_HOURS * weeks:
            message = f"More than {MAX_WEEKLY_HOURS} hours a week over the period."
            raise ValidationError(message, "hours")


class HoursWorkedSchema(Schema):
    month = fields.String(required=True, validate=_MONTH)
    hours = hours(MAX_MONTHLY_HOURS, allow_zero=True, required=True)


class TrainingStartedSchema(Schema):
    training_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=code_of(codes.TRAINING_KINDS))
    title = fields.String(validate=validate.Length(min=1, max=200))
    planned_hours = hours(MAX_TRAINING_HOURS)


class TrainingCompletedSchema(Schema):
    training_id = fields.UUID(required=True)
    hours = hours(MAX_TRAINING_HOURS, allow_zero=True, required=True)
    certified = StrictBoolean(required=True)


class SupportActionSchema(Schema):
    domain = fields.String(required=True, validate=code_of(codes.SUPPORT_DOMAINS))
    topic = fields.String(required=True, validate=code_of(codes.SUPPORT_TOPICS))
    delivery = fields.String(required=True, validate=code_of(codes.SUPPORT_DELIVERIES))
    hours = hours(MAX_SUPPORT_ACTION_HOURS)

    @validates_schema
    def _topic_of_domain(self, data: dict[str, Any], **kwargs: Any) -> None:
        if codes.SUPPORT_TOPIC_DOMAIN[data["topic"]] != data["domain"]:
            raise ValidationError(f"Not a topic of the {data['domain']} domain.", "topic")


class ImmersionSchema(_Period):
    objective = fields.String(required=True, validate=code_of(codes.IMMERSION_OBJECTIVES))
    host_siret = fields.String(validate=_SIRET)
    prescribed_by = fields.String(validate=code_of(codes.IMMERSION_PRESCRIBERS))

    @validates_schema
    def _one_month_at_most(self, data: dict[str, Any], **kwargs: Any) -> None:
        """PMSMP: one month at most (décret 2023-1304)."""
        check_within_months(data, IMMERSION_MAX_MONTHS)


class PassSuspendedSchema(_Period):
    reason = fields.String(required=True, validate=code_of(codes.SUSPENSION_REASONS))

    @validates_schema
    def _thirty_six_months_at_most(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A suspension lasts 36 months at most: it ends on its start + 36 months - 1 day at
        the latest (docs/domain.md §4)."""
        start_on, end_on = data.get("start_on"), data.get("end_on")
        if isinstance(start_on, date) and isinstance(end_on, date):
            latest = suspension_latest_end(start_on)
            if end_on > latest:
                message = f"A suspension lasts at most {SUSPENSION_MAX_MONTHS} months: it ends "
                raise ValidationError(f"{message}on {latest.isoformat()} at the latest.", "end_on")


class PassProlongedSchema(Schema):
    end_on = fields.Date(required=True)
    reason = fields.String(required=True, validate=code_of(codes.PROLONGATION_REASONS))
    # RQTH, SENIOR and PARTICULAR_DIFFICULTIES need an authorised prescriber's agreement: without
    # it the prolongation is stored with a warning (docs/domain.md §4).
    approved_by = fields.String(validate=code_of(codes.PROLONGATION_APPROVERS))


class PathwayExitedSchema(Schema):
    reason = fields.String(required=True, validate=code_of(codes.EXIT_REASONS))
    transferred_to = fields.Nested(TransferSchema)


class EventVoidedSchema(Schema):
    event_id = fields.UUID(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class PostExitSituationSchema(Schema):
    """What became of the person `months_after` months after the exit, and who said so."""

    months_after = fields.Integer(
        required=True,
        strict=True,
        validate=validate.OneOf(MONTHS_AFTER, error="Must be one of: {choices}."),
    )
    situation = fields.String(required=True, validate=code_of(codes.POST_EXIT_SITUATIONS))
    source = fields.String(required=True, validate=code_of(codes.POST_EXIT_SOURCES))


DATA_SCHEMAS: Mapping[str, type[Schema]] = {
    PATHWAY_OPENED: PathwayOpenedSchema,
    CONTRACT_STARTED: ContractStartedSchema,
    CONTRACT_RENEWED: ContractRenewedSchema,
    CONTRACT_ENDED: ContractEndedSchema,
    MISE_A_DISPOSITION_RECORDED: MiseADispositionSchema,
    HOURS_WORKED_RECORDED: HoursWorkedSchema,
    TRAINING_STARTED: TrainingStartedSchema,
    TRAINING_COMPLETED: TrainingCompletedSchema,
    SUPPORT_ACTION_RECORDED: SupportActionSchema,
    IMMERSION_RECORDED: ImmersionSchema,
    PASS_SUSPENDED: PassSuspendedSchema,
    PASS_PROLONGED: PassProlongedSchema,
    PATHWAY_EXITED: PathwayExitedSchema,
    EVENT_VOIDED: EventVoidedSchema,
    POST_EXIT_SITUATION_RECORDED: PostExitSituationSchema,
}
EVENT_TYPES: tuple[str, ...] = tuple(DATA_SCHEMAS)

# Values that can identify a person never reach the log (docs/domain.md §10,
# docs/adr/0010-personal-data-out-of-the-log.md): the pathways service takes them out of the data
# on append and keeps them sealed with the person's identity, erased with it. Each is a path into
# the event's data; the feed and the reports never see them.
SEALED_FIELDS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    PATHWAY_OPENED: (("pass_iae", "number"),),
    TRAINING_STARTED: (("title",),),
    EVENT_VOIDED: (("reason",),),
}

# Version of each type's data schema, stored with every event (design §2); the changelog is in
# docs/integration.md. Version 2 of the types above: their data as the log keeps it, without the
# sealed values. pathway_opened 3: the criterion `PM` is renamed `MOBILITE`.
SCHEMA_VERSION: Mapping[str, int] = {
    **dict.fromkeys(EVENT_TYPES, 1),
    **dict.fromkeys(SEALED_FIELDS, 2),
    PATHWAY_OPENED: 3,
}

# The version of data stored, or read from a feed, before versions were written with events.
FIRST_VERSION = 1


def version_of(event: Mapping[str, Any]) -> int:
    """The schema version an event (a feed entry or a stored row as a mapping) was written in."""
    version: int = event.get("schema_version") or FIRST_VERSION
    return version


# (type, version) → function turning data of that version into data of the next version.
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


def split_sealed(event_type: str, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The data the log keeps, and the values taken out of it, keyed by dotted path (empty when
    the event carries none): `data` itself is left unchanged."""
    paths = SEALED_FIELDS.get(event_type)
    if not paths:
        return data, {}
    kept = dict(data)
    sealed: dict[str, Any] = {}
    for *parents, leaf in paths:
        holder: dict[str, Any] | None = kept
        for name in parents:
            child = holder.get(name) if holder is not None else None
            holder = dict(child) if isinstance(child, dict) else None
            if holder is not None:
                kept[name] = holder  # one level deep: pass_iae
        if holder is not None and leaf in holder:
            sealed[".".join([*parents, leaf])] = holder.pop(leaf)
    return kept, sealed


def with_sealed(
    event_type: str, data: dict[str, Any], sealed: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The data with its sealed values put back; a path they lack (erased with the person, or
    never sent) is left out, or set to None when `sealed` is None (the values are gone)."""
    paths = SEALED_FIELDS.get(event_type)
    if not paths:
        return data
    whole = dict(data)
    for *parents, leaf in paths:
        key = ".".join([*parents, leaf])
        if sealed is not None and key not in sealed:
            continue
        holder = whole
        for name in parents:
            child = holder.get(name)
            if not isinstance(child, dict):
                break
            holder[name] = holder = dict(child)
        else:
            holder[leaf] = None if sealed is None else sealed[key]
    return whole


def _without_sealed(event_type: str) -> Upcaster:
    """Version 1 → 2: the sealed values leave the data (the migration moved them out of the log,
    services/pathways/migrations/versions/0003_sealed_event_values.py)."""
    return lambda data: split_sealed(event_type, data)[0]


def _renamed_criteria(data: dict[str, Any]) -> dict[str, Any]:
    """pathway_opened 2 → 3: the renamed criteria codes (codes.RENAMED_CRITERIA). Also applied to
    what a client sends in version 2, before validation: any shape is left as it is."""
    eligibility = data.get("eligibility")
    if not isinstance(eligibility, dict) or not isinstance(eligibility.get("criteria"), list):
        return data
    criteria = [
        codes.RENAMED_CRITERIA.get(c, c) if isinstance(c, str) else c
        for c in eligibility["criteria"]
    ]
    return {**data, "eligibility": {**eligibility, "criteria": criteria}}


UPCASTERS: Mapping[tuple[str, int], Upcaster] = {
    **{(event_type, 1): _without_sealed(event_type) for event_type in SEALED_FIELDS},
    (PATHWAY_OPENED, 2): _renamed_criteria,
}


def load_event_data(event_type: str, data: Any) -> dict[str, Any]:
    """Validate a client's data and return its stored JSON form; errors keyed by field path."""
    schema = _schema_for(event_type)
    try:
        stored: dict[str, Any] = schema.dump(schema.load(data))
        return stored
    except ValidationError as error:
        raise ValidationError(flatten_messages(error.messages)) from None


def upcast(event_type: str, schema_version: int, data: dict[str, Any]) -> dict[str, Any]:
    """Bring stored data of an older schema version to the current one."""
    current = SCHEMA_VERSION[event_type]
    if schema_version > current:
        raise ValueError(f"{event_type} schema version {schema_version} is newer than {current}.")
    for version in range(schema_version, current):
        data = UPCASTERS[(event_type, version)](data)
    return data


# One instance per type, built once: building a schema costs more than loading with it, and
# loading keeps no state on the instance.
_INSTANCES: Mapping[str, Schema] = {name: schema() for name, schema in DATA_SCHEMAS.items()}


def _schema_for(event_type: str) -> Schema:
    """The schema instance of a type, shared by every caller."""
    schema = _INSTANCES.get(event_type)
    if schema is None:
        raise UnknownEventType(f"Unknown event type {event_type!r}.")
    return schema
