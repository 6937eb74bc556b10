"""Search: the search_documents table of the postgres backend (PostgreSQL only)

The table is not in the models (SQLite cannot hold a tsvector), so autogenerate ignores it
(see include_object in env.py) and this migration is written by hand. It mirrors
search/postgres_backend.py as it was at this revision.

Revision ID: 929dd071ccb6
Revises: b65e749e52e8
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '929dd071ccb6'
down_revision = 'b65e749e52e8'
branch_labels = None
depends_on = None

# Angle brackets read as spaces: PostgreSQL's parser would otherwise skip tag-shaped text.
DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, translate(title, '<>', '  ')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, translate(summary, '<>', '  ')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, "
    "translate(left(body, 200000), '<>', '  ')), 'C') || "
    "setweight(to_tsvector('english'::regconfig, "
    "translate(left(file_text, 200000), '<>', '  ')), 'D')"
)
# Unstemmed words of title, summary and body, for "did you mean".
WORDS = (
    "strip(to_tsvector('simple'::regconfig, "
    "translate(title || ' ' || summary || ' ' || left(body, 200000), '<>', '  ')))"
)
ARRAY_COLUMNS = ('stages', 'personas', 'industries', 'tags')


def _on_postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if not _on_postgresql():
        return
    op.create_table('search_documents',
    sa.Column('asset_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), server_default='', nullable=False),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('file_text', sa.Text(), server_default='', nullable=False),
    *(sa.Column(name, postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False)
      for name in ARRAY_COLUMNS),
    sa.Column('content_type', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_by', sa.Date(), nullable=True),
    sa.Column('quality', sa.Double(), server_default='0', nullable=False),
    sa.Column('document', postgresql.TSVECTOR(), sa.Computed(DOCUMENT, persisted=True), nullable=True),
    sa.Column('words', postgresql.TSVECTOR(), sa.Computed(WORDS, persisted=True), nullable=True),
    sa.PrimaryKeyConstraint('asset_id', name='pk_search_documents')
    )
    op.create_index('ix_search_documents_document', 'search_documents', ['document'],
                    postgresql_using='gin')
    for name in ARRAY_COLUMNS:
        op.create_index(f'ix_search_documents_{name}', 'search_documents', [name],
                        postgresql_using='gin')


def downgrade():
    if not _on_postgresql():
        return
    # Dropping the table drops its indexes.
    op.drop_table('search_documents')
