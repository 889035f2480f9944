"""The three services' HTTP contract (docs/api.md) as Python calls, for scripts, CLI and demo.

Every call goes over HTTP like any structure's software would; errors come back as `ApiError`
carrying the problem+json body, so callers show the service's own French message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import requests

DEFAULT_URLS = {
    "registry": "http://127.0.0.1:5001",
    "pathways": "http://127.0.0.1:5002",
    "reporting": "http://127.0.0.1:5003",
}
ADMIN_TOKEN_FILE = Path("var") / "admin_token"
OPERATOR_TOKEN_FILE = Path("var") / "operator_token"  # a real admin token made by `make run`


class ApiError(Exception):
    """A service answered with an error status; `body` is its problem+json (or raw text)."""

    def __init__(self, status: int, body: Any, url: str):
        self.status = status
        self.body = body
        self.url = url
        detail = body.get("detail") if isinstance(body, dict) else str(body)[:200]
        super().__init__(f"{status} {url}: {detail}")


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of the three services."""

    registry: str = DEFAULT_URLS["registry"]
    pathways: str = DEFAULT_URLS["pathways"]
    reporting: str = DEFAULT_URLS["reporting"]

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Endpoints:
        """REGISTRY_URL, PATHWAYS_URL and REPORTING_URL, or the local defaults."""
        env = dict(os.environ) if env is None else env
        return cls(
            **{name: env.get(f"{name.upper()}_URL") or url for name, url in DEFAULT_URLS.items()}
        )


def default_token(env: dict[str, str] | None = None) -> str | None:
    """IAE_TOKEN, else the admin token `make run` keeps in ./var/operator_token (the bootstrap
    ./var/admin_token only creates admin tokens)."""
    env = dict(os.environ) if env is None else env
    if env.get("IAE_TOKEN"):
        return env["IAE_TOKEN"]
    for path in (OPERATOR_TOKEN_FILE, ADMIN_TOKEN_FILE):
        if path.exists():
            return path.read_text().strip()
    return None


class Client:
    """One token's view of the system; `as_token` gives the same services under another token."""

    def __init__(
        self,
        endpoints: Endpoints,
        token: str | None,
        timeout: float = 60.0,
        session: requests.Session | None = None,
    ):
        self.endpoints = endpoints
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()

    def as_token(self, token: str) -> Client:
        return Client(self.endpoints, token, self.timeout, self.session)

    def close(self) -> None:
        self.session.close()

    def call(
        self, method: str, service: str, path: str, ok: tuple[int, ...] = (200, 201), **kwargs: Any
    ) -> requests.Response:
        """One request; any status outside `ok` raises ApiError with the problem body."""
        url = getattr(self.endpoints, service) + path
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.session.request(
            method, url, headers=headers, timeout=self.timeout, **kwargs
        )
        if response.status_code not in ok:
            raise ApiError(response.status_code, _body(response), url)
        return response

    def json(self, method: str, service: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, service, path, **kwargs)
        return response.json() if response.content else None

    # --- registry -------------------------------------------------------------------------------

    def create_structure(self, **fields: Any) -> dict:
        return self.json("POST", "registry", "/v1/structures", json=fields)

    def structures(self, **filters: Any) -> list[dict]:
        return self.json("GET", "registry", "/v1/structures", params=filters)

    def create_group(self, name: str) -> dict:
        return self.json("POST", "registry", "/v1/groups", json={"name": name})

    def join_group(self, group_id: str, structure_id: str, joined_on: str) -> dict:
        return self.json(
            "PUT",
            "registry",
            f"/v1/groups/{group_id}/members/{structure_id}",
            json={"joined_on": joined_on},
        )

    def leave_group(self, group_id: str, structure_id: str, left_on: str) -> dict:
        return self.json(
            "POST",
            "registry",
            f"/v1/groups/{group_id}/members/{structure_id}/leave",
            json={"left_on": left_on},
        )

    def create_token(
        self,
        scope: str,
        label: str,
        structure_id: str | None = None,
        group_id: str | None = None,
        department: str | None = None,
        region: str | None = None,
        expires_on: str | None = None,
    ) -> dict:
        """A token; a territory one names its `department` or its `region` (docs/api.md); with
        `expires_on` (YYYY-MM-DD) it is refused from that day."""
        body = {
            "scope": scope,
            "label": label,
            "structure_id": structure_id,
            "group_id": group_id,
            "department": department,
            "region": region,
            "expires_on": expires_on,
        }
        return self.json(
            "POST", "registry", "/v1/tokens", json={k: v for k, v in body.items() if v is not None}
        )

    def create_staff(self, email: str, scope: str, **target: str | None) -> dict:
        """A staff account: `email` may sign in to the dashboard and see what `scope` (bound to
        `structure_id`, `group_id`, `department` or `region`, as for tokens) allows."""
        body = {"email": email, "scope": scope, **target}
        return self.json(
            "POST", "registry", "/v1/staff", json={k: v for k, v in body.items() if v is not None}
        )

    def staff(self, email: str | None = None) -> list[dict]:
        """Staff accounts in force (of one e-mail, when given)."""
        params = {"limit": 1000, **({"email": email} if email else {})}
        return self.json("GET", "registry", "/v1/staff", params=params)

    def remove_staff(self, staff_id: str) -> None:
        self.call("DELETE", "registry", f"/v1/staff/{staff_id}", ok=(204,))

    def create_annex(self, structure_id: str, **fields: Any) -> dict:
        """An annexe financière of the structure (`reference_hours` None: the measure's)."""
        body = {k: v for k, v in fields.items() if v is not None}
        return self.json("POST", "registry", f"/v1/structures/{structure_id}/annexes", json=body)

    def amend_annex(
        self, annex_id: str, number: str, effective_on: str, etp_conventioned: float
    ) -> dict:
        """An avenant: from `effective_on` the annexe funds `etp_conventioned` ETP."""
        body = {
            "number": number,
            "effective_on": effective_on,
            "etp_conventioned": etp_conventioned,
        }
        return self.json("POST", "registry", f"/v1/annexes/{annex_id}/amendments", json=body)

    def annexes(self, structure_id: str | None = None, **filters: Any) -> list[dict]:
        """The annexes within the token's reach (of one structure, when given)."""
        path = f"/v1/structures/{structure_id}/annexes" if structure_id else "/v1/annexes"
        return self.json("GET", "registry", path, params=_query(filters))

    def whoami(self) -> dict:
        return self.json("GET", "registry", "/v1/whoami")

    def as_operator(self, label: str) -> Client:
        """This client, or, when its token is the bootstrap ADMIN_TOKEN (which may only create
        admin tokens: the registry refuses it everything else, `whoami` included), the same
        services under a real admin token made with it."""
        try:
            self.whoami()
            return self
        except ApiError as error:
            if error.status != 403:
                raise
        return self.as_token(self.create_token("admin", label)["token"])

    # --- pathways -------------------------------------------------------------------------------

    def create_person(self, **identity: Any) -> str:
        return self.json("POST", "pathways", "/v1/persons", json=identity)["id"]

    def append(
        self, pathway_id: str, events: list[dict], expected_version: int | None = None
    ) -> dict:
        body: dict[str, Any] = {"events": events}
        if expected_version is not None:
            body["expected_version"] = expected_version
        return self.json("POST", "pathways", f"/v1/pathways/{pathway_id}/events", json=body)

    def batch(self, items: list[dict]) -> list[dict]:
        """Each item appended on its own; the answer lists each item's status (docs/api.md)."""
        return self.json("POST", "pathways", "/v1/events/batch", json={"items": items})["results"]

    def pathway(self, pathway_id: str) -> dict:
        return self.json("GET", "pathways", f"/v1/pathways/{pathway_id}")

    def import_file(self, path: Path) -> dict:
        """Upload a CSV or XLSX of events (the import template) and get the per-line verdict."""
        with path.open("rb") as handle:
            return self.json("POST", "pathways", "/v1/imports", files={"file": (path.name, handle)})

    # --- reporting ------------------------------------------------------------------------------

    def outcomes(self, **params: Any) -> dict:
        return self.json("GET", "reporting", "/v1/reports/outcomes", params=_query(params))

    def projections(self) -> list[dict]:
        return self.json("GET", "reporting", "/v1/projections")

    def rebuild(self, name: str) -> dict | None:
        return self.json("POST", "reporting", f"/v1/projections/{name}/rebuild", ok=(202,))


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _query(params: dict[str, Any]) -> dict[str, Any]:
    """Query parameters without the unset ones; `from_` stands for the reserved word `from`."""
    return {("from" if k == "from_" else k): v for k, v in params.items() if v is not None}


def endpoints_with(endpoints: Endpoints, **urls: str | None) -> Endpoints:
    """Endpoints with the URLs given on a command line, the others unchanged."""
    return replace(endpoints, **{k: v for k, v in urls.items() if v})
