"""Searches made on the search page and the results opened from them

Both tables are new, so no existing row changes; the search gaps report reads them.

Revision ID: da4a3988bcf5
Revises: c3dc5ef71fd2
Create Date: 2026-12-05 09:51:21.809240

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'da4a3988bcf5'
down_revision = 'c3dc5ef71fd2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=300), nullable=False),
    sa.Column('normalised', sa.String(length=300), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('stage_slug', sa.String(length=60), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_searches_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_searches'))
    )
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_searches_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_searches_normalised'), ['normalised'], unique=False)
        batch_op.create_index(batch_op.f('ix_searches_user_id'), ['user_id'], unique=False)

    op.create_table('search_clicks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('search_id', sa.Integer(), nullable=True),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=300), nullable=False),
    sa.Column('normalised', sa.String(length=300), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_search_clicks_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['search_id'], ['searches.id'], name=op.f('fk_search_clicks_search_id_searches'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_search_clicks_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_clicks'))
    )
    with op.batch_alter_table('search_clicks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_clicks_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_clicks_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_clicks_normalised'), ['normalised'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_clicks_search_id'), ['search_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_clicks_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('search_clicks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_clicks_user_id'))
        batch_op.drop_index(batch_op.f('ix_search_clicks_search_id'))
        batch_op.drop_index(batch_op.f('ix_search_clicks_normalised'))
        batch_op.drop_index(batch_op.f('ix_search_clicks_created_at'))
        batch_op.drop_index(batch_op.f('ix_search_clicks_asset_id'))

    op.drop_table('search_clicks')
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_searches_user_id'))
        batch_op.drop_index(batch_op.f('ix_searches_normalised'))
        batch_op.drop_index(batch_op.f('ix_searches_created_at'))

    op.drop_table('searches')
