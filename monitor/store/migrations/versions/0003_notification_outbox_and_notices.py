"""notification outbox and notices

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

The outbox of owner notifications (monitor.notify): each message is written here before
it is sent and marked once it is, so a crash between the two can be told apart from
success. Notices remember when an owner was last told about a source, for reminders.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.schema

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("redeliver", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", monitor.store.schema.UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", monitor.store.schema.UTCDateTime(), nullable=False),
        sa.Column("claimed_at", monitor.store.schema.UTCDateTime(), nullable=True),
        sa.Column("sent_at", monitor.store.schema.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_notification_outbox_key"),
    )
    op.create_index(
        "ix_notification_outbox_due", "notification_outbox", ["status", "next_attempt_at"]
    )
    op.create_index("ix_notification_outbox_run", "notification_outbox", ["run_id"])

    op.create_table(
        "notification_notices",
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("sent_at", monitor.store.schema.UTCDateTime(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("owner", "source_id"),
    )


def downgrade() -> None:
    op.drop_table("notification_notices")
    op.drop_index("ix_notification_outbox_run", table_name="notification_outbox")
    op.drop_index("ix_notification_outbox_due", table_name="notification_outbox")
    op.drop_table("notification_outbox")
