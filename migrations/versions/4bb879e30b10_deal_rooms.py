"""Deal rooms: rooms, their items, buyers' visits and pages read; buyer views name their room

New tables only, and a nullable column on usage events, so existing rows need nothing.

Revision ID: 4bb879e30b10
Revises: 1994b7067e82
Create Date: 2026-12-05 20:33:33.779628

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4bb879e30b10'
down_revision = '1994b7067e82'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rooms_created_by_id_users')),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_rooms_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_rooms_revoked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rooms')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_rooms_token_hash'))
    )
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rooms_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rooms_deal_id'), ['deal_id'], unique=False)

    op.create_table('room_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('view_only', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_room_items_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_room_items_room_id_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_items')),
    sa.UniqueConstraint('room_id', 'asset_id', name=op.f('uq_room_items_room_id_asset_id'))
    )
    with op.batch_alter_table('room_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_items_asset_id'), ['asset_id'], unique=False)

    op.create_table('room_visitors',
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('visitor_hash', sa.String(length=32), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_room_visitors_room_id_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('room_id', 'visitor_hash', name=op.f('pk_room_visitors'))
    )
    op.create_table('room_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('visitor_hash', sa.String(length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_room_visits_room_id_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_visits')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_room_visits_key_hash'))
    )
    with op.batch_alter_table('room_visits', schema=None) as batch_op:
        batch_op.create_index('ix_room_visits_room_started', ['room_id', 'started_at'], unique=False)

    op.create_table('room_beacons',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['room_visits.id'], name=op.f('fk_room_beacons_visit_id_room_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'seq', name=op.f('pk_room_beacons'))
    )
    op.create_table('room_page_views',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('ms', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['room_items.id'], name=op.f('fk_room_page_views_item_id_room_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['room_visits.id'], name=op.f('fk_room_page_views_visit_id_room_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'item_id', 'page', name=op.f('pk_room_page_views'))
    )
    with op.batch_alter_table('room_page_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_page_views_item_id'), ['item_id'], unique=False)

    op.create_table('room_visit_items',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['room_items.id'], name=op.f('fk_room_visit_items_item_id_room_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['room_visits.id'], name=op.f('fk_room_visit_items_visit_id_room_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'item_id', name=op.f('pk_room_visit_items'))
    )
    with op.batch_alter_table('room_visit_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_visit_items_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('usage_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('room_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_usage_events_room_id'), ['room_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_usage_events_room_id_rooms'), 'rooms', ['room_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('usage_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_usage_events_room_id_rooms'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_usage_events_room_id'))
        batch_op.drop_column('room_id')

    with op.batch_alter_table('room_visit_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_visit_items_item_id'))

    op.drop_table('room_visit_items')
    with op.batch_alter_table('room_page_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_page_views_item_id'))

    op.drop_table('room_page_views')
    op.drop_table('room_beacons')
    with op.batch_alter_table('room_visits', schema=None) as batch_op:
        batch_op.drop_index('ix_room_visits_room_started')

    op.drop_table('room_visits')
    op.drop_table('room_visitors')
    with op.batch_alter_table('room_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_items_asset_id'))

    op.drop_table('room_items')
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rooms_deal_id'))
        batch_op.drop_index(batch_op.f('ix_rooms_created_by_id'))

    op.drop_table('rooms')
