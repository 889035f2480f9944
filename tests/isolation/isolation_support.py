"""The scope matrix of docs/api.md, endpoint by endpoint: how to call it as a given scope, and the
status the contract gives each scope. Resources belong to structure A (member of the group); the
territory token reads A's département, the far one another département.

A territory reads the reports of its area (the far one an empty report, another structure 403)
and no alert about a pathway (an empty list: docs/domain.md §6c)."""

from __future__ import annotations

import io
import uuid
from datetime import date

from tests.faults.traffic import IDENTITY, Org, opening, random_siret, support

ANNEX_YEAR = date.today().year


def annex_number() -> str:
    """An ASP-shaped annexe number of its own (docs/domain.md §6b)."""
    return f"ACI035{uuid.uuid4().int % 10**8:08d}A0M0"


# An expired token is refused like an unknown one, in every service.
UNAUTHENTICATED = {"revoked": 401, "expired": 401, "none": 401}
NO_TERRITORY = {"territory": 403, "territory_far": 403}


def statuses(admin, network, group, a, b, territory=403, far=403, service=403) -> dict[str, int]:
    """The worker's `service` token reads the feed and the changes, nothing else."""
    return {
        "admin": admin,
        "network": network,
        "group": group,
        "structure_a": a,
        "structure_b": b,
        "territory": territory,
        "territory_far": far,
        "service": service,
        **UNAUTHENTICATED,
    }


def only_admin(ok: int) -> dict[str, int]:
    return statuses(ok, 403, 403, 403, 403)


def everyone(ok: int = 200) -> dict[str, int]:
    return statuses(ok, ok, ok, ok, ok, ok, ok)


def like_structure_a(ok: int = 200) -> dict[str, int]:
    """What A's own data answers: every reader of A, not B, not the far territory."""
    return statuses(ok, ok, ok, ok, 403, ok, 403)


def _get(service, path, **query):
    return lambda w, h, s: w.client(service).get(path(w), headers=h, query_string=query)


def _fresh_person(w, headers):
    """A person created by A (the structure that may erase it), for one erasure."""
    made = w.client("pathways").post("/v1/persons", headers=w.headers["structure_a"], json=IDENTITY)
    return made.json["id"]


def _append_new(w, h, s):
    """A new pathway of A opened by the caller (only A's own token may)."""
    org = Org(w.structure_a, "")
    return w.client("pathways").post(
        f"/v1/pathways/{uuid.uuid4()}/events",
        headers=h,
        json={"events": [opening(org, w.person_a), support()]},
    )


def _append_to_a(w, h, s):
    """One more event on A's pathway: B must not learn it exists."""
    return w.client("pathways").post(
        f"/v1/pathways/{w.pathway_a}/events", headers=h, json={"events": [support()]}
    )


def _batch(w, h, s):
    """A batch of one new pathway of A: B's token gets 200 with the item refused inside."""
    org = Org(w.structure_a, "")
    item = {"pathway_id": str(uuid.uuid4()), "events": [opening(org, w.person_a)]}
    return w.client("pathways").post("/v1/events/batch", headers=h, json={"items": [item]})


def _new_structure(w, h, s):
    return w.client("registry").post(
        "/v1/structures",
        headers=h,
        json={"siret": random_siret(), "name": "Nouvelle", "kind": "EI", "department": "22"},
    )


def _revoke_fresh_token(w, h, s):
    admin = w.headers["admin"]
    made = w.client("registry").post(
        "/v1/tokens", headers=admin, json={"scope": "network", "label": "jetable"}
    )
    return w.client("registry").delete(f"/v1/tokens/{made.json['id']}", headers=h)


def _staff_email() -> str:
    return f"agent.{uuid.uuid4().hex[:10]}@exemple.fr"


def _fresh_staff(w) -> tuple[str, str]:
    """A network staff account made by the admin: its id and e-mail."""
    email = _staff_email()
    made = w.client("registry").post(
        "/v1/staff", headers=w.headers["admin"], json={"email": email, "scope": "network"}
    )
    return made.json["id"], email


def _remove_fresh_staff(w, h, s):
    return w.client("registry").delete(f"/v1/staff/{_fresh_staff(w)[0]}", headers=h)


def _mint(w, h, s):
    staff_id, email = _fresh_staff(w)
    path = f"/v1/staff/{staff_id}/tokens"
    return w.client("registry").post(path, headers=h, json={"email": email})


def _revoke_minted(w, h, s):
    staff_id, email = _fresh_staff(w)
    path = f"/v1/staff/{staff_id}/tokens"
    made = w.client("registry").post(path, headers=w.headers["service"], json={"email": email})
    return w.client("registry").delete(f"/v1/staff/tokens/{made.json['id']}", headers=h)


def _new_annex(w, h, s):
    """A draft annexe of A (a draft never overlaps), with a number of its own."""
    body = {
        "number": annex_number(),
        "measure": "ACI_DC",
        "state": "BROUILLON",
        "starts_on": f"{ANNEX_YEAR}-01-01",
        "ends_on": f"{ANNEX_YEAR}-12-31",
        "etp_conventioned": 3,
    }
    return w.client("registry").post(
        f"/v1/structures/{w.structure_a}/annexes", headers=h, json=body
    )


def _amend(w, h, s):
    body = {
        "number": annex_number(),
        "effective_on": f"{ANNEX_YEAR}-06-01",
        "etp_conventioned": 7,
    }
    return w.client("registry").post(f"/v1/annexes/{w.annex_a}/amendments", headers=h, json=body)


def _import(w, h, s):
    """A one-line file of events: only a structure may import (its cells are elsewhere)."""
    csv = (
        "parcours;type;date;domaine;theme;realisation\n"
        "P-1;support_action_recorded;2026-01-05;social;logement;internal\n"
    )
    return w.client("pathways").post(
        "/v1/imports",
        headers=h,
        data={"file": (io.BytesIO(csv.encode()), "evenements.csv")},
        content_type="multipart/form-data",
    )


REGISTRY = {
    "POST /v1/structures": (_new_structure, only_admin(201)),
    "GET /v1/structures": (_get("registry", lambda w: "/v1/structures"), everyone()),
    # docs/api.md keeps the 404 for persons and pathways; another structure is simply out of scope.
    "GET /v1/structures/{A}": (
        _get("registry", lambda w: f"/v1/structures/{w.structure_a}"),
        like_structure_a(),
    ),
    "PATCH /v1/structures/{A}": (
        lambda w, h, s: w.client("registry").patch(
            f"/v1/structures/{w.structure_a}", headers=h, json={"name": "Renommée"}
        ),
        only_admin(200),
    ),
    "POST /v1/groups": (
        lambda w, h, s: w.client("registry").post(
            "/v1/groups", headers=h, json={"name": "Autre GES"}
        ),
        only_admin(201),
    ),
    "GET /v1/groups": (_get("registry", lambda w: "/v1/groups"), everyone()),
    # A territory sees a group with a member in its area (and only those members).
    "GET /v1/groups/{G}": (_get("registry", lambda w: f"/v1/groups/{w.group}"), like_structure_a()),
    "PUT /v1/groups/{G}/members/{A}": (
        lambda w, h, s: w.client("registry").put(
            f"/v1/groups/{w.group}/members/{w.structure_a}",
            headers=h,
            json={"joined_on": w.joined_on},
        ),
        only_admin(200),
    ),
    "POST /v1/tokens": (
        lambda w, h, s: w.client("registry").post(
            "/v1/tokens", headers=h, json={"scope": "network", "label": "x"}
        ),
        only_admin(201),
    ),
    "DELETE /v1/tokens/{id}": (_revoke_fresh_token, only_admin(204)),
    "GET /v1/whoami": (_get("registry", lambda w: "/v1/whoami"), {**everyone(), "service": 200}),
    "GET /v1/tokens": (_get("registry", lambda w: "/v1/tokens"), only_admin(200)),
    "POST /v1/staff": (
        lambda w, h, s: w.client("registry").post(
            "/v1/staff", headers=h, json={"email": _staff_email(), "scope": "network"}
        ),
        only_admin(201),
    ),
    "GET /v1/staff": (_get("registry", lambda w: "/v1/staff"), only_admin(200)),
    "DELETE /v1/staff/{id}": (_remove_fresh_staff, only_admin(204)),
    "POST /v1/staff/lookup": (
        lambda w, h, s: w.client("registry").post(
            "/v1/staff/lookup", headers=h, json={"email": _staff_email()}
        ),
        statuses(403, 403, 403, 403, 403, service=200),
    ),
    "POST /v1/staff/{id}/tokens": (_mint, statuses(403, 403, 403, 403, 403, service=201)),
    "DELETE /v1/staff/tokens/{id}": (
        _revoke_minted,
        statuses(403, 403, 403, 403, 403, service=204),
    ),
    "GET /v1/audit": (_get("registry", lambda w: "/v1/audit"), only_admin(200)),
    "GET /v1/changes": (
        _get("registry", lambda w: "/v1/changes"),
        statuses(200, 200, 403, 403, 403, service=200),
    ),
    "POST /v1/structures/{A}/annexes": (_new_annex, only_admin(201)),
    "GET /v1/structures/{A}/annexes": (
        _get("registry", lambda w: f"/v1/structures/{w.structure_a}/annexes"),
        like_structure_a(),
    ),
    "GET /v1/annexes": (_get("registry", lambda w: "/v1/annexes"), everyone()),
    "GET /v1/annexes/{afA}": (
        _get("registry", lambda w: f"/v1/annexes/{w.annex_a}"),
        like_structure_a(),
    ),
    "PATCH /v1/annexes/{afA}": (
        lambda w, h, s: w.client("registry").patch(
            f"/v1/annexes/{w.annex_a}", headers=h, json={"state": "VALIDE"}
        ),
        only_admin(200),
    ),
    "POST /v1/annexes/{afA}/amendments": (_amend, only_admin(201)),
}
PATHWAYS = {
    "POST /v1/persons": (
        lambda w, h, s: w.client("pathways").post("/v1/persons", headers=h, json=IDENTITY),
        statuses(403, 403, 403, 201, 201),
    ),
    "GET /v1/persons/{pA}": (
        _get("pathways", lambda w: f"/v1/persons/{w.person_a}"),
        statuses(403, 403, 403, 200, 404),
    ),
    "DELETE /v1/persons/{p}": (
        lambda w, h, s: w.client("pathways").delete(
            f"/v1/persons/{_fresh_person(w, h)}", headers=h
        ),
        statuses(204, 403, 403, 204, 404),
    ),
    "POST /v1/pathways/{new}/events": (_append_new, statuses(403, 403, 403, 201, 422)),
    "POST /v1/pathways/{wA}/events": (_append_to_a, statuses(403, 403, 403, 201, 404)),
    "POST /v1/events/batch": (_batch, statuses(403, 403, 403, 200, 200)),
    "GET /v1/pathways/{wA}": (
        _get("pathways", lambda w: f"/v1/pathways/{w.pathway_a}"),
        statuses(200, 403, 403, 200, 404),
    ),
    "GET /v1/pathways/{wA}/events": (
        _get("pathways", lambda w: f"/v1/pathways/{w.pathway_a}/events"),
        statuses(200, 403, 403, 200, 404),
    ),
    "GET /v1/pathways": (
        _get("pathways", lambda w: "/v1/pathways"),
        statuses(200, 403, 403, 200, 200),
    ),
    "GET /v1/feed": (
        _get("pathways", lambda w: "/v1/feed"),
        statuses(200, 200, 403, 403, 403, service=200),
    ),
    "POST /v1/imports": (
        _import,
        {
            "admin": 403,
            "network": 403,
            "group": 403,
            "service": 403,
            **NO_TERRITORY,
            **UNAUTHENTICATED,
        },
    ),
}
REPORTING = {
    "GET /v1/reports/outcomes": (
        _get("reporting", lambda w: "/v1/reports/outcomes"),
        everyone(),
    ),
    "GET /v1/reports/outcomes?structure_id=A": (
        lambda w, h, s: w.client("reporting").get(
            "/v1/reports/outcomes", headers=h, query_string={"structure_id": w.structure_a}
        ),
        like_structure_a(),
    ),
    # The ETP report reads a territory's area as the outcome report does (docs/domain.md §6c).
    "GET /v1/reports/etp": (_get("reporting", lambda w: "/v1/reports/etp"), everyone()),
    "GET /v1/reports/etp?structure_id=A": (
        lambda w, h, s: w.client("reporting").get(
            "/v1/reports/etp", headers=h, query_string={"structure_id": w.structure_a}
        ),
        like_structure_a(),
    ),
    "GET /v1/alerts": (_get("reporting", lambda w: "/v1/alerts"), everyone()),
    "GET /v1/alerts?structure_id=A": (
        lambda w, h, s: w.client("reporting").get(
            "/v1/alerts", headers=h, query_string={"structure_id": w.structure_a}
        ),
        like_structure_a(),
    ),
    "GET /v1/projections": (
        _get("reporting", lambda w: "/v1/projections"),
        statuses(200, 200, 403, 403, 403),
    ),
    "POST /v1/projections/outcomes/rebuild": (
        lambda w, h, s: w.client("reporting").post("/v1/projections/outcomes/rebuild", headers=h),
        only_admin(202),
    ),
    # Nothing is parked in this world: the admin learns it (404), nobody else may ask.
    "POST /v1/projections/outcomes/parked/{pathway_id}/retry": (
        lambda w, h, s: w.client("reporting").post(
            f"/v1/projections/outcomes/parked/{uuid.uuid4()}/retry", headers=h
        ),
        only_admin(404),
    ),
}


def _with_bootstrap(rows: dict, status: int) -> dict:
    """The bootstrap ADMIN_TOKEN only creates admin tokens (tests/registry/test_token_hardening.py):
    the registry refuses it everything else (403); the other services do not know it (401)."""
    return {name: (call, {**cells, "bootstrap": status}) for name, (call, cells) in rows.items()}


def endpoint_cases() -> dict:
    return {
        **_with_bootstrap(REGISTRY, 403),
        **_with_bootstrap(PATHWAYS, 401),
        **_with_bootstrap(REPORTING, 401),
    }
