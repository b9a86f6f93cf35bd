"""a verifier's privacy notice address (policy_uri)

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
    with op.batch_alter_table('registry_entities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('policy_uri', sa.String(length=500), nullable=True))


def downgrade() -> None:
    # In place (SQLite 3.35+ drops a column itself): a copy of registry_entities could not replace it while
    # the rows of registry_certificates and registry_status_periods point at its entities (FOREIGN KEY
    # constraint failed on DROP TABLE).
    with op.batch_alter_table('registry_entities', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('policy_uri')
