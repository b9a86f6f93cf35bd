"""offers: the pre-authorized code derived from the issuer's offer key, never stored

Revision ID: 0016
Revises: 0015

An offer made from now on keeps no pre-authorized code: the code is derived from the offer key
(``ESSPASS_ISSUER_OFFER_KEY_FILE``, outside the database) when the offer URI is served, and the
tx_code's MAC and ``issuer_state`` are keyed by that key too, so that a copy of the database gives
no offer away. ``issuer_offers.scheme`` says how a row is checked: ``offer-key``, or NULL for the
offers made before, which keep their code in ``code`` and their MACs keyed by it until they end
(used, locked, replaced or expired: at most ``offer_ttl`` after the upgrade).

Stop every issuer worker of an earlier release before upgrading: such a worker would find a new
offer's ``code`` empty and answer its offer URI as used.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheme', sa.String(length=12), nullable=True))


def downgrade() -> None:
    # An offer of the new scheme cannot be served by the earlier code (its code is nowhere in the
    # database): it ends, as if used, and the clerk makes a new one.
    offers = sa.table('issuer_offers', sa.column('scheme', sa.String), sa.column('state', sa.String))
    op.get_bind().execute(offers.update().where(offers.c.scheme.is_not(None), offers.c.state == 'open')
                          .values(state='replaced'))
    # In place (SQLite 3.35+ drops a column itself): issuer_authorizations' rows point at the offers.
    with op.batch_alter_table('issuer_offers', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('scheme')
