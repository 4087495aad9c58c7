"""one open mentor match per mentee, kept by a partial unique index

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 11:40:00

Two HR pairings of one mentee sent at once (or HR pairing while the matcher runs) could each
find no open match and each ask a mentor. The index makes the database refuse the second;
the app answers it as it answers a later pairing. A database that already holds two open
matches for one mentee is not changed silently: the upgrade stops and names them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Kept here, not imported: a migration describes the schema as it was when it was written.
OPEN = "status IN ('asked', 'active')"


def upgrade() -> None:
    duplicated = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT tenant_id, mentee_id FROM mentor_matches WHERE "
                + OPEN
                + " GROUP BY tenant_id, mentee_id HAVING COUNT(*) > 1"
            )
        )
        .all()
    )
    if duplicated:
        people = ", ".join(f"{tenant}/employee {mentee}" for tenant, mentee in duplicated)
        raise RuntimeError(
            "Some mentees have more than one open mentor match (" + people + "). End the "
            "newer one of each (the mentor_matches table), then run the upgrade again."
        )
    with op.batch_alter_table("mentor_matches", schema=None) as batch_op:
        batch_op.create_index(
            "uq_mentor_matches_one_open",
            ["tenant_id", "mentee_id"],
            unique=True,
            postgresql_where=sa.text(OPEN),
            sqlite_where=sa.text(OPEN),
        )


def downgrade() -> None:
    with op.batch_alter_table("mentor_matches", schema=None) as batch_op:
        batch_op.drop_index("uq_mentor_matches_one_open")
