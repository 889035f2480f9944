"""The OpenAPI document types every event: a `oneOf` of one schema per type, discriminated by
`type`, generated from the schemas that validate the events' data (shared/domain/events.py)."""

from __future__ import annotations

from shared.domain import codes
from shared.domain import events as ev

FAMILIES = ("Event", "FeedEvent", "StreamEvent")


def camel(event_type: str) -> str:
    return "".join(part.capitalize() for part in event_type.split("_"))


def spec_of(pathways) -> dict:
    response = pathways.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def assert_typed(items: dict, family: str) -> None:
    """`items` is the oneOf of every event type of `family`, discriminated by `type`."""
    expected = {t: f"#/components/schemas/{camel(t)}{family}" for t in ev.EVENT_TYPES}
    assert items["discriminator"] == {"propertyName": "type", "mapping": expected}
    assert [one["$ref"] for one in items["oneOf"]] == list(expected.values())


def test_posted_batched_fed_and_streamed_events_are_a_one_of_the_types(pathways):
    spec = spec_of(pathways)
    schemas = spec["components"]["schemas"]
    paths = spec["paths"]

    def body_of(operation: dict) -> dict:
        return operation["requestBody"]["content"]["application/json"]["schema"]

    def answer_of(operation: dict) -> dict:
        return operation["responses"]["200"]["content"]["application/json"]["schema"]

    appended = body_of(paths["/v1/pathways/{pathway_id}/events"]["post"])
    assert_typed(
        schemas[appended["$ref"].rsplit("/", 1)[1]]["properties"]["events"]["items"], "Event"
    )
    batch_item = schemas["BatchItemIn"]["properties"]["events"]["items"]
    assert_typed(batch_item, "Event")
    fed = answer_of(paths["/v1/feed"]["get"])
    assert_typed(
        schemas[fed["$ref"].rsplit("/", 1)[1]]["properties"]["events"]["items"], "FeedEvent"
    )
    streamed = answer_of(paths["/v1/pathways/{pathway_id}/events"]["get"])
    assert_typed(streamed["items"], "StreamEvent")


def test_each_type_carries_its_data_schema_with_codes_labels_formats_and_bounds(pathways):
    schemas = spec_of(pathways)["components"]["schemas"]
    for event_type in ev.EVENT_TYPES:
        for family in FAMILIES:
            envelope = schemas[f"{camel(event_type)}{family}"]
            assert envelope["properties"]["type"]["enum"] == [event_type]
            assert {"id", "type", "occurred_on", "data"} <= set(envelope["required"])
    started = schemas["ContractStartedData"]
    assert set(started["required"]) == {"contract_id", "contract_type", "start_on", "weekly_hours"}
    assert started["properties"]["contract_id"]["format"] == "uuid"
    assert started["properties"]["start_on"]["format"] == "date"
    weekly = started["properties"]["weekly_hours"]
    assert (weekly["minimum"], weekly["maximum"], weekly["exclusiveMinimum"]) == (0, 48, True)
    contract_type = started["properties"]["contract_type"]
    assert contract_type["enum"] == sorted(codes.CONTRACT_TYPES)
    assert f"`CDDI` : {codes.CONTRACT_TYPES['CDDI']}" in contract_type["description"]
    assert started["additionalProperties"] is False
    criteria = schemas["Eligibility"]["properties"]["criteria"]["items"]
    assert criteria["enum"] == sorted(codes.ELIGIBILITY_CRITERIA)


def test_read_events_say_their_sealed_values_may_be_missing_and_the_added_categories(pathways):
    schemas = spec_of(pathways)["components"]["schemas"]
    opened = schemas["PathwayOpenedStoredData"]["properties"]
    assert opened["sex"]["enum"] == sorted(codes.SEXES)
    assert opened["age_band"]["enum"] == sorted(codes.AGE_BANDS)
    stored_pass = schemas[opened["pass_iae"]["$ref"].rsplit("/", 1)[1]]
    assert (
        "number" not in stored_pass["required"] and stored_pass["properties"]["number"]["nullable"]
    )
    assert "number" in schemas["PassIae"]["required"]  # still required when sent
    voided = schemas["EventVoidedStoredData"]
    assert "reason" not in voided["required"] and voided["properties"]["reason"]["nullable"]
