"""Page previews of stored files

Files stored before previews existed are marked 'absent'; `previews rebuild --missing`
makes theirs.

Revision ID: 8778a4d54a0a
Revises: 13bba2773eb2
Create Date: 2026-12-05 20:30:33.897493

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8778a4d54a0a'
down_revision = '13bba2773eb2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('preview_status', sa.String(length=20), nullable=False, server_default='absent')
        )
        batch_op.add_column(
            sa.Column('preview_pages', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.add_column(
            sa.Column('preview_note', sa.String(length=300), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('preview_claimed_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_stored_files_preview_status'), ['preview_status'], unique=False)
        batch_op.create_check_constraint(
            op.f('ck_stored_files_preview_status'),
            "preview_status IN ('pending', 'rendering', 'ready', 'failed', 'absent')",
        )


def downgrade():
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_stored_files_preview_status'), type_='check')
        batch_op.drop_index(batch_op.f('ix_stored_files_preview_status'))
        batch_op.drop_column('preview_claimed_at')
        batch_op.drop_column('preview_note')
        batch_op.drop_column('preview_pages')
        batch_op.drop_column('preview_status')
