"""the type each source was last served, kept on its row

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

A source citing no content type is expected to go on serving a PDF it was served
(monitor.run.plan). What its newest check that read a document at its URL was served,
as its body showed it, and when, is kept on the source's row, so that planning a run
reads no results.

Only a result that says what its body was read as (``document_type``) teaches a type.
Results stored before this revision carry the Content-Type label alone, and a label is
no evidence: an HTML page its server labels ``application/pdf`` would be expected to
be a PDF, and read ``type_mismatch`` every time after. So a source whose newest check
that read a body at its URL (since it last checked another resource) kept no such type
is left NULL, and the next check that reads a document there teaches the type. In
practice that is every source on a first upgrade; the columns are filled only where a
database met this revision before, was downgraded and kept results written here (the
newest check with a verdict that judged a body, a body read or a 304 that kept one, and
the type the body was read as), which is what the result writer would have kept.
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


def _document_type(results: Any) -> Any:
    # The type the body was read as; results written before this revision have none.
    return results.c.data["document_type"].as_string()


def _served_types_query(source_ids: list[str]) -> sa.Select[Any]:
    """Per source and URL checked: the newest result, the newest that read a
    document and says what it was read as, with that type and when, and the newest
    that read a body without saying (stored before this revision)."""
    judged = _results.c.verdict.in_(_READ_VERDICTS)
    read_a_document = sa.and_(
        judged,
        # A HEAD answer reads no body; a 304 keeps the body and type read before it.
        sa.or_(_results.c.bytes_read > 0, _results.c.data["not_modified"].as_boolean()),
        _document_type(_results).is_not(None),
    )
    # A body whose type was not kept: it may have been anything, the label notwithstanding.
    read_untyped = sa.and_(judged, _results.c.bytes_read > 0, _document_type(_results).is_(None))
    per_url = (
        sa.select(
            _results.c.source_id,
            _results.c.url,
            sa.func.max(_results.c.id).label("newest"),
            sa.func.max(sa.case((read_a_document, _results.c.id))).label("read_id"),
            sa.func.max(sa.case((read_untyped, _results.c.id))).label("untyped_id"),
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
        per_url.c.untyped_id,
        _document_type(read).label("served_type"),
        read.c.checked_at,
    ).outerjoin(read, read.c.id == per_url.c.read_id)


def _served_at_url(rows: Sequence[sa.Row[Any]], url: str) -> tuple[str, datetime] | None:
    """The type and time of the newest read of ``url`` (or a respelling of it) since a
    check of another resource, from one source's rows of :func:`_served_types_query`;
    None when a body read there since then left no type."""
    here = [same_resource(row.url, url) for row in rows]
    # The newest check of another resource: the source was readdressed after it.
    moved_at = max((r.newest for r, same in zip(rows, here, strict=True) if not same), default=0)
    untyped_at = max(
        (r.untyped_id for r, same in zip(rows, here, strict=True) if same and r.untyped_id),
        default=0,
    )
    since = max(moved_at, untyped_at)
    reads = [
        r
        for r, same in zip(rows, here, strict=True)
        if same and r.read_id is not None and r.read_id > since
    ]
    if not reads:
        return None
    newest = max(reads, key=lambda r: int(r.read_id))
    return str(newest.served_type), newest.checked_at
