"""Alembic environment for the trust registry: own version table so services can share one database."""

from __future__ import annotations

from alembic import context

from trust_registry.store import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, version_table="alembic_version_registry",
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
