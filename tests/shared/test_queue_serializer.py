"""Whoever can write to Redis must not run code in the reporting worker: jobs travel as JSON, and
a job written with pickle (RQ's default) is refused by the worker, never unpickled nor run."""

from __future__ import annotations

import uuid
import zlib

from rq import Queue
from rq.job import JobStatus
from rq.registry import FailedJobRegistry

from services.reporting.catchup.worker import make_worker
from shared import queues


class _OpensAFile:
    """Unpickling this object calls open(path, "w"): code run by merely loading the job."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_pickled_job_put_on_the_queue_by_hand_is_refused_by_the_worker(engines, tmp_path):
    prefix = "t" + uuid.uuid4().hex[:10]
    conn = queues.connect(engines.redis_url)
    marker = tmp_path / "ran"
    try:
        # What an intruder with access to Redis writes: RQ's own pickle format, same queue name.
        intruder = Queue(f"{prefix}:{queues.PROJECTIONS_QUEUE}", connection=conn)
        job = intruder.enqueue("pathlib.Path.touch", _OpensAFile(str(marker)))

        make_worker(conn, prefix).work(burst=True, with_scheduler=False)

        assert not marker.exists(), "the worker unpickled the job and ran its code"
        assert job.id in FailedJobRegistry(queue=queues.queue(conn, prefix))
    finally:
        for key in conn.scan_iter(f"rq:*{prefix}*"):
            conn.delete(key)
        conn.delete(f"rq:job:{job.id}")
        conn.close()


def test_a_nudge_travels_as_json(engines):
    prefix = "t" + uuid.uuid4().hex[:10]
    conn = queues.connect(engines.redis_url)
    try:
        assert queues.nudge(conn, prefix, "all")
        (job,) = queues.queue(conn, prefix).get_jobs()
        data = zlib.decompress(conn.hget(f"rq:job:{job.id}", "data"))
        assert data.startswith(b"["), data  # JSON text, not a pickle stream (b"\\x80...")
        assert job.get_status() == JobStatus.QUEUED
        assert (job.func_name, list(job.args)) == (queues.CATCH_UP_JOB, ["all"])
    finally:
        queues.queue(conn, prefix).empty()
        conn.delete(queues.nudge_key(prefix, "all"))
        conn.close()
