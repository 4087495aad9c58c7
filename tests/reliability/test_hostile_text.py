"""Names and words that try to pass for Slack markup, through the real app over HTTP.

Fault injected: HR's directory file names everyone with text holding a channel ping, a
mention, a channel link, a disguised link, an ``&`` and a right-to-left override
(``hr_plugin.testing.hostile_text.HOSTILE``); HR names a return policy with it; the returning
parent types it as the need they share with their manager, into their private check-in and after
``/rtw``. Everything else is what a person does through correctly signed requests: accepting
the enrolment, sharing the need, becoming a mentor and answering a mentoring request, opening
the private space and the App Home.

Properties: nothing the fake Slack recorded (messages, their notification text, Homes, modals,
acknowledgements) holds that markup where Slack reads ``mrkdwn``; no escaped text is shown as
``plain_text`` or escaped twice; the manager reads the parent's need as their words, exactly
as typed; and the hostile text did reach each of those places, escaped (so the check is not
passing over screens that never showed it). The override is gone from the names.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from hr_plugin.directory import import_directory, parse_directory_csv
from hr_plugin.enrolment import views as enrolment_views
from hr_plugin.reintegration import views as plan_views
from hr_plugin.slack.blockkit import escape
from hr_plugin.slack.views.home import INVITE_OPEN_ACTION
from hr_plugin.slack_clients import make_client
from hr_plugin.testing.hostile_text import (
    HOSTILE,
    hostile_markup,
    misplaced_entities,
    shown_texts,
    unescaped,
)
from hr_plugin.testing.stack import BOT_TOKEN, AppStack
from mentoring import messages as mentoring_messages
from mentoring import views as mentoring_views
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import ORG_CSV, TEAM
from tests.reliability.conftest import AppErrors

HOME = {"type": "home", "blocks": []}
# What the import keeps of a hostile name: the override is removed, the markup stays as text.
SHOWN_HOSTILE = HOSTILE.replace("\u202e", "")
NEED_DETAIL = f"Mondays off {HOSTILE}\n<!here> and <@U123|the CEO> & <https://evil.example|the form>"


def _hostile_directory() -> str:
    """The company of ``tests.e2e.conftest``, every name followed by ``HOSTILE``."""
    rows = list(csv.reader(io.StringIO(ORG_CSV)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        writer.writerow([row[0], f"{row[1]} {HOSTILE}", *row[2:]])
    return out.getvalue()


def _reimport(stack: AppStack) -> None:
    import_directory(
        stack.factory,
        tenant_id=TEAM,
        rows=parse_directory_csv(_hostile_directory()),
        slack=make_client(BOT_TOKEN, stack.fake.base_url, wait_on_rate_limit=True),
        clock=stack.services.clock,
        full=True,
        actor="test",
    )


def _drain(stack: AppStack) -> None:
    stack.settle()
    stack.ticks.context.drainer.drain(max_seconds=60)


def _policy(stack: AppStack, hr: str) -> None:
    values: dict[str, Any] = {
        key: {"value": {"value": str(value)}}
        for key, value in {
            "name": HOSTILE[:100],
            "scope_value": "GB",
            "reduced_weeks": 2,
            "reduced_percent": 50,
            "ramp_percents": "75",
            "extension_weeks": 1,
        }.items()
    }
    values["scope"] = {"value": {"selected_option": {"value": "country"}}}
    stack.slack.block_action(hr, plan_views.POLICY_OPEN_ACTION, "open", view=HOME)
    saved = stack.slack.view_submission(hr, plan_views.POLICY_CALLBACK, values)
    assert saved.status == 200 and not saved.json, saved.body


def _accept(stack: AppStack) -> None:
    stack.slack.block_action("UPARENT", INVITE_OPEN_ACTION, "home", view=HOME)
    choices = [{"value": enrolment_views.CONTACT_CHOICE}]
    accepted = stack.slack.view_submission(
        "UPARENT",
        enrolment_views.ACCEPT_CALLBACK,
        {enrolment_views.CHOICES_BLOCK: {"value": {"type": "checkboxes", "selected_options": choices}}},
    )
    assert accepted.status == 200 and not accepted.json, accepted.body


def _share_need(stack: AppStack) -> str:
    """The parent shares ``NEED_DETAIL``; returns the preview's text, as the parent read it."""
    stack.slack.block_action("UPARENT", plan_views.NEED_OPEN_ACTION, "open", view=HOME)
    preview = stack.slack.view_submission(
        "UPARENT",
        plan_views.NEED_CALLBACK,
        {
            plan_views.TEMPLATE_BLOCK: {"value": {"selected_option": {"value": "own_words"}}},
            plan_views.DETAIL_BLOCK: {"value": {"value": NEED_DETAIL}},
        },
    )
    assert preview.json is not None and preview.json["response_action"] == "update", preview.body
    view = preview.json["view"]
    sent = stack.slack.view_submission(
        "UPARENT", plan_views.NEED_SEND_CALLBACK, {}, private_metadata=view["private_metadata"]
    )
    assert sent.status == 200 and not sent.json, sent.body
    return str(view["blocks"][1]["text"]["text"])


def _mentoring(stack: AppStack) -> None:
    """The peer and HR offer to mentor; the parent is matched and the mentor says yes."""
    for user in ("UPEER", "UHR"):
        stack.slack.block_action(user, mentoring_views.BECOME_ACTION, "open", view=HOME)
        offered = stack.slack.view_submission(
            user,
            mentoring_views.MENTOR_CALLBACK,
            {
                mentoring_views.CONFIRM_BLOCK: {"value": {"selected_options": [{"value": "yes"}]}},
                mentoring_views.CAPACITY_BLOCK: {"value": {"selected_option": {"value": "2"}}},
                mentoring_views.TAGS_BLOCK: {"value": {"selected_options": []}},
                mentoring_views.SHARE_BLOCK: {"value": {"selected_options": []}},
            },
        )
        assert offered.status == 200, offered.body
    stack.ticks.run("mentoring-match")
    _drain(stack)
    asks = [
        call
        for call in stack.fake.calls_for("chat.postMessage")
        if call["ok"] and "Would you mentor" in call["params"]["text"]
    ]
    assert asks, "nobody was asked to mentor"
    ask = asks[-1]
    (mentor,) = ask["audience"]
    match_id = ask["params"]["blocks"][1]["elements"][0]["value"]
    stack.slack.block_action(
        mentor, mentoring_messages.ACCEPT_ACTION, match_id, block_id=f"mentor-ask-{match_id}"
    )


def _problems(call: dict[str, Any]) -> list[str]:
    mrkdwn, plain = shown_texts(call["params"])
    return [f"{call['method']} to {call['audience']}: {problem}" for problem in hostile_markup(mrkdwn)] + [
        f"{call['method']} to {call['audience']}: {problem}" for problem in misplaced_entities(mrkdwn, plain)
    ]


def _reached(call: dict[str, Any]) -> bool:
    """Whether the hostile text reached this call, escaped, where Slack reads ``mrkdwn``."""
    return any(escape("<!channel>") in text for text in shown_texts(call["params"])[0])


def test_hostile_names_and_words_never_reach_slack_as_markup(
    stack: AppStack, org: dict[str, str], hr: str, app_errors: AppErrors
) -> None:
    _reimport(stack)
    _policy(stack, hr)
    _accept(stack)
    _drain(stack)
    previewed = _share_need(stack)
    _mentoring(stack)
    flow.consent(stack, "UPARENT")
    saved = flow.check_in(stack, "UPARENT", HOSTILE, experiment=HOSTILE)
    assert saved.status == 200, saved.body
    flow.look_back(stack, "UPARENT")
    unknown = stack.slack.slash_command("UPARENT", text=HOSTILE)
    assert unknown.status == 200, unknown.body
    for user in org.values():
        stack.slack.app_home_opened(user)
    _drain(stack)
    app_errors.assert_none()

    calls = [call for call in stack.fake.calls if call["ok"]]
    problems = [problem for call in calls for problem in _problems(call)]
    assert not problems, f"{len(problems)} times as markup:\n" + "\n".join(problems[:30])

    # It did reach each place, as words: the check above looked at screens that showed it.
    reached = {(call["method"], user) for call in calls if _reached(call) for user in call["audience"]}
    for place in [
        ("chat.postMessage", "ULEAD"),  # the return plan, and the need, with the parent's name
        ("chat.postMessage", "UPARENT"),  # the mentoring introduction
        ("views.publish", "UHR"),  # HR's Home: names and the policy
        ("views.publish", "ULEAD"),  # the manager's Home: the plan
        ("views.push", "UPARENT"),  # looking back on the check-in
        ("ack", "UPARENT"),  # the preview of the need, and the help after /rtw
    ]:
        assert place in reached, f"the hostile text never reached {place}: {sorted(reached)}"

    # The manager reads the parent's need as the parent wrote it, and exactly as previewed.
    (need,) = [
        call["params"]["text"]
        for call in stack.fake.calls_for("chat.postMessage", user="ULEAD")
        if call["ok"] and "shared a work need" in call["params"]["text"]
    ]
    assert need == previewed
    quoted = [line.removeprefix(">") for line in unescaped(need).split("\n")[1:]]
    assert "\n".join(quoted).endswith(NEED_DETAIL)
    assert unescaped(need).startswith(f"Pat Parent {SHOWN_HOSTILE} shared a work need")

    # The override is gone from every name (the directory removed it); the markup is text.
    everything = json.dumps([call["params"] for call in calls], ensure_ascii=False)
    assert f"Pat Parent {escape(SHOWN_HOSTILE)}" in everything
    assert f"Pat Parent {escape(HOSTILE)}" not in everything
