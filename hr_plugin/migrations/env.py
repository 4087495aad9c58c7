"""Alembic environment: runs against the connection ``hr_plugin.db.upgrade`` hands it."""

from __future__ import annotations

from alembic import context

from hr_plugin.models import Base
from hr_plugin.vault import store as _vault_tables  # noqa: F401 - the vault's tables live here too
from huddles import models as _huddle_tables  # noqa: F401 - and the huddles
from mentoring import models as _mentoring_tables  # noqa: F401 - and mentoring's

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
