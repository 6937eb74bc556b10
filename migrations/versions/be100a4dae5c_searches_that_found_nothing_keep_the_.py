"""Searches that found nothing keep the persona filter

Existing rows chose no persona as far as anyone knows: they get the empty slug.

Revision ID: be100a4dae5c
Revises: da4a3988bcf5
Create Date: 2026-12-05 10:06:50.354180

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'be100a4dae5c'
down_revision = 'da4a3988bcf5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('search_misses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('persona_slug', sa.String(length=60), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('search_misses', schema=None) as batch_op:
        batch_op.drop_column('persona_slug')

