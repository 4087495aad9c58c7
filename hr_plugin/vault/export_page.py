"""The single-use links over HTTP: a GET shows a page, only a POST from it downloads.

Three kinds share the route and its rules: the person's entries (one readable page with the
data inside it as a JSON download), the questions on paper (a page to print) and the weekly
ritual (a calendar file). What each delivers is built in ``hr_plugin.vault.paper`` and here.

Link previewers and mail scanners fetch links with GET, so a GET never spends the link: it
shows a short page with one button. The button posts a form back to the same address (the
secret is in the path, so there is no session or cookie to forge); a POST another site's page
sends is refused when the browser says so (``Sec-Fetch-Site``) or names another origin
(``Origin``). Every answer keeps the secret out of caches and referrers.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from html import escape
from typing import Any
from urllib.parse import urlsplit

from flask import Response, request
from werkzeug.datastructures import Headers

from hr_plugin.vault import content, paper
from hr_plugin.vault.service import Redeemed, Vault

GONE = "This link has expired or was already used."
REFUSED = "This download must be started from its own page."

_STYLE = (
    "body{font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}"
    "button{font-size:1rem;padding:.6rem 1.2rem}"
)


def _page(kind: str) -> bytes:
    """A page with no script, no images and nothing loaded from elsewhere; it may only post to
    itself. Everything is inside ``<main>``, so a screen reader's landmarks find it."""
    words = content.link_words(kind)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(words["page_title"])}</title>
<style>{_STYLE}</style>
</head>
<body>
<main>
<h1>{escape(words["page_title"])}</h1>
<p>{escape(words["page_text"])}</p>
<form method="post">
<button type="submit" name="download" value="yes">{escape(words["button"])}</button>
</form>
</main>
</body>
</html>
""".encode()


_PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    # Not ``no-referrer``: with it a browser sends ``Origin: null`` with the page's own POST.
    # The page links nowhere, so ``same-origin`` gives the secret in its address to nobody.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
}


def answer(vault: Vault, secret: str) -> Response:
    """The whole route for Flask's current request: a page for GET (and HEAD), the download
    for a same-site POST."""
    if request.method in ("GET", "HEAD"):
        kind = vault.link_kind(secret) if secret else None
        if kind is None:
            return _text(404, GONE)
        return _send(200, "text/html; charset=utf-8", _page(kind))
    if request.method != "POST":
        return _text(405, "Use the button on the page.", {"Allow": "GET, POST"})
    if not _from_own_page(request.headers):
        return _text(403, REFUSED)
    redeemed = vault.redeem_link(secret) if secret else None
    if redeemed is None:
        return _text(404, GONE)
    content_type, filename, body = _delivered(redeemed, secret)
    return _send(200, content_type, body, {"Content-Disposition": f'attachment; filename="{filename}"'})


def _delivered(redeemed: Redeemed, secret: str) -> tuple[str, str, bytes]:
    """The content type, file name and bytes a redeemed link delivers."""
    data = redeemed.data
    if redeemed.kind == "questions":
        return (
            "text/html; charset=utf-8",
            "our-weekly-questions.html",
            paper.questions_page(include_partner=bool(data["include_partner"])),
        )
    if redeemed.kind == "ritual":
        if data["weekday"] is None or not data["at"]:
            return (
                "text/plain; charset=utf-8",
                "no-time-chosen.txt",
                content.link_words("ritual")["no_time"].encode(),
            )
        ics = paper.ritual_ics(
            # Stable for one person's file, and derived from nothing that names them.
            uid=hashlib.sha256(secret.encode()).hexdigest()[:32] + "@weekly-ritual",
            weekday=int(data["weekday"]),
            at=str(data["at"]),
            timezone=str(data["timezone"]),
            today=date.fromisoformat(str(data["today"])),
            stamp=datetime.fromisoformat(str(data["now"])),
        )
        return "text/calendar; charset=utf-8", "our-weekly-time.ics", ics
    return "text/html; charset=utf-8", "my-private-space.html", export_document(data)


def export_document(data: dict[str, Any]) -> bytes:
    """The person's entries as one page they can read, with the data inside it: the same JSON
    in a ``<script type="application/json">`` block (never run) and as a download link."""
    raw = json.dumps(data, indent=2, ensure_ascii=False)
    ratings = {option.id: option.label for option in content.rating_options()}
    rows = []
    for entry in data.get("checkins", []):
        lines = [f"<h2>Week {escape(str(entry.get('week', '')))}</h2>"]
        lines.append(
            f"<p><b>{escape(ratings.get(str(entry.get('rating')), str(entry.get('rating') or '')))}</b></p>"
        )
        for key in ("restorative", "demand", "vulnerability"):
            if entry.get(key):
                lines.append(f"<p>{escape(str(entry[key]))}</p>")
        if entry.get("partner_rating") or entry.get("partner_words"):
            shared = ratings.get(str(entry.get("partner_rating")), "")
            lines.append(f"<p><i>{escape(content.partner_part()['title'])}:</i> {escape(shared)} ")
            lines.append(f"{escape(str(entry.get('partner_words') or ''))}</p>")
        days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        for planned in entry.get("experiments") or []:
            day = planned.get("day")
            when = " ".join(
                part
                for part in (
                    days[day] if isinstance(day, int) and 0 <= day < 7 else "",
                    planned.get("time") or "",
                )
                if part
            )
            shown = escape(str(planned.get("text") or "")) + (f" ({escape(when)})" if when else "")
            lines.append(f"<p><i>Experiment:</i> {shown}</p>")
        for answer in entry.get("follow_ups") or []:
            outcome, note = escape(str(answer.get("outcome") or "")), escape(str(answer.get("note") or ""))
            lines.append(f"<p><i>Last week's experiment:</i> {outcome} {note}</p>")
        if entry.get("closeness_outside"):
            lines.append(
                f"<p><i>Closeness outside the plan:</i> {escape(str(entry['closeness_outside']))}</p>"
            )
        rows.append("\n".join(lines))
    rows += _track_rows(data.get("track") or [])
    encoded = base64.b64encode(raw.encode()).decode()
    embedded = raw.replace("</", "<\\/")  # "</script>" in someone's words cannot end the block
    body = "\n".join(rows) or "<p>No check-ins yet.</p>"
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your private space</title><style>{_STYLE}</style></head>
<body>
<main>
<h1>Your private space</h1>
<p>Exported {escape(str(data.get("exported_at", "")))}. Only you have this copy.</p>
<p><a download="my-private-space.json" href="data:application/json;base64,{encoded}">
Download the data (JSON)</a></p>
{body}
</main>
<script type="application/json" id="data">{embedded}</script>
</body>
</html>
""".encode()


def _track_rows(records: list[dict[str, Any]]) -> list[str]:
    """The longer track on the export page: each tool's record, and each describe-impact-ask
    note, as readable lines (every value escaped)."""
    if not records:
        return []
    steps = content.track_words("steps")
    rows = [f"<h2>{escape(content.track_words('')['title'])}</h2>"]
    for record in records:
        part = str(record.get("part") or "")
        title = steps.get(part, {}).get("title") or ("Started" if part == "state" else part)
        lines = []
        for key, value in sorted(record.items()):
            if key in ("part", "saved_at") or value in (None, "", []):
                continue
            if key == "tasks" and isinstance(value, list):
                shown = "; ".join(f"{row.get('task')} ({row.get('owner')})" for row in value)
            else:
                shown = str(value)
            lines.append(f"{escape(key.replace('_', ' '))}: {escape(shown)}")
        rows.append(f"<h3>{escape(str(title))}</h3>\n<p>{'<br>'.join(lines)}</p>")
    return rows


def _from_own_page(headers: Headers) -> bool:
    """False when the browser says the POST came from another site's page.

    Browsers send ``Sec-Fetch-Site`` (``same-origin`` from our page); older ones send only
    ``Origin``, which must then name this host. A client that sends neither is not a browser
    on someone else's page, and still needs the secret, so it is let through.
    """
    site = headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")  # "none": the person's own action, no page
    origin = headers.get("Origin")
    if origin is None:
        return True
    host = headers.get("X-Forwarded-Host") or headers.get("Host") or ""
    return bool(host) and urlsplit(origin).netloc.lower() == host.split(",")[0].strip().lower()


def _text(status: int, text: str, extra: Mapping[str, str] | None = None) -> Response:
    return _send(status, "text/plain; charset=utf-8", text.encode(), extra)


def _send(status: int, content_type: str, body: bytes, extra: Mapping[str, str] | None = None) -> Response:
    response = Response(body, status=status, content_type=content_type)
    response.headers.update({**(extra or {}), **_PRIVATE_HEADERS})
    return response
