"""Envelope encryption of identity data: one AES-256-GCM data key per person, wrapped by a
key-encryption key (KEK) of the settings. Deleting the wrapped key shreds the identity for good.

KEKs are versioned (docs/adr/0003-crypto-shredding.md): `IDENTITY_KEK`, of version
`IDENTITY_KEK_VERSION`, wraps every new key, and each wrapped key is stored with the version that
wrapped it. Earlier KEKs listed in `IDENTITY_KEK_PREVIOUS` only unwrap, while
`python -m services.pathways.cli rotate-kek` wraps every key again with the current one; then the
old KEK is destroyed, and with it what any backup or disk page still holds of erased persons.
"""

from __future__ import annotations

import base64
import binascii
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
HOW = "(e.g. python -c 'import os,base64;print(base64.b64encode(os.urandom(32)).decode())')"


class MissingKek(RuntimeError):
    """The service cannot start without valid key-encryption keys."""


@dataclass(frozen=True)
class Wrapped:
    """A data key wrapped by the KEK of `version`."""

    version: int
    nonce: bytes
    key: bytes

    @classmethod
    def stored(cls, version: int, nonce: bytes, key: bytes) -> Wrapped:
        """From the columns of person_keys: kek_version, nonce, wrapped_key."""
        return cls(version, bytes(nonce), bytes(key))


@dataclass(frozen=True)
class Sealed:
    """An encrypted identity and its wrapped data key, ready to store."""

    nonce: bytes
    identity: bytes
    key: Wrapped

    @property
    def key_nonce(self) -> bytes:
        return self.key.nonce

    @property
    def wrapped_key(self) -> bytes:
        return self.key.key


@dataclass(frozen=True, eq=False)
class Keyring:
    """The KEKs by version: the current one wraps, each of them unwraps what it wrapped."""

    version: int
    keks: Mapping[int, AESGCM]

    def wrap(self, person_id: uuid.UUID, data_key: bytes) -> Wrapped:
        nonce = os.urandom(NONCE_BYTES)
        wrapped = self.keks[self.version].encrypt(nonce, data_key, person_id.bytes)
        return Wrapped(self.version, nonce, wrapped)

    def unwrap(self, person_id: uuid.UUID, wrapped: Wrapped) -> bytes | None:
        """A person's data key; None when no KEK here opens it (wrapped by another KEK, or by
        a version since destroyed): as good as erased."""
        kek = self.keks.get(wrapped.version)
        if kek is None:
            return None
        try:
            return kek.decrypt(wrapped.nonce, wrapped.key, person_id.bytes)
        except InvalidTag:
            return None


def load_keyring(current: str, version: int = 1, previous: str = "") -> Keyring:
    """The KEKs of the settings (`IDENTITY_KEK`, `IDENTITY_KEK_VERSION`,
    `IDENTITY_KEK_PREVIOUS` as `version:base64,…`); refuse to start with a clear message."""
    if version < 1:
        raise MissingKek("IDENTITY_KEK_VERSION must be a positive integer.")
    raw = {version: _raw(current, "IDENTITY_KEK")}
    for item in filter(None, (part.strip() for part in previous.split(","))):
        number, _, encoded = item.partition(":")
        if not number.strip().isdigit() or int(number) in raw:
            raise MissingKek(
                "IDENTITY_KEK_PREVIOUS must list version:base64 pairs, each version once and "
                "other than IDENTITY_KEK_VERSION."
            )
        raw[int(number)] = _raw(encoded.strip(), f"IDENTITY_KEK_PREVIOUS (version {number})")
        if raw[int(number)] == raw[version]:
            raise MissingKek(
                f"IDENTITY_KEK_PREVIOUS version {number} is IDENTITY_KEK itself: a rotation "
                "needs a new key."
            )
    return Keyring(version, {v: AESGCM(key) for v, key in raw.items()})


def load_kek(encoded: str) -> Keyring:
    """A keyring of one KEK, of version 1 (tools and tests)."""
    return load_keyring(encoded)


def _raw(encoded: str, setting: str) -> bytes:
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise MissingKek(f"{setting} must be set to a base64-encoded 32-byte key {HOW}.")
    return raw


def seal(keyring: Keyring, person_id: uuid.UUID, plaintext: bytes) -> Sealed:
    """Encrypt `plaintext` with a fresh data key, bound to the person's id."""
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    identity = AESGCM(data_key).encrypt(nonce, plaintext, person_id.bytes)
    return Sealed(nonce, identity, keyring.wrap(person_id, data_key))


def open_sealed(keyring: Keyring, person_id: uuid.UUID, sealed: Sealed) -> bytes:
    """Decrypt an identity: unwrap its data key, then the identity itself (InvalidTag when
    either does not open)."""
    data_key = keyring.unwrap(person_id, sealed.key)
    if data_key is None:
        raise InvalidTag()
    return AESGCM(data_key).decrypt(sealed.nonce, sealed.identity, person_id.bytes)


def seal_value(data_key: bytes, aad: bytes, plaintext: bytes) -> tuple[bytes, bytes]:
    """Encrypt a value kept beside an identity with the person's data key: (nonce, ciphertext)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(data_key).encrypt(nonce, plaintext, aad)


def open_value(data_key: bytes, aad: bytes, nonce: bytes, ciphertext: bytes) -> bytes:
    """Decrypt a value sealed by `seal_value`."""
    return AESGCM(data_key).decrypt(nonce, ciphertext, aad)
