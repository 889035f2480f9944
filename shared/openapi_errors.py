"""How the OpenAPI documents describe errors: one RFC 9457 problem schema, sent as
`application/problem+json`, for every error answer of every operation of the three services.

A view documents which error statuses it may answer (and why, in their description); this module
makes each of them, and the `default` answer, say what is really sent, whatever the view wrote.
"""

from __future__ import annotations

from apispec import APISpec, BasePlugin
from marshmallow import Schema, fields

from shared.problems import PROBLEM_MIME

PROBLEM_SCHEMA = "Problem"
PROBLEM_REF = {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA}"}


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error is answered. Besides the four members every
    problem carries, some problems add what the client needs to act on them."""

    type = fields.String(
        required=True,
        metadata={"description": "URI du type de problème ; il se termine par son code."},
    )
    title = fields.String(required=True, metadata={"description": "Intitulé du statut."})
    status = fields.Integer(required=True, metadata={"description": "Statut HTTP."})
    detail = fields.String(required=True, metadata={"description": "Explication, en français."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "422 : messages par chemin de champ (`events.0.data.hours`)."},
    )
    current_version = fields.Integer(
        metadata={"description": "409 `version-conflict` : la version actuelle du parcours."}
    )
    existing_id = fields.UUID(
        metadata={"description": "409 `duplicate-*` : l'identifiant de l'élément déjà enregistré."}
    )
    existing_number = fields.String(
        metadata={"description": "409 `annex-overlap` : le numéro de l'annexe qui chevauche."}
    )
    missing = fields.List(
        fields.String(),
        metadata={"description": "503 de `/ready` : les dépendances injoignables."},
    )


def is_error(status: object) -> bool:
    """An answer's key in `responses` that stands for an error: a 4xx, a 5xx or `default`."""
    return status == "default" or str(status)[:1] in ("4", "5")


class ProblemPlugin(BasePlugin):
    """Documents every error answer of every operation as a problem, in problem+json."""

    def init_spec(self, spec: APISpec) -> None:
        spec.components.schema(PROBLEM_SCHEMA, schema=ProblemSchema)

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for operation in (operations or {}).values():
            for status, response in operation.get("responses", {}).items():
                if is_error(status) and isinstance(response, dict) and _as_json(response):
                    response["content"] = {PROBLEM_MIME: {"schema": dict(PROBLEM_REF)}}


def _as_json(response: dict) -> bool:
    """An error answer documented without a body, or with a JSON one: it is a problem. An answer
    documented in another type (the dashboard's HTML pages) says what it sends itself."""
    return set(response.get("content") or {}) <= {"application/json", PROBLEM_MIME}


def problem_response(description: str) -> dict:
    """A component answer (`default`, or one named after a status) in problem+json."""
    return {"description": description, "content": {PROBLEM_MIME: {"schema": dict(PROBLEM_REF)}}}
