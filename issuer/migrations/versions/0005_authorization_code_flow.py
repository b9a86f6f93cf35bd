"""authorization code flow: pushed requests and codes

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issuer_authorizations',
    sa.Column('id', sa.String(length=43), nullable=False),
    sa.Column('offer_id', sa.String(length=43), nullable=False),
    sa.Column('client_id', sa.String(length=200), nullable=False),
    sa.Column('redirect_uri', sa.String(length=500), nullable=False),
    sa.Column('code_challenge', sa.String(length=128), nullable=False),
    sa.Column('state', sa.String(length=500), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('stage', sa.String(length=12), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['issuer_offers.id'], name=op.f('fk_issuer_authorizations_offer_id_issuer_offers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuer_authorizations')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_issuer_authorizations_code_hash'))
    )
    with op.batch_alter_table('issuer_authorizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issuer_authorizations_offer_id'), ['offer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('issuer_authorizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuer_authorizations_offer_id'))
    op.drop_table('issuer_authorizations')
