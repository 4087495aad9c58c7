"""The demo's saved console pages link to each other by file name (hr_plugin/demo/console_pages.py)."""

from __future__ import annotations

from hr_plugin.demo.console_pages import _self_contained

SAVED = {"/": "home.html", "/overview": "overview.html", "/downloads/met.csv": "met.csv"}


def test_links_to_saved_pages_become_file_names_and_others_lose_their_address() -> None:
    page = (
        '<a href="/hr/">Home</a> <a href="/hr/overview">Overview</a> '
        '<a href="/hr/downloads/met.csv" download>CSV</a> '
        '<a href="/hr/audit?page=2" rel="next">Older entries</a> <a href="#main">Skip</a> '
        '<form method="post" action="/hr/signout"></form>'
    )
    assert _self_contained(page, SAVED) == (
        '<a href="home.html">Home</a> <a href="overview.html">Overview</a> '
        '<a href="met.csv" download>CSV</a> '
        '<a rel="next">Older entries</a> <a href="#main">Skip</a> '
        '<form method="post" action="/hr/signout"></form>'
    )
