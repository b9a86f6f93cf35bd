"""status list tokens: the version and iat of the last one signed, so that a change is signed later

Revision ID: 0021
Revises: 0020

* ``issuer_status_lists.signed_version`` and ``signed_iat``: the latest ``version`` of the list a
  Status List Token was signed for, and the ``iat`` (draft-ietf-oauth-status-list §5.1, whole
  seconds) its first token was signed with, by whichever worker. Each new version is signed after
  every token of the versions before it (:meth:`issuer.status_lists.StatusLists._iat`): a withdrawal
  in the same second as the token a verifier holds would otherwise carry the same ``iat``, and a
  verifier cannot tell which of the two came last. Lists recorded before have none (0, 0): the first
  token of their next version is signed one second after the clock.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_status_lists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_version', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('signed_iat', sa.BigInteger(), nullable=False, server_default='0'))


def downgrade() -> None:
    # In place (SQLite 3.35+ drops a column itself): a copy of issuer_status_lists could not replace it
    # while issuer_credentials' rows point at its lists (FOREIGN KEY constraint failed on DROP TABLE).
    with op.batch_alter_table('issuer_status_lists', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('signed_iat')
        batch_op.drop_column('signed_version')
