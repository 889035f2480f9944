"""Tokens: shown once, stored as Argon2 hashes, looked up by the id they embed (ADR 0002)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import uuid
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from services.registry import journal, rules
from services.registry.models import Group, Structure, Token
from shared.auth import Caller, RegistryUnavailable
from shared.problems import Problem

PREFIX = "iae"
BOOTSTRAP_TOKEN_ID = "bootstrap"  # the ADMIN_TOKEN setting, which has no row
REMEMBERED_SECRETS = 10_000  # verified secrets kept in memory, to skip Argon2 on later calls
_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
BOUND_MODELS = {"structure_id": Structure, "group_id": Group}


def new_secret(token_id: uuid.UUID) -> tuple[str, str]:
    """A fresh token string (`iae_<id>_<secret>`) and the hash to store."""
    secret = secrets.token_urlsafe(32)
    return f"{PREFIX}_{token_id.hex}_{secret}", _hasher.hash(secret)


def _split(token: str) -> tuple[uuid.UUID, str] | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    try:
        return uuid.UUID(hex=parts[1]), parts[2]
    except ValueError:
        return None


def _caller(row: Token) -> Caller:
    return Caller(
        row.scope,
        str(row.id),
        str(row.structure_id) if row.structure_id else None,
        str(row.group_id) if row.group_id else None,
        row.department,
        row.region,
    )


class TokenVerifier:
    """token → Caller | None. Revocation is read on every call, so the registry itself never
    answers from a stale cache; only the costly Argon2 check of a secret is remembered."""

    def __init__(self, factory: sessionmaker[Session], admin_token: str):
        self._factory = factory
        self._admin_token = admin_token.encode()
        self._verified: dict[uuid.UUID, bytes] = {}
        self._lock = threading.Lock()

    def __call__(self, token: str) -> Caller | None:
        if self._admin_token and hmac.compare_digest(token.encode(), self._admin_token):
            return Caller("admin", token_id=BOOTSTRAP_TOKEN_ID)
        split = _split(token)
        if split is None:
            return None
        row = self._load(split[0])
        if row is None or row.revoked_at is not None or not self._secret_ok(row, split[1]):
            return None
        return _caller(row)

    def _load(self, token_id: uuid.UUID) -> Token | None:
        try:
            with self._factory() as session:
                return session.get(Token, token_id)
        except OperationalError as exc:  # database down: 503, not 500
            raise RegistryUnavailable("database") from exc

    def _secret_ok(self, row: Token, secret: str) -> bool:
        digest = hashlib.sha256(secret.encode()).digest()
        if hmac.compare_digest(self._verified.get(row.id, b""), digest):
            return True
        try:
            _hasher.verify(row.secret_hash, secret)
        except (VerificationError, InvalidHashError):
            return False
        with self._lock:
            if len(self._verified) >= REMEMBERED_SECRETS:
                self._verified.clear()
            self._verified[row.id] = digest
        return True


def _check_binding(session: Session, data: dict) -> None:
    """The scope names what it must, and what it names exists (else 422)."""
    errors = rules.binding_errors(
        data["scope"], data["structure_id"], data["group_id"], data["department"], data["region"]
    )
    for name, model in BOUND_MODELS.items():
        if name not in errors and data[name] and session.get(model, data[name]) is None:
            errors[name] = ["Aucune entité ne porte cet identifiant."]
    if errors:
        raise Problem(422, "Les données envoyées ne sont pas valides.", errors=errors)


def create(session: Session, caller: Caller, data: dict) -> dict:
    """Store a new token's hash; the answer is the only place its secret ever appears."""
    _check_binding(session, data)
    token_id = uuid.uuid4()
    secret, hashed = new_secret(token_id)
    row = Token(id=token_id, secret_hash=hashed, **data)
    session.add(row)
    session.flush()
    journal.audit(
        session,
        caller,
        "create",
        "token",
        token_id,
        {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in data.items()},
    )
    return {**info(row), "token": secret}


def revoke(session: Session, caller: Caller, token_id: uuid.UUID) -> None:
    """Revoke a token (idempotent); unknown → 404."""
    row = session.get(Token, token_id, with_for_update=True)
    if row is None:
        raise Problem(404, "Aucun jeton ne porte cet identifiant.")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        journal.audit(
            session, caller, "revoke", "token", token_id, {"revoked_at": row.revoked_at.isoformat()}
        )


def listing(session: Session, limit: int, offset: int) -> tuple[list[dict], int]:
    """Tokens, newest first, without their secrets (never stored) or hashes."""
    total = session.scalar(select(func.count()).select_from(Token))
    rows = session.scalars(
        select(Token).order_by(Token.created_at.desc(), Token.id).limit(limit).offset(offset)
    )
    return [info(r) for r in rows], total or 0


def info(row: Token) -> dict:
    return {
        "id": row.id,
        "scope": row.scope,
        "structure_id": row.structure_id,
        "group_id": row.group_id,
        "department": row.department,
        "region": row.region,
        "label": row.label,
        "created_at": row.created_at,
        "revoked_at": row.revoked_at,
    }
