"""Status and kind columns accept only their enums' values

A CHECK constraint per column, named ck_<table>_<column>. On SQLite each table is copied
into a new one that has the constraints; migrations/env.py turns foreign keys off for
that, so dropping the old table cascades to nothing.

Revision ID: c3dc5ef71fd2
Revises: 844a30ba469c
Create Date: 2026-12-05 08:47:39.944161

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3dc5ef71fd2'
down_revision = '844a30ba469c'
branch_labels = None
depends_on = None

# The values as they stand at this revision, not imported from the models: a later change
# to an enum comes with a migration of its own.
ALLOWED = {
    'users': {'role': ('rep', 'marketer', 'leader', 'admin')},
    'stored_files': {
        'kind': ('pdf', 'pptx', 'docx', 'png', 'jpeg'),
        'extraction_status': ('pending', 'reading', 'extracted', 'empty', 'failed', 'skipped'),
    },
    'assets': {
        'status': ('draft', 'in_review', 'changes_requested', 'approved', 'published', 'archived'),
    },
    'asset_collaborators': {'role': ('author', 'reviewer')},
    'deals': {'status': ('open', 'won', 'lost')},
    'deal_imports': {'status': ('previewed', 'imported')},
    'usage_events': {'kind': ('view', 'download', 'share', 'buyer_view', 'used_in_deal')},
    'ghost_posts': {
        'status': ('draft', 'with_rep', 'changes_requested', 'approved', 'published', 'declined'),
    },
    'content_requests': {'status': ('open', 'accepted', 'declined', 'fulfilled')},
    'campaigns': {'status': ('draft', 'published')},
    'field_feedback': {
        'kind': ('objection', 'question', 'competitor', 'win_story', 'loss_reason', 'content_gap'),
        'status': ('new', 'acknowledged', 'acted_on'),
    },
    'glossary_terms': {'status': ('proposed', 'agreed')},
    'notifications': {'email_status': ('none', 'pending', 'sent', 'failed')},
    'digest_deliveries': {'status': ('sending', 'sent', 'failed')},
}


def condition(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def refuse_unknown_values():
    """Name every value the constraints would refuse, before any table is changed,
    rather than fail half-way with the database's terse message."""
    connection = op.get_bind()
    unknown = []
    for table, columns in ALLOWED.items():
        for column, values in columns.items():
            found = connection.execute(
                sa.text(f'SELECT DISTINCT {column} FROM {table} WHERE NOT ({condition(column, values)})')
            ).scalars().all()
            unknown += [f'{table}.{column} = {value!r}' for value in found]
    if unknown:
        raise RuntimeError(
            'Rows hold values the new CHECK constraints refuse; correct them and upgrade '
            'again: ' + ', '.join(unknown)
        )


def upgrade():
    refuse_unknown_values()
    for table, columns in ALLOWED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in columns.items():
                batch_op.create_check_constraint(op.f(f'ck_{table}_{column}'), condition(column, values))


def downgrade():
    for table, columns in reversed(ALLOWED.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(op.f(f'ck_{table}_{column}'), type_='check')
