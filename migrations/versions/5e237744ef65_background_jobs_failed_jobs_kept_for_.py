"""Background jobs: failed jobs kept for admins, and notification emails claimed by the job that sends them

A notification's email may now be "sending": claimed by the job that sends it, at
email_claimed_at. The CHECK constraint on email_status is replaced to allow it.

Revision ID: 5e237744ef65
Revises: 4e5908ae7311
Create Date: 2026-12-05 17:26:57.775186

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e237744ef65'
down_revision = '4e5908ae7311'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('failed_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('arguments', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('failed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_jobs'))
    )
    with op.batch_alter_table('failed_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_failed_jobs_failed_at'), ['failed_at'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_claimed_at', sa.DateTime(), nullable=True))
        batch_op.drop_constraint(op.f('ck_notifications_email_status'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_notifications_email_status'),
            "email_status IN ('none', 'pending', 'sending', 'sent', 'failed')",
        )


def downgrade():
    # An email being sent when the portal is taken back is counted as pending again.
    op.execute("UPDATE notifications SET email_status = 'pending' WHERE email_status = 'sending'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_email_status'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_notifications_email_status'),
            "email_status IN ('none', 'pending', 'sent', 'failed')",
        )
        batch_op.drop_column('email_claimed_at')

    with op.batch_alter_table('failed_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_failed_jobs_failed_at'))

    op.drop_table('failed_jobs')
