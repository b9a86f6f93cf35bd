"""CSV imports under a one-time id: the same import sent again records nothing twice

Revision ID: 0022
Revises: 0021

* ``issuer_imports``: one row per back office import made with the form's one-time ``import_id``,
  or per API import with an ``Idempotency-Key`` (draft-ietf-httpapi-idempotency-key-header): the
  institution, the id's SHA-256, when, which clerk, and once done how many rows were imported and
  rejected, so that a browser's reload of the report or a client's retry is refused (409) and told
  what the first request did, instead of recording the file's cases again. Nothing of the rows is
  kept; the daily housekeeping deletes a row 7 days after its import (``issuer.service.IMPORT_KEPT``).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issuer_imports',
                    sa.Column('entity_id', sa.String(length=20), nullable=False),
                    sa.Column('id_hash', sa.String(length=64), nullable=False),
                    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('actor', sa.String(length=60), nullable=False),
                    sa.Column('imported', sa.Integer(), nullable=True),
                    sa.Column('rejected', sa.Integer(), nullable=True),
                    sa.PrimaryKeyConstraint('entity_id', 'id_hash', name=op.f('pk_issuer_imports')))
    with op.batch_alter_table('issuer_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issuer_imports_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('issuer_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuer_imports_at'))
    op.drop_table('issuer_imports')
