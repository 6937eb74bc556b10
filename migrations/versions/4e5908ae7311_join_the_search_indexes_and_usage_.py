"""Join two branches: the search indexes' writes and the usage events' period index.

Nothing to change: each branch stands on its own.

Revision ID: 4e5908ae7311
Revises: 3e107f0ab5d8, a76810c68e41
Create Date: 2026-12-05 15:34:10.706592

"""
# revision identifiers, used by Alembic.
revision = '4e5908ae7311'
down_revision = ('3e107f0ab5d8', 'a76810c68e41')
branch_labels = None
depends_on = None


def upgrade():
    """Nothing: both branches are applied."""


def downgrade():
    """Nothing: both branches are undone on their own."""
