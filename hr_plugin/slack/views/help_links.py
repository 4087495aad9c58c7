"""The help links modal HR opens from the App Home: the list, a Remove button on each, and a
form to add one. Pure: links in, a ``View`` out; and its submission parsed into a model.

After each change the modal is drawn again with the new list. Slack keeps what was typed in an
input when the new view has the same block and action ids, so the form's action ids carry the
number of links: after an addition they change and the form comes back empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

from pydantic import BaseModel
from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from hr_plugin.help_links import KIND_NAMES, HelpLink
from hr_plugin.slack.blockkit import escape

HELP_LINKS_ACTION = "resources.open"
HELP_LINKS_CALLBACK = "resources.help_links"
REMOVE_LINK_ACTION = "resources.remove"
KIND_BLOCK, COUNTRY_BLOCK, NAME_BLOCK = "link_kind", "link_country", "link_name"
DESCRIPTION_BLOCK, URL_BLOCK, SESSIONS_BLOCK = "link_description", "link_url", "link_sessions"
# The service's field names, and the input that shows an error about each.
FIELD_BLOCKS = {
    "kind": KIND_BLOCK,
    "country": COUNTRY_BLOCK,
    "name": NAME_BLOCK,
    "description": DESCRIPTION_BLOCK,
    "url": URL_BLOCK,
    "sessions": SESSIONS_BLOCK,
}


def help_links_modal(links: Sequence[HelpLink]) -> View:
    return View(
        type="modal",
        callback_id=HELP_LINKS_CALLBACK,
        title="Help links",
        submit="Add link",
        close="Done",
        blocks=[*_listing(links), DividerBlock(), HeaderBlock(text="Add a link"), *_form(len(links))],
    )


def _listing(links: Sequence[HelpLink]) -> list[Block]:
    blocks: list[Block] = [
        SectionBlock(
            text=(
                "These links appear on the private screens of everyone in the program, for their "
                "country. Nobody, HR included, learns who opens one. With none set for a country, "
                "people see a local emergency line and general support instead."
            )
        )
    ]
    if not links:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="No help links yet.")]))
    for link in links:
        sessions = f", {link.sessions} sessions" if link.sessions else ""
        lines = [f"*{escape(link.name)}* ({link.kind_name}, {link.where}{sessions})"]
        if link.description:
            lines.append(escape(link.description))
        lines.append(escape(link.url))
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text="\n".join(lines)),
                accessory=ButtonElement(
                    text="Remove",
                    action_id=REMOVE_LINK_ACTION,
                    value=str(link.id),
                    confirm=ConfirmObject(
                        title="Remove this link?",
                        text="People will no longer see it on their private screens.",
                        confirm="Remove",
                        deny="Keep it",
                    ),
                ),
            )
        )
    return blocks


def _form(generation: int) -> list[Block]:
    action = f"v{generation}"
    return [
        InputBlock(
            block_id=KIND_BLOCK,
            label="Kind",
            element=StaticSelectElement(
                action_id=action,
                placeholder="Choose a kind",
                options=[Option(value=kind, label=name) for kind, name in KIND_NAMES.items()],
            ),
        ),
        InputBlock(
            block_id=NAME_BLOCK,
            label="Name",
            element=PlainTextInputElement(action_id=action, max_length=200),
        ),
        InputBlock(
            block_id=URL_BLOCK,
            label="Link",
            hint="https://... for a web page, tel:... for a phone number.",
            element=PlainTextInputElement(action_id=action, max_length=500, placeholder="https://"),
        ),
        InputBlock(
            block_id=COUNTRY_BLOCK,
            label="Country",
            hint="Two letters, such as GB or US. Leave blank to show it to everyone.",
            optional=True,
            element=PlainTextInputElement(action_id=action, max_length=2),
        ),
        InputBlock(
            block_id=DESCRIPTION_BLOCK,
            label="Description",
            optional=True,
            element=PlainTextInputElement(action_id=action, max_length=500, multiline=True),
        ),
        InputBlock(
            block_id=SESSIONS_BLOCK,
            label="Counselling sessions offered",
            hint="For counselling only: shown to people only when you fill it in.",
            optional=True,
            element=PlainTextInputElement(action_id=action, max_length=2),
        ),
    ]


class HelpLinkSubmission(BaseModel):
    """What HR typed into the form, before the service checks it."""

    kind: str | None = None
    country: str | None = None
    name: str | None = None
    description: str | None = None
    url: str | None = None
    sessions: str | None = None

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        values = (view.get("state") or {}).get("values") or {}

        def read(block: str) -> Any:
            # The form's one input, whatever generation its action id is.
            for state in (values.get(block) or {}).values():
                if "selected_option" in state:
                    return (state.get("selected_option") or {}).get("value")
                return state.get("value")
            return None

        return cls(**{field: read(block) for field, block in FIELD_BLOCKS.items()})

    def fields(self) -> dict[str, Any]:
        return self.model_dump()
