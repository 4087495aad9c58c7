"""HR sets the help links from the App Home: open the list, add a link, remove one; the checks
name the field at fault and keep what was there; only HR admins may change them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from hr_plugin.db import unit_of_work
from hr_plugin.help_links import MOST_LINKS, HelpLink
from hr_plugin.models import AuditEntry, HelpResource
from hr_plugin.slack.views.help_links import (
    COUNTRY_BLOCK,
    HELP_LINKS_ACTION,
    HELP_LINKS_CALLBACK,
    KIND_BLOCK,
    NAME_BLOCK,
    REMOVE_LINK_ACTION,
    SESSIONS_BLOCK,
    URL_BLOCK,
    help_links_modal,
)
from hr_plugin.slack.views.modals import APPOINT_ADMIN_CALLBACK, APPOINTEE_ACTION, APPOINTEE_BLOCK
from hr_plugin.testing.stack import BOT_TOKEN, AppStack
from tests.waiting import wait_for

LINE = {"kind": "crisis", "name": "Night line", "url": "tel:+441234567890", "country": "gb"}


@pytest.fixture
def hr(stack: AppStack, org: dict[str, str]) -> str:
    stack.slack.view_submission(
        "UBOSS",
        APPOINT_ADMIN_CALLBACK,
        {APPOINTEE_BLOCK: {APPOINTEE_ACTION: {"type": "users_select", "selected_user": "UHR"}}},
    )
    return "UHR"


def _open(stack: AppStack, user_id: str) -> dict[str, Any] | None:
    opened = len(stack.fake.calls_for("views.open", user=user_id))
    home = {"type": "home"}
    clicked = stack.slack.block_action(user_id, HELP_LINKS_ACTION, "open", block_id="hr", view=home)
    assert clicked.status == 200
    wait_for(lambda: len(stack.fake.calls_for("views.open", user=user_id)) > opened)
    return stack.fake.last_modal(user_id)


def _form(generation: int, **fields: str) -> dict[str, dict[str, dict[str, Any]]]:
    action = f"v{generation}"
    values: dict[str, dict[str, dict[str, Any]]] = {}
    blocks = {"country": COUNTRY_BLOCK, "name": NAME_BLOCK, "url": URL_BLOCK, "sessions": SESSIONS_BLOCK}
    for field, value in fields.items():
        if field == "kind":
            values[KIND_BLOCK] = {action: {"type": "static_select", "selected_option": {"value": value}}}
        else:
            values[blocks[field]] = {action: {"type": "plain_text_input", "value": value}}
    return values


def _rows(stack: AppStack) -> list[tuple[str, str, str, int | None]]:
    with unit_of_work(stack.factory) as session:
        rows = session.scalars(select(HelpResource).order_by(HelpResource.id)).all()
        return [(row.country, row.kind, row.url, row.sessions) for row in rows]


def test_hr_adds_a_link_and_sees_the_list_again_with_an_empty_form(stack: AppStack, hr: str) -> None:
    modal = _open(stack, hr)
    assert modal is not None and "No help links yet." in json.dumps(modal)

    added = stack.slack.view_submission(hr, HELP_LINKS_CALLBACK, _form(0, **LINE), view_id=modal["id"])

    assert added.json is not None and added.json["response_action"] == "update"
    shown = json.dumps(added.json["view"])
    assert "Night line" in shown and "Crisis line, GB" in shown and '"action_id": "v1"' in shown
    assert _rows(stack) == [("GB", "crisis", "tel:+441234567890", None)]
    with unit_of_work(stack.factory) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "resources.added")).one()
        assert entry.actor == hr and entry.details == {"kind": "crisis"}


@pytest.mark.parametrize(
    ("fields", "block", "words"),
    [
        ({**LINE, "url": "http://example.com"}, URL_BLOCK, "The link must start with https://"),
        ({**LINE, "country": "G1"}, COUNTRY_BLOCK, "Country is a two-letter code"),
        ({**LINE, "sessions": "6"}, SESSIONS_BLOCK, "A number of sessions is for counselling only"),
        ({**LINE, "kind": "counselling", "sessions": "many"}, SESSIONS_BLOCK, "Sessions is a whole number"),
        ({k: v for k, v in LINE.items() if k != "kind"}, KIND_BLOCK, "Kind must be one of"),
    ],
)
def test_a_bad_field_is_named_inline_and_nothing_is_stored(
    stack: AppStack, hr: str, fields: dict[str, str], block: str, words: str
) -> None:
    answer = stack.slack.view_submission(hr, HELP_LINKS_CALLBACK, _form(0, **fields))

    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert answer.json["errors"][block].startswith(words)
    assert _rows(stack) == []


def test_counselling_keeps_its_number_of_sessions(stack: AppStack, hr: str) -> None:
    fields = {**LINE, "kind": "counselling", "sessions": "6", "url": "https://example.com/eap"}
    stack.slack.view_submission(hr, HELP_LINKS_CALLBACK, _form(0, **fields))

    assert _rows(stack) == [("GB", "counselling", "https://example.com/eap", 6)]


def test_the_same_link_twice_for_one_country_is_refused(stack: AppStack, hr: str) -> None:
    stack.slack.view_submission(hr, HELP_LINKS_CALLBACK, _form(0, **LINE))
    again = stack.slack.view_submission(hr, HELP_LINKS_CALLBACK, _form(1, **LINE))
    elsewhere = stack.slack.view_submission(hr, HELP_LINKS_CALLBACK, _form(1, **{**LINE, "country": ""}))

    assert again.json == {
        "response_action": "errors",
        "errors": {URL_BLOCK: "This link is already listed for that country."},
    }
    assert elsewhere.json is not None and elsewhere.json["response_action"] == "update"
    assert [row[0] for row in _rows(stack)] == ["GB", "**"]


def test_hr_removes_a_link_and_the_modal_is_drawn_again(stack: AppStack, hr: str) -> None:
    stack.slack.view_submission(hr, HELP_LINKS_CALLBACK, _form(0, **LINE))
    modal = _open(stack, hr)
    assert modal is not None
    (link_id,) = [
        block["accessory"]["value"] for block in modal["blocks"] if block.get("accessory", {}).get("value")
    ]

    for _ in range(2):  # the second click finds it gone and changes nothing
        clicked = stack.slack.block_action(hr, REMOVE_LINK_ACTION, link_id, view=modal)
        assert clicked.status == 200

    wait_for(lambda: len(stack.fake.calls_for("views.update", user=hr)) == 1)
    stack.settle()
    (update,) = stack.fake.calls_for("views.update", user=hr)
    assert update["ok"] and "No help links yet." in json.dumps(update["params"]["view"])
    assert _rows(stack) == []
    with unit_of_work(stack.factory) as session:
        removed = session.scalars(select(AuditEntry).where(AuditEntry.action == "resources.removed")).all()
        assert [entry.details for entry in removed] == [{"id": int(link_id)}]


def test_only_hr_admins_change_the_links(stack: AppStack, hr: str) -> None:
    """Opening the modal is refused like every HR-only modal (tests/e2e/test_privacy_slips.py);
    a submission crafted without it is refused too."""
    answer = stack.slack.view_submission("UPEER", HELP_LINKS_CALLBACK, _form(0, **LINE))

    assert answer.json == {
        "response_action": "errors",
        "errors": {NAME_BLOCK: "Only HR admins can change the help links."},
    }
    assert _rows(stack) == []


def test_the_fullest_list_is_a_modal_the_fake_slack_accepts(stack: AppStack, hr: str) -> None:
    """At the most links there can be, the modal is within every limit Slack checks."""
    links = [
        HelpLink(id, "counselling", "GB", "N" * 200, "D" * 500, "https://example.com/" + "u" * 470, 50)
        for id in range(1, MOST_LINKS + 1)
    ]
    client = WebClient(token=BOT_TOKEN, base_url=stack.fake.base_url)
    answer = client.views_open(trigger_id=stack.fake.register_trigger(hr), view=help_links_modal(links))

    assert answer["ok"]
