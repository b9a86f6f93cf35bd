"""Alembic revisions of the trust registry's tables."""
