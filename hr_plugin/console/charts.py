"""The overview's charts, drawn on the server as SVG with pygal, inline in the page.

No script: pygal's own is off (``js=[]``) and the configuration script it always writes is
taken out, with the tooltip it would have driven. The chart's one ``<style>`` is kept, and its
SHA-256 returned so the page's Content-Security-Policy allows exactly that style and no other.
A hidden (suppressed) figure is drawn as no bar; the table under the chart says "hidden".

pygal is imported on the first chart drawn, not with the module: it is about 2 MB of resident
memory (with ``importlib_metadata``) in every web worker, most of which never draw a chart.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from hr_plugin.console.figures import Table

if TYPE_CHECKING:
    from pygal.style import Style


@cache
def _style() -> Style:
    from pygal.style import Style

    return Style(
        background="white",
        plot_background="white",
        foreground="#1d1c1d",
        foreground_strong="#1d1c1d",
        foreground_subtle="#616061",
        colors=("#1264a3", "#2bac76", "#e8912d", "#611f69"),
        font_family="system-ui, sans-serif",
        label_font_family="system-ui, sans-serif",
        major_label_font_family="system-ui, sans-serif",
        value_font_family="system-ui, sans-serif",
        title_font_family="system-ui, sans-serif",
        legend_font_family="system-ui, sans-serif",
        tooltip_font_family="system-ui, sans-serif",
    )


@dataclass(frozen=True)
class Chart:
    svg: str  # markup to put in the page as it is
    style_hash: str  # "sha256-…" of the chart's <style> text, for the CSP's style-src


def draw(table: Table) -> Chart:
    import pygal

    chart = pygal.Bar(
        js=[],
        style=_style(),
        width=640,
        height=320,
        disable_xml_declaration=True,
        show_legend=len(table.columns) > 1,
        legend_at_bottom=True,
        print_values=False,
        x_label_rotation=0,
        truncate_label=-1,
        show_y_guides=True,
        title=None,
    )
    chart.x_labels = [row.label for row in table.rows]
    for index, column in enumerate(table.columns):
        chart.add(column, [row.values[index] for row in table.rows])
    tree: Any = chart.render_tree()
    _strip_scripts(tree)
    style = next(element for element in tree.iter() if _tag(element) == "style")
    digest = hashlib.sha256((style.text or "").encode()).digest()
    tree.set("role", "img")
    tree.set("aria-label", table.title + " (the table below has the same numbers)")
    svg = _serialise(tree)
    return Chart(svg, "sha256-" + base64.b64encode(digest).decode())


def _tag(element: Any) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def _strip_scripts(tree: Any) -> None:
    """Take out every <script>, the comments, and the tooltip's group (it only works with the script; its
    inline ``style`` attribute would need the CSP's 'unsafe-hashes')."""
    for parent in list(tree.iter()):
        for child in list(parent):
            comment = not isinstance(child.tag, str)  # pygal's credits, with their links
            if comment or _tag(child) == "script" or "tooltip-overlay" in (child.get("class") or ""):
                parent.remove(child)
    for element in tree.iter():
        if element.get("style") is not None:
            del element.attrib["style"]


def _serialise(tree: Any) -> str:
    try:
        from lxml import etree as lxml_etree

        if isinstance(tree, lxml_etree._Element):
            return str(lxml_etree.tostring(tree, encoding="unicode"))
    except ImportError:  # pragma: no cover - pygal uses the standard library's etree then
        pass
    import xml.etree.ElementTree as ElementTree

    return ElementTree.tostring(tree, encoding="unicode")
