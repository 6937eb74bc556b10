"""Search: one GIN index over the words and the facet lists (PostgreSQL only)

With an index per column, a search filtered by stage could be planned from the stage's
index alone, testing the words on every document of the stage and reading each one's
tsvector out of TOAST (3-6x slower than finding both in the indexes). One index over
``document`` and the four facet lists finds the documents having both in one scan, and
serves searches without a filter as the word index did. Written by hand like 929dd071ccb6
(the table is not in the models). The new index is built before the old ones are dropped,
so searches keep an index throughout; the upgrade then refreshes the statistics.

Revision ID: 4b7c2e9d1f30
Revises: 2c03b8dce56a
Create Date: 2026-12-06 08:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4b7c2e9d1f30'
down_revision = '2c03b8dce56a'
branch_labels = None
depends_on = None

COLUMNS = ('document', 'stages', 'personas', 'industries', 'tags')
INDEX = 'ix_search_documents_document_facets'


def _on_postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if not _on_postgresql():
        return
    op.create_index(INDEX, 'search_documents', list(COLUMNS), unique=False,
                    postgresql_using='gin', postgresql_with={'fastupdate': 'off'})
    for name in COLUMNS:
        op.drop_index(f'ix_search_documents_{name}', table_name='search_documents')
    op.execute('ANALYZE search_documents')


def downgrade():
    if not _on_postgresql():
        return
    for name in COLUMNS:
        op.create_index(f'ix_search_documents_{name}', 'search_documents', [name], unique=False,
                        postgresql_using='gin', postgresql_with={'fastupdate': 'off'})
    op.drop_index(INDEX, table_name='search_documents')
