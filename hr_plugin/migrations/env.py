"""Alembic environment: runs against the connection ``hr_plugin.db.upgrade`` hands it."""

from __future__ import annotations

from alembic import context

from hr_plugin.features import FEATURES
from hr_plugin.models import Base

# Each feature's tables are defined in its own module, imported with its feature: all of them
# are on Base.metadata now, for autogenerate to compare against.
FEATURE_TABLES = [feature.tables for feature in FEATURES if feature.tables is not None]

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `hr-plugin db upgrade` (hr_plugin.db.upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
