"""CSV imports: the file's SHA-256, so that the same file imported again from a new form is noticed

Revision ID: 0023
Revises: 0022

* ``issuer_imports.file_hash``: the SHA-256 of the imported file's bytes (never the file), so that a
  clerk bringing the same export again (a day later, from a new form or an API request without the
  first one's key) is told when it was imported and how many rows were, and imports it again only by
  confirming (``issuer.service.SameFile``). Every import now has a row, deleted with the others 7 days
  after it. Imports recorded before have none (NULL): they are not compared.
* ``issuer_imports.file_claim``: ``file_hash`` again while the import is the one of its file not
  confirmed as a repeat (NULL otherwise, and once it recorded no case), unique per institution
  (``ix_issuer_imports_file_claim``; NULLs are distinct on SQLite and PostgreSQL), so that of two
  requests bringing one file at once, on any worker, one only imports it.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('file_claim', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_issuer_imports_file', ['entity_id', 'file_hash'], unique=False)
        batch_op.create_index('ix_issuer_imports_file_claim', ['entity_id', 'file_claim'], unique=True)


def downgrade() -> None:
    # No other table's rows point at issuer_imports: SQLite may copy it without the two columns.
    with op.batch_alter_table('issuer_imports', schema=None) as batch_op:
        batch_op.drop_index('ix_issuer_imports_file_claim')
        batch_op.drop_index('ix_issuer_imports_file')
        batch_op.drop_column('file_claim')
        batch_op.drop_column('file_hash')
