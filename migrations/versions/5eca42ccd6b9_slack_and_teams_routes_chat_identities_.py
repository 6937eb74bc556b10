"""Slack and Teams: routes, chat identities and deliveries

New tables only: people's routes of notification groups to Slack or Teams, who they are
in chat, and one row per chat message to deliver.

Revision ID: 5eca42ccd6b9
Revises: 5dfac9976e56
Create Date: 2026-12-05 23:30:59.665556

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5eca42ccd6b9'
down_revision = '5dfac9976e56'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chat_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('slack_member_id', sa.String(length=20), nullable=True),
    sa.Column('teams_url', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_chat_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_identities')),
    sa.UniqueConstraint('slack_member_id', name=op.f('uq_chat_identities_slack_member_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_chat_identities_user_id'))
    )
    op.create_table('chat_routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind_group', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.CheckConstraint("channel IN ('slack', 'teams')", name=op.f('ck_chat_routes_channel')),
    sa.CheckConstraint("kind_group IN ('reviews', 'posts', 'buyers', 'replies', 'other')", name=op.f('ck_chat_routes_kind_group')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_chat_routes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_routes')),
    sa.UniqueConstraint('user_id', 'kind_group', 'channel', name=op.f('uq_chat_routes_user_id_kind_group_channel'))
    )
    with op.batch_alter_table('chat_routes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_routes_user_id'), ['user_id'], unique=False)

    op.create_table('chat_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='pending', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("channel IN ('slack', 'teams')", name=op.f('ck_chat_deliveries_channel')),
    sa.CheckConstraint("status IN ('pending', 'sending', 'delivered', 'failed')", name=op.f('ck_chat_deliveries_status')),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_chat_deliveries_notification_id_notifications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_deliveries'))
    )
    with op.batch_alter_table('chat_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_deliveries_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_chat_deliveries_notification_id'), ['notification_id'], unique=False)
        batch_op.create_index('ix_chat_deliveries_status_created_at', ['status', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('chat_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_deliveries_status_created_at')
        batch_op.drop_index(batch_op.f('ix_chat_deliveries_notification_id'))
        batch_op.drop_index(batch_op.f('ix_chat_deliveries_created_at'))

    op.drop_table('chat_deliveries')
    with op.batch_alter_table('chat_routes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_routes_user_id'))

    op.drop_table('chat_routes')
    op.drop_table('chat_identities')
