"""Tokens: shown once, stored as Argon2 hashes, looked up by the id they embed (ADR 0002)."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime

from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.registry import journal, rules
from services.registry.models import Group, Structure, Token
from shared.auth import BOOTSTRAP, Caller
from shared.problems import Problem

PREFIX = "iae"
BOOTSTRAP_TOKEN_ID = "bootstrap"  # the ADMIN_TOKEN setting, which has no row
# The bootstrap token may only create admin tokens (docs/api.md, "Scopes").
BOOTSTRAP_CALLER = Caller(BOOTSTRAP, token_id=BOOTSTRAP_TOKEN_ID)
hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
BOUND_MODELS = {"structure_id": Structure, "group_id": Group}


def new_secret(token_id: uuid.UUID) -> tuple[str, str]:
    """A fresh token string (`iae_<id>_<secret>`) and the hash to store."""
    secret = secrets.token_urlsafe(32)
    return f"{PREFIX}_{token_id.hex}_{secret}", hasher.hash(secret)


def split(token: str) -> tuple[uuid.UUID, str] | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    try:
        return uuid.UUID(hex=parts[1]), parts[2]
    except ValueError:
        return None


def caller_of(row: Token) -> Caller:
    return Caller(
        row.scope,
        str(row.id),
        str(row.structure_id) if row.structure_id else None,
        str(row.group_id) if row.group_id else None,
        row.department,
        row.region,
        row.expires_on,
        str(row.staff_id) if row.staff_id else None,
        row.expires_at,
    )


def today() -> date:
    """The day tokens expire by: a token with `expires_on` is refused from 00:00 UTC that day."""
    return datetime.now(UTC).date()


def check_binding(session: Session, data: dict) -> None:
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
    if caller.scope == BOOTSTRAP and data["scope"] != "admin":
        raise Problem(
            403,
            "Le jeton d'amorçage (ADMIN_TOKEN) ne sert qu'à créer des jetons de portée admin.",
        )
    check_binding(session, data)
    if data.get("expires_on") is not None and data["expires_on"] <= today():
        message = "La date d'expiration doit être postérieure à aujourd'hui."
        raise Problem(422, message, errors={"expires_on": [message]})
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
        {k: str(v) if isinstance(v, uuid.UUID | date) else v for k, v in data.items()},
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


def revoke_structure_tokens(session: Session, caller: Caller, structure_id: uuid.UUID) -> int:
    """Revoke every live token of a structure (it closed); each revocation audited."""
    rows = session.scalars(
        select(Token)
        .where(Token.structure_id == structure_id, Token.revoked_at.is_(None))
        .with_for_update()
    )
    count = 0
    for row in rows:
        row.revoked_at = datetime.now(UTC)
        changes = {"revoked_at": row.revoked_at.isoformat(), "reason": "structure_closed"}
        journal.audit(session, caller, "revoke", "token", row.id, changes)
        count += 1
    return count


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
        "expires_on": row.expires_on,
        "staff_id": row.staff_id,
        "expires_at": row.expires_at,
    }
