"""CRM imports of large files run in the background: an import may be importing

The CHECK constraint on deal_imports.status is replaced to allow 'importing'.

Revision ID: 13bba2773eb2
Revises: 5e237744ef65
Create Date: 2026-12-05 17:56:44.049586

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '13bba2773eb2'
down_revision = '5e237744ef65'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deal_imports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_deal_imports_status'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_deal_imports_status'), "status IN ('previewed', 'importing', 'imported')"
        )


def downgrade():
    # An import still running when the portal is taken back is shown as previewed again:
    # its job finds it so and leaves it, and an admin runs it once more.
    op.execute("UPDATE deal_imports SET status = 'previewed' WHERE status = 'importing'")
    with op.batch_alter_table('deal_imports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_deal_imports_status'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_deal_imports_status'), "status IN ('previewed', 'imported')"
        )
