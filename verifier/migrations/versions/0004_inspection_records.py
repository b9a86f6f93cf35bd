"""inspection records: one row per finished check and one per document, kept after the transaction

The inspectorate's lasting record of its checks (verifier/records.py): verdict, reason key,
inspector, the signed verification proof, and per document its type, issuer and the HMAC of its
number (indexed, for "did we check document X?"); nothing about the worker. The transaction row
learns who started it, so that the record can say so.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('verifier_transactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inspector', sa.String(length=60), nullable=True))

    op.create_table('verifier_inspection_records',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('checked_at', sa.Float(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('flow', sa.String(length=14), nullable=True),
    sa.Column('verdict', sa.String(length=12), nullable=False),
    sa.Column('reason_key', sa.String(length=64), nullable=False),
    sa.Column('inspector', sa.String(length=60), nullable=True),
    sa.Column('verifier_id', sa.String(length=100), nullable=False),
    sa.Column('policy_version', sa.String(length=40), nullable=False),
    sa.Column('proof', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verifier_inspection_records'))
    )
    with op.batch_alter_table('verifier_inspection_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verifier_inspection_records_checked_at'), ['checked_at'], unique=False)

    op.create_table('verifier_inspection_documents',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('credential_type', sa.String(length=200), nullable=True),
    sa.Column('issuer_id', sa.String(length=100), nullable=True),
    sa.Column('verdict', sa.String(length=12), nullable=False),
    sa.Column('document_ref', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['verifier_inspection_records.id'],
                            name=op.f('fk_verifier_inspection_documents_record_id_verifier_inspection_records'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verifier_inspection_documents'))
    )
    with op.batch_alter_table('verifier_inspection_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verifier_inspection_documents_document_ref'), ['document_ref'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_verifier_inspection_documents_record_id'), ['record_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('verifier_inspection_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verifier_inspection_documents_record_id'))
        batch_op.drop_index(batch_op.f('ix_verifier_inspection_documents_document_ref'))
    op.drop_table('verifier_inspection_documents')
    with op.batch_alter_table('verifier_inspection_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verifier_inspection_records_checked_at'))
    op.drop_table('verifier_inspection_records')
    with op.batch_alter_table('verifier_transactions', schema=None) as batch_op:
        batch_op.drop_column('inspector')
