"""The mentoring page of the HR console: mentors and their free places, the open pairs, who is
not matched yet and why, and pairing by hand through the same service as the Slack modal.

A page of this feature in the console (``Feature.console_pages``): the console is core and names
no feature. HR sees the pair, to run the program (DESIGN.md's matrix): never a mentee's
preferences or exclusions, a mentor's experience tags or declines, nor that someone asked to be
left out. A refusal is told in words naming only the reporting line or the mentor's free places.
Its form is in ``mentoring.console_forms``, imported by the page's views: WTForms is loaded on
the first console form shown, not by every web worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, request
from werkzeug.wrappers import Response as BaseResponse

from hr_plugin.console.pages import again
from hr_plugin.console.web import SignedIn, admin_page, current_services, page_blueprint, render_page
from hr_plugin.db import unit_of_work
from mentoring import service
from mentoring.service import HrProgram

if TYPE_CHECKING:
    from mentoring.console_forms import PairForm

mentoring_page = page_blueprint("mentoring_console", __name__, template_folder="templates")


@mentoring_page.get("/mentoring", endpoint="mentoring")
@admin_page
def mentoring_view(admin: SignedIn) -> BaseResponse | str:
    from mentoring.console_forms import PairForm

    return _mentoring(admin, PairForm(), {})


@mentoring_page.post("/mentoring", endpoint="pair")
@admin_page
def pair_view(admin: SignedIn) -> BaseResponse | str:
    """The Slack modal's submission, from a web form: the same service, checks and audit."""
    from mentoring.console_forms import PairForm

    form = PairForm(request.form)
    mentee, mentor = form.mentee.data or None, form.mentor.data or None
    services = current_services()
    try:
        service.hr_assign(
            services.factory,
            services.clock,
            tenant_id=admin.tenant_id,
            actor_user_id=admin.user_id,
            mentee_user_id=mentee,
            mentor_user_id=mentor,
        )
    except service.MentoringError as exc:
        message = exc.plain if isinstance(exc, service.CannotPair) else str(exc)
        field = exc.field if exc.field in ("mentee", "mentor") else "mentee"
        return _mentoring(admin, form, {field: message}, status=400)
    return again("mentoring_console.mentoring")


def _mentoring(admin: SignedIn, form: PairForm, errors: dict[str, str], status: int = 200) -> Response:
    from hr_plugin.console.forms import choices

    services = current_services()
    with unit_of_work(services.factory) as session:
        program: HrProgram = service.hr_program(session, admin.tenant_id, services.clock.now().date())
    form.mentee.choices = choices(
        [("", "Choose someone"), *((person.user_id, person.name) for person in program.not_matched)]
    )
    form.mentor.choices = choices(
        [("", "Choose a mentor"), *((mentor.user_id, mentor.name) for mentor in program.mentors)]
    )
    return render_page(
        admin,
        "mentoring.html",
        status=status,
        title="Mentoring",
        program=program,
        form=form,
        errors=errors,
    )
