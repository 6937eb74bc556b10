"""Data exports: an archive of CSV files asked for by an admin or a leader, its progress
and its stored file

A new table only, so existing rows need nothing.

Revision ID: 879c8e07c590
Revises: 6cec26ef9540
Create Date: 2026-12-05 23:27:28.571111

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "879c8e07c590"
down_revision = "6cec26ef9540"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("current_file", sa.String(length=60), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("storage_name", sa.String(length=80), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'ready', 'failed', 'expired')",
            name=op.f("ck_data_exports_status"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_data_exports_requested_by_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
        sa.UniqueConstraint("storage_name", name=op.f("uq_data_exports_storage_name")),
    )
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_data_exports_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_data_exports_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_data_exports_requested_by_id"), ["requested_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_data_exports_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_data_exports_one_unfinished",
            ["requested_by_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('queued', 'running')"),
            postgresql_where=sa.text("status IN ('queued', 'running')"),
        )


def downgrade():
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_data_exports_one_unfinished",
            sqlite_where=sa.text("status IN ('queued', 'running')"),
            postgresql_where=sa.text("status IN ('queued', 'running')"),
        )
        batch_op.drop_index(batch_op.f("ix_data_exports_status"))
        batch_op.drop_index(batch_op.f("ix_data_exports_requested_by_id"))
        batch_op.drop_index(batch_op.f("ix_data_exports_expires_at"))
        batch_op.drop_index(batch_op.f("ix_data_exports_created_at"))

    op.drop_table("data_exports")
