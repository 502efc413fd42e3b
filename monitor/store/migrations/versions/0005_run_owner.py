"""owner and last sign of life of a run

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

A run records the process running it and refreshes when it was last alive, so that
a run another process still has under way is not marked interrupted. Runs stored
before have neither, and are marked interrupted as they were.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.schema

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("alive_at", monitor.store.schema.UTCDateTime(), nullable=True))


def downgrade() -> None:
    # In place, not through batch mode's copy of the table: results point at runs, and
    # SQLite refuses to drop a table that other rows point at (SQLite 3.35 and later
    # drop a column themselves).
    op.drop_column("runs", "alive_at")
    op.drop_column("runs", "owner")
