"""Alembic revisions of the issuer's tables."""
