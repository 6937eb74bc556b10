"""Search: the search_documents GIN indexes write through, without a pending list (PostgreSQL only)

With GIN's fast update every new entry waits in a pending list that each search reads in
full until VACUUM merges it; a rebuild left the whole library there and every lookup of
a word read the whole index. Written by hand like 929dd071ccb6 (the table is not in the
models). Turning fast update off does not merge what is already pending, so the upgrade
merges it, and gives the planner the table's statistics it may never have had.

Revision ID: 3e107f0ab5d8
Revises: be100a4dae5c
Create Date: 2026-12-05 15:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3e107f0ab5d8'
down_revision = 'be100a4dae5c'
branch_labels = None
depends_on = None

INDEXES = tuple(f'ix_search_documents_{name}'
                for name in ('document', 'stages', 'personas', 'industries', 'tags'))


def _on_postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if not _on_postgresql():
        return
    for name in INDEXES:
        op.execute(f'ALTER INDEX {name} SET (fastupdate = off)')
        op.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")
    op.execute('ANALYZE search_documents')


def downgrade():
    if not _on_postgresql():
        return
    for name in INDEXES:
        op.execute(f'ALTER INDEX {name} RESET (fastupdate)')
