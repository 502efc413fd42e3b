"""health, events, snoozes and rollups

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Per-source health between runs, the log of health changes, snoozes by source or host,
and daily rollups that outlive expired results. Existing results are untouched; every
source starts as ``unknown`` and takes its health from the next run.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_health",
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("health", sa.String(length=16), nullable=False),
        sa.Column("since", monitor.store.schema.UTCDateTime(), nullable=True),
        sa.Column("failing_since", monitor.store.schema.UTCDateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("hard_failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", monitor.store.schema.UTCDateTime(), nullable=True),
        sa.Column("last_success_at", monitor.store.schema.UTCDateTime(), nullable=True),
        sa.Column("last_checked_at", monitor.store.schema.UTCDateTime(), nullable=True),
        sa.Column("good_streak", sa.Integer(), nullable=False),
        sa.Column("uncertain_streak", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("source_id"),
    )
    op.create_index("ix_source_health_health", "source_health", ["health"])

    op.create_table(
        "health_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("at", monitor.store.schema.UTCDateTime(), nullable=False),
        sa.Column("previous", sa.String(length=16), nullable=False),
        sa.Column("health", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("result_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_health_events_at", "health_events", ["at"])
    op.create_index("ix_health_events_source_at", "health_events", ["source_id", "at"])

    op.create_table(
        "snoozes",
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("until", monitor.store.schema.UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("target"),
    )

    op.create_table(
        "result_rollups",
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("good", sa.Integer(), nullable=False),
        sa.Column("failing", sa.Integer(), nullable=False),
        sa.Column("verdicts", sa.JSON(), nullable=False),
        sa.Column("elapsed_ms_sum", sa.Float(), nullable=False),
        sa.Column("timed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source_id", "day"),
    )

    op.create_index("ix_results_checked", "results", ["checked_at"])


def downgrade() -> None:
    op.drop_index("ix_results_checked", table_name="results")
    op.drop_table("result_rollups")
    op.drop_table("snoozes")
    op.drop_index("ix_health_events_source_at", table_name="health_events")
    op.drop_index("ix_health_events_at", table_name="health_events")
    op.drop_table("health_events")
    op.drop_index("ix_source_health_health", table_name="source_health")
    op.drop_table("source_health")
