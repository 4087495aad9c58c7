"""single-use links of three kinds: the export, the questions on paper, the ritual calendar file

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 17:00:00

Every link made before this one was an export link, so the new column starts as ``export``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vault_exports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), server_default="export", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("vault_exports", schema=None) as batch_op:
        batch_op.drop_column("kind")
