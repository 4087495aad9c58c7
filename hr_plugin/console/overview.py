"""The console's Overview page and its Downloads: the program's figures as charts (SVG drawn on
the server, no script), each with a table of the same numbers, and each as a CSV.

Every figure is the admin's own tenant's, with small groups hidden by the rule of today's
reports (``hr_plugin.console.figures``). Nothing from the private space is read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from flask import Blueprint, Response, abort, render_template
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from hr_plugin.console import charts, program
from hr_plugin.console.figures import Table
from hr_plugin.console.web import (
    CONTENT_SECURITY_POLICY,
    SignedIn,
    admin_page,
    current_services,
    page_blueprint,
)

HIDDEN = "suppressed"


def blueprint(sources: program.Sources) -> Blueprint:
    """The pages, reading the features' figures through ``sources``."""
    pages = page_blueprint("overview", __name__)

    @pages.get("/overview")
    @admin_page
    def overview(admin: SignedIn) -> BaseResponse | str:
        tables = _tables(sources, admin)
        drawn = [(table, charts.draw(table)) for table in tables]
        body = render_template(
            "overview.html",
            title="Overview",
            workspace=admin.tenant_name,
            figures=[(table, Markup(chart.svg), _cells(table)) for table, chart in drawn],
            hidden_word=HIDDEN,
        )
        response = Response(body, mimetype="text/html")
        hashes = " ".join(f"'{chart.style_hash}'" for _, chart in drawn)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", f"style-src 'self' {hashes}".rstrip()
        )
        return response

    @pages.get("/downloads/<figure>.csv")
    @admin_page
    def download(admin: SignedIn, figure: str) -> BaseResponse | str:
        table = next((table for table in _tables(sources, admin) if table.key == figure), None)
        if table is None:
            abort(404)
        response = Response(_csv(table), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{table.key}.csv"'
        return response

    return pages


def _tables(sources: program.Sources, admin: SignedIn) -> Sequence[Table]:
    services = current_services()
    return program.overview(services.factory, sources, admin.tenant_id, services.clock.now().date())


def _number(value: float | None) -> str:
    if value is None:
        return HIDDEN
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _cells(table: Table) -> list[tuple[str, list[str]]]:
    return [(row.label, [_number(value) for value in row.values]) for row in table.rows]


def _csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([table.label, *table.columns])
    for label, cells in _cells(table):
        writer.writerow([label, *cells])
    return out.getvalue()
