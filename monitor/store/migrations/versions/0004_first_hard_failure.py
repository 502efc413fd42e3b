"""first hard failure of a failing streak

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Hard failures confirm a source dead over their own span (monitor.state, rule 1), so the
time of the first one in the current failing streak is kept. States stored before it
have none, and are judged from the streak's start, as they were.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_health") as batch:
        batch.add_column(
            sa.Column("first_hard_failure_at", monitor.store.schema.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("source_health") as batch:
        batch.drop_column("first_hard_failure_at")
