"""Alembic environment for the verifier: own version table so services can share one database."""

from __future__ import annotations

from alembic import context

from verifier.db import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, version_table="alembic_version_verifier",
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
