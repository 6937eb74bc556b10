"""Revisions keep their body as plain text

Filled when a revision is saved; older revisions keep NULL and search derives their
text when it indexes them.

Revision ID: 2218896a9c75
Revises: 929dd071ccb6
Create Date: 2026-11-23 17:14:11.495760

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2218896a9c75'
down_revision = '929dd071ccb6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('asset_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_text', sa.Text(), nullable=True))


def downgrade():
    # Not a batch (copy-and-rename) operation: on SQLite that drops asset_revisions,
    # which rows of assets reference. SQLite 3.35+ drops a column in place.
    op.drop_column('asset_revisions', 'body_text')
