"""Builds the Bolt app. Nothing else happens here: surfaces register themselves."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from hr_plugin.services import Services
from hr_plugin.slack.listeners import register_listeners
from hr_plugin.slack_clients import make_client

# Listeners run in the request thread (process_before_response); this pool serves only the
# lazy listeners that do slower Slack calls after the ack. Sized to stay under the
# database pool, so a burst of them cannot starve request handling of connections.
LAZY_LISTENER_THREADS = 8


def build_app(services: Services, *, client: WebClient | None = None) -> App:
    settings = services.settings
    if client is None and settings.slack_bot_token:
        # On the ack path a rate limit must not make us sleep: no retry handler here.
        client = make_client(settings.slack_bot_token, settings.slack_api_url, wait_on_rate_limit=False)
    app = App(
        token=None if client is not None else settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret or "",
        client=client,
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(max_workers=LAZY_LISTENER_THREADS, thread_name_prefix="lazy"),
        logger=logging.getLogger("hr_plugin.slack"),
    )
    register_listeners(app, services)
    return app
