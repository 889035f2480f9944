"""Tokens that end, and checks that cost little to abuse: the bootstrap token only creates admin
tokens, tokens may expire, closing a structure revokes its tokens, a GES stops reading a member
that left, and a wrong secret costs one bounded Argon2 verification, then none for a while."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import requests
from registry_builders import bearer, join, leave, new_group, new_structure, new_token

from shared.auth import CachingVerifier, Caller

TOMORROW = (date.today() + timedelta(days=2)).isoformat()


def _stats(services):
    return services["registry"].app.extensions["iae_verifier"].stats


def test_the_bootstrap_token_creates_admin_tokens_and_nothing_else(
    registry, pathways, settings, admin
):
    bootstrap = bearer(settings.admin_token)
    made = registry.post(
        "/v1/tokens", headers=bootstrap, json={"scope": "admin", "label": "exploitation"}
    )
    assert made.status_code == 201, made.json
    assert new_structure(registry, bearer(made.json["token"]))["id"]
    other = registry.post("/v1/tokens", headers=bootstrap, json={"scope": "network", "label": "x"})
    assert other.status_code == 403 and "admin" in other.json["detail"]
    assert registry.get("/v1/whoami", headers=bootstrap).status_code == 403
    assert registry.get("/v1/structures", headers=bootstrap).status_code == 403
    assert pathways.get("/v1/feed", headers=bootstrap).status_code == 401


def test_a_token_expiry_is_in_the_future_and_is_shown(registry, admin):
    today = datetime.now(UTC).date().isoformat()
    past = registry.post(
        "/v1/tokens", headers=admin, json={"scope": "network", "label": "x", "expires_on": today}
    )
    assert past.status_code == 422 and "expires_on" in past.json["errors"]
    made = registry.post(
        "/v1/tokens", headers=admin, json={"scope": "network", "label": "x", "expires_on": TOMORROW}
    )
    assert made.status_code == 201 and made.json["expires_on"] == TOMORROW
    who = registry.get("/v1/whoami", headers=bearer(made.json["token"]))
    assert who.status_code == 200 and who.json["expires_on"] == TOMORROW


def test_the_whoami_cache_never_keeps_a_token_past_its_expiry():
    asked: list[str] = []
    expires_on = date(2031, 3, 1)

    def verify(token: str) -> Caller:
        asked.append(token)
        return Caller("network", token_id="t", expires_on=expires_on)

    now = [datetime(2031, 2, 28, 23, 59, 30, tzinfo=UTC)]
    cache = CachingVerifier(verify, ttl=3600, clock=lambda: now[0])
    assert cache("tok") is not None and cache("tok") is not None and asked == ["tok"]
    now[0] = datetime(2031, 3, 1, 0, 0, 1, tzinfo=UTC)
    assert cache("tok") is None
    assert asked == ["tok"]  # refused from the cached answer's own expiry


def test_closing_a_structure_revokes_its_tokens_audited_and_published(registry, admin):
    structure = new_structure(registry, admin)
    own = bearer(new_token(registry, admin, "structure", structure_id=structure["id"])["token"])
    network = bearer(new_token(registry, admin, "network")["token"])
    assert registry.get("/v1/whoami", headers=own).status_code == 200
    path = f"/v1/structures/{structure['id']}"
    future = (date.today() + timedelta(days=3)).isoformat()
    early = registry.patch(path, headers=admin, json={"closed_on": future})
    assert early.status_code == 422 and "closed_on" in early.json["errors"]
    today = date.today().isoformat()
    closed = registry.patch(path, headers=admin, json={"closed_on": today})
    assert closed.status_code == 200 and closed.json["closed_on"] == today
    assert registry.get("/v1/whoami", headers=own).status_code == 401
    assert registry.get("/v1/whoami", headers=network).status_code == 200
    audit = registry.get("/v1/audit", headers=admin, query_string={"limit": 20}).json
    revoked = [e for e in audit if e["action"] == "revoke"]
    assert revoked and revoked[0]["changes"]["reason"] == "structure_closed"
    assert _published(registry, admin, structure["id"])[-1]["closed_on"] == today


def _published(registry, admin, entity_id: str) -> list[dict]:
    """Every state of one entity in the changes feed, in order."""
    found, after = [], 0
    while True:
        page = registry.get(
            "/v1/changes", headers=admin, query_string={"after": after, "limit": 1000}
        ).json
        found += [c["data"] for c in page["items"] if c["id"] == entity_id]
        if not page["items"]:
            return found
        after = page["last_seq"]


def test_a_group_no_longer_reads_a_member_after_it_left(registry, admin):
    departed, staying = new_structure(registry, admin), new_structure(registry, admin)
    group = new_group(registry, admin)
    long_ago, yesterday = date.today() - timedelta(days=30), date.today() - timedelta(days=1)
    for member in (departed, staying):
        join(registry, admin, group["id"], member["id"], long_ago.isoformat())
    leave(registry, admin, group["id"], departed["id"], yesterday.isoformat())
    ges = bearer(new_token(registry, admin, "group", group_id=group["id"])["token"])
    assert registry.get(f"/v1/structures/{staying['id']}", headers=ges).status_code == 200
    gone = registry.get(f"/v1/structures/{departed['id']}", headers=ges)
    assert gone.status_code == 403 and departed["siret"] not in gone.get_data(as_text=True)
    listed = registry.get("/v1/structures", headers=ges, query_string={"limit": 1000}).json
    assert [s["id"] for s in listed] == [staying["id"]]


def _forged(token: str) -> str:
    """The same token id with another secret."""
    prefix, token_id, _ = token.split("_", 2)
    return f"{prefix}_{token_id}_{uuid.uuid4().hex}"


def test_wrong_secrets_run_bounded_verifications_then_none(services, registry, admin, settings):
    stats = _stats(services)
    known = new_token(registry, admin, "network")["token"]
    url = f"{settings.registry_url}/v1/whoami"

    def ask(token: str) -> int:
        return requests.get(url, headers=bearer(token), timeout=30).status_code

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(ask, [_forged(known) for _ in range(24)]))
    assert set(answers) == {401}
    assert 1 <= stats.peak <= settings.token_checks_at_once
    other = new_token(registry, admin, "network")["token"]
    wrong = _forged(other)
    before = stats.verifications
    assert ask(wrong) == 401
    assert stats.verifications == before + 1
    assert ask(wrong) == 401 and ask(_forged(other)) == 401
    assert stats.verifications == before + 1  # refused again within the cache time, no Argon2


def test_an_unknown_id_and_a_wrong_secret_answer_alike(services, registry, admin):
    stats = _stats(services)
    known = new_token(registry, admin, "network")["token"]
    unknown = f"iae_{uuid.uuid4().hex}_{uuid.uuid4().hex}"
    before = stats.verifications
    answers = [registry.get("/v1/whoami", headers=bearer(t)) for t in (_forged(known), unknown)]
    assert stats.verifications == before + 2  # the unknown id is checked against a dummy hash
    statuses = {a.status_code for a in answers}
    bodies = [{k: a.json[k] for k in ("type", "title", "status", "detail")} for a in answers]
    headers = {a.headers.get("WWW-Authenticate") for a in answers}
    assert statuses == {401} and bodies[0] == bodies[1] and headers == {"Bearer"}
