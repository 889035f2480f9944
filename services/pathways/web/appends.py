"""Appending from an HTTP request: the calling structure as the actor, batch items validated one
by one, and the append use case (services/pathways/appending.py) with its nudge. Used by the
event endpoints and by imports alike, so that a file's rows are stored exactly as if they had
been sent to the batch endpoint."""

from __future__ import annotations

from datetime import date

from flask import current_app, g
from marshmallow import ValidationError

from services.pathways import appending
from services.pathways.appending import Actor, AppendRequest, Outcome
from services.pathways.web import schemas
from shared.auth import Caller, bearer_token
from shared.problems import Problem, flatten_errors

BATCH_ITEM = schemas.BatchItemIn()


def actor_of(caller: Caller) -> Actor:
    """The appending structure, its kind (registry, cached) and the metadata of its events."""
    if caller.structure_id is None:  # the views let only structure tokens append
        raise Problem(403, "Seule une structure peut enregistrer des événements.")
    kinds = current_app.extensions["iae_kinds"]
    kind = kinds.kind_of(caller.structure_id, bearer_token())
    return Actor(
        caller.structure_id,
        kind,
        date.today(),
        _metadata(caller),
    )


def _metadata(caller: Caller) -> dict:
    """Who wrote the events: the token, and the staff account a dashboard token acts for (its id
    only: no e-mail in the log)."""
    metadata = {"token_id": caller.token_id, "request_id": g.request_id}
    if caller.staff_id is not None:
        metadata["staff_id"] = caller.staff_id
    return metadata


def append(caller: Caller, requests: list[AppendRequest | Outcome]) -> list[Outcome]:
    """Run the appends as `caller`, then nudge reporting once, after the commit."""
    ext = current_app.extensions
    return appending.append_and_nudge(
        ext["iae_write_engine"],
        ext["iae_kek"],
        actor_of(caller),
        requests,
        ext["iae_redis"],
        current_app.config["SETTINGS"].queue_prefix,
    )


def batch_item(raw) -> AppendRequest | Outcome:
    """One batch item validated on its own: a bad item answers 422 without failing the others."""
    pathway_id = raw.get("pathway_id") if isinstance(raw, dict) else None
    try:
        item = BATCH_ITEM.load(raw)
        return appending.to_request(
            str(item["pathway_id"]), item["expected_version"], item["events"]
        )
    except ValidationError as error:
        problem = Problem(
            422, "Les données envoyées ne sont pas valides.", errors=flatten_errors(error.messages)
        )
    except Problem as exc:
        problem = exc
    return appending.problem_outcome(str(pathway_id) if pathway_id else None, problem)
