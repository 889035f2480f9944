"""Builders for reporting tests: structures and tokens through the registry, reference data,
pathways written through the pathways API, and a catch-up that waits for a log position."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from alembic import command
from sqlalchemy import text

from services.reporting.catchup import jobs
from shared import migrations
from shared.domain.identifiers import is_valid_siret
from tests.support import bearer, catch_up_to, checkpoint, status  # noqa: F401 (used by tests)

BIRTH_DATES = {"under_26": "2003-05-10", "26_49": "1985-05-10", "50_plus": "1965-05-10"}
_sirets = itertools.count(1)


def siret() -> str:
    """A fresh valid SIRET (Luhn over 14 digits)."""
    body = f"7328293{next(_sirets):06d}"
    return next(body + str(k) for k in range(10) if is_valid_siret(body + str(k)))


def undo_revisions_after_0011(engine) -> None:
    """Take reporting's database back to revision 0011 by the later revisions' own downgrades,
    so that a test replaying an older revision's upgrade finds their tables gone."""
    url = engine.url.render_as_string(hide_password=False)
    command.downgrade(migrations.alembic_config("reporting", url), "0011")


@dataclass
class Pathway:
    client: object
    token: str
    structure_id: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    version: int = 0
    last_position: int = 0
    ids: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)  # of the last append

    def append(self, type_: str, on: str, data: dict, name: str | None = None) -> str:
        """Append one event; returns its id (remembered under `name`)."""
        event_id = str(uuid.uuid4())
        r = self.client.post(
            f"/v1/pathways/{self.id}/events",
            headers=bearer(self.token),
            json={
                "expected_version": self.version,
                "events": [{"id": event_id, "type": type_, "occurred_on": on, "data": data}],
            },
        )
        assert r.status_code == 201, r.json
        self.version = r.json["version"]
        self.last_position = r.json["events"][-1]["position"]
        self.warnings = r.json["warnings"]
        if name:
            self.ids[name] = event_id
        return event_id

    def contract(self, start: str, end: str | None, kind: str = "CDDI", weekly: float = 26) -> str:
        contract_id = str(uuid.uuid4())
        data = {
            "contract_id": contract_id,
            "contract_type": kind,
            "start_on": start,
            "weekly_hours": weekly,
        }
        if end:
            data["planned_end_on"] = end
        self.append("contract_started", start, data)
        return contract_id

    def end_contract(self, contract_id: str, on: str) -> None:
        self.append(
            "contract_ended", on, {"contract_id": contract_id, "ended_on": on, "reason": "term"}
        )

    def hours(self, month: str, hours: float) -> None:
        self.append("hours_worked_recorded", f"{month}-28", {"month": month, "hours": hours})

    def mad(self, client_kind: str, start: str, end: str, hours: float, siret_: str | None = None):
        data = {"client_kind": client_kind, "start_on": start, "end_on": end, "hours": hours}
        if siret_:
            data["client_siret"] = siret_
        self.append("mise_a_disposition_recorded", start, data)

    def exit(self, on: str, reason: str) -> str:
        return self.append("pathway_exited", on, {"reason": reason}, name="exit")

    def void(self, on: str, event_id: str) -> None:
        self.append("event_voided", on, {"event_id": event_id, "reason": "erreur de saisie"})


@dataclass
class Network:
    """Structures, groups and pathways of one test, written through the real services."""

    settings: object
    registry: object
    pathways: object
    admin: dict
    structures: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)

    def structure(self, name: str, kind: str, department: str) -> str:
        r = self.registry.post(
            "/v1/structures",
            headers=self.admin,
            json={"siret": siret(), "name": name, "kind": kind, "department": department},
        )
        assert r.status_code == 201, r.json
        sid = r.json["id"]
        self.structures[name] = sid
        self.tokens[sid] = self.token("structure", structure_id=sid)
        return sid

    def token(self, scope: str, **bound) -> str:
        r = self.registry.post(
            "/v1/tokens",
            headers=self.admin,
            json={"scope": scope, "label": f"test {scope}", **bound},
        )
        assert r.status_code == 201, r.json
        return r.json["token"]

    def group(self, name: str, members: list[tuple[str, str, str | None]]) -> str:
        """A GES with (structure_id, joined_on, left_on) memberships, made in the registry."""
        r = self.registry.post("/v1/groups", headers=self.admin, json={"name": name})
        assert r.status_code == 201, r.json
        gid = r.json["id"]
        for sid, joined, left in members:
            r = self.registry.put(
                f"/v1/groups/{gid}/members/{sid}", headers=self.admin, json={"joined_on": joined}
            )
            assert r.status_code == 200, r.json
            if left:
                r = self.registry.post(
                    f"/v1/groups/{gid}/members/{sid}/leave",
                    headers=self.admin,
                    json={"left_on": left},
                )
                assert r.status_code == 200, r.json
        return gid

    def annex(self, structure_id, number, measure, state, starts, ends, etp, reference=None) -> str:
        """An annexe financière filed in the registry; its id."""
        body = {
            "number": number,
            "measure": measure,
            "state": state,
            "starts_on": starts,
            "ends_on": ends,
            "etp_conventioned": etp,
        }
        if reference:
            body["reference_hours"] = reference
        url = f"/v1/structures/{structure_id}/annexes"
        r = self.registry.post(url, headers=self.admin, json=body)
        assert r.status_code == 201, r.json
        return r.json["id"]

    def load_reference(self) -> None:
        """Copy the registry's changes into reporting's reference projection, as the worker does."""
        jobs.configure(self.settings)
        jobs.catch_up("reference", patience=0.0)
        with jobs.context()["engine"].connect() as conn:
            state = conn.execute(
                text(
                    "SELECT status, last_error FROM projection_checkpoints WHERE name = 'reference'"
                )
            ).one()
            assert state.status == "running", state.last_error
            assert conn.execute(text("SELECT count(*) FROM reference_data.memberships")).scalar()

    def open(
        self,
        structure_id: str,
        on: str,
        sex: str,
        age_band: str,
        criteria: list[str],
        pass_start: str | None = None,
        measure: str | None = None,
    ) -> Pathway:
        token = self.tokens[structure_id]
        pathway = Pathway(self.pathways, token, structure_id)
        data = {
            "person_id": self._person(token, sex, age_band),
            "structure_id": structure_id,
            "orienteur": "03",
            "eligibility": {"diagnosed_by": "prescriber", "criteria": criteria},
        }
        if pass_start:
            start = date.fromisoformat(pass_start)
            data["pass_iae"] = {
                "number": "999990000001",
                "start_on": pass_start,
                "end_on": (start + timedelta(729)).isoformat(),
            }
        if not self._persons_api:
            data.update(sex=sex, age_band=age_band)
        if measure:
            data["measure"] = measure
        pathway.append("pathway_opened", on, data)
        return pathway

    _persons_api: bool = True

    def _person(self, token: str, sex: str, age_band: str) -> str:
        """A person created through the pathways API (which derives sex and age band)."""
        r = self.pathways.post(
            "/v1/persons",
            headers=bearer(token),
            json={
                "first_name": "Camille",
                "last_name": "Martin",
                "sex": sex,
                "birth_date": BIRTH_DATES[age_band],
            },
        )
        if r.status_code in (404, 405):  # the foundation's thin pathways service has no persons
            self._persons_api = False
            return str(uuid.uuid4())
        assert r.status_code == 201, r.json
        return r.json["id"]
