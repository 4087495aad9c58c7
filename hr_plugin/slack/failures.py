"""When Slack refuses to show a view, the person who asked learns it.

Why: the calls that show a view (``views.open``, ``views.push``, ``views.update``,
``views.publish``) are made after Slack has its answer (``hr_plugin.slack.deferred``), on the
lazy pool. Slack may still refuse them: a trigger id expired or already exchanged,
``ratelimited``, a view Slack finds invalid, any ``ok: false``. A warning in the log helps the
operator, but the person saw their click do nothing and cannot tell a slow Slack from a broken
app. So every such refusal is told to the person whose screen it was:

- as an ephemeral reply through the request's ``response_url`` when it has one (slash commands,
  buttons in messages) and the screen was the requester's own;
- otherwise (a button on the App Home or in a modal, a shortcut, an event, or a
  ``response_url`` that no longer works) as a DM through the outbox (``hr_plugin.outbox``),
  under the key ``view-not-shown:<tenant>:<user>:<method>:<request>``, where ``<request>`` is
  the request's trigger id, else its event id, else its view id, else a digest of its body.
  The outbox makes it durable and effectively once (a second failure of the same call for the
  same request finds the key taken), paces it like every DM, and skips it for someone who has
  left. It is ``solicited``: it answers something the person just did, so neither quiet hours
  nor their leave hold it back.

The words are the same whatever failed (``NOTICE``): a DM can be exported by workspace owners,
and must not reveal which surface someone used (the private space among them). The log keeps
ids and Slack's error code, never the view.

A Home publish that Slack rate-limited (HTTP 429 with ``Retry-After``) is not told at once: it
is made again once ``Retry-After`` has passed, on one timer thread per process (never the
request thread), at most ``PUBLISH_RETRIES`` times; a newer publish for the same person drops
the retry still waiting (its view would be older). Only when the retries run out, or Slack
asks for a wait longer than ``LONGEST_WAIT_SECONDS``, is the person told. Like the work after
the answer, a waiting retry lives in memory: a process that stops drops it, and the Home is
published again when the person next opens it.

The watch sits on the request's ``WebClient`` (``WatchedClient``), wrapped by the global
middleware in ``hr_plugin.slack.deferred`` before anything is queued, so it holds wherever the
call is finally made: the web worker's pool (``send_all``), or the work after the answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from slack_sdk.errors import SlackApiError, SlackClientError

from hr_plugin.later import Later
from hr_plugin.services import Services, Slot, singleton
from hr_plugin.slack.payloads import tenant_of
from hr_plugin.slack.telling import direct_message_once, reply_in_place
from hr_plugin.slack_clients import retry_after_seconds
from hr_plugin.slack_clients import slack_error as error_code
from hr_plugin.tenants import TenantError

log = logging.getLogger(__name__)

# One wording for every surface: it must not say what was opened (see the module's docstring).
NOTICE: Final = "Something you opened in Return to Work did not load. Please try again."

# The ``WebClient`` methods that show a view, with the name Slack gives each.
VIEW_METHODS: Final = {
    "views_open": "views.open",
    "views_push": "views.push",
    "views_update": "views.update",
    "views_publish": "views.publish",
}

PUBLISH_RETRIES: Final = 3  # a rate-limited Home is published again at most this many times
LONGEST_WAIT_SECONDS: Final = 60.0  # a longer Retry-After is not waited for: the person is told
KEY_PREFIX: Final = "view-not-shown"
_LONGEST_REFERENCE = 100  # longer request references go into the key as a digest
_NOTICES: Slot[Notices] = Slot("view_failure_notices")


def notices_for(services: Services) -> Notices:
    """The process's ``Notices``, built on first use (one timer thread per process at most)."""
    return singleton(services, _NOTICES, lambda: Notices(services))


class Notices:
    """Tells people that a view did not load, and holds the Home publishes waiting to retry."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.retries = Later(self._run_later)

    def _run_later(self, work: Callable[[], object]) -> None:
        """A due retry runs on the pool for work after the answer, here when there is none."""
        pool = self.services.lazy_pool
        if pool is not None:
            try:
                pool.submit(work)
                return
            except RuntimeError:  # the pool is shutting down: the timer thread makes it
                pass
        work()

    def tell(self, request: RequestFacts, method: str, error: str, person: str | None) -> None:
        """Tell ``person`` (the requester when None) that the view ``method`` showed did not load."""
        person = person or request.user_id
        if not person:
            log.error("%s failed (%s) in a request that names nobody; nobody can be told", method, error)
            return
        if person == request.user_id and request.can_reply and reply_in_place(request.respond, NOTICE):
            log.info("%s failed (%s); told %s in an ephemeral reply", method, error, person)
            return
        self._direct_message(request, method, error, person)

    def _direct_message(self, request: RequestFacts, method: str, error: str, person: str) -> None:
        tenant = request.tenant_id
        if tenant is None:
            log.error("%s failed (%s) for %s, whose workspace is unknown; not told", method, error, person)
            return
        key = notice_key(tenant, person, method, request.reference)
        context = request.context
        try:
            added = direct_message_once(
                self.services,
                tenant_id=tenant,
                team_id=context.team_id,
                enterprise_id=context.enterprise_id,
                user_id=person,
                key=key,
                text=NOTICE,
            )
        except Exception as exc:  # the database: the log is all that is left
            log.error(
                "%s failed (%s) for %s, and the notice could not be queued (%s)",
                method,
                error,
                person,
                type(exc).__name__,
            )
            return
        if added:
            log.info("%s failed (%s); a DM tells %s (%s)", method, error, person, key)


def notice_key(tenant_id: str, user_id: str, method: str, reference: str) -> str:
    """The outbox key of the DM telling ``user_id`` that ``method`` failed for one request."""
    if len(reference) > _LONGEST_REFERENCE:
        reference = hashlib.sha256(reference.encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{tenant_id}:{user_id}:{method}:{reference}"


@dataclass(frozen=True)
class RequestFacts:
    """What a notice needs from the request whose view failed; read only when one fails."""

    context: Any  # Bolt's context (``team_id``, ``user_id``, ``response_url``...)
    body: dict[str, Any]  # the parsed request
    respond: Callable[..., Any] | None  # Bolt's own ``respond`` (not the queued one), if any

    @property
    def can_reply(self) -> bool:
        """The request came with a ``response_url`` (Bolt builds ``respond`` without one too)."""
        return self.respond is not None and bool(self.context.response_url)

    @property
    def user_id(self) -> str | None:
        return self.context.user_id

    @property
    def tenant_id(self) -> str | None:
        try:
            return tenant_of(self.context)
        except TenantError:
            return None

    @property
    def reference(self) -> str:
        """What tells this request apart: its trigger id, event id or view id, else its body
        (as JSON with sorted keys, which reads the same in both processes)."""
        body: dict[str, Any] = self.body or {}
        view = body.get("view")
        for candidate in (
            body.get("trigger_id"),
            body.get("event_id"),
            view.get("id") if isinstance(view, dict) else None,
        ):
            if isinstance(candidate, str) and candidate:
                return candidate
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]


class WatchedClient:
    """The request's ``WebClient``: a view call that fails tells the person, then raises as before.

    Raising keeps what callers and logs already do (``hr_plugin.slack.deferred._send`` logs
    Slack's code; ``keep_the_ack_when_slack_fails`` keeps an ack). Every other method is the
    client's own.
    """

    def __init__(self, client: Any, request: RequestFacts, notices: Notices) -> None:
        self._client = client
        self._request = request
        self._notices = notices

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        method = VIEW_METHODS.get(name)
        if method is None:
            return attribute
        if name == "views_publish":
            return partial(self._publish, attribute, 0)
        return partial(self._show, method, attribute)

    def __deepcopy__(self, memo: dict[int, Any]) -> WatchedClient:
        return self  # Bolt copies a request's context for lazy listeners, should one be added

    @property
    def inner(self) -> Any:
        """The client without the watch (for a caller that tells the person its own way)."""
        return self._client

    def _show(self, method: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except (SlackClientError, OSError) as exc:
            self._notices.tell(self._request, method, error_code(exc), None)
            raise

    def _publish(self, call: Callable[..., Any], attempt: int, *args: Any, **kwargs: Any) -> Any:
        """``views.publish``, made again after ``Retry-After`` when Slack rate-limited it."""
        person = str(kwargs.get("user_id") or "") or None
        key = (self._request.tenant_id, person)
        self._notices.retries.cancel(key)  # this publish is newer than any retry waiting
        try:
            return call(*args, **kwargs)
        except (SlackClientError, OSError) as exc:
            wait = retry_after(exc)
            if wait is not None and attempt < PUBLISH_RETRIES and wait <= LONGEST_WAIT_SECONDS:
                again = partial(self._retry, call, attempt + 1, args, kwargs)
                self._notices.retries.put(key, wait, again)
                log.info(
                    "views.publish for %s was rate-limited; publishing again in %.0f s (retry %d of %d)",
                    person,
                    wait,
                    attempt + 1,
                    PUBLISH_RETRIES,
                )
            else:
                self._notices.tell(self._request, "views.publish", error_code(exc), person)
            raise

    def _retry(
        self, call: Callable[..., Any], attempt: int, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        """A retry on the timer: nobody waits for it, so its failure is only logged here
        (a person who must be told already was, by ``_publish``)."""
        try:
            self._publish(call, attempt, *args, **kwargs)
        except (SlackClientError, OSError) as exc:
            log.warning("views.publish retry %d failed (%s)", attempt, error_code(exc))
        except Exception:
            log.exception("views.publish retry %d failed", attempt)


def retry_after(exc: BaseException) -> float | None:
    """Seconds Slack asked us to wait, when it refused a call for the rate limit; else None."""
    if not isinstance(exc, SlackApiError) or exc.response is None:
        return None
    if exc.response.status_code != 429 and exc.response.get("error") != "ratelimited":
        return None
    return retry_after_seconds(exc)
