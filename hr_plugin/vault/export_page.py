"""The single-use export link over HTTP: a GET shows a page, only a POST from it downloads.

Link previewers and mail scanners fetch links with GET, so a GET never spends the link: it
shows a short page with one button. The button posts a form back to the same address (the
secret is in the path, so there is no session or cookie to forge); a POST another site's page
sends is refused when the browser says so (``Sec-Fetch-Site``) or names another origin
(``Origin``). Every answer keeps the secret out of caches and referrers.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from hr_plugin.vault.service import Vault
from hr_plugin.wsgi import Environ, StartResponse, read_body

GONE = "This link has expired or was already used."
REFUSED = "This download must be started from its own page."

# A page with no script, no images and nothing loaded from elsewhere; it may only post to itself.
_PAGE = b"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Download your entries</title>
<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
button{font-size:1rem;padding:.6rem 1.2rem}</style>
</head>
<body>
<h1>Download your entries</h1>
<p>This link works once. The file goes to this device only.</p>
<form method="post">
<button type="submit" name="download" value="yes">Download</button>
</form>
</body>
</html>
"""

_PRIVATE_HEADERS = [
    ("Cache-Control", "no-store"),
    # Not ``no-referrer``: with it a browser sends ``Origin: null`` with the page's own POST.
    # The page links nowhere, so ``same-origin`` gives the secret in its address to nobody.
    ("Referrer-Policy", "same-origin"),
    ("X-Content-Type-Options", "nosniff"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    ),
]


def answer(vault: Vault, environ: Environ, start_response: StartResponse, secret: str) -> list[bytes]:
    """The whole route: a page for GET (and HEAD), the download for a same-site POST."""
    method = environ.get("REQUEST_METHOD", "GET")
    if method in ("GET", "HEAD"):
        if not secret or not vault.export_link_usable(secret):
            return _text(start_response, "404 Not Found", GONE)
        return _send(start_response, "200 OK", [("Content-Type", "text/html; charset=utf-8")], _PAGE)
    if method != "POST":
        return _text(
            start_response, "405 Method Not Allowed", "Use the button on the page.", [("Allow", "GET, POST")]
        )
    read_body(environ)  # the form's one field carries nothing the download needs
    if not _from_own_page(environ):
        return _text(start_response, "403 Forbidden", REFUSED)
    body = vault.redeem_export(secret) if secret else None
    if body is None:
        return _text(start_response, "404 Not Found", GONE)
    headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Disposition", 'attachment; filename="my-private-space.json"'),
    ]
    return _send(start_response, "200 OK", headers, body)


def _from_own_page(environ: Environ) -> bool:
    """False when the browser says the POST came from another site's page.

    Browsers send ``Sec-Fetch-Site`` (``same-origin`` from our page); older ones send only
    ``Origin``, which must then name this host. A client that sends neither is not a browser
    on someone else's page, and still needs the secret, so it is let through.
    """
    site = environ.get("HTTP_SEC_FETCH_SITE")
    if site is not None:
        return site in ("same-origin", "none")  # "none": the person's own action, no page
    origin = environ.get("HTTP_ORIGIN")
    if origin is None:
        return True
    host = environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST") or ""
    return bool(host) and urlsplit(origin).netloc.lower() == host.split(",")[0].strip().lower()


def _text(
    start_response: StartResponse, status: str, text: str, extra: list[tuple[str, str]] | None = None
) -> list[bytes]:
    return _send(
        start_response, status, [("Content-Type", "text/plain; charset=utf-8"), *(extra or [])], text.encode()
    )


def _send(
    start_response: StartResponse, status: str, headers: list[tuple[str, str]], body: bytes
) -> list[bytes]:
    start_response(status, [*headers, ("Content-Length", str(len(body))), *_PRIVATE_HEADERS])
    return [body]
