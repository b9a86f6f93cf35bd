"""Alembic migrations of the trust registry's tables (version table ``alembic_version_registry``)."""
