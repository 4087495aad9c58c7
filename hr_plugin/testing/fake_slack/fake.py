"""``FakeSlack``, the public class: the state (``state``) and every concern's mixin, put together.

The mixins reach ``FakeSlack`` through ``dispatch.Dispatch``, which derives from them all; this
module only builds an instance: the first workspace and its tokens, the table of Web API
methods, the app's bot user.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from hr_plugin.clock import Clock
from hr_plugin.testing.fake_slack.dispatch import Dispatch
from hr_plugin.testing.fake_slack.state import BOT_USER_ID


class FakeSlack(Dispatch):
    """A Slack workspace with the app installed (or several, through OAuth), served on 127.0.0.1.

    The app under test points ``slack_sdk.WebClient(base_url=fake.base_url)`` at it. The
    signed request client (``SlackRequestClient``) mints trigger ids and response URLs here,
    so that the fake knows whose screen a modal or a ``respond()`` lands on.
    """

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        team_id: str = "T0DEMO",
        enterprise_id: str | None = None,
        bot_tokens: Iterable[str] = ("xoxb-fake-token",),
        team_name: str = "Demo Company",
        team_domain: str = "demo",
        include_bot_user: bool = True,
        freeze_triggers: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``freeze_triggers`` is for the benchmark only: its requests are prepared (and their
        trigger ids minted) long before they are replayed, so there trigger ids never expire.
        Everywhere else they expire like Slack's, 3 wall seconds after the request was sent.
        ``monotonic`` is that wall clock; tests pass a controllable one instead of sleeping."""
        super().__init__(
            clock,
            team_id=team_id,
            enterprise_id=enterprise_id,
            bot_tokens=bot_tokens,
            team_name=team_name,
            team_domain=team_domain,
            freeze_triggers=freeze_triggers,
            monotonic=monotonic,
        )
        self._methods = self._web_api_methods()
        if include_bot_user:
            self.add_user(BOT_USER_ID, name="hr-plugin", real_name="HR Plugin", email="", is_bot=True)
