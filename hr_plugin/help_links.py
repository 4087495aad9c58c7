"""Help links as values: their kinds, one link, and the checks a link must pass.

Pure (no database, no Slack), so the App Home's modal, the CLI's file and the web console check
a link the same way, and the views can name the kinds without reaching the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlparse

KINDS: Final = ("crisis", "perinatal", "safety", "counselling")
KIND_NAMES: Final = {
    "crisis": "Crisis line",
    "perinatal": "Perinatal support",
    "safety": "Safety at home",
    "counselling": "Counselling",
}
EVERYWHERE: Final = "**"
# A modal holds at most 100 blocks; with the form to add one, 40 links leave room to spare,
# and are more than any country's list needs.
MOST_LINKS: Final = 40
MOST_SESSIONS: Final = 50


class ResourceError(ValueError):
    """A link that cannot be saved; ``field`` names the input at fault, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class HelpLink:
    """One help link as HR set it."""

    id: int
    kind: str
    country: str
    name: str
    description: str
    url: str
    sessions: int | None = None

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def where(self) -> str:
        return "everyone" if self.country == EVERYWHERE else self.country


def check_resource(item: Mapping[str, Any]) -> dict[str, Any]:
    """One link's fields, checked and tidied: ``kind``, ``country`` (two letters, or ``**`` or
    blank for everyone), ``name``, ``description``, ``url`` (https or tel) and, for counselling,
    an optional number of ``sessions``."""
    kind = item.get("kind")
    if kind not in KINDS:
        raise ResourceError(f"kind must be one of {', '.join(KINDS)}", "kind")
    country = str(item.get("country") or EVERYWHERE).strip().upper()
    if country != EVERYWHERE and (len(country) != 2 or not country.isascii() or not country.isalpha()):
        raise ResourceError('country is a two-letter code, or "**" for everyone', "country")
    name, description, url = (str(item.get(key) or "").strip() for key in ("name", "description", "url"))
    if not name or len(name) > 200:
        raise ResourceError("a name of 1 to 200 characters", "name")
    if len(description) > 500:
        raise ResourceError("a description under 500 characters", "description")
    if urlparse(url).scheme not in ("https", "tel") or len(url) > 500:
        raise ResourceError("the link must start with https:// (or tel:)", "url")
    sessions = item.get("sessions")
    if sessions in (None, ""):
        sessions = None
    elif kind != "counselling":
        raise ResourceError("a number of sessions is for counselling only", "sessions")
    else:
        try:
            sessions = int(str(sessions).strip())
        except ValueError:
            sessions = 0
        if not 1 <= sessions <= MOST_SESSIONS:
            raise ResourceError(f"sessions is a whole number from 1 to {MOST_SESSIONS}", "sessions")
    return {
        "kind": kind,
        "country": country,
        "name": name,
        "description": description,
        "url": url,
        "sessions": sessions,
    }
