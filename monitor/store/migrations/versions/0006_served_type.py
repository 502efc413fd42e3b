"""the type each source was last served, kept on its row

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

A source citing no content type is expected to go on serving a PDF it was served
(monitor.run.plan). What its newest check that read a document at its URL was served,
and when, is kept on the source's row, so that planning a run reads no results. The
columns are filled once from the results stored before, as planning read them: the
newest check with a verdict that judged a body, a body read (or a 304 that kept one)
and a type served, since the source last checked another resource.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import monitor.store.schema
from monitor.store.health import same_resource

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Sources filled per statement: few enough for every backend's bound parameters.
_PAGE = 5000
# Verdicts given to a document that was served and read, as of this revision.
_READ_VERDICTS = ("ok", "moved", "claim_missing", "anchor_missing")

_sources = sa.table(
    "sources",
    sa.column("id", sa.String()),
    sa.column("url", sa.Text()),
    sa.column("served_type", sa.Text()),
    sa.column("served_type_at", monitor.store.schema.UTCDateTime()),
)
_results = sa.table(
    "results",
    sa.column("id", sa.Integer()),
    sa.column("source_id", sa.String()),
    sa.column("url", sa.Text()),
    sa.column("checked_at", monitor.store.schema.UTCDateTime()),
    sa.column("verdict", sa.String()),
    sa.column("bytes_read", sa.Integer()),
    sa.column("data", sa.JSON()),
)


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("served_type", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("served_type_at", monitor.store.schema.UTCDateTime(), nullable=True)
        )
    _fill(op.get_bind())


def downgrade() -> None:
    # In place, as 0005 drops its columns: batch mode would copy the table.
    op.drop_column("sources", "served_type_at")
    op.drop_column("sources", "served_type")


def _fill(connection: sa.Connection) -> None:
    """Every source's served type from its stored results, a page of sources at a time."""
    fill = (
        sa.update(_sources)
        .where(_sources.c.id == sa.bindparam("sid"))
        .values(
            served_type=sa.bindparam("kind"),
            served_type_at=sa.bindparam("seen", type_=monitor.store.schema.UTCDateTime()),
        )
    )
    after: str | None = None
    while True:
        page = sa.select(_sources.c.id, _sources.c.url).order_by(_sources.c.id).limit(_PAGE)
        if after is not None:
            page = page.where(_sources.c.id > after)
        rows = connection.execute(page).all()
        if not rows:
            return
        learned = _learned(connection, {row.id: row.url for row in rows})
        if learned:
            connection.execute(fill, learned)
        # The last in the database's own order: its collation need not be Python's.
        after = rows[-1].id


def _learned(connection: sa.Connection, urls: dict[str, str]) -> list[dict[str, Any]]:
    """The fill parameters of the sources of ``urls`` (id to current URL) that have a
    read document to learn from."""
    by_source: dict[str, list[sa.Row[Any]]] = {}
    for row in connection.execute(_served_types_query(list(urls))):
        by_source.setdefault(row.source_id, []).append(row)
    learned = []
    for source_id, rows in by_source.items():
        served = _served_at_url(rows, urls[source_id])
        if served is not None:
            learned.append({"sid": source_id, "kind": served[0], "seen": served[1]})
    return learned


def _served_type(results: Any) -> Any:
    # The type the body was read as where a result has it (results written since this
    # revision, met again after a downgrade), else the label, all earlier ones had.
    data = results.c.data
    return sa.func.coalesce(data["document_type"].as_string(), data["content_type"].as_string())


def _served_types_query(source_ids: list[str]) -> sa.Select[Any]:
    """Per source and URL checked: the newest result, and the newest that read a
    document, with the type it was served and when."""
    read_a_document = sa.and_(
        _results.c.verdict.in_(_READ_VERDICTS),
        # A HEAD answer reads no body; a 304 keeps the body and type read before it.
        sa.or_(_results.c.bytes_read > 0, _results.c.data["not_modified"].as_boolean()),
        _served_type(_results).is_not(None),
    )
    per_url = (
        sa.select(
            _results.c.source_id,
            _results.c.url,
            sa.func.max(_results.c.id).label("newest"),
            sa.func.max(sa.case((read_a_document, _results.c.id))).label("read_id"),
        )
        .where(_results.c.source_id.in_(source_ids))
        .group_by(_results.c.source_id, _results.c.url)
        .subquery()
    )
    read = _results.alias("read")
    return sa.select(
        per_url.c.source_id,
        per_url.c.url,
        per_url.c.newest,
        per_url.c.read_id,
        _served_type(read).label("served_type"),
        read.c.checked_at,
    ).outerjoin(read, read.c.id == per_url.c.read_id)


def _served_at_url(rows: Sequence[sa.Row[Any]], url: str) -> tuple[str, datetime] | None:
    """The type and time of the newest read of ``url`` (or a respelling of it) since a
    check of another resource, from one source's rows of :func:`_served_types_query`."""
    here = [same_resource(row.url, url) for row in rows]
    # The newest check of another resource: the source was readdressed after it.
    moved_at = max((r.newest for r, same in zip(rows, here, strict=True) if not same), default=0)
    reads = [
        r
        for r, same in zip(rows, here, strict=True)
        if same and r.read_id is not None and r.read_id > moved_at
    ]
    if not reads:
        return None
    newest = max(reads, key=lambda r: int(r.read_id))
    return str(newest.served_type), newest.checked_at
