"""mentor profiles, preferences and matches

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:11:24.016344
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "mentee_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("preferences", sa.JSON(), nullable=False),
        sa.Column("excluded", sa.JSON(), nullable=False),
        sa.Column("wants_mentor", sa.Boolean(), nullable=False),
        sa.Column("manager_may_know", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_mentee_preferences_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_mentee_preferences_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentee_preferences")),
        sa.UniqueConstraint("tenant_id", "employee_id", name="uq_mentee_preferences_tenant_employee"),
    )
    op.create_table(
        "mentor_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("reasons_for_mentee", sa.JSON(), nullable=False),
        sa.Column("reasons_for_mentor", sa.JSON(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("met_by_mentee", sa.Boolean(), nullable=True),
        sa.Column("met_by_mentor", sa.Boolean(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentee_id"], ["employees.id"], name=op.f("fk_mentor_matches_mentee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["employees.id"], name=op.f("fk_mentor_matches_mentor_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_mentor_matches_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_matches")),
    )
    with op.batch_alter_table("mentor_matches", schema=None) as batch_op:
        batch_op.create_index("ix_mentor_matches_tenant_mentee", ["tenant_id", "mentee_id"], unique=False)
        batch_op.create_index("ix_mentor_matches_tenant_mentor", ["tenant_id", "mentor_id"], unique=False)

    op.create_table(
        "mentor_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("share_tags", sa.Boolean(), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("facilitates_huddles", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_mentor_profiles_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_mentor_profiles_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_profiles")),
        sa.UniqueConstraint("tenant_id", "employee_id", name="uq_mentor_profiles_tenant_employee"),
    )


def downgrade() -> None:

    op.drop_table("mentor_profiles")
    with op.batch_alter_table("mentor_matches", schema=None) as batch_op:
        batch_op.drop_index("ix_mentor_matches_tenant_mentor")
        batch_op.drop_index("ix_mentor_matches_tenant_mentee")

    op.drop_table("mentor_matches")
    op.drop_table("mentee_preferences")
