"""Co-authoring: collaborators, approvals, comments, content requests, notifications, expiry

Invited co-authors and reviewers, approvals per revision (sign-off), comments on
revisions, reps' content requests, in-app notifications, and an optional expiry date that
hides an asset from reps.

Revision ID: efe72a61c168
Revises: 5c1e0b7d2a90
Create Date: 2026-11-23 18:11:39.098502

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'efe72a61c168'
down_revision = '5c1e0b7d2a90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('email_status', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_notifications_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.create_table('asset_collaborators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_asset_collaborators_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_asset_collaborators_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_asset_collaborators_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_collaborators')),
    sa.UniqueConstraint('asset_id', 'user_id', name=op.f('uq_asset_collaborators_asset_id_user_id'))
    )
    with op.batch_alter_table('asset_collaborators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_collaborators_user_id'), ['user_id'], unique=False)

    op.create_table('content_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('need', sa.Text(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=True),
    sa.Column('persona_id', sa.Integer(), nullable=True),
    sa.Column('deal_context', sa.String(length=1000), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decline_reason', sa.String(length=1000), nullable=False),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_content_requests_asset_id_assets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_content_requests_handled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['persona_id'], ['personas.id'], name=op.f('fk_content_requests_persona_id_personas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_content_requests_requester_id_users')),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_content_requests_stage_id_stages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_requests'))
    )
    with op.batch_alter_table('content_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_requests_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_requests_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_requests_stage_id'), ['stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_requests_status'), ['status'], unique=False)

    op.create_table('asset_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_asset_approvals_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_asset_approvals_reviewer_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revision_id'], ['asset_revisions.id'], name=op.f('fk_asset_approvals_revision_id_asset_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_approvals')),
    sa.UniqueConstraint('revision_id', 'reviewer_id', name=op.f('uq_asset_approvals_revision_id_reviewer_id'))
    )
    with op.batch_alter_table('asset_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_approvals_asset_id'), ['asset_id'], unique=False)

    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_comments_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_comments_author_id_users')),
    sa.ForeignKeyConstraint(['parent_id'], ['comments.id'], name=op.f('fk_comments_parent_id_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_comments_resolved_by_id_users')),
    sa.ForeignKeyConstraint(['revision_id'], ['asset_revisions.id'], name=op.f('fk_comments_revision_id_asset_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comments_asset_id'), ['asset_id'], unique=False)

    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))


def downgrade():
    # In place, not a batch copy: on SQLite that would drop assets, which rows reference.
    op.drop_column('assets', 'expires_on')

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comments_asset_id'))

    op.drop_table('comments')
    with op.batch_alter_table('asset_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_approvals_asset_id'))

    op.drop_table('asset_approvals')
    with op.batch_alter_table('content_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_requests_status'))
        batch_op.drop_index(batch_op.f('ix_content_requests_stage_id'))
        batch_op.drop_index(batch_op.f('ix_content_requests_requester_id'))
        batch_op.drop_index(batch_op.f('ix_content_requests_asset_id'))

    op.drop_table('content_requests')
    with op.batch_alter_table('asset_collaborators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_collaborators_user_id'))

    op.drop_table('asset_collaborators')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_read_at')

    op.drop_table('notifications')