"""The frame every HTML page of the scorer shares: the head that fetches and runs nothing, the style, the palette.

Every piece of text that came from an input file is escaped (`escape`), so a
summary of `<script>` is shown as those characters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from scorer import __version__
from scorer.pack.model import RulePack
from scorer.report.format import MINUS_COLOR, MINUS_NAME, PLUS_COLOR, PLUS_NAME, clean, signed

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

# Blue moves the balance toward its plus pole, orange toward its minus pole: the charts' colours.
_ROOT = f":root {{ --plus: {PLUS_COLOR}; --minus: {MINUS_COLOR}; --muted: #6b7280; --line: #e5e7eb; }}"
CSS = (
    _ROOT
    + """
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #111827; margin: 0 auto; padding: 1.5rem 2rem 3rem; max-width: 1180px; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .3rem; padding-top: .8rem; border-top: 3px solid #111827; }
h3 { font-size: 1.08rem; margin: 1.8rem 0 .5rem; }
.meta, .note { color: var(--muted); font-size: .88rem; margin: .2rem 0; }
.headline { font-size: 1.12rem; margin: .3rem 0; }
.verdict { margin: .4rem 0; padding: .45rem .7rem; background: #fef3c7; border-left: 4px solid #d97706; }
figure { margin: .4rem 0 1rem; }
figure svg { display: block; width: 100%; height: auto; max-width: 1100px; }
table { border-collapse: collapse; width: 100%; font-size: .86rem; margin: .3rem 0 1rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #f9fafb; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.pos { color: var(--plus); } .neg { color: var(--minus); }
code, .id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .84em; }
.where { color: var(--muted); }
.nw { white-space: nowrap; }
th.wrap { white-space: normal; }
table.events td.text { width: 36%; }
table.rules td.text { width: 40%; }
.fired li { margin-bottom: .25rem; }
.event-text p { margin: 0 0 .2rem; }
.event-text .quote { font-style: italic; }
.fired { margin: 0; padding: 0; list-style: none; }
.flip { font-weight: 700; }
tr.others td, tr.total td { font-weight: 600; }
details summary { cursor: pointer; color: var(--muted); font-size: .88rem; }
nav a { margin-right: 1rem; }
.scroll { max-width: 100%; overflow-x: auto; }
"""
)


def escape(text: object) -> str:
    """Text from input files as inert HTML (attribute-safe too)."""
    return html.escape(str(text), quote=True)


def where_html(where: str) -> str:
    """Where a rule is defined, escaped, free to wrap after each `/` and a pack's `name:` (a long path never
    widens the page); the line number stays with its file."""
    return re.sub(r"(/|:(?!\d+$))", r"\1<wbr>", escape(where))


def number(value: float, places: int = 2) -> str:
    """A signed number, coloured by pole: above 0 toward the plus pole."""
    value = clean(value)
    rounded = round(value, places)
    css = "pos" if rounded > 0 else "neg" if rounded < 0 else ""
    return f'<span class="{css}">{signed(value, places)}</span>' if css else signed(value, places)


def inline_svg(data: bytes, label: str) -> str:
    """A matplotlib SVG ready to sit inside HTML: no XML prolog, described for screen readers."""
    text = data.decode("utf-8")
    text = text[text.index("<svg") :]
    # The RDF metadata block says nothing a reader of the report needs.
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    return text.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def page_start(title: str, pack: RulePack, inputs: Sequence[str]) -> list[str]:
    """The page up to its first section: head, title, what the balance and the colours are, what it was made from."""
    scoring = pack.scoring
    half_life = "no decay" if scoring.half_life_days is None else f"half-life {scoring.half_life_days:g} days"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">Balance = {escape(scoring.plus)} − {escape(scoring.minus)} ({half_life}); '
        f"axes: {escape(', '.join(scoring.axes))}. Numbers in <span class='pos'>{PLUS_NAME}</span> move the balance "
        f"toward {escape(scoring.plus)}, in <span class='neg'>{MINUS_NAME}</span> toward {escape(scoring.minus)}.</p>",
    ]
    if inputs:
        parts.append(f'<p class="meta">Events: {escape(", ".join(inputs))}</p>')
    parts.append(f'<p class="meta">Rules: {escape(pack.name or "the bundled pack")}</p>')
    parts.append(f'<p class="meta">Made by scorer {escape(__version__)}.</p>')
    return parts


PAGE_END = ["</body>", "</html>", ""]
