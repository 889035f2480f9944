"""Revision 0006: accounts already duplicated before the unique index (two admins adding the
same account at once) are reduced to the oldest, the tokens of the others revoked (real
PostgreSQL)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from shared import db, migrations
from tests.support import make_settings

ADD = """INSERT INTO staff_accounts (id, email, scope, created_at)
         VALUES (:id, 'agent@exemple.fr', 'network', now() - make_interval(mins => :age))"""
MINT = """INSERT INTO tokens (id, secret_hash, scope, label, staff_id)
          VALUES (:id, 'x', 'network', 'session', :staff)"""


@pytest.fixture
def engine(engines):
    url = make_settings(engines).database_url_for("registry")
    migrations.upgrade("registry", url, "0005")
    eng = db.make_engine(url, pool_size=1)
    yield eng, url
    eng.dispose()
    db.drop_database(url)


def test_duplicated_accounts_keep_the_oldest_and_their_tokens_go(engine):
    eng, url = engine
    oldest, newer, token_of_oldest, token_of_newer = (uuid.uuid4() for _ in range(4))
    with eng.begin() as conn:
        conn.execute(text(ADD), {"id": oldest, "age": 10})
        conn.execute(text(ADD), {"id": newer, "age": 5})
        conn.execute(text(MINT), {"id": token_of_oldest, "staff": oldest})
        conn.execute(text(MINT), {"id": token_of_newer, "staff": newer})
    migrations.upgrade("registry", url)
    with eng.connect() as conn:
        in_force = conn.execute(
            text("SELECT id FROM staff_accounts WHERE removed_at IS NULL")
        ).scalars()
        assert list(in_force) == [oldest]
        revoked = conn.execute(text("SELECT id FROM tokens WHERE revoked_at IS NOT NULL")).scalars()
        assert list(revoked) == [token_of_newer]
        with pytest.raises(IntegrityError, match="ux_staff_accounts_in_force"):
            conn.execute(text(ADD), {"id": uuid.uuid4(), "age": 0})
