"""OAuth states: ``slack_sdk``'s SQLAlchemy state store on our ``slack_oauth_states`` table,
with one change: using a state is a single ``DELETE``, so two callbacks racing with the same
state cannot both succeed.

A module of its own, imported only where states are issued, used or pruned (the OAuth flow,
the purge tick): ``slack_sdk``'s state store module imports SQLAlchemy's asyncio extension,
about 1.6 MB of resident memory a web worker that never runs the OAuth flow has no use for.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, delete

from hr_plugin.models import OAuthState

log = logging.getLogger(__name__)


class OAuthStates(SQLAlchemyOAuthStateStore):
    """``slack_sdk``'s state store on our ``slack_oauth_states`` table, consumed atomically."""

    def __init__(self, engine: Engine, expiration_seconds: int) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=engine, logger=log)
        self.oauth_states = OAuthState.__table__  # type: ignore[assignment]

    def create_tables(self) -> None:
        raise RuntimeError("the OAuth state table is created by the migrations (`hr-plugin db upgrade`)")

    def consume(self, state: str) -> bool:
        """True once for a state that was issued and has not expired; False ever after."""
        if not state:
            return False
        now = datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as slack_sdk writes it
        table = self.oauth_states
        with self.engine.begin() as connection:
            used = connection.execute(delete(table).where(table.c.state == state, table.c.expire_at > now))
        return used.rowcount == 1

    def prune(self) -> int:
        """Forget states that expired unused (installs abandoned on the consent screen)."""
        now = datetime.now(UTC).replace(tzinfo=None)
        with self.engine.begin() as connection:
            removed = connection.execute(
                delete(self.oauth_states).where(self.oauth_states.c.expire_at <= now)
            )
        return int(removed.rowcount or 0)
