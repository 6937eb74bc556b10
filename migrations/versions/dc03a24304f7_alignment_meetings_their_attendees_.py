"""Alignment meetings, their attendees, decisions, action items and pack deliveries

New tables only: recurring sales-marketing meetings and who attends them, the decisions
and action items each occurrence records (an item links to at most one asset, content
request, glossary term or feedback item), and one row per occurrence whose pack went to
the leaders.

Revision ID: dc03a24304f7
Revises: 5eca42ccd6b9
Create Date: 2026-12-06 02:20:32.264938

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dc03a24304f7'
down_revision = '5eca42ccd6b9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('cadence', sa.String(length=20), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('meets_at', sa.Time(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("cadence IN ('weekly', 'fortnightly', 'monthly')", name=op.f('ck_meetings_cadence')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_meetings_weekday')),
    sa.ForeignKeyConstraint(['organiser_id'], ['users.id'], name=op.f('fk_meetings_organiser_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_organiser_id'), ['organiser_id'], unique=False)

    op.create_table('meeting_attendees',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_attendees_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_attendees_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'user_id', name=op.f('pk_meeting_attendees'))
    )
    with op.batch_alter_table('meeting_attendees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attendees_user_id'), ['user_id'], unique=False)

    op.create_table('meeting_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('meeting_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_decisions_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_meeting_decisions_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_decisions'))
    )
    with op.batch_alter_table('meeting_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_decisions_meeting_id_meeting_on', ['meeting_id', 'meeting_on'], unique=False)

    op.create_table('meeting_pack_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('meeting_on', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_pack_deliveries_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_pack_deliveries')),
    sa.UniqueConstraint('meeting_id', 'meeting_on', name=op.f('uq_meeting_pack_deliveries_meeting_id_meeting_on'))
    )
    op.create_table('meeting_action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('meeting_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('term_id', sa.Integer(), nullable=True),
    sa.Column('feedback_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=False),
    sa.Column('reminded_for', sa.Date(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'done')", name=op.f('ck_meeting_action_items_status')),
    sa.CheckConstraint('(CASE WHEN asset_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN request_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN term_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN feedback_id IS NULL THEN 0 ELSE 1 END) <= 1', name=op.f('ck_meeting_action_items_one_link')),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_meeting_action_items_asset_id_assets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_meeting_action_items_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_meeting_action_items_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['feedback_id'], ['field_feedback.id'], name=op.f('fk_meeting_action_items_feedback_id_field_feedback'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_action_items_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_meeting_action_items_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['content_requests.id'], name=op.f('fk_meeting_action_items_request_id_content_requests'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['term_id'], ['glossary_terms.id'], name=op.f('fk_meeting_action_items_term_id_glossary_terms'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_action_items'))
    )
    with op.batch_alter_table('meeting_action_items', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_action_items_meeting_id_meeting_on', ['meeting_id', 'meeting_on'], unique=False)
        batch_op.create_index('ix_meeting_action_items_owner_id_status', ['owner_id', 'status'], unique=False)
        batch_op.create_index('ix_meeting_action_items_status_due_on', ['status', 'due_on'], unique=False)



def downgrade():
    with op.batch_alter_table('meeting_action_items', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_action_items_status_due_on')
        batch_op.drop_index('ix_meeting_action_items_owner_id_status')
        batch_op.drop_index('ix_meeting_action_items_meeting_id_meeting_on')

    op.drop_table('meeting_action_items')
    op.drop_table('meeting_pack_deliveries')
    with op.batch_alter_table('meeting_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_decisions_meeting_id_meeting_on')

    op.drop_table('meeting_decisions')
    with op.batch_alter_table('meeting_attendees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attendees_user_id'))

    op.drop_table('meeting_attendees')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_organiser_id'))

    op.drop_table('meetings')
