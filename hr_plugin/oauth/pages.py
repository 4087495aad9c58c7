"""The pages an installer's browser lands on after Slack's consent screen, in our own words.

They name no person and no workspace, carry no token, and are never cached. Whatever the
outcome, the browser's state cookie is deleted: it was good for this one attempt.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.response import BoltResponse

INSTALL_PATH = "/slack/install"

_START_AGAIN = f'<p><a href="{INSTALL_PATH}">Start the install again</a>.</p>'

# Why an install failed, as Bolt names it, and what the installer reads.
_FAILURES = {
    "access_denied": "The install was cancelled, so nothing was installed.",
    "invalid_browser": (
        "This install was started in another browser, or its link is too old. "
        "Please start again from this browser."
    ),
    "invalid_state": "This install link has expired or was already used.",
    "missing_code": "Slack did not confirm the install.",
    "invalid_code": "Slack did not confirm the install: the confirmation had expired or was already used.",
    "storage_error": (
        "Slack confirmed the install, but it could not be saved. Please try again in a few "
        "minutes; if it keeps failing, tell the team that runs this app."
    ),
}
_FALLBACK = "The install did not complete."


def callback_options() -> CallbackOptions:
    return CallbackOptions(success=_success, failure=_failure)


def _success(args: SuccessArgs) -> BoltResponse:
    installation = args.installation
    body = "<p>The return-to-work app is installed. You can close this tab.</p>"
    if installation.app_id and installation.team_id:
        link = f"slack://app?team={quote(installation.team_id)}&id={quote(installation.app_id)}"
        body += f'<p><a href="{html.escape(link)}">Open it in Slack</a>.</p>'
    return _page(200, "Installed", body, args.settings.state_utils.build_set_cookie_for_deletion())


def _failure(args: FailureArgs) -> BoltResponse:
    reason = _FAILURES.get(args.reason, _FALLBACK)
    body = f"<p>{html.escape(reason)}</p>"
    if args.reason != "storage_error":
        body += _START_AGAIN
    status = args.suggested_status_code or 400
    return _page(status, "Not installed", body, args.settings.state_utils.build_set_cookie_for_deletion())


def _page(status: int, title: str, body: str, delete_cookie: str) -> BoltResponse:
    document = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Return to Work: {html.escape(title)}</title></head>"
        f'<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto;">{body}</body></html>'
    )
    return BoltResponse(
        status=status,
        body=document,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "Referrer-Policy": "no-referrer",
            "Set-Cookie": [delete_cookie],
        },
    )
