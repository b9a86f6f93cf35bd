"""what an inspection record's document status rested on (source, age), and its status list reference, to
look the copy up again when the lists are next fetched, with a withdrawal learnt since the check

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('verifier_inspection_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_source', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('status_age', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('status_uri', sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column('status_idx', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('later_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('later_seen_at', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('verifier_inspection_documents', schema=None) as batch_op:
        batch_op.drop_column('later_seen_at')
        batch_op.drop_column('later_status')
        batch_op.drop_column('status_idx')
        batch_op.drop_column('status_uri')
        batch_op.drop_column('status_age')
        batch_op.drop_column('status_source')
