"""the type each source was last served, kept on its row

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

A source citing no content type is expected to go on serving a PDF it was served
(monitor.run.plan). What its newest check that read a document at its URL was served,
as its body showed it, and when, is kept on the source's row, so that planning a run
reads no results.

The columns start empty: the next check that reads a document at a source's URL
learns its type. Results stored before this revision carry the Content-Type label
alone, and a label is no evidence (an HTML page its server labels ``application/pdf``
would be expected to be a PDF, and read ``type_mismatch`` every time after), so
nothing is learned from them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.schema

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("served_type", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("served_type_at", monitor.store.schema.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    # In place, as 0005 drops its columns: batch mode would copy the table.
    op.drop_column("sources", "served_type_at")
    op.drop_column("sources", "served_type")
