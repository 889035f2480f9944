"""Checking a presented token (ADR 0002): the bootstrap setting, then a token row by the id it
embeds, its Argon2-hashed secret, its revocation and its expiry.

Argon2 is what makes a stolen hash useless, and also what makes a check costly (about 200 ms and
64 MiB). So: a secret verified once is remembered (per token id); a refusal is remembered briefly,
per presented token and per token id, so repeating a wrong secret costs no new verification; an
unknown id is verified against a dummy hash, so it answers like a wrong secret, in about the same
time; and at most `token_checks_at_once` verifications run at once in a process."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
import uuid

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from services.registry import journal
from services.registry.models import Token
from services.registry.tokens import BOOTSTRAP_CALLER, PREFIX, caller_of, hasher, split
from shared.auth import Caller, RegistryUnavailable
from shared.settings import Settings

REMEMBERED = 10_000  # verified secrets, and refusals, kept in memory at most
SLOT_WAIT_SECONDS = 30.0  # then 503: the registry is flooded with checks
SERVICE_LABEL = "worker de rapports (SERVICE_TOKEN)"


class Stats:
    """What the checks cost: Argon2 verifications run, and the most ever running at once."""

    def __init__(self) -> None:
        self.verifications = 0
        self.running = 0
        self.peak = 0


class TokenVerifier:
    """token → Caller | None. The row (revocation, expiry) is read on every call, so the registry
    itself never answers from a stale cache; only Argon2 results are remembered."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings):
        self._factory = factory
        self._admin_token = settings.admin_token.encode()
        self._service_token = settings.service_token
        if self._service_token and split(self._service_token) is None:
            raise ValueError(f"SERVICE_TOKEN doit avoir la forme {PREFIX}_<32 hex>_<secret>.")
        self._failure_seconds = settings.auth_failure_seconds
        self._slots = threading.BoundedSemaphore(max(1, settings.token_checks_at_once))
        self._verified: dict[uuid.UUID, bytes] = {}
        self._refused: dict[object, float] = {}  # token digest or token id → until (monotonic)
        self._lock = threading.Lock()
        self._dummy_hash: str | None = None
        self.stats = Stats()

    def __call__(self, token: str) -> Caller | None:
        if self._admin_token and hmac.compare_digest(token.encode(), self._admin_token):
            return BOOTSTRAP_CALLER
        parts = split(token)
        if parts is None:
            return None
        token_id, secret = parts
        digest = hashlib.sha256(token.encode()).digest()
        if self._recently_refused(digest):
            return None
        row = self._load(token_id)
        if row is None and self._service_token and hmac.compare_digest(token, self._service_token):
            row = self._provision(token_id, secret)
        if not self._secret_ok(row, token_id, secret):
            self._remember_refusal(digest, token_id)
            return None
        assert row is not None
        if row.revoked_at is not None:
            return None
        caller = caller_of(row)
        return caller if caller.seconds_left() > 0 else None

    def _recently_refused(self, key: object) -> bool:
        with self._lock:
            until = self._refused.get(key)
        return until is not None and until > time.monotonic()

    def _remember_refusal(self, digest: bytes, token_id: uuid.UUID) -> None:
        until = time.monotonic() + self._failure_seconds
        with self._lock:
            if len(self._refused) >= REMEMBERED:
                now = time.monotonic()
                self._refused = {k: v for k, v in self._refused.items() if v > now}
                if len(self._refused) >= REMEMBERED:
                    self._refused.clear()
            self._refused[digest] = self._refused[token_id] = until

    def _load(self, token_id: uuid.UUID) -> Token | None:
        try:
            with self._factory() as session:
                return session.get(Token, token_id)
        except OperationalError as exc:  # database down: 503, not 500
            raise RegistryUnavailable("database") from exc

    def _provision(self, token_id: uuid.UUID, secret: str) -> Token | None:
        """The SERVICE_TOKEN setting's row, created the first time the worker presents it (by
        the bootstrap actor, audited). A revoked one stays revoked: rotate by changing the
        setting."""
        values = {
            "id": token_id,
            "secret_hash": hasher.hash(secret),
            "scope": "service",
            "label": SERVICE_LABEL,
        }
        try:
            with self._factory.begin() as session:
                made = session.execute(
                    insert(Token).values(**values).on_conflict_do_nothing().returning(Token.id)
                ).scalar()
                if made is not None:
                    changes = {"scope": "service", "label": SERVICE_LABEL}
                    journal.audit(session, BOOTSTRAP_CALLER, "create", "token", made, changes)
        except OperationalError as exc:
            raise RegistryUnavailable("database") from exc
        return self._load(token_id)

    def _secret_ok(self, row: Token | None, token_id: uuid.UUID, secret: str) -> bool:
        """Whether `secret` is the row's; an unknown row costs the same verification, refused."""
        digest = hashlib.sha256(secret.encode()).digest()
        if row is not None and hmac.compare_digest(self._verified.get(row.id, b""), digest):
            return True
        if self._recently_refused(token_id):
            return False
        hashed = row.secret_hash if row is not None else self._dummy()
        ok = self._argon2(hashed, secret, token_id)
        if not ok or row is None:
            return False
        with self._lock:
            if len(self._verified) >= REMEMBERED:
                self._verified.clear()
            self._verified[row.id] = digest
        return True

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = hasher.hash(uuid.uuid4().hex)
        return self._dummy_hash

    def _argon2(self, hashed: str, secret: str, token_id: uuid.UUID) -> bool:
        if not self._slots.acquire(timeout=SLOT_WAIT_SECONDS):
            raise RegistryUnavailable("too many token checks at once")
        try:
            if self._recently_refused(token_id):  # refused while this call waited for a slot
                return False
            with self._lock:
                self.stats.verifications += 1
                self.stats.running += 1
                self.stats.peak = max(self.stats.peak, self.stats.running)
            try:
                return hasher.verify(hashed, secret)
            except (VerificationError, InvalidHashError):
                return False
        finally:
            with self._lock:
                self.stats.running -= 1
            self._slots.release()
