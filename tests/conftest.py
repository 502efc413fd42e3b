"""Fixtures shared by every test folder: the store on SQLite and on a real PostgreSQL.

The PostgreSQL server is a throwaway cluster made once per test session with the
server binaries of the machine (``initdb`` + ``postgres`` on a free loopback port,
durability off for speed). Each test gets a database of its own, created from
``template0`` and dropped afterwards. Tests that need it are skipped, with the reason,
only when no PostgreSQL server binaries are installed.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from monitor.store import Store
from tests.network_guard import loopback_only

__all__ = ["loopback_only"]

BACKENDS = ("sqlite", "postgresql")
_names = itertools.count()


@pytest.fixture(autouse=True)
def _database_named_by_each_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """A database the machine names (``MONITOR_DATABASE_URL``) would win over the one a
    test names, in the test's process and in every process it starts."""
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)


@dataclass(frozen=True)
class PostgresServer:
    """A running throwaway cluster; ``url(db)`` names a database on it."""

    host: str
    port: int

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@{self.host}:{self.port}/{database}"


def _postgres_bin() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path else None


def _as_postgres(argv: list[str]) -> list[str]:
    # The server refuses to run as root; drop to the postgres account when we are root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server on loopback for the whole test session."""
    bindir = _postgres_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, postgres) are not installed")
    base = Path(tempfile.mkdtemp(prefix="monitor-pg-"))
    data = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    log = base / "server.log"
    subprocess.run(
        _as_postgres(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    with open(log, "wb") as log_file:
        server = subprocess.Popen(
            _as_postgres(
                [
                    str(bindir / "postgres"),
                    "-D",
                    str(data),
                    "-k",
                    str(base),
                    "-p",
                    str(port),
                    "-h",
                    "127.0.0.1",
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                ]
            ),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(bindir, port, server, log)
        yield PostgresServer("127.0.0.1", port)
    finally:
        # Fast shutdown: open connections are cut rather than waited for.
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "stop", "-D", str(data), "-m", "fast", "-w"]),
            check=False,
            capture_output=True,
        )
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(base, ignore_errors=True)


def _wait_ready(bindir: Path, port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    # Polling is the server's own readiness protocol (pg_isready), not a timing guess.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited at start:\n{log.read_text()}")
        ready = subprocess.run(
            [str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)], check=False
        )
        if ready.returncode == 0:
            return
        time.sleep(0.05)
    raise RuntimeError(f"PostgreSQL did not become ready:\n{log.read_text()}")


class _Databases:
    """Makes and drops the per-test databases of one server."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self.admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            version = int(connection.execute(text("SHOW server_version_num")).scalar_one())
        # FILE_COPY skips writing the copy through the WAL: several times faster for
        # the small databases of tests (PostgreSQL 15 and later).
        self.strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
        self.head_template: str | None = None

    def create(self, template: str = "template0") -> str:
        name = f"t{os.getpid()}_{next(_names)}"
        with self.admin.connect() as connection:
            connection.execute(
                text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{self.strategy}')
            )
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def migrated(self) -> str:
        """A new database at the newest schema, cloned from one the store made once."""
        if self.head_template is None:
            name = self.create()
            Store.open(self.server.url(name)).close()
            self.head_template = name
        return self.create(self.head_template)


@pytest.fixture(scope="session")
def postgres_databases(postgres_server: PostgresServer) -> Iterator[_Databases]:
    databases = _Databases(postgres_server)
    try:
        yield databases
    finally:
        databases.admin.dispose()


@pytest.fixture
def postgres_url(postgres_databases: _Databases) -> Iterator[str]:
    """A fresh, empty database of its own for one test."""
    name = postgres_databases.create()
    yield postgres_databases.server.url(name)
    postgres_databases.drop(name)


@pytest.fixture
def postgres_store_url(postgres_databases: _Databases) -> Iterator[str]:
    """A fresh database of its own, already at the newest schema, for one test."""
    name = postgres_databases.migrated()
    yield postgres_databases.server.url(name)
    postgres_databases.drop(name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'monitor.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store at the newest schema on each backend in turn."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'monitor.db'}"
    else:
        url = request.getfixturevalue("postgres_store_url")
    opened = Store.open(url)
    try:
        yield opened
    finally:
        opened.close()
