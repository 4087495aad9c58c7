"""Look back's list of experiments: each with how it went, as the next check-in said."""

from __future__ import annotations

import json
from typing import Any

from hr_plugin.vault.views import screens


def _experiments_shown(entries: list[dict[str, Any]]) -> list[str]:
    view = screens.look_back_modal([], entries, include_partner=True, resources=[]).to_dict()
    shown = next(b["text"]["text"] for b in view["blocks"] if "*Experiments*" in json.dumps(b))
    return [line for line in shown.splitlines() if line.startswith("•")]


def test_two_experiments_with_the_same_words_each_keep_their_own_outcome() -> None:
    same = {"text": "a walk after dinner", "day": None, "time": None}
    entries = [
        {"week": "2026-W05", "experiments": [same, same, {**same, "text": "phones away"}]},
        {
            "week": "2026-W06",
            "experiments": [],
            "follow_ups": [
                {"index": 1, "experiment": "a walk after dinner", "outcome": "not_tried", "note": ""},
                {"index": 2, "experiment": "phones away", "outcome": "tried", "note": ""},
            ],
        },
    ]

    first, second, third = _experiments_shown(entries)

    assert first == "• 2026-W05: a walk after dinner"  # not followed up: no outcome shown
    assert second == "• 2026-W05: a walk after dinner: _Didn't get to it_"
    assert third == "• 2026-W05: phones away: _Tried it_"


def test_a_follow_up_saved_before_there_were_three_answers_the_only_experiment() -> None:
    entries = [
        {"week": "2026-W05", "experiment": "phones away"},
        {"week": "2026-W06", "follow_up": "partly", "follow_up_note": ""},
    ]
    from hr_plugin.vault.signals import migrated

    (line,) = _experiments_shown([migrated(entry) for entry in entries])

    assert line == "• 2026-W05: phones away: _Partly, or in a different way_"
