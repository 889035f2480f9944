"""Token secrets: shown once, stored as Argon2 hashes, looked up by the id they embed."""

from __future__ import annotations

import hmac
import secrets
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy.orm import Session, sessionmaker

from services.registry.models import Token
from shared.auth import Caller

PREFIX = "iae"
_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)


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


def verifier(factory: sessionmaker[Session], admin_token: str):
    """A function token → Caller | None that checks the bootstrap admin token and stored tokens."""

    def verify(token: str) -> Caller | None:
        if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
            return Caller("admin", token_id="bootstrap")
        split = _split(token)
        if split is None:
            return None
        with factory() as session:
            row = session.get(Token, split[0])
        if row is None or row.revoked_at is not None:
            return None
        try:
            _hasher.verify(row.secret_hash, split[1])
        except VerificationError:
            return None
        return Caller(
            row.scope,
            str(row.id),
            str(row.structure_id) if row.structure_id else None,
            str(row.group_id) if row.group_id else None,
        )

    return verify
