"""mentees waiting for the scheduler's rematch after a decline or an ending

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 22:40:00

A decline or an ending used to run the tenant's whole matching solve inside the click; now the
click records a row here and the ``mentoring-rematch`` tick solves. The table starts empty: a
match closed before this upgrade was already followed by its rematch.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mentor_rematches_due",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentee_id"], ["employees.id"], name=op.f("fk_mentor_rematches_due_mentee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_mentor_rematches_due_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_rematches_due")),
        sa.UniqueConstraint("tenant_id", "mentee_id", name="uq_mentor_rematches_due_tenant_mentee"),
    )


def downgrade() -> None:
    op.drop_table("mentor_rematches_due")
