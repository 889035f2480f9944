"""Appending events: requests decided in order against the log, then written in one go.

One HTTP request, alone or batched: one query reads every stream involved (unless this process
wrote them last, stream_cache), the pure rules decide each request, and the accepted events are
stored by one statement, its own transaction: position allocation, multi-row insert and upsert
of the pathway index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import psycopg
from marshmallow import ValidationError
from redis import Redis
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from services.pathways.decide.idempotency import EventIdConflict, Known, replay
from services.pathways.decide.pathway import (
    Context,
    Decision,
    PathwayState,
    decide,
    enrich_opened,
    fold,
    needs_earlier_passes,
    needs_person,
)
from services.pathways.store import events as store
from services.pathways.store import passes, persons, sealed, stream_cache
from services.pathways.store.vault import Keyring
from shared import queues
from shared.domain import event_versions
from shared.domain import events as ev
from shared.domain.event_fields import flatten_messages
from shared.domain.pathway.state import Event
from shared.problems import Problem

# A request that loses a race on the (pathway, version) or event-id constraint is decided again
# on the new log: it then becomes a replay (200), a conflict (409) or, without expected_version,
# an append after the winner.
ATTEMPTS = 3
NOT_FOUND = "Parcours introuvable."


@dataclass(frozen=True)
class Actor:
    """Who appends: the caller's structure and kind, today, and the metadata stored with events."""

    structure_id: str
    kind: str
    today: date
    metadata: dict


@dataclass(frozen=True)
class AppendRequest:
    """One pathway's events to append atomically, their data already in stored form."""

    pathway_id: str
    expected_version: int | None
    events: list[Event]


@dataclass
class Outcome:
    """What a request answers: 201/200 with the append body, or a problem."""

    status: int
    body: dict


def problem_outcome(pathway_id: str | None, problem: Problem) -> Outcome:
    return Outcome(problem.status, {"pathway_id": pathway_id, **problem.body()})


def to_request(pathway_id: str, expected: int | None, envelopes: list[dict]) -> AppendRequest:
    """Validate each event's data by its type's schema; 422 with events.{i}.data.* paths."""
    errors: dict[str, list[str]] = {}
    events = []
    for index, e in enumerate(envelopes):
        version = e.get("schema_version") or ev.SCHEMA_VERSION[e["type"]]
        try:
            event_versions.check_sendable(e["type"], version, date.today())
        except event_versions.RetiredVersion as retired:
            errors.setdefault(f"events.{index}.schema_version", []).append(str(retired))
            continue
        try:
            data = ev.load_event_data(e["type"], ev.upcast(e["type"], version, e["data"]))
        except ValidationError as error:
            for path, texts in flatten_messages(error.messages).items():
                suffix = "" if path == "_schema" else f".{path}"
                errors.setdefault(f"events.{index}.data{suffix}", []).extend(texts)
            continue
        events.append(Event(str(e["id"]), e["type"], e["occurred_on"], data))
    if errors:
        raise Problem(422, "Les données d'un événement ne sont pas valides.", errors=errors)
    return AppendRequest(pathway_id, expected, events)


def run(
    engine: Engine, kek: Keyring, actor: Actor, requests: list[AppendRequest | Outcome]
) -> list[Outcome]:
    """Decide every request on the log read, then store the accepted ones in one transaction
    (the unique (pathway, version) and event-id constraints catch a concurrent writer), deciding
    again after a lost race.

    Streams this process wrote last are not read again (stream_cache): the first attempt
    decides on them, and any collision or refusal sends the requests to a fresh read.

    The write engine does not ping connections on checkout (a round trip per append): a
    connection found lost instead empties the pool and the transaction runs once more; were the
    cut during COMMIT, the retry finds the events stored and answers their replay.
    """
    cache = stream_cache.of(engine)
    cached = _cached_streams(cache, requests)
    reconnect = True
    for _ in range(ATTEMPTS + (cached is not None)):
        try:
            return _transaction(engine, cache, Appender(kek, actor, cached), requests)
        except (IntegrityError, psycopg.IntegrityError, StaleStreams):
            pass
        except psycopg.OperationalError as error:
            if not (reconnect and _lost(error)):
                raise
            reconnect = False
            engine.dispose()
        if cached is not None:
            cache.drop(list(cached))
            cached = None
    raise Problem(
        409,
        "Écritures concurrentes sur ce parcours : relisez-le puis réessayez.",
        slug="version-conflict",
    )


def append_and_nudge(
    engine: Engine,
    kek: Keyring,
    actor: Actor,
    requests: list[AppendRequest | Outcome],
    redis: Redis,
    queue_prefix: str,
) -> list[Outcome]:
    """The append use case: `run` the requests, then, once their events are committed, nudge
    reporting (a name, never data: docs/adr/0004) when any was stored."""
    outcomes = run(engine, kek, actor, requests)
    if any(o.status == 201 for o in outcomes):
        queues.nudge_after_commit(redis, queue_prefix)
    return outcomes


class StaleStreams(Exception):
    """A request decided on cached streams was not accepted: decide it on the stored log."""


def _cached_streams(
    cache: stream_cache.StreamCache, requests: list[AppendRequest | Outcome]
) -> stream_cache.Streams | None:
    """The cached streams of every pathway the requests append to, when all are cached and no
    event needs a person (persons are read with the streams)."""
    valid = [r for r in requests if isinstance(r, AppendRequest)]
    if not valid or any(needs_person(e) for r in valid for e in r.events):
        return None
    return cache.get(list({r.pathway_id for r in valid}))


def _transaction(
    engine: Engine,
    cache: stream_cache.StreamCache,
    appender: Appender,
    requests: list[AppendRequest | Outcome],
) -> list[Outcome]:
    """One attempt; a lost connection is discarded rather than handed back to the pool; the
    streams written are cached once committed."""
    with engine.connect() as conn:
        try:
            outcomes = appender.run(conn, requests)
        except psycopg.OperationalError as error:
            if _lost(error):
                conn.invalidate()
            raise
    cache.put({p: tuple(appender.streams[p]) for p in appender.pathways})
    return outcomes


def _lost(error: psycopg.OperationalError) -> bool:
    """A connection cut by the client side (no SQLSTATE), a server shut down or restarted."""
    return error.sqlstate is None or error.sqlstate.startswith(("08", "57P"))


@dataclass
class Appender:
    """One transaction's appends: the known log, the persons, and the rows to write; decided
    on `cached` streams when given (then only a clean acceptance is written)."""

    kek: Keyring
    actor: Actor
    cached: stream_cache.Streams | None = None
    conn: Connection = field(init=False)
    streams: dict[str, list[Known]] = field(default_factory=dict)
    index: dict[str, Known] = field(default_factory=dict)
    people: dict[str, persons.Person] = field(default_factory=dict)
    rows: list[store.NewRow] = field(default_factory=list)
    pending: list[Known] = field(default_factory=list)
    pathways: dict[str, store.PathwayRow] = field(default_factory=dict)
    previous_pass_ends: dict[str, date | None] = field(default_factory=dict)

    def run(self, conn: Connection, requests: list[AppendRequest | Outcome]) -> list[Outcome]:
        self.conn = conn
        valid = [r for r in requests if isinstance(r, AppendRequest)]
        if self.cached is None:
            self._load(valid)
        else:
            for known in (k for stream in self.cached.values() for k in stream):
                self._remember(known)
        outcomes = [r if isinstance(r, Outcome) else self._one(r) for r in requests]
        if self.cached is not None and len(self.pending) != sum(len(r.events) for r in valid):
            raise StaleStreams()
        self._write()
        return outcomes

    def _load(self, requests: list[AppendRequest]) -> None:
        """Every stream and event id involved, and the persons they name when the rules need
        them (needs_person): one round trip."""
        pathway_ids = list({r.pathway_id for r in requests})
        event_ids = [e.id for r in requests for e in r.events]
        queries = [store.read_query(pathway_ids, event_ids)]
        if any(needs_person(e) for r in requests for e in r.events):
            opened = [e for r in requests for e in r.events if e.type == ev.PATHWAY_OPENED]
            person_ids = list({str(e.data["person_id"]) for e in opened})
            queries.append(persons.for_append(person_ids, pathway_ids, self.actor.structure_id))
        employer_opened = [e for r in requests for e in r.events if needs_earlier_passes(e)]
        if employer_opened:
            person_ids = list({str(e.data["person_id"]) for e in employer_opened})
            queries.append(passes.earlier_passes(person_ids, pathway_ids))
        events, *people = store.round_trip(self.conn, queries)
        for stored in store.stored_events(events, self.kek):
            self._remember(_known(stored))
        found = persons.decrypted(self.kek, people[0]) if people else {}
        self.people = {str(k): v for k, v in found.items()}
        if employer_opened:
            self.previous_pass_ends = passes.latest_pass_ends(people[1])

    def _remember(self, known: Known) -> None:
        self.streams.setdefault(known.pathway_id, []).append(known)
        self.index[known.id] = known

    def _one(self, request: AppendRequest) -> Outcome:
        try:
            return self._decide(request)
        except Problem as problem:
            return problem_outcome(request.pathway_id, problem)

    def _decide(self, request: AppendRequest) -> Outcome:
        """Ownership, then replay, then expected version, then the rules."""
        stream = self.streams.get(request.pathway_id, [])
        if stream and stream[0].structure_id != self.actor.structure_id:
            raise Problem(404, NOT_FOUND)
        try:
            answer = replay(request.pathway_id, request.events, self.index)
        except EventIdConflict:
            raise Problem(
                409,
                "Un identifiant d'événement est déjà utilisé pour un autre contenu.",
                slug="event-id-conflict",
            ) from None
        if answer is not None:
            return Outcome(200, answer)
        _check_version(request.expected_version, len(stream))
        state = fold(k.as_event() for k in stream)
        # to_request checked the data and put it in stored form: decide need not check it again.
        decision = decide(state, request.events, self._context(request, state), stored=True)
        if not decision.accepted:
            raise Problem(
                422, "Un événement ne respecte pas les règles du parcours.", errors=decision.errors
            )
        return Outcome(201, self._accept(request, state, decision))

    def _context(self, request: AppendRequest, state: PathwayState) -> Context:
        person_id = state.person_id or _opened_person(request.events)
        person = self.people.get(str(person_id).lower()) if person_id else None
        facts = person.facts() if person else None
        previous = self.previous_pass_ends.get(str(person_id).lower()) if person_id else None
        return Context(self.actor.structure_id, self.actor.kind, self.actor.today, facts, previous)

    def _accept(self, request: AppendRequest, state: PathwayState, decision: Decision) -> dict:
        """Queue the events for writing; the answer's positions are filled in by `_write`."""
        warnings = [{"code": w.code, "message": w.message} for w in decision.warnings]
        answers = []
        for offset, event in enumerate(request.events):
            known = self._known_new(request, event, state.version + offset + 1)
            if offset == 0:
                known.append = {"count": len(request.events), "warnings": warnings}
            self._queue(known)
            answers.append(known.answer)
        self._index_pathway(request.pathway_id, decision.state)
        return {
            "pathway_id": request.pathway_id,
            "version": answers[-1]["version"],
            "events": answers,
            "warnings": warnings,
        }

    def _known_new(self, request: AppendRequest, event: Event, version: int) -> Known:
        data = event.data
        if event.type == ev.PATHWAY_OPENED:
            data = enrich_opened(data, self.people[data["person_id"]].facts(), event.occurred_on)
        answer = {"id": event.id, "version": version, "position": None}
        return Known(
            event.id,
            request.pathway_id,
            self.actor.structure_id,
            version,
            event.type,
            event.occurred_on,
            data,
            None,
            answer,
        )

    def _queue(self, known: Known) -> None:
        self._remember(known)
        self.pending.append(known)

    def _index_pathway(self, pathway_id: str, state: PathwayState) -> None:
        """The listing row of the pathway, from its state after this append."""
        assert state.opened_on is not None and state.person_id is not None
        self.pathways[pathway_id] = store.PathwayRow(
            pathway_id,
            self.actor.structure_id,
            state.person_id,
            state.opened_on,
            state.status,
            state.version,
        )

    def _write(self) -> None:
        """Insert the events (positions allocated as the first write) and update the index in
        one statement, its own transaction."""
        if not self.pending:
            return
        written = [_row(k, self.actor.metadata) for k in self.pending]
        rows = [row for row, _ in written]
        to_seal = [
            sealed.ToSeal(r.id, self.pathways[r.pathway_id].person_id, v) for r, v in written
        ]
        keys = {str(p.id): p.key for p in self.people.values()}
        sealed_rows = sealed.seal_rows(self.conn, self.kek, to_seal, keys)
        positions = store.append(self.conn, rows, list(self.pathways.values()), sealed_rows)
        for known, position in zip(self.pending, positions, strict=True):
            known.answer["position"] = position


def _check_version(expected: int | None, current: int) -> None:
    if expected is not None and expected != current:
        raise Problem(
            409,
            f"Version attendue {expected}, version actuelle {current}.",
            slug="version-conflict",
            current_version=current,
        )


def _opened_person(events: Iterable[Event]) -> str | None:
    for event in events:
        if event.type == ev.PATHWAY_OPENED:
            return str(event.data.get("person_id"))
    return None


def _known(stored: store.StoredEvent) -> Known:
    answer = {"id": stored.id, "version": stored.version, "position": stored.position}
    return Known(
        stored.id,
        stored.pathway_id,
        stored.structure_id,
        stored.version,
        stored.type,
        stored.occurred_on,
        stored.data,
        stored.append,
        answer,
    )


def _row(known: Known, metadata: dict) -> tuple[store.NewRow, dict]:
    """The log's row of an event, and the values taken out of its data (docs/domain.md §10)."""
    if known.append is not None:
        metadata = {**metadata, "append": known.append}
    data, values = ev.split_sealed(known.type, known.data)
    row = store.NewRow(
        known.id,
        known.pathway_id,
        known.structure_id,
        known.version,
        known.type,
        known.occurred_on,
        data,
        metadata,
        ev.SCHEMA_VERSION[known.type],
    )
    return row, values
