"""The console's pages with forms: help links, budgets and the audit log.

Each page is an ``admin_page``: a signed-in HR admin, every read and change scoped to their
tenant, every POST carrying the session's CSRF token. The pages call the same services as the
App Home's modals, so the same rules, the same error sentences and the same audit entries
follow whichever way HR makes a change. A change that works answers 303 to the page (so a
reload does not post again); one that does not shows the page again with the error beside
its field and what was typed kept, answered 400.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from hr_plugin.console.audit_log import audit_page
from hr_plugin.console.forms import AuditFilterForm, HelpLinkForm, PolicyForm, PreviewForm, choices
from hr_plugin.console.web import SignedIn, _services, admin_page
from hr_plugin.reintegration import service as reintegration
from hr_plugin.reintegration.calendar import holiday_checker
from hr_plugin.reintegration.plan import CapacityPlan, generate_plan
from hr_plugin.reintegration.policy import PolicyError, PolicyInput, parse_policy
from hr_plugin.reintegration.views import PolicySubmission
from hr_plugin.resources import ResourceError, add_help_link, help_links, remove_help_link

forms = Blueprint("console_forms", __name__)


def _again(endpoint: str) -> BaseResponse:
    return redirect(url_for(endpoint), code=303)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


# -- help links ------------------------------------------------------------------------------


@forms.get("/help-links", endpoint="help_links")
@admin_page
def help_links_page(admin: SignedIn) -> BaseResponse | str:
    return _help_links(admin, HelpLinkForm(), {})


@forms.post("/help-links", endpoint="add_help_link")
@admin_page
def add_help_link_page(admin: SignedIn) -> BaseResponse | str:
    form = HelpLinkForm(request.form)
    services = _services()
    try:
        add_help_link(
            services.factory,
            services.clock,
            tenant_id=admin.tenant_id,
            actor_user_id=admin.user_id,
            fields=form.fields(),
        )
    except ResourceError as exc:
        field = exc.field if exc.field is not None and exc.field in form else "name"
        return _help_links(admin, form, {field: _sentence(str(exc))}, status=400)
    return _again("console_forms.help_links")


@forms.post("/help-links/<int:link_id>/remove", endpoint="remove_help_link")
@admin_page
def remove_help_link_page(admin: SignedIn, link_id: int) -> BaseResponse | str:
    services = _services()
    try:
        remove_help_link(
            services.factory,
            services.clock,
            tenant_id=admin.tenant_id,
            actor_user_id=admin.user_id,
            link_id=link_id,
        )
    except ResourceError as exc:
        return _help_links(admin, HelpLinkForm(), {"name": _sentence(str(exc))}, status=400)
    return _again("console_forms.help_links")


def _help_links(admin: SignedIn, form: HelpLinkForm, errors: dict[str, str], status: int = 200) -> Response:
    links = help_links(_services().factory, tenant_id=admin.tenant_id)
    body = render_template(
        "help_links.html",
        title="Help links",
        links=links,
        form=form,
        errors=errors,
        csrf_token=admin.csrf_token,
    )
    return Response(body, status=status, mimetype="text/html")


# -- budgets ---------------------------------------------------------------------------------


@forms.get("/budgets", endpoint="budgets")
@admin_page
def budgets_page(admin: SignedIn) -> BaseResponse | str:
    return _budgets(admin, PolicyForm(), {})


@forms.post("/budgets", endpoint="save_policy")
@admin_page
def save_policy_page(admin: SignedIn) -> BaseResponse | str:
    """The Slack modal's submission, from a web form: the same model, rules and sentences."""
    form = PolicyForm(request.form)
    submission = PolicySubmission.from_typed(form.typed())
    services = _services()
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
    return _again("console_forms.budgets")


def _budgets(admin: SignedIn, form: PolicyForm, errors: dict[str, str], status: int = 200) -> Response:
    services = _services()
    policies = reintegration.list_policies(services.factory, services.clock, tenant_id=admin.tenant_id)
    preview = PreviewForm(request.args)
    preview.policy.choices = choices([(policy.name, policy.name) for policy in policies])
    plan, preview_errors = _preview(preview, policies) if "return_date" in request.args else (None, {})
    body = render_template(
        "budgets.html",
        title="Budgets",
        policies=policies,
        form=form,
        errors=errors,
        preview=preview,
        preview_errors=preview_errors,
        plan=plan,
        csrf_token=admin.csrf_token,
    )
    return Response(body, status=status, mimetype="text/html")


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


# -- audit log -------------------------------------------------------------------------------


@forms.get("/audit", endpoint="audit")
@admin_page
def audit_log_page(admin: SignedIn) -> BaseResponse | str:
    """The tenant's audit entries, newest first, 50 a page, by kind and a date range."""
    form = AuditFilterForm(request.args)
    errors = {
        name: "A date, like 2026-12-07."
        for name in ("start", "end")
        if request.args.get(name) and form[name].data is None
    }
    page = request.args.get("page", "1")
    found = audit_page(
        _services().factory,
        tenant_id=admin.tenant_id,
        kind=form.action.data or None,
        start=form.start.data,
        end=form.end.data,
        page=int(page) if page.isdigit() else 1,
    )
    form.action.choices = choices([("", "Every kind"), *((kind, kind) for kind in found.kinds)])
    filters: dict[str, Any] = {
        name: request.args[name] for name in ("action", "start", "end") if request.args.get(name)
    }
    return render_template(
        "audit.html",
        title="Audit log",
        form=form,
        errors=errors,
        found=found,
        previous=url_for("console_forms.audit", **filters, page=found.page - 1) if found.page > 1 else None,
        next=url_for("console_forms.audit", **filters, page=found.page + 1) if found.has_next else None,
    )
