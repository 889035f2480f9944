"""Reporting fixtures, imported by the test modules (a second conftest.py would shadow the
top one): a world of its own per module, so network-wide reports hold exactly what it wrote."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from builders import Network

from services.reporting.catchup import jobs
from tests.support import admin_token, bearer, drop_all, make_settings, migrate_all, start_services


@dataclass
class World:
    settings: object
    registry: object
    pathways: object
    reporting: object
    admin: dict

    def network(self) -> Network:
        return Network(self.settings, self.registry, self.pathways, self.admin)


@pytest.fixture(scope="module")
def world(engines) -> Iterator[World]:
    settings = make_settings(engines, min_position_wait_seconds=1.0)
    migrate_all(settings)
    live = start_services(settings)
    clients = {name: server.app.test_client() for name, server in live.items()}
    yield World(
        settings,
        clients["registry"],
        clients["pathways"],
        clients["reporting"],
        bearer(admin_token(settings)),
    )
    jobs.dispose()
    for server in live.values():
        server.stop()
    drop_all(settings)
