"""CSV imports under an Idempotency-Key: what their answer needs, so that a retry is answered alike

Revision ID: 0024
Revises: 0023

* ``issuer_imports.outcome``: for an API import under an ``Idempotency-Key`` that finished whole, its
  report's rows as a retry with the same key and the same file gets them again (200, the first answer's
  counts, created and failed lines, and each row's case id, its label read from the case again, or its
  field and rule key; draft-ietf-httpapi-idempotency-key-header: the response replayed). Nothing that
  quotes the file: a refused row's rule text and parameters are not kept, nor a case's label (a PID's
  may be its holder's name). NULL for office imports, for an import that
  stopped (a retry is refused, 409, as before), and for those recorded before.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.JSON(), nullable=True))


def downgrade() -> None:
    # No other table's rows point at issuer_imports: SQLite may copy it without the column.
    with op.batch_alter_table('issuer_imports', schema=None) as batch_op:
        batch_op.drop_column('outcome')
