"""The console's own pages with forms: help links and the audit log (the budgets page is the
reintegration feature's, ``hr_plugin/reintegration/console.py``).

Each page is an ``admin_page``: a signed-in HR admin, every read and change scoped to their
tenant, every POST carrying the session's CSRF token. The pages call the same services as the
App Home's modals, so the same rules, the same error sentences and the same audit entries
follow whichever way HR makes a change. A change that works answers 303 to the page (so a
reload does not post again); one that does not shows the page again with the error beside
its field and what was typed kept, answered 400. The forms (``hr_plugin.console.forms``, with
WTForms) are imported by the views that show them, not with the module: a web worker that never
serves the console does not load WTForms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from hr_plugin.console.audit_log import audit_page
from hr_plugin.console.web import SignedIn, admin_page, current_services, page_blueprint, render_page
from hr_plugin.resources import ResourceError, add_help_link, help_links, remove_help_link

if TYPE_CHECKING:
    from hr_plugin.console.forms import HelpLinkForm

forms = page_blueprint("console_forms", __name__)


def again(endpoint: str) -> BaseResponse:
    return redirect(url_for(endpoint), code=303)


def sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


# -- help links ------------------------------------------------------------------------------


@forms.get("/help-links", endpoint="help_links")
@admin_page
def help_links_page(admin: SignedIn) -> BaseResponse | str:
    from hr_plugin.console.forms import HelpLinkForm

    return _help_links(admin, HelpLinkForm(), {})


@forms.post("/help-links", endpoint="add_help_link")
@admin_page
def add_help_link_page(admin: SignedIn) -> BaseResponse | str:
    from hr_plugin.console.forms import HelpLinkForm

    form = HelpLinkForm(request.form)
    services = current_services()
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
        return _help_links(admin, form, {field: sentence(str(exc))}, status=400)
    return again("console_forms.help_links")


@forms.post("/help-links/<int:link_id>/remove", endpoint="remove_help_link")
@admin_page
def remove_help_link_page(admin: SignedIn, link_id: int) -> BaseResponse | str:
    services = current_services()
    try:
        remove_help_link(
            services.factory,
            services.clock,
            tenant_id=admin.tenant_id,
            actor_user_id=admin.user_id,
            link_id=link_id,
        )
    except ResourceError as exc:
        from hr_plugin.console.forms import HelpLinkForm

        return _help_links(admin, HelpLinkForm(), {"name": sentence(str(exc))}, status=400)
    return again("console_forms.help_links")


def _help_links(admin: SignedIn, form: HelpLinkForm, errors: dict[str, str], status: int = 200) -> Response:
    links = help_links(current_services().factory, tenant_id=admin.tenant_id)
    return render_page(
        admin,
        "help_links.html",
        status=status,
        title="Help links",
        links=links,
        form=form,
        errors=errors,
    )


# -- audit log -------------------------------------------------------------------------------


@forms.get("/audit", endpoint="audit")
@admin_page
def audit_log_page(admin: SignedIn) -> BaseResponse | str:
    """The tenant's audit entries, newest first, 50 a page, by kind and a date range."""
    from hr_plugin.console.forms import AuditFilterForm, choices

    form = AuditFilterForm(request.args)
    errors = {
        name: "A date, like 2026-12-07."
        for name in ("start", "end")
        if request.args.get(name) and form[name].data is None
    }
    page = request.args.get("page", "1")
    found = audit_page(
        current_services().factory,
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
