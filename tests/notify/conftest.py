"""Fixtures for the notification tests: a SQLite store and receivers on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.store import Store
from tests.notify.servers import SmtpServer, WebhookServer, smtp_server, webhook_server


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store on SQLite (the outbox itself is tested on both backends)."""
    opened = Store.open(f"sqlite:///{tmp_path / 'monitor.db'}")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def hooks() -> Iterator[WebhookServer]:
    with webhook_server() as server:
        yield server
