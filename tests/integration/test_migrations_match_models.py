"""The migrations build exactly the tables the models declare, every feature's included.

Each feature keeps its tables in its own ``models.py`` and names that module in its
``feature.py``; the migrations find them through the one list. A table moved between modules,
or a column added to a model without a migration, shows here as a difference.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from hr_plugin.features import FEATURES
from hr_plugin.models import Base


def _ours(item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    """Leave out what the database holds that the app does not declare: APScheduler's job store
    (made by the scheduler itself, on a database the suite shares) and its indexes."""
    table = item if kind == "table" else getattr(item, "table", None)
    return not (
        reflected and compare_to is None and table is not None and table.name not in Base.metadata.tables
    )


def test_the_migrated_database_matches_every_features_models(engine: Engine) -> None:
    declared = {feature.tables.__name__ for feature in FEATURES if feature.tables is not None}
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": _ours})
        differences = compare_metadata(context, Base.metadata)

    assert {"mentoring.models", "huddles.models", "hr_plugin.reintegration.models"} <= declared
    assert differences == []
