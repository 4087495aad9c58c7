"""a need the employee previewed waits on the server, not in the modal, until sent, closed or expired

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "need_drafts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_need_drafts_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_need_drafts_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_drafts")),
    )
    with op.batch_alter_table("need_drafts", schema=None) as batch_op:
        batch_op.create_index("ix_need_drafts_tenant_employee", ["tenant_id", "employee_id"], unique=False)
        batch_op.create_index("ix_need_drafts_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("need_drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_need_drafts_expires_at")
        batch_op.drop_index("ix_need_drafts_tenant_employee")
    op.drop_table("need_drafts")
