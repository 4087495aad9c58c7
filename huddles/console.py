"""The huddles page of the HR console: HR's settings, saved through the same parsing, checks,
sentences and audit entry as the Slack settings modal, and the schedule as the HR App Home
shows it: times, group sizes and whether a facilitator is placed, monthly totals with small
numbers suppressed. Never who is in a group, who came or who rated.

A page of this feature in the console (``Feature.console_pages``): the console is core and
names no feature; this page is built on the console's ``admin_page``. Its form is in
``huddles.console_forms``, imported by the page's views: WTForms is loaded on the first console
form shown, not by every web worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, request
from werkzeug.wrappers import Response as BaseResponse

from hr_plugin.console.pages import again
from hr_plugin.console.web import SignedIn, admin_page, current_services, page_blueprint, render_page
from hr_plugin.db import unit_of_work
from huddles import service
from huddles import views as v
from huddles.home import settings_summary

if TYPE_CHECKING:
    from huddles.console_forms import SettingsForm

huddles_page = page_blueprint("huddles_console", __name__, template_folder="templates")


def _form_of(config: service.HuddleConfig) -> SettingsForm:
    from huddles.console_forms import SettingsForm

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
    from huddles.console_forms import SettingsForm

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
