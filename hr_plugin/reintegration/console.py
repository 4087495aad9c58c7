"""The budgets page of the HR console: the reintegration policies, saved through the same model,
rules and error sentences as the Slack modal, and a plan preview for a date and a country.

A page of this feature in the console (``Feature.console_pages``): the console is core and
names no feature; the feature brings its page, built on the console's ``admin_page``. Its
forms (``hr_plugin.console.forms``, with WTForms) are imported by the views that show them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, request
from werkzeug.wrappers import Response as BaseResponse

from hr_plugin.console.pages import again
from hr_plugin.console.web import SignedIn, admin_page, current_services, page_blueprint, render_page
from hr_plugin.reintegration import service as reintegration
from hr_plugin.reintegration.calendar import holiday_checker
from hr_plugin.reintegration.plan import CapacityPlan, generate_plan
from hr_plugin.reintegration.policy import PolicyError, PolicyInput, parse_policy
from hr_plugin.reintegration.views import PolicySubmission

if TYPE_CHECKING:
    from hr_plugin.console.forms import PolicyForm, PreviewForm

budgets = page_blueprint("budgets", __name__)


# -- budgets ---------------------------------------------------------------------------------


@budgets.get("/budgets", endpoint="budgets")
@admin_page
def budgets_page(admin: SignedIn) -> BaseResponse | str:
    from hr_plugin.console.forms import PolicyForm

    return _budgets(admin, PolicyForm(), {})


@budgets.post("/budgets", endpoint="save_policy")
@admin_page
def save_policy_page(admin: SignedIn) -> BaseResponse | str:
    """The Slack modal's submission, from a web form: the same model, rules and sentences."""
    from hr_plugin.console.forms import PolicyForm

    form = PolicyForm(request.form)
    submission = PolicySubmission.from_typed(form.typed())
    services = current_services()
    try:
        reintegration.set_policy_from_slack(
            services.factory,
            services.clock,
            tenant_id=admin.tenant_id,
            actor_user_id=admin.user_id,
            policy=parse_policy(submission.policy_fields()),
        )
    except PolicyError as exc:
        return _budgets(admin, form, {submission.error_block(exc.field): exc.message}, status=400)
    return again("budgets.budgets")


def _budgets(admin: SignedIn, form: PolicyForm, errors: dict[str, str], status: int = 200) -> Response:
    from hr_plugin.console.forms import PreviewForm, choices

    services = current_services()
    policies = reintegration.list_policies(services.factory, services.clock, tenant_id=admin.tenant_id)
    preview = PreviewForm(request.args)
    preview.policy.choices = choices([(policy.name, policy.name) for policy in policies])
    plan, preview_errors = _preview(preview, policies) if "return_date" in request.args else (None, {})
    return render_page(
        admin,
        "budgets.html",
        status=status,
        title="Budgets",
        policies=policies,
        form=form,
        errors=errors,
        preview=preview,
        preview_errors=preview_errors,
        plan=plan,
    )


def _preview(form: PreviewForm, policies: list[PolicyInput]) -> tuple[CapacityPlan | None, dict[str, str]]:
    """The plan the chosen policy gives someone back on the date, with the country's holidays
    (the same generator as ``hr-plugin plan preview`` and the app)."""
    chosen = next((policy for policy in policies if policy.name == form.policy.data), None)
    if chosen is None:
        return None, {"policy": "Choose one of the policies above."}
    if form.return_date.data is None:
        return None, {"return_date": "A date, like 2026-12-07."}
    country = (form.country.data or "").strip()
    try:
        holidays = holiday_checker(country, None) if country else ()
    except ValueError:
        return None, {"country": "A two-letter country code with a holiday calendar, like GB."}
    return generate_plan(form.return_date.data, chosen.budget, holidays=holidays), {}
