"""single-workspace mode remembers a bot token Slack revoked, by its fingerprint, never the token

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dead_bot_tokens",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("cause", sa.String(length=32), nullable=False),
        sa.Column("died_at", sa.DateTime(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_dead_bot_tokens")),
    )


def downgrade() -> None:
    op.drop_table("dead_bot_tokens")
