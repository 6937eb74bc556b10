"""Assets have an audience, content types a default one, share links may be view only

Content types named like battlecards, objection handling or demo scripts default to
internal, and their existing assets become internal; every other asset is external. The
working links to an asset made internal are revoked: it may no longer reach buyers.
Existing share links allow downloads, as they did. A downgrade does not bring revoked
links back.

Revision ID: 1994b7067e82
Revises: 8778a4d54a0a
Create Date: 2026-12-05 20:33:59.617717

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1994b7067e82'
down_revision = '8778a4d54a0a'
branch_labels = None
depends_on = None

AUDIENCES = "audience IN ('external', 'internal')"
# Slugs of the content types that are internal by default (singular and plural).
INTERNAL_TYPES = (
    'battlecard', 'battlecards', 'battle-card', 'battle-cards',
    'objection-handling', 'objection-handler', 'objection-handlers',
    'demo-script', 'demo-scripts',
)


def upgrade():
    with op.batch_alter_table('content_types', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('default_audience', sa.String(length=20), nullable=False, server_default='external')
        )
        batch_op.create_check_constraint(
            op.f('ck_content_types_default_audience'),
            "default_audience IN ('external', 'internal')",
        )
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('audience', sa.String(length=20), nullable=False, server_default='external')
        )
        batch_op.create_index(batch_op.f('ix_assets_audience'), ['audience'], unique=False)
        batch_op.create_check_constraint(op.f('ck_assets_audience'), AUDIENCES)
    with op.batch_alter_table('asset_revisions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('audience', sa.String(length=20), nullable=False, server_default='external')
        )
        batch_op.create_check_constraint(op.f('ck_asset_revisions_audience'), AUDIENCES)
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('view_only', sa.Boolean(), nullable=False, server_default=sa.false())
        )

    content_types = sa.table(
        'content_types', sa.column('id'), sa.column('slug'), sa.column('default_audience')
    )
    assets = sa.table('assets', sa.column('id'), sa.column('content_type_id'), sa.column('audience'))
    revisions = sa.table('asset_revisions', sa.column('asset_id'), sa.column('audience'))
    links = sa.table(
        'share_links',
        sa.column('asset_id'),
        sa.column('revoked_at', sa.DateTime()),
        sa.column('expires_at', sa.DateTime()),
    )
    op.execute(
        content_types.update()
        .where(content_types.c.slug.in_(INTERNAL_TYPES))
        .values(default_audience='internal')
    )
    internal_types = sa.select(content_types.c.id).where(
        content_types.c.default_audience == 'internal'
    )
    op.execute(
        assets.update()
        .where(assets.c.content_type_id.in_(internal_types))
        .values(audience='internal')
    )
    internal_assets = sa.select(assets.c.id).where(assets.c.audience == 'internal')
    op.execute(
        revisions.update()
        .where(revisions.c.asset_id.in_(internal_assets))
        .values(audience='internal')
    )
    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC
    op.execute(
        links.update()
        .where(
            links.c.asset_id.in_(internal_assets),
            links.c.revoked_at.is_(None),
            links.c.expires_at > now,
        )
        .values(revoked_at=now)
    )


def downgrade():
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.drop_column('view_only')
    with op.batch_alter_table('asset_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_asset_revisions_audience'), type_='check')
        batch_op.drop_column('audience')
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assets_audience'), type_='check')
        batch_op.drop_index(batch_op.f('ix_assets_audience'))
        batch_op.drop_column('audience')
    with op.batch_alter_table('content_types', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_content_types_default_audience'), type_='check')
        batch_op.drop_column('default_audience')
