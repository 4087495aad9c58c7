"""The console's pages, served by Flask under ``/hr/``.

``GET /hr/`` without a session sends the browser to Slack's sign-in (``state`` and ``nonce``
kept in the signed session cookie); ``GET /hr/oidc/callback`` checks the state, exchanges the
code, verifies the id_token and admits only the tenant's HR admins. Every refusal a person can
cause answers a plain page (400 or 403), never a 5xx; only a fault of the app itself is a 500.
The session is Flask's signed cookie, its key derived from the master key, HttpOnly,
SameSite=Lax, Secure when the public URL is https, and good for eight hours. Every page carries
a strict Content-Security-Policy.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Blueprint, Flask, Response, abort, current_app, redirect, render_template, request, session
from werkzeug.wrappers import Response as BaseResponse

from hr_plugin.console import auth, service
from hr_plugin.services import WEB_SERVICES, Services
from hr_plugin.settings import Settings

log = logging.getLogger(__name__)

PREFIX = "/hr"
SESSION_HOURS = 8
SIGN_IN_MINUTES = 10
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def _secure_headers(response: Response) -> Response:
    # A page may allow its own inline styles by hash (the overview's charts); nothing looser.
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _refuse_on_error(error: Exception) -> Response:
    """HTTP errors keep their own status; anything unexpected is the app's own fault, logged and
    answered 500 with a plain page (every refusal a person can cause, a wrong state, a forged
    cookie, someone not an HR admin, Slack refusing the code, is answered before this). The
    blueprint's ``_secure_headers`` runs on these pages too, as on every other."""
    from werkzeug.exceptions import HTTPException

    if isinstance(error, HTTPException):
        status = error.code or 400
        return _page("Not found" if status == 404 else "Not allowed", [error.name], status=status)
    log.exception("console request failed")
    return _page("Something went wrong", ["Please try again in a moment."], status=500)


def page_blueprint(name: str, import_name: str, **options: Any) -> Blueprint:
    """A Blueprint for console pages (the console's own and those features add): its answers
    carry the console's security headers, and its errors become the console's plain pages."""
    pages = Blueprint(name, import_name, **options)
    pages.after_request(_secure_headers)
    pages.register_error_handler(Exception, _refuse_on_error)
    return pages


console = page_blueprint("console", __name__, template_folder=str(Path(__file__).parent / "templates"))


# The key the console's session key is derived from, given the settings (``hr_plugin.features``
# passes the one the vault derives from the master key for the app's own secrets).
BaseKey = Callable[[Settings], bytes]


def install(web: Flask, services: Services, base_key: BaseKey, pages: Sequence[Blueprint] = ()) -> None:
    """The console's pages on the web app under ``/hr/``; ``pages``: the console's other pages
    (each a ``page_blueprint`` using ``admin_page``). The session cookie is the web app's, and
    only the console uses it: its path is ``/hr/``."""
    settings = services.settings
    web.config.update(
        SECRET_KEY=_session_key(base_key(settings)) if auth.configured(settings) else None,
        SESSION_COOKIE_NAME="hr_console",
        SESSION_COOKIE_PATH=PREFIX + "/",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=(settings.public_url or "").startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    if auth.configured(settings):
        web.extensions["hr_verifier"] = auth.IdTokenVerifier(settings)
    for blueprint in (console, *pages):
        web.register_blueprint(blueprint, url_prefix=PREFIX)


def _session_key(base: bytes) -> bytes:
    """The cookie-signing key, derived for this purpose alone from the base key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hr-plugin console session").derive(
        base
    )


def current_services() -> Services:
    found: Services = current_app.extensions[WEB_SERVICES]
    return found


# -- for every page: who is signed in, and forms posted from this console --------------------


@dataclass(frozen=True)
class SignedIn:
    """The HR admin a page is for: every page reads and changes this tenant's data only."""

    tenant_id: str
    tenant_name: str
    user_id: str
    name: str
    csrf_token: str


def admin_page(view: Callable[..., BaseResponse | str]) -> Callable[..., BaseResponse | str]:
    """A console page: shown to a signed-in HR admin of the session's tenant (checked again on
    every request, so someone no longer an admin is out at once), who is passed to ``view``
    first; anyone without a session is sent to sign in, anyone else refused. A POST must carry
    the session's CSRF token in its ``csrf_token`` field, or it is refused with a 400 page."""

    @functools.wraps(view)
    def page(*args: Any, **kwargs: Any) -> BaseResponse | str:
        if not auth.configured(current_services().settings):
            return redirect_home()
        user, token = session.get("user"), session.get("csrf")
        if not isinstance(user, dict) or not isinstance(token, str):
            return _start_sign_in()
        services = current_services()
        if not service.still_admin(services.factory, user["tenant_id"], user["user_id"]):
            session.clear()
            return _refusal_not_admin()
        if request.method == "POST" and not hmac.compare_digest(
            request.form.get("csrf_token", "").encode(), token.encode()
        ):
            return _page("Not saved", ["This form has expired. Go back and try again."], status=400)
        admin = SignedIn(user["tenant_id"], user["tenant_name"], user["user_id"], user["name"], token)
        return view(admin, *args, **kwargs)

    return page


# -- pages ---------------------------------------------------------------------------------


@console.get("/")
def home() -> BaseResponse | str:
    settings = current_services().settings
    if not auth.configured(settings):
        return _page(
            "The HR console is not configured",
            [
                "Set these settings and restart the app: " + ", ".join(auth.missing_settings(settings)) + ".",
                "The client id and secret are the Slack app's (Basic Information, App Credentials); "
                "the public URL is where this app is reached, and Slack's Redirect URLs must hold "
                "its /hr/oidc/callback.",
            ],
            status=200,
        )
    return _home()


@admin_page
def _home(admin: SignedIn) -> BaseResponse | str:
    return render_template(
        "home.html",
        title="HR console",
        name=admin.name,
        workspace=admin.tenant_name,
        csrf_token=admin.csrf_token,
    )


@console.get("/oidc/callback")
def callback() -> BaseResponse | str:
    services = current_services()
    settings = services.settings
    if not auth.configured(settings):
        return redirect_home()
    pending = session.pop("pending", None)
    session.modified = True
    if not isinstance(pending, dict) or not _fresh(pending, services):
        return _refusal_sign_in("This sign-in has expired or was started elsewhere.")
    state = request.args.get("state", "")
    if not hmac.compare_digest(state.encode(), str(pending.get("state", "")).encode()):
        return _refusal_sign_in("This sign-in did not come from this browser.")
    if request.args.get("error"):
        return _refusal_sign_in("Slack did not sign you in.")
    code = request.args.get("code", "")
    if not code:
        return _refusal_sign_in("Slack sent no sign-in code.")
    verifier: auth.IdTokenVerifier = current_app.extensions["hr_verifier"]
    try:
        id_token = auth.exchange_code(settings, code)
        identity = verifier.verify(id_token, nonce=str(pending.get("nonce", "")), now=services.clock.now())
    except auth.SignInError as failed:
        log.info("console sign-in refused: %s", failed)
        return _refusal_sign_in("Slack could not confirm who you are.")
    admission = service.admit(services.factory, identity, services.clock.now())
    if admission is None:
        log.info("console sign-in refused: not an HR admin of an installed workspace")
        return _refusal_not_admin()
    session.clear()
    session.permanent = True
    session["user"] = {
        "tenant_id": admission.tenant_id,
        "tenant_name": admission.tenant_name,
        "user_id": admission.user_id,
        "name": admission.name,
    }
    session["csrf"] = auth.new_secret()
    return redirect_home()


@console.route("/<path:rest>", methods=["GET", "POST"])
def unknown(rest: str) -> BaseResponse:
    """Any other path under ``/hr/``: the console's own "Not found" page."""
    abort(404)


@console.post("/signout")
def sign_out() -> BaseResponse | str:
    user = session.get("user")
    expected = session.get("csrf")
    given = request.form.get("csrf_token", "")
    if not isinstance(user, dict) or not isinstance(expected, str):
        return redirect_home()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return _page("Not signed out", ["This form has expired. Go back and try again."], status=400)
    services = current_services()
    service.signed_out(services.factory, user["tenant_id"], user["user_id"], services.clock.now())
    session.clear()
    return _page("Signed out", ["You are signed out of the HR console."], status=200, again=True)


# -- helpers -------------------------------------------------------------------------------


def redirect_home() -> BaseResponse:
    return redirect(PREFIX + "/", code=302)


def _start_sign_in() -> BaseResponse:
    services = current_services()
    state, nonce = auth.new_secret(), auth.new_secret()
    session.permanent = True
    session["pending"] = {"state": state, "nonce": nonce, "at": services.clock.now().timestamp()}
    return redirect(auth.authorize_url(services.settings, state=state, nonce=nonce), code=302)


def _fresh(pending: dict[str, Any], services: Services) -> bool:
    started = pending.get("at")
    if not isinstance(started, int | float):
        return False
    age = services.clock.now().timestamp() - started
    return 0 <= age <= SIGN_IN_MINUTES * 60


def _page(title: str, lines: list[str], *, status: int, again: bool = False) -> Response:
    body = render_template("message.html", title=title, lines=lines, again=again)
    return Response(body, status=status, mimetype="text/html")


def render_page(admin: SignedIn, template: str, *, status: int = 200, **context: Any) -> Response:
    """A console page for ``admin``: ``template`` rendered with ``context`` and the session's
    CSRF token (every form on it posts the token back), answered with ``status``."""
    body = render_template(template, csrf_token=admin.csrf_token, **context)
    return Response(body, status=status, mimetype="text/html")


def _refusal_sign_in(reason: str) -> Response:
    return _page("Not signed in", [reason, "Start again from the HR console."], status=400, again=True)


def _refusal_not_admin() -> Response:
    return _page(
        "Not for you, sorry",
        ["The HR console is for the HR admins of this app's workspace. Ask one of them if you need access."],
        status=403,
    )
