"""the outbox forgets a message's text some days after it is sent: payload may be NULL

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("payload", existing_type=sa.JSON(), nullable=True)
    # Only rows that still hold their text: the hourly forgetting reads this index, so its work
    # stays the size of the recent rows, however long the history grows.
    op.create_index(
        "ix_outbox_text_kept",
        "outbox",
        ["not_before"],
        postgresql_where=sa.text("payload IS NOT NULL"),
        sqlite_where=sa.text("payload IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_text_kept", table_name="outbox")
    # Rows whose text was forgotten get an empty message, so the column can be NOT NULL again.
    op.execute(sa.text("UPDATE outbox SET payload = '{}' WHERE payload IS NULL"))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("payload", existing_type=sa.JSON(), nullable=False)
