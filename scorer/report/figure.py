"""What every chart shares: the style, the palette by pole, the caption's place, and bytes the same every run.

Figures are built with matplotlib's object API on the Agg canvas, never through
pyplot, and their settings apply only inside `matplotlib.rc_context` while a
chart is drawn and saved: the scorer switches no backend and leaves a
notebook's own style as it was. The same input gives the same bytes: no date
in the metadata, a fixed salt for SVG ids, text drawn as paths (DejaVu Sans,
shipped with matplotlib), so an SVG looks the same in any browser with no font
to fetch.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from scorer.pack.model import Scoring
from scorer.report.format import MINUS_COLOR, PLUS_COLOR, ChartFormat

BALANCE_COLOR = "#111827"
MUTED = "#9ca3af"
TEXT_MUTED = "#4b5563"
# Axes other than the two poles, in Okabe and Ito's other colour-blind-safe colours.
OTHER_AXIS_COLORS = ("#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
WIDTH = 10.5  # inches: 1,575 pixels at the PNG's 150 dots per inch

_STYLE: dict[Any, Any] = {
    "svg.hashsalt": "scorer",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,  # TrueType: text in a PDF stays text, to search and copy
    "text.parse_math": False,  # a '$' in an event summary is a dollar sign, not TeX
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e5e7eb",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 8,
}


@contextmanager
def style() -> Iterator[None]:
    """Matplotlib's defaults plus ours, for one chart only; the caller's settings come back after."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        with matplotlib.rc_context(_STYLE):
            yield


def new_figure(width: float, height: float) -> Figure:
    """An empty figure on the Agg canvas, laid out so that nothing is cut off."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def caption(figure: Figure, text: str | None) -> None:
    """The caption under the whole figure, at its left edge (nothing when `text` is None)."""
    if text:
        figure.supxlabel(text, x=0.005, ha="left", fontsize=7.5, color=TEXT_MUTED)


def save(figure: Figure, fmt: ChartFormat, titles: dict[str, str] | None = None) -> bytes:
    """The figure as PNG, PDF or SVG bytes, the same for the same figure; SVG groups get their tooltips."""
    out = io.BytesIO()
    if fmt == "png":
        figure.savefig(out, format="png", dpi=150, metadata={"Software": None})
        return out.getvalue()
    if fmt == "pdf":
        figure.savefig(out, format="pdf", metadata={"CreationDate": None, "Creator": None, "Producer": None})
        return out.getvalue()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    text = out.getvalue().decode("utf-8")
    # Links inside the report stay in its tab (matplotlib opens every link in a new one).
    text = re.sub(r'(<a xlink:href="#[^"]*") target="_blank"', r"\1", text)
    for gid, title in (titles or {}).items():
        # An SVG <title> is the browser's tooltip; its text comes from input files, so it is escaped.
        opening = f'<g id="{gid}">'
        text = text.replace(opening, f"{opening}\n   <title>{html.escape(title)}</title>", 1)
    return text.encode("utf-8")


def axis_colors(scoring: Scoring) -> dict[str, str]:
    """Each axis's colour: the plus pole blue, the minus pole orange, the others from the rest of the palette."""
    others = iter(OTHER_AXIS_COLORS * (len(scoring.axes) // len(OTHER_AXIS_COLORS) + 1))
    return {
        axis: PLUS_COLOR if axis == scoring.plus else MINUS_COLOR if axis == scoring.minus else next(others)
        for axis in scoring.axes
    }


def pole_color(value: float) -> str:
    """The colour of a move of the balance: blue toward the plus pole, orange toward the minus pole, grey for none."""
    return PLUS_COLOR if value > 0 else MINUS_COLOR if value < 0 else MUTED


def latest(dates: Sequence[str]) -> str | None:
    """The latest of some dates as written (YYYY, YYYY-MM or YYYY-MM-DD sort as text), None for none."""
    return max(dates) if dates else None
