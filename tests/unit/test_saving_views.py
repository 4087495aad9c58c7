"""The views a late save shows (``hr_plugin.slack.views.saving``): each within Slack's limits,
and the form shown again holds what the person chose, with each error under its field."""

from __future__ import annotations

from typing import Any

from hr_plugin.slack.views.saving import MAX_BLOCKS, NOT_SAVED, SAVING, form_with_errors, saving_view

SUBMITTED: dict[str, Any] = {
    "id": "V1",
    "hash": "1.abc",
    "team_id": "T1",
    "type": "modal",
    "callback_id": "settings.hours",
    "private_metadata": "7",
    "title": {"type": "plain_text", "text": "A rather long modal title indeed"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Pick your hours."}},
        {
            "type": "input",
            "block_id": "days",
            "label": {"type": "plain_text", "text": "Days"},
            "element": {"type": "checkboxes", "action_id": "value", "options": [], "initial_options": []},
        },
        {
            "type": "input",
            "block_id": "start",
            "label": {"type": "plain_text", "text": "Start"},
            "element": {"type": "timepicker", "action_id": "value", "initial_time": "09:00"},
        },
        {
            "type": "input",
            "block_id": "note",
            "label": {"type": "plain_text", "text": "Note"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "kind",
            "label": {"type": "plain_text", "text": "Kind"},
            "element": {"type": "static_select", "action_id": "value", "options": []},
        },
    ],
    "state": {
        "values": {
            "days": {"value": {"type": "checkboxes", "selected_options": []}},
            "start": {"value": {"type": "timepicker", "selected_time": "08:30"}},
            "note": {"value": {"type": "plain_text_input", "value": "back on Monday"}},
            "kind": {
                "value": {
                    "type": "static_select",
                    "selected_option": {"text": {"type": "plain_text", "text": "A"}, "value": "a", "x": 1},
                }
            },
        }
    },
}


def test_the_form_again_keeps_the_views_identity_and_refills_every_input() -> None:
    form = form_with_errors(SUBMITTED, {"days": "Pick at least one working day."})

    assert {key: form[key] for key in ("callback_id", "private_metadata", "submit")} == {
        "callback_id": "settings.hours",
        "private_metadata": "7",
        "submit": {"type": "plain_text", "text": "Save"},
    }
    assert not {"id", "hash", "team_id", "state"} & set(form), "Slack refuses its own fields in views.update"
    by_id = {block.get("block_id"): block for block in form["blocks"]}
    assert by_id["start"]["element"]["initial_time"] == "08:30"
    assert by_id["note"]["element"]["initial_value"] == "back on Monday"
    assert by_id["kind"]["element"]["initial_option"] == {
        "text": {"type": "plain_text", "text": "A"},
        "value": "a",
    }
    assert "initial_options" not in by_id["days"]["element"], "an empty choice is not set as initial"
    kinds = [block["type"] for block in form["blocks"]]
    days = kinds.index("input")
    assert kinds[days + 1] == "context" and "Pick at least one working day." in str(form["blocks"][days + 1])
    assert NOT_SAVED in str(form["blocks"][0])


def test_a_form_near_the_block_limit_still_shows_every_error_within_it() -> None:
    inputs = [
        {
            "type": "input",
            "block_id": f"b{n}",
            "label": {"type": "plain_text", "text": "x"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
        for n in range(99)
    ]
    errors = {f"b{n}": f"wrong {n}" for n in range(10)}
    form = form_with_errors({**SUBMITTED, "blocks": inputs, "state": {"values": {}}}, errors)

    assert len(form["blocks"]) <= MAX_BLOCKS
    assert all(f"wrong {n}" in str(form["blocks"][0]) for n in range(10))


def test_saving_fits_slacks_title_limit_and_offers_nothing_to_submit() -> None:
    view = saving_view(SUBMITTED).to_dict()

    assert len(view["title"]["text"]) <= 24 and "submit" not in view
    assert SAVING in str(view["blocks"])
