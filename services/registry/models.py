"""Registry tables: structures, GES groups with dated memberships, annexes financières with
their avenants, tokens, staff accounts, changes and audit."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Structure(Base):
    __tablename__ = "structures"
    __table_args__ = (UniqueConstraint("siret", "kind", name="uq_structures_siret_kind"),)
    __mapper_args__ = {"eager_defaults": True}  # read updated_at back after an UPDATE

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    siret: Mapped[str] = mapped_column(String(14))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    department: Mapped[str] = mapped_column(String(3))
    region: Mapped[str] = mapped_column(String(2))
    convention_number: Mapped[str | None] = mapped_column(String(50))
    sectors: Mapped[list] = mapped_column(JSONB, default=list)
    # Closed from that day: its tokens are revoked when it is set (services/registry/structures.py).
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Group(Base):
    """A GES (groupe économique solidaire): a grouping of structures, not a kind."""

    __tablename__ = "groups"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Membership(Base):
    """One stay of a structure in a group; both dates inclusive, `left_on` null while a member."""

    __tablename__ = "memberships"
    __table_args__ = (
        Index("ix_memberships_group", "group_id", "structure_id", "joined_on"),
        Index(
            "uq_memberships_open",
            "group_id",
            "structure_id",
            unique=True,
            postgresql_where=text("left_on IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("groups.id"))
    structure_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("structures.id"))
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)


class Annex(Base):
    """An annexe financière: the ETP the State funds a structure for one measure and period
    (docs/domain.md §6b); its avenants change that figure from their date."""

    __tablename__ = "annexes"
    __table_args__ = (
        UniqueConstraint("number", name="uq_annexes_number"),
        Index("ix_annexes_structure", "structure_id", "measure"),
    )
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    structure_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("structures.id"))
    number: Mapped[str] = mapped_column(String(30))
    measure: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(12))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    etp_conventioned: Mapped[float] = mapped_column(Float)
    reference_hours: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    amendments: Mapped[list[Amendment]] = relationship(
        order_by="(Amendment.effective_on, Amendment.created_at, Amendment.id)",
        lazy="selectin",
    )


class Amendment(Base):
    """An avenant: from `effective_on` its annexe funds `etp_conventioned` ETP."""

    __tablename__ = "amendments"
    __table_args__ = (UniqueConstraint("annex_id", "number", name="uq_amendments_number"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    annex_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("annexes.id"))
    number: Mapped[str] = mapped_column(String(30))
    effective_on: Mapped[date] = mapped_column(Date)
    etp_conventioned: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.clock_timestamp()
    )


class Token(Base):
    __tablename__ = "tokens"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    secret_hash: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(20))
    structure_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("structures.id")
    )
    group_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("groups.id"))
    # A territory token names exactly one of them (docs/api.md, "Scopes").
    department: Mapped[str | None] = mapped_column(String(3))
    region: Mapped[str | None] = mapped_column(String(2))
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Refused from 00:00 UTC that day (services/registry/tokens.py); null: never expires.
    expires_on: Mapped[date | None] = mapped_column(Date)
    # Minted for a staff account signed in to the dashboard (services/registry/staff.py): the
    # account it acts for, and the instant it stops working.
    staff_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("staff_accounts.id")
    )
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StaffAccount(Base):
    """What a person signing in to the dashboard with that e-mail may see: a scope and its target,
    as for tokens. One person may hold several (two structures of a GES); removed ones are kept,
    with `removed_at`, for the audit. A unique index on the expressions of e-mail, scope and
    target of the accounts in force (migration 0006) keeps each account single."""

    __tablename__ = "staff_accounts"
    __table_args__ = (Index("ix_staff_accounts_email", "email"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254))
    scope: Mapped[str] = mapped_column(String(20))
    structure_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("structures.id")
    )
    group_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("groups.id"))
    department: Mapped[str | None] = mapped_column(String(3))
    region: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Change(Base):
    """Outbox of reference-data changes, read by reporting through `GET /v1/changes`."""

    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    data: Mapped[dict] = mapped_column(JSONB)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class AuditEntry(Base):
    """Who changed what and when; never holds a token secret or hash."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor_token_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    changes: Mapped[dict] = mapped_column(JSONB)
