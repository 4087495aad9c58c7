"""Counting the SQL statements a use case makes, for the tests that pin them."""

from __future__ import annotations

from sqlalchemy import event

from hr_plugin.home import load_home
from hr_plugin.home_model import HomeState
from hr_plugin.testing.stack import AppStack


def counted_home(stack: AppStack, tenant_id: str, user_id: str) -> tuple[int, HomeState]:
    """How many statements one load of this person's Home makes, and what it shows."""
    engine = stack.services.engine
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        state = load_home(
            stack.factory,
            stack.services.clock,
            tenant_id=tenant_id,
            user_id=user_id,
            workspace_admin=False,
            providers=stack.services.home_providers,
        )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return len(statements), state
