"""Alembic environment: migrations run on the connection the store hands over.

On SQLite the store runs them inside one explicit transaction
(:func:`monitor.store.db.upgrade`), where ``PRAGMA foreign_keys`` cannot be changed:
a migration that rebuilds a table other tables point at (batch mode copies, drops and
renames it) fails on the foreign keys, and the store must then turn them off around
that transaction and run ``PRAGMA foreign_key_check`` before committing.
"""

from __future__ import annotations

from alembic import context

from monitor.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
