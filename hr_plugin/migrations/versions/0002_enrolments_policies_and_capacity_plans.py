"""enrolments, policies and capacity plans

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:23:06.836155
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope_kind", sa.String(length=16), nullable=False),
        sa.Column("scope_value", sa.String(length=200), nullable=False),
        sa.Column("reduced_weeks", sa.Integer(), nullable=False),
        sa.Column("reduced_percent", sa.Integer(), nullable=False),
        sa.Column("ramp_percents", sa.JSON(), nullable=False),
        sa.Column("extension_weeks", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_policies_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policies")),
        sa.UniqueConstraint("tenant_id", "name", name="uq_policies_tenant_name"),
        sa.UniqueConstraint("tenant_id", "scope_kind", "scope_value", name="uq_policies_tenant_scope"),
    )
    op.create_table(
        "shared_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_shared_needs_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["employees.id"], name=op.f("fk_shared_needs_manager_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_shared_needs_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_needs")),
    )
    with op.batch_alter_table("shared_needs", schema=None) as batch_op:
        batch_op.create_index("ix_shared_needs_tenant_employee", ["tenant_id", "employee_id"], unique=False)

    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("leave_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("contact_during_leave", sa.Boolean(), nullable=True),
        sa.Column("leave_out_family", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_enrolments_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(["leave_id"], ["leaves.id"], name=op.f("fk_enrolments_leave_id_leaves")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_enrolments_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolments")),
    )
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index("ix_enrolments_tenant_employee", ["tenant_id", "employee_id"], unique=False)

    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("policy_name", sa.String(length=100), nullable=False),
        sa.Column("budget", sa.JSON(), nullable=False),
        sa.Column("extension_weeks_taken", sa.Integer(), nullable=False),
        sa.Column("extra_weeks_granted", sa.Integer(), nullable=False),
        sa.Column("return_date", sa.Date(), nullable=False),
        sa.Column("full_capacity_from", sa.Date(), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("generated_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_version", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_plans_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolments.id"], name=op.f("fk_plans_enrolment_id_enrolments")
        ),
        sa.ForeignKeyConstraint(["manager_id"], ["employees.id"], name=op.f("fk_plans_manager_id_employees")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_plans_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("enrolment_id", name="uq_plans_enrolment"),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index("ix_plans_tenant_manager", ["tenant_id", "manager_id"], unique=False)

    op.create_table(
        "extension_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_extension_requests_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_extension_requests_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension_requests")),
    )
    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.create_index("ix_extension_requests_tenant_status", ["tenant_id", "status"], unique=False)

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymity_minimum", sa.Integer(), nullable=False, server_default="5"))


def downgrade() -> None:

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("anonymity_minimum")

    with op.batch_alter_table("extension_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_extension_requests_tenant_status")

    op.drop_table("extension_requests")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index("ix_plans_tenant_manager")

    op.drop_table("plans")
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrolments_tenant_employee")

    op.drop_table("enrolments")
    with op.batch_alter_table("shared_needs", schema=None) as batch_op:
        batch_op.drop_index("ix_shared_needs_tenant_employee")

    op.drop_table("shared_needs")
    op.drop_table("policies")
