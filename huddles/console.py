"""The huddles page of the HR console: HR's settings, saved through the same parsing, checks,
sentences and audit entry as the Slack settings modal, and the schedule as the HR App Home
shows it: times, group sizes and whether a facilitator is placed, monthly totals with small
numbers suppressed. Never who is in a group, who came or who rated.

A page of this feature in the console (``Feature.console_pages``): the console is core and
names no feature; this page is built on the console's ``admin_page``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from werkzeug.wrappers import Response as BaseResponse
from wtforms import BooleanField, Form, SelectField, SelectMultipleField, StringField, widgets

from hr_plugin.console.forms import choices
from hr_plugin.console.pages import again
from hr_plugin.console.web import SignedIn, admin_page, current_services, page_blueprint, render_page
from hr_plugin.db import unit_of_work
from huddles import service
from huddles import views as v
from huddles.home import settings_summary

huddles_page = page_blueprint("huddles_console", __name__, template_folder="templates")


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


def _form_of(config: service.HuddleConfig) -> SettingsForm:
    cadence = config.cadence
    return SettingsForm(
        data={
            "enabled": config.enabled,
            "every_months": str(cadence.every_months),
            "week_of_month": str(cadence.week_of_month),
            "avoided_weekdays": [str(day) for day in sorted(cadence.avoided_weekdays)],
            "min_size": str(cadence.min_size),
            "max_size": str(cadence.max_size),
            "eligible_months": str(cadence.eligible_months),
            "video_link": config.video_link or "",
        }
    )


@huddles_page.get("/huddles", endpoint="huddles")
@admin_page
def huddles_view(admin: SignedIn) -> BaseResponse | str:
    config = service.current_config(current_services().factory, tenant_id=admin.tenant_id)
    return _huddles(admin, _form_of(config), {})


@huddles_page.post("/huddles", endpoint="save_settings")
@admin_page
def save_settings_view(admin: SignedIn) -> BaseResponse | str:
    """The Slack modal's submission, from a web form: the same parsing, checks and audit."""
    form = SettingsForm(request.form)
    services = current_services()
    try:
        submitted = v.SettingsSubmission.from_view(form.as_view())
        config = service.HuddleConfig(
            enabled=submitted.enabled, cadence=submitted.cadence(), video_link=submitted.video_link
        )
        service.save_config(
            services.factory, services.clock, tenant_id=admin.tenant_id, user_id=admin.user_id, config=config
        )
    except (v.SettingsInputError, service.HuddleError) as exc:
        field = exc.field if exc.field is not None and exc.field in form else v.EVERY_BLOCK
        return _huddles(admin, form, {field: str(exc)}, status=400)
    return again("huddles_console.huddles")


def _huddles(admin: SignedIn, form: SettingsForm, errors: dict[str, str], status: int = 200) -> Response:
    services = current_services()
    with unit_of_work(services.factory) as session:
        config = service.config_of(session, admin.tenant_id)
        schedule = service.hr_schedule(session, admin.tenant_id, services.clock.now())
        months = service.hr_figures(session, admin.tenant_id)
    return render_page(
        admin,
        "huddles.html",
        status=status,
        title="Huddles",
        summary=settings_summary(config),
        schedule=schedule,
        months=months,
        form=form,
        errors=errors,
    )
