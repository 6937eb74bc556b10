"""Search: expiry date and collaborators on search_documents (PostgreSQL only)

Readers stop finding an asset after its expiry date, and find the drafts they were
invited to. Written by hand like 929dd071ccb6 (the table is not in the models). Existing
rows get no expiry and no collaborators until re-indexed: run `search rebuild`.

Revision ID: 5c1e0b7d2a90
Revises: 2218896a9c75
Create Date: 2026-11-23 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '5c1e0b7d2a90'
down_revision = '2218896a9c75'
branch_labels = None
depends_on = None


def _on_postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if not _on_postgresql():
        return
    op.add_column('search_documents', sa.Column('expires_on', sa.Date(), nullable=True))
    op.add_column('search_documents', sa.Column(
        'collaborator_ids', postgresql.ARRAY(sa.Integer()), server_default='{}', nullable=False))


def downgrade():
    if not _on_postgresql():
        return
    op.drop_column('search_documents', 'collaborator_ids')
    op.drop_column('search_documents', 'expires_on')
