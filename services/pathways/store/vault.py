"""Envelope encryption of identity data: one AES-256-GCM data key per person, wrapped by the
key-encryption key (KEK) of the settings. Deleting the wrapped key shreds the identity for good."""

from __future__ import annotations

import base64
import binascii
import os
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class MissingKek(RuntimeError):
    """The service cannot start without a valid key-encryption key."""


@dataclass(frozen=True)
class Sealed:
    """An encrypted identity and its wrapped data key, ready to store."""

    nonce: bytes
    identity: bytes
    key_nonce: bytes
    wrapped_key: bytes


def load_kek(encoded: str) -> AESGCM:
    """The KEK from its base64 setting; refuse to start with a clear message otherwise."""
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise MissingKek(
            "IDENTITY_KEK must be set to a base64-encoded 32-byte key "
            "(e.g. python -c 'import os,base64;print(base64.b64encode(os.urandom(32)).decode())')."
        )
    return AESGCM(raw)


def seal(kek: AESGCM, person_id: uuid.UUID, plaintext: bytes) -> Sealed:
    """Encrypt `plaintext` with a fresh data key, bound to the person's id."""
    data_key = AESGCM.generate_key(bit_length=256)
    nonce, key_nonce = os.urandom(NONCE_BYTES), os.urandom(NONCE_BYTES)
    aad = person_id.bytes
    identity = AESGCM(data_key).encrypt(nonce, plaintext, aad)
    return Sealed(nonce, identity, key_nonce, kek.encrypt(key_nonce, data_key, aad))


def open_sealed(kek: AESGCM, person_id: uuid.UUID, sealed: Sealed) -> bytes:
    """Decrypt an identity: unwrap its data key, then the identity itself."""
    data_key = unwrap(kek, person_id, sealed.key_nonce, sealed.wrapped_key)
    return AESGCM(data_key).decrypt(sealed.nonce, sealed.identity, person_id.bytes)


def unwrap(kek: AESGCM, person_id: uuid.UUID, key_nonce: bytes, wrapped_key: bytes) -> bytes:
    """A person's data key (InvalidTag when wrapped by another KEK)."""
    return kek.decrypt(key_nonce, wrapped_key, person_id.bytes)


def seal_value(data_key: bytes, aad: bytes, plaintext: bytes) -> tuple[bytes, bytes]:
    """Encrypt a value kept beside an identity with the person's data key: (nonce, ciphertext)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(data_key).encrypt(nonce, plaintext, aad)


def open_value(data_key: bytes, aad: bytes, nonce: bytes, ciphertext: bytes) -> bytes:
    """Decrypt a value sealed by `seal_value`."""
    return AESGCM(data_key).decrypt(nonce, ciphertext, aad)
