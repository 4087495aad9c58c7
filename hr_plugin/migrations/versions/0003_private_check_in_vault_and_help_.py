"""private check-in vault and help resources

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:44:11.883158
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "vault_exports",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_vault_exports")),
    )
    op.create_table(
        "vault_nonces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_nonces")),
        sa.UniqueConstraint("tenant_id", "nonce", name="uq_vault_nonces_tenant_nonce"),
    )
    op.create_table(
        "help_resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_help_resources_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_resources")),
    )
    with op.batch_alter_table("help_resources", schema=None) as batch_op:
        batch_op.create_index("ix_help_resources_tenant_country", ["tenant_id", "country"], unique=False)

    op.create_table(
        "vault_records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_vault_records_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_vault_records_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_records")),
    )
    with op.batch_alter_table("vault_records", schema=None) as batch_op:
        batch_op.create_index("ix_vault_records_tenant_employee", ["tenant_id", "employee_id"], unique=False)

    op.create_table(
        "vault_spaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.Column("reminder_weekday", sa.Integer(), nullable=True),
        sa.Column("reminder_time", sa.String(length=5), nullable=True),
        sa.Column("reminders_paused_until", sa.Date(), nullable=True),
        sa.Column("reminders_stopped", sa.Boolean(), nullable=False),
        sa.Column("erase_after", sa.DateTime(), nullable=True),
        sa.Column("erase_notice_sent", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_vault_spaces_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_vault_spaces_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_spaces")),
        sa.UniqueConstraint("tenant_id", "employee_id", name="uq_vault_spaces_tenant_employee"),
    )


def downgrade() -> None:

    op.drop_table("vault_spaces")
    with op.batch_alter_table("vault_records", schema=None) as batch_op:
        batch_op.drop_index("ix_vault_records_tenant_employee")

    op.drop_table("vault_records")
    with op.batch_alter_table("help_resources", schema=None) as batch_op:
        batch_op.drop_index("ix_help_resources_tenant_country")

    op.drop_table("help_resources")
    op.drop_table("vault_nonces")
    op.drop_table("vault_exports")
