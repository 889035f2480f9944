"""Staff accounts: an e-mail that signs in to the dashboard through the identity provider, and
what it may then see (a scope and its target, as for tokens). Admins create and remove them;
the reporting service, with its `service` token, finds a signed-in e-mail's accounts and mints,
for the one the person chose, a short-lived token of that account's scope, which the dashboard
then calls the services with (docs/api.md, "Staff accounts"). Every change is audited: the
account's creation with its e-mail, the tokens minted for it by the account's id only."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.registry import journal, tokens
from services.registry.models import Group, StaffAccount, Structure, Token
from shared.auth import Caller
from shared.domain.identifiers import normalize_email
from shared.problems import Problem

UNKNOWN = "Aucun compte ne porte cet identifiant."
EXISTS = "Ce compte existe déjà : même adresse, même portée, même périmètre."
# The unique index of the accounts in force (migration 0006): the check above locks no row
# when there is none yet, so two admins adding the same account at once meet there.
IN_FORCE = "ux_staff_accounts_in_force"
TARGET_FIELDS = ("structure_id", "group_id", "department", "region")


def create(session: Session, caller: Caller, data: dict) -> dict:
    """A new account; the same e-mail with the same scope and target twice → 409."""
    data = {**data, "email": normalize_email(data["email"])}
    tokens.check_binding(session, data)
    same = select(StaffAccount.id).where(
        StaffAccount.removed_at.is_(None),
        StaffAccount.email == data["email"],
        StaffAccount.scope == data["scope"],
        *(
            getattr(StaffAccount, name).is_(None)
            if data[name] is None
            else getattr(StaffAccount, name) == data[name]
            for name in TARGET_FIELDS
        ),
    )
    if session.scalar(same.with_for_update()) is not None:
        raise Problem(409, EXISTS)
    row = StaffAccount(id=uuid.uuid4(), **data)
    try:
        with session.begin_nested():  # the same account added at this instant by another admin
            session.add(row)
            session.flush()
    except IntegrityError as error:
        diag = getattr(error.orig, "diag", None)
        if diag is not None and diag.constraint_name == IN_FORCE:
            raise Problem(409, EXISTS) from None
        raise
    journal.audit(session, caller, "create", "staff", row.id, _plain(data))
    return info(session, row)


def remove(session: Session, caller: Caller, staff_id: uuid.UUID) -> None:
    """Remove an account (idempotent) and revoke the tokens minted for it; unknown → 404."""
    row = session.get(StaffAccount, staff_id, with_for_update=True)
    if row is None:
        raise Problem(404, UNKNOWN)
    if row.removed_at is not None:
        return
    row.removed_at = datetime.now(UTC)
    journal.audit(
        session, caller, "remove", "staff", row.id, {"removed_at": row.removed_at.isoformat()}
    )
    live = session.scalars(
        select(Token).where(Token.staff_id == row.id, Token.revoked_at.is_(None)).with_for_update()
    )
    for token in live:
        token.revoked_at = row.removed_at
        changes = {"revoked_at": row.removed_at.isoformat(), "reason": "staff_removed"}
        journal.audit(session, caller, "revoke", "token", token.id, changes)


def listing(
    session: Session, limit: int, offset: int, email: str | None = None
) -> tuple[list[dict], int]:
    """Accounts in force, newest first; `email` keeps one person's."""
    where: list[ColumnElement[bool]] = [StaffAccount.removed_at.is_(None)]
    if email is not None:
        where.append(StaffAccount.email == normalize_email(email))
    total = session.scalar(select(func.count()).select_from(StaffAccount).where(*where))
    rows = session.scalars(
        select(StaffAccount)
        .where(*where)
        .order_by(StaffAccount.created_at.desc(), StaffAccount.id)
        .limit(limit)
        .offset(offset)
    )
    return [info(session, r) for r in rows], total or 0


def accounts_of(session: Session, email: str) -> list[dict]:
    """The accounts in force of a signed-in e-mail, oldest first (the order they are offered)."""
    rows = session.scalars(
        select(StaffAccount)
        .where(StaffAccount.removed_at.is_(None), StaffAccount.email == normalize_email(email))
        .order_by(StaffAccount.created_at, StaffAccount.id)
    )
    return [info(session, r) for r in rows if _open(session, r)]


def _open(session: Session, row: StaffAccount) -> bool:
    """An account may sign in unless it was removed or its structure is closed (closing revokes
    the structure's tokens: its staff lose their access with them)."""
    if row.removed_at is not None:
        return False
    if row.structure_id is None:
        return True
    structure = session.get(Structure, row.structure_id)
    return structure is not None and structure.closed_on is None


def mint(
    session: Session, caller: Caller, staff_id: uuid.UUID, data: dict, max_minutes: int
) -> dict:
    """A token of the account's scope and target, bound to the account, refused after `minutes`
    (at most `max_minutes`). The e-mail the provider vouched for must be the account's: knowing
    an account's id is not enough. `acr` and `amr` (how the person authenticated) are audited."""
    row = session.get(StaffAccount, staff_id)
    if row is None or not _open(session, row) or row.email != normalize_email(data["email"]):
        raise Problem(404, UNKNOWN)
    minutes = min(data.get("minutes") or max_minutes, max_minutes)
    expires_at = datetime.now(UTC) + timedelta(minutes=minutes)
    token_id = uuid.uuid4()
    secret, hashed = tokens.new_secret(token_id)
    target = {name: getattr(row, name) for name in TARGET_FIELDS}
    token = Token(
        id=token_id,
        secret_hash=hashed,
        scope=row.scope,
        label=f"tableau de bord, compte {row.id}",
        staff_id=row.id,
        expires_at=expires_at,
        **target,
    )
    session.add(token)
    session.flush()
    changes = {
        **_plain({"scope": row.scope, **target}),
        "staff_id": str(row.id),
        "expires_at": expires_at.isoformat(),
        "acr": data.get("acr"),
        "amr": data.get("amr"),
    }
    journal.audit(session, caller, "mint", "token", token_id, changes)
    return {**tokens.info(token), "token": secret}


def revoke_minted(session: Session, caller: Caller, token_id: uuid.UUID) -> None:
    """Revoke a token minted for a staff account (sign-out); any other token → 404."""
    row = session.get(Token, token_id, with_for_update=True)
    if row is None or row.staff_id is None:
        raise Problem(404, "Aucun jeton de compte ne porte cet identifiant.")
    tokens.revoke(session, caller, token_id)


def info(session: Session, row: StaffAccount) -> dict:
    """The account as answered, with the name of its structure or GES for display."""
    name = None
    if row.structure_id is not None:
        structure = session.get(Structure, row.structure_id)
        name = structure.name if structure else None
    elif row.group_id is not None:
        group = session.get(Group, row.group_id)
        name = group.name if group else None
    return {
        "id": row.id,
        "email": row.email,
        "scope": row.scope,
        **{name_: getattr(row, name_) for name_ in TARGET_FIELDS},
        "target_name": name,
        "created_at": row.created_at,
    }


def _plain(data: dict) -> dict:
    return {k: str(v) if isinstance(v, uuid.UUID | date) else v for k, v in data.items()}
