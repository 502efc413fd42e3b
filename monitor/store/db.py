"""Engine creation and schema migrations."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
DEFAULT_DATABASE = "sqlite:///.monitor/monitor.db"


def database_url(configured: str | None, base_dir: Path | None = None) -> str:
    """The URL to use: MONITOR_DATABASE_URL, else the registry's, else the default.

    Relative SQLite paths are taken against ``base_dir`` (the registry's folder) so the
    database does not depend on the current directory.
    """
    url = os.environ.get("MONITOR_DATABASE_URL") or configured or DEFAULT_DATABASE
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        # ``~`` as a shell would read it: the home folder, not a folder named "~".
        path = Path(parsed.database).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        path.parent.mkdir(parents=True, exist_ok=True)
        url = parsed.set(database=str(path)).render_as_string(hide_password=False)
    elif parsed.drivername in ("postgresql", "postgres"):
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True, pool_pre_ping=True, json_serializer=json_text)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


# A JSON ``\u0000`` escape: one preceded by an even number of backslashes (none
# included), so that an escaped backslash followed by "u0000" is left alone.
_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def json_text(value: Any) -> str:
    """``value`` as the JSON stored in JSON columns. A NUL character in it (a claim's
    sentence from a text or PDF file can hold one) becomes U+FFFD: PostgreSQL stores
    the ``\\u0000`` escape but then refuses every query that reads into that JSON
    (a source's timeline, the dashboard)."""
    text = json.dumps(value)
    if "\\u0000" in text:
        text = _NUL_ESCAPE.sub(r"\1\\ufffd", text)
    return text


def insert_for(engine: Engine) -> Any:
    """``insert`` of the engine's dialect, which can add ``ON CONFLICT`` clauses. The
    PostgreSQL dialect is imported only for PostgreSQL: importing its modules took
    about 0.03 s, which every command on SQLite paid."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # WAL lets readers (the dashboard) run while a check run writes; NORMAL sync is
    # durable across process kills, which is the crash we guard against.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA busy_timeout=30000")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# Switching a new database file to WAL does not wait out the busy timeout: a second
# process opening the same new file at that moment is told at once that it is locked.
WAL_SWITCH_WAIT_S = 5.0
_WAL_SWITCH_PAUSE_S = 0.01


def _switch_to_wal(cursor: Any) -> None:
    deadline = time.monotonic() + WAL_SWITCH_WAIT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorname != "SQLITE_BUSY" or time.monotonic() >= deadline:
                raise
            time.sleep(_WAL_SWITCH_PAUSE_S)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


# The newest migration in ``migrations/versions``; a test keeps it equal to alembic's
# head. Knowing it here spares loading alembic on every start when nothing is to do.
HEAD_REVISION = "0006"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the newest by default). A database without
    any of the store's tables is made at the newest revision at once."""
    if revision == "head":
        stored = _stored_revision(engine)
        if stored == HEAD_REVISION:
            return  # the usual case; alembic's command machinery is heavy to load
        if stored is None and _create_at_head(engine):
            return
    migrate(engine, revision)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` through alembic's migrations, one at a time."""
    _alembic(engine, "upgrade", revision)


def _create_at_head(engine: Engine) -> bool:
    """Make the newest schema in a database holding none of the store's tables, as
    the migrations would, and record it at the newest revision, in one transaction:
    a first start killed half-way leaves nothing for the next. False, leaving it
    alone, when it holds some of them: the migrations take it from there."""
    from monitor.store.schema import Base

    with engine.begin() as connection:
        _whole_or_nothing(connection)
        tables = set(inspect(connection).get_table_names())
        if tables & set(Base.metadata.tables):
            return False
        Base.metadata.create_all(connection)
        version = _version_table()
        version.create(connection, checkfirst=True)
        connection.execute(version.delete())
        connection.execute(version.insert().values(version_num=HEAD_REVISION))
    return True


def _whole_or_nothing(connection: Connection) -> None:
    """Make the schema changes of ``connection``'s transaction happen whole or not at
    all, one process at a time. On SQLite, the sqlite3 module runs each CREATE (and
    whatever else comes before the first row written) on its own, committed at once,
    so a start killed half-way left tables that the next start's migrations refused:
    an explicit transaction holds them, and its write lock makes a second process wait.
    PostgreSQL holds DDL in the transaction already; a lock for the transaction's
    length makes a second process wait there too (two made the same tables at once).
    Either way the one that waited then finds the work done."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})


# The PostgreSQL advisory lock taken while the schema changes: any number the
# database's other users do not take ("monitor" in ASCII).
SCHEMA_LOCK = 0x6D6F6E69746F72


def _version_table() -> Table:
    """Alembic's record of the revision, as alembic makes it."""
    return Table(
        "alembic_version",
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )


def _stored_revision(engine: Engine) -> str | None:
    """The revision recorded in ``alembic_version`` (one row), read without alembic."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return str(versions[0][0]) if len(versions) == 1 else None


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (``"base"`` for none)."""
    _alembic(engine, "downgrade", revision)


class SchemaTooNew(RuntimeError):
    """The database was brought to a schema revision this version does not know."""


def _alembic(engine: Engine, direction: Literal["upgrade", "downgrade"], revision: str) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config()
    stored = _stored_revision(engine)
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if stored is not None and stored not in known:
        # Alembic would only say it "can't locate revision": a newer version of the
        # monitor migrated this database, and this one must not touch it.
        raise SchemaTooNew(
            f"the database is at schema revision {stored}, which this version of the "
            f"monitor does not know (its newest is {HEAD_REVISION}): a newer version "
            "has upgraded it. Run that version (or newer) against this database."
        )
    with engine.begin() as connection:
        _whole_or_nothing(connection)
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
