"""one open enrolment per person, kept by a partial unique index

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 11:35:00

Two requests to enrol the same person at once (a double click on "Join", HR proposing while
the employee enrols themselves) could each find no open enrolment and each create one. The
index makes the database refuse the second; the app answers it as it answers a later click.
A database that already holds two open enrolments for one person is not changed silently:
the upgrade stops and names the enrolments, so HR can withdraw the stale one first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Kept here, not imported: a migration describes the schema as it was when it was written.
OPEN = "status IN ('proposed', 'awaiting_hr', 'active')"


def upgrade() -> None:
    duplicated = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT tenant_id, employee_id FROM enrolments WHERE "
                + OPEN
                + " GROUP BY tenant_id, employee_id HAVING COUNT(*) > 1"
            )
        )
        .all()
    )
    if duplicated:
        people = ", ".join(f"{tenant}/employee {employee}" for tenant, employee in duplicated)
        raise RuntimeError(
            "Some people have more than one open enrolment (" + people + "). Withdraw the older "
            "one of each (HR's Home tab, or the enrolments table), then run the upgrade again."
        )
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index(
            "uq_enrolments_one_open",
            ["tenant_id", "employee_id"],
            unique=True,
            postgresql_where=sa.text(OPEN),
            sqlite_where=sa.text(OPEN),
        )


def downgrade() -> None:
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index("uq_enrolments_one_open")
