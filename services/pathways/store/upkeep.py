"""Operator tasks on the identity vault (docs/adr/0003-crypto-shredding.md): wrap every data key
again with the current KEK, so that the previous one can be destroyed, and rewrite the vault's
tables, so that the rows of erased persons leave the database's files.

Both run as the owner of the tables (the URL's user, not the application's role): the
application may not update a key, and only an owner may vacuum."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, text

from services.pathways.store.vault import Keyring, Wrapped

VAULT_TABLES = ("persons", "person_keys", "event_sealed_values")

# A page of the keys another KEK wrapped, locked until re-wrapped: an erasure running meanwhile
# either deletes a key first (it is then not returned) or waits for this page.
PAGE = text(
    """
    SELECT person_id, kek_version, nonce, wrapped_key FROM person_keys
     WHERE kek_version <> :current AND person_id > :after
     ORDER BY person_id
     LIMIT :limit
       FOR UPDATE
    """
)
REWRAP = text(
    "UPDATE person_keys SET kek_version = :version, nonce = :nonce, wrapped_key = :key"
    " WHERE person_id = :id"
)
VERSIONS = text("SELECT kek_version, count(*) FROM person_keys GROUP BY kek_version")
NOT_OWNED = text(
    "SELECT relname FROM pg_class WHERE relname = ANY(:tables) AND relkind = 'r'"
    " AND NOT pg_has_role(current_user, relowner, 'USAGE') ORDER BY relname"
)


@dataclass
class Rotation:
    """What a rotation did: keys wrapped again, keys no KEK at hand opens, keys left by
    version."""

    rewrapped: int = 0
    unreadable: int = 0
    versions: dict[int, int] = field(default_factory=dict)


def key_versions(engine: Engine) -> dict[int, int]:
    """How many wrapped keys each KEK version holds."""
    with engine.connect() as conn:
        return {version: count for version, count in conn.execute(VERSIONS)}


def rotate(
    engine: Engine,
    keyring: Keyring,
    batch: int = 1000,
    progress: Callable[[int], object] = lambda _: None,
) -> Rotation:
    """Wrap every data key that another KEK wrapped with the current one, a page per
    transaction; a key no KEK of `keyring` opens is counted and left as it is."""
    done = Rotation()
    after = "00000000-0000-0000-0000-000000000000"
    while True:
        with engine.begin() as conn:
            params = {"current": keyring.version, "after": after, "limit": batch}
            rows = conn.execute(PAGE, params).all()
            if not rows:
                break
            updates = []
            for person_id, *wrapped in rows:
                data_key = keyring.unwrap(person_id, Wrapped.stored(*wrapped))
                if data_key is None:
                    done.unreadable += 1
                    continue
                new = keyring.wrap(person_id, data_key)
                updates.append(
                    {"id": person_id, "version": new.version, "nonce": new.nonce, "key": new.key}
                )
            if updates:
                conn.execute(REWRAP, updates)
            after = str(rows[-1][0])
        done.rewrapped += len(updates)
        progress(len(rows))
    done.versions = key_versions(engine)
    return done


def vacuum(engine: Engine) -> None:
    """Rewrite the vault's tables (VACUUM FULL): the rows of erased persons, which a DELETE
    only marks dead and a plain VACUUM leaves in place until overwritten, leave the files.
    Reads and appends that need a person wait for it (an exclusive lock, seconds)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        foreign = conn.execute(NOT_OWNED, {"tables": list(VAULT_TABLES)}).scalars().all()
        if foreign:
            raise PermissionError(
                f"only the owner of {', '.join(foreign)} may rewrite them: run this command "
                "with the DATABASE_URL the migrations use"
            )
        conn.execute(text(f"VACUUM (FULL, ANALYZE) {', '.join(VAULT_TABLES)}"))
