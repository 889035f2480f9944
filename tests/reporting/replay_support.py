"""Helpers of the replay and tally tests: a log served from memory (the feed, the edge of the
system; storage stays real), events to fill it, and an emptied outcomes projection."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import text

from services.reporting.projections.registry import PROJECTIONS

OUTCOMES = PROJECTIONS["outcomes"]


class MemoryLog:
    """The feed, served from a list: the edge of the system, faked; storage stays real."""

    def __init__(self, events: list[dict]):
        self.events = events

    def page(self, after: int, limit: int) -> list[dict]:
        return [e for e in self.events if e["position"] > after][:limit]


def log_event(type_: str, on: date, data: dict) -> dict:
    return {"id": str(uuid.uuid4()), "type": type_, "occurred_on": on.isoformat(), "data": data}


def interleave(streams: list[list[dict]], order: list[int]) -> list[dict]:
    """One global log: pathways' events interleaved, each pathway's order kept."""
    cursors, log = [0] * len(streams), []
    ids = [str(uuid.uuid4()) for _ in streams]
    for pick in order + list(range(len(streams))) * max(map(len, streams)):
        i = pick % len(streams)
        if cursors[i] < len(streams[i]):
            event = streams[i][cursors[i]]
            cursors[i] += 1
            log.append(
                {
                    **event,
                    "pathway_id": ids[i],
                    "position": len(log) + 1,
                    "structure_id": streams[i][0]["data"]["structure_id"],
                }
            )
    return log


def reset(engine) -> None:
    with engine.begin() as conn:
        for table in OUTCOMES.tables:
            conn.execute(text(f"TRUNCATE outcomes.{table}"))
        conn.execute(
            text(
                "UPDATE projection_checkpoints SET position = 0, status = 'running',"
                " last_error = NULL WHERE name = 'outcomes'"
            )
        )
