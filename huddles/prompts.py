"""The facilitator's notes for a huddle: ground rules and that month's prompts, as data.

The words live in ``content/en.json`` so they can be edited and translated. Sets rotate by
month, so a group that stays together meets different questions each time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class FacilitatorNotes:
    ground_rules: tuple[str, ...]
    facilitation: tuple[str, ...]
    prompts: tuple[str, ...]


@lru_cache(maxsize=1)
def _content() -> dict[str, Any]:
    return dict(json.loads((resources.files("huddles") / "content" / "en.json").read_text(encoding="utf-8")))


def notes_for(month: str) -> FacilitatorNotes:
    """The notes for a month written ``YYYY-MM``; consecutive months get different prompt sets."""
    year, number = (int(part) for part in month.split("-"))
    sets = _content()["prompt_sets"]
    chosen = sets[(year * 12 + number - 1) % len(sets)]
    return FacilitatorNotes(
        ground_rules=tuple(_content()["ground_rules"]),
        facilitation=tuple(_content()["facilitation"]),
        prompts=tuple(chosen),
    )
