"""Helpers of the client tests: an HTTP client of the live services, as a script would use it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from client.api import Client, Endpoints
from tests.support import admin_token, run_worker

__all__ = ["client_for", "endpoints_of", "run_worker"]


def endpoints_of(settings) -> Endpoints:
    return Endpoints(settings.registry_url, settings.pathways_url, settings.extra["reporting_url"])


@contextmanager
def client_for(settings, token: str | None = None) -> Iterator[Client]:
    """A client of the live services, with the admin token unless another is given."""
    client = Client(endpoints_of(settings), token or admin_token(settings))
    try:
        yield client
    finally:
        client.close()
