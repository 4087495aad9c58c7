"""help links edited in Slack: a number of counselling sessions, and each link once per country

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 16:30:00

HR now adds and removes help links one at a time from the App Home. A unique index keeps a link
from being listed twice for one country when the same addition arrives twice. A database that
already lists a link twice is not changed silently: the upgrade stops and names them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    duplicated = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT tenant_id, country, url FROM help_resources "
                "GROUP BY tenant_id, country, url HAVING COUNT(*) > 1"
            )
        )
        .all()
    )
    if duplicated:
        links = ", ".join(f"{tenant}/{country} {url}" for tenant, country, url in duplicated)
        raise RuntimeError(
            "Some help links are listed twice for one country (" + links + "). Remove the extra "
            "copies (hr-plugin resources set, or the help_resources table), then run the upgrade again."
        )
    with op.batch_alter_table("help_resources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sessions", sa.Integer(), nullable=True))
        batch_op.create_index("uq_help_resources_tenant_country_url", ["tenant_id", "country", "url"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("help_resources", schema=None) as batch_op:
        batch_op.drop_index("uq_help_resources_tenant_country_url")
        batch_op.drop_column("sessions")
