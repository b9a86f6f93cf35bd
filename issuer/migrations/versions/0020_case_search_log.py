"""who searched the institution's cases: one row per search or listing, without the words searched for

Revision ID: 0020
Revises: 0019

* ``issuer_case_searches``: the clerk, the time, ``searched`` or ``listed`` and how many cases were
  shown (GDPR Art. 5(2) accountability, Art. 32(1)(b), (d)). The words are a person's name or number:
  never kept. A clerk reading a case is a ``viewed`` event in its history (``issuer_events``, no
  schema change).
* This release also records a replaced case as state ``replaced`` (its entries Token Status List
  0x03), a free-text value needing no schema change. The release before knows only ``revoked`` as
  final: the downgrade turns ``replaced`` into ``revoked`` (the entries stay 0x03, which that
  release's verifiers refuse as an unknown status), so a rolled-back issuer never offers, prints or
  renews a replaced A1 again.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issuer_case_searches',
                    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
                    sa.Column('entity_id', sa.String(length=20), nullable=False),
                    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('actor', sa.String(length=60), nullable=False),
                    sa.Column('action', sa.String(length=10), nullable=False),
                    sa.Column('found', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuer_case_searches')))
    with op.batch_alter_table('issuer_case_searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issuer_case_searches_entity_id'), ['entity_id'], unique=False)


def downgrade() -> None:
    op.execute(sa.text("UPDATE issuer_cases SET state = 'revoked' WHERE state = 'replaced'"))
    with op.batch_alter_table('issuer_case_searches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuer_case_searches_entity_id'))
    op.drop_table('issuer_case_searches')
