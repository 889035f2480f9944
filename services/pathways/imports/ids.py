"""The ids an import gives its pathways and events (docs/adr/, decision 0009).

An id is an HMAC-SHA256 of the structure and the reference (or the row's content), keyed by the
server's secret `IMPORT_ID_SECRET`: stable, so that a file uploaded again appends nothing twice,
and out of reach of every other structure, which can neither take such an id first nor test
whether it exists. Imports made before this used `uuid5` of a published namespace; the ids of
those a structure owns are recognised, so its earlier pathways and rows keep theirs.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace

MIN_SECRET_CHARS = 32
# Published, frozen: it named the pathways and rows of earlier imports (those ids are in the
# log), and still names the contracts and trainings inside a pathway (rows.reference_id).
NAMESPACE = uuid.UUID("a3e5f0c2-7d4b-4f1e-8c9a-2b6d0e1f3a5c")


class MissingImportSecret(RuntimeError):
    """The pathways service cannot start without the secret its import ids are keyed by."""


def load_secret(setting: str) -> bytes:
    """The secret from its setting; refuse to start when it is missing or short."""
    if len(setting) < MIN_SECRET_CHARS:
        raise MissingImportSecret(
            f"IMPORT_ID_SECRET must be set to a random secret of at least {MIN_SECRET_CHARS} "
            "characters (e.g. python -c 'import secrets;print(secrets.token_urlsafe(32))'); "
            "keep it for good: it names the pathways and events of every import."
        )
    return setting.encode()


def keyed_id(secret: bytes, *parts: str) -> str:
    """A UUID (version 8, RFC 9562) from the HMAC-SHA256 of the parts."""
    message = "\x1f".join(parts).encode()
    raw = bytearray(hmac.new(secret, message, hashlib.sha256).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x80
    raw[8] = (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))


def earlier_pathway_id(structure_id: str, reference: str) -> str:
    """The id an import made before the keyed ids gave this reference."""
    return str(uuid.uuid5(NAMESPACE, f"{structure_id}:parcours:{reference}"))


def earlier_event_id(structure_id: str, content: str, occurrence: int) -> str:
    """The id an import made before the keyed ids gave this row."""
    return str(uuid.uuid5(NAMESPACE, f"{structure_id}|{content}|{occurrence}"))


@dataclass(frozen=True)
class ImportIds:
    """How one structure's uploads name pathways and events: keyed ids, except the ids of its
    earlier imports found in the log (`earlier`), which stay theirs."""

    secret: bytes
    structure_id: str
    earlier: frozenset[str] = frozenset()

    def pathway(self, reference: str) -> str:
        """A UUID as given (a pathway opened through the API), else the reference's id."""
        try:
            return str(uuid.UUID(reference))
        except ValueError:
            pass
        earlier = earlier_pathway_id(self.structure_id, reference)
        if earlier in self.earlier:
            return earlier
        return keyed_id(self.secret, "parcours", self.structure_id, reference)

    def event(self, content: str, occurrence: int) -> str:
        """The id of the `occurrence`-th row of this content in a file."""
        earlier = earlier_event_id(self.structure_id, content, occurrence)
        if earlier in self.earlier:
            return earlier
        return keyed_id(self.secret, "evenement", self.structure_id, content, str(occurrence))

    def knowing(self, owned: Iterable[str]) -> ImportIds:
        """These ids, and the ids of earlier imports the structure is found to own."""
        return replace(self, earlier=self.earlier | frozenset(owned))
