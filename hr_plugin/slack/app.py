"""Builds the Bolt app. Nothing else happens here: surfaces register themselves.

Single-workspace mode uses the bot token from the settings. Multi-workspace mode (a client id
and secret) adds Slack's OAuth install flow and gives each request its own workspace's token
from the installation store; the key that seals those tokens comes from the vault, derived
from the master key, and is handed to the store here.
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from hr_plugin.bot_token import is_recorded_dead
from hr_plugin.feature_api import token_key
from hr_plugin.features import FEATURES
from hr_plugin.oauth import Installations, TokenSealer
from hr_plugin.services import Services, Slot, singleton
from hr_plugin.slack.listeners import register_listeners
from hr_plugin.slack.listeners.unhandled import acknowledge_unhandled
from hr_plugin.slack.pool import LAZY_LISTENER_THREADS, LazyListenerPool
from hr_plugin.slack_clients import make_client, slack_error

_INSTALLATIONS: Slot[Installations] = Slot("installations")

log = logging.getLogger(__name__)


def build_app(services: Services, *, client: WebClient | None = None) -> App:
    """The Bolt app with every listener."""
    settings = services.settings
    keep_payloads_out_of_logs()
    services.lazy_pool = LazyListenerPool(LAZY_LISTENER_THREADS)
    if settings.oauth_enabled:
        app = _multi_workspace_app(services, client)
    else:
        app = _single_workspace_app(services, client)
    app.error(keep_the_ack_when_slack_fails)
    register_listeners(app, services, FEATURES)
    return app


def _single_workspace_app(services: Services, client: WebClient | None) -> App:
    settings = services.settings
    if client is None and settings.slack_bot_token:
        # On the ack path a rate limit must not make us sleep: no retry handler here.
        client = make_client(settings.slack_bot_token, settings.slack_api_url, wait_on_rate_limit=False)
    return App(
        token=None if client is not None else settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret or "",
        client=client,
        # Bolt asks auth.test at start and will not start when Slack refuses: not for a token
        # Slack is known to have revoked, so the app still answers Slack's events (bot_token).
        token_verification_enabled=not is_recorded_dead(services.factory, settings.slack_bot_token),
        process_before_response=True,
        raise_error_for_unhandled_request=True,  # no listener matched: 200 (listeners/unhandled.py)
        listener_executor=services.lazy_pool,
        logger=logging.getLogger("hr_plugin.slack"),
    )


def keep_the_ack_when_slack_fails(
    error: Exception, request: BoltRequest, response: BoltResponse | None
) -> BoltResponse | None:
    """What Slack is told when a listener raises.

    Bolt answers 500, which Slack shows the person as a failure. That is right for a bug, and
    for a database error (the work did not happen, so nothing was acknowledged). But when the
    listener had already acknowledged and then a call to Slack failed (a modal that could not
    open because its trigger expired, a reply to a message that is gone), the work is done and
    the ack stands; the failure is a warning with Slack's error code, not a listener crash.
    Listeners therefore make their Slack calls after their own database work, never before it.
    Nor is the warning all the person gets: a view call (``views.open``/``push``/``update``/
    ``publish``) that failed has told them already, from the request's watched client, before
    its error reached here (``hr_plugin.slack.failures``); this handler does not tell again.
    A request that no listener matched is not a failure: it is acknowledged (``unhandled``).
    """
    if isinstance(error, BoltUnhandledRequestError):
        return acknowledge_unhandled(error)
    ack = request.context.ack
    acked = ack.response if ack is not None else None
    if acked is not None and isinstance(error, SlackClientError | OSError):
        reason = slack_error(error)
        log.warning("a Slack call after the ack failed (%s); the ack stands", reason)
        return acked
    log.exception("a listener failed (%s)", type(error).__name__)
    return None


def _multi_workspace_app(services: Services, client: WebClient | None) -> App:
    from hr_plugin.oauth.authorize import InstallationAuthorize
    from hr_plugin.oauth.flow import oauth_settings

    settings = services.settings
    installations = installations_for(services)
    return App(
        signing_secret=settings.slack_signing_secret or "",
        # No token of its own: Bolt gives each request a client with its workspace's token.
        client=client or WebClient(base_url=settings.slack_api_url or WebClient.BASE_URL),
        oauth_settings=oauth_settings(settings, services.engine, installations),
        # Bolt takes an Authorize object as it is (its type hint names only plain functions).
        authorize=InstallationAuthorize(installations),  # type: ignore[arg-type]
        user_facing_authorize_error_message=(
            "The return-to-work app is not installed in this workspace any more. "
            "A workspace admin can install it again."
        ),
        process_before_response=True,
        raise_error_for_unhandled_request=True,  # no listener matched: 200 (listeners/unhandled.py)
        listener_executor=services.lazy_pool,
        logger=logging.getLogger("hr_plugin.slack"),
    )


def installations_for(services: Services) -> Installations:
    """The process's installations (multi-workspace mode), built once from the settings."""
    settings = services.settings
    client_id, client_secret = settings.slack_client_id, settings.slack_client_secret
    if not (client_id and client_secret):
        raise ValueError("installations exist in multi-workspace mode only (a client id and secret)")

    def build() -> Installations:
        return Installations(
            services.engine,
            services.factory,
            services.clock,
            TokenSealer(token_key(FEATURES, settings.master_key())),
            client_id=client_id,
            client_secret=client_secret,
            api_url=settings.slack_api_url,
        )

    return singleton(services, _INSTALLATIONS, build)


def keep_payloads_out_of_logs() -> None:
    """Slack's libraries print whole request and response bodies at DEBUG, and those bodies
    can hold what someone typed into a private modal. Their loggers never go below INFO."""
    for name in ("slack_sdk", "slack_bolt", "hr_plugin.slack"):
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:  # unset (inherits the root's DEBUG later) or set too low
            logger.setLevel(logging.INFO)
