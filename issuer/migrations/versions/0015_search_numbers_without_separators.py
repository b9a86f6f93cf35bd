"""case search: numbers found without their hyphens, spaces, dots or slashes

Revision ID: 0015
Revises: 0014

The search text of every case is made again (issuer.case_search.search_text now also holds each
number written without its separators), so that the cases recorded before are found as the new
ones: "15037511111" finds "150375-11111".
"""
from __future__ import annotations

from alembic import op

from issuer.case_search import reindex

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    reindex(op.get_bind(), held_only=True)  # an erased case's text stays erased


def downgrade() -> None:
    pass  # the longer text is found by the earlier queries too
