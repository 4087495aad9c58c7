"""The huddles page's form (``huddles.console``), with WTForms: imported when the page is
first shown or posted, so a web worker that never serves the console does not load WTForms."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, Form, SelectField, SelectMultipleField, StringField, widgets

from hr_plugin.console.forms import choices
from huddles import views as v


class SettingsForm(Form):
    """The Slack settings modal, field for field (the names are its block ids)."""

    enabled = BooleanField("Run monthly peer huddles")
    every_months = SelectField(
        "How often",
        choices=choices([("1", "Every month"), ("2", "Every 2 months"), ("3", "Every 3 months")]),
        validate_choice=False,
    )
    week_of_month = SelectField(
        "Week of the month",
        choices=choices(
            [("0", "Any week")]
            + [
                (str(n), f"{label} week (days {7 * n - 6} to {7 * n})")
                for n, label in ((1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"))
            ]
        ),
        validate_choice=False,
    )
    avoided_weekdays = SelectMultipleField(
        "Days to avoid",
        description="Taken out of everyone's own working days (for example Fridays).",
        choices=choices([(str(number), name) for number, name in enumerate(v.WEEKDAYS)]),
        validate_choice=False,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    min_size = StringField("Smallest group")
    max_size = StringField("Largest group")
    eligible_months = StringField("Months after the return people are invited")
    video_link = StringField(
        "Video link", description="Leave empty and members start a Slack huddle in their group message."
    )

    def as_view(self) -> dict[str, Any]:
        """What the Slack modal would have submitted, for ``SettingsSubmission.from_view``."""

        def text(name: str) -> dict[str, Any]:
            return {"value": (self[name].data or "").strip() or None}

        values = {
            v.ENABLED_BLOCK: {"selected_options": [{"value": "on"}] if self.enabled.data else []},
            v.EVERY_BLOCK: {"selected_option": {"value": self.every_months.data or ""}},
            v.WEEK_BLOCK: {"selected_option": {"value": self.week_of_month.data or ""}},
            v.AVOID_BLOCK: {"selected_options": [{"value": day} for day in self.avoided_weekdays.data or []]},
            v.MIN_BLOCK: text("min_size"),
            v.MAX_BLOCK: text("max_size"),
            v.ELIGIBLE_BLOCK: text("eligible_months"),
            v.LINK_BLOCK: text("video_link"),
        }
        return {"state": {"values": {block: {"value": value} for block, value in values.items()}}}
