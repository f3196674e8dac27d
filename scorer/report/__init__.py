"""Scores rendered for people and programs: text, markdown, CSV, JSON, HTML, charts.

`format` holds what every rendering shares; `text`, `markdown`, `csv` and
`json` render scores, `compare` and `sensitivity` render those analyses,
`explanation` holds what the published reports show beyond the trail, and
`html` and `charts` draw with matplotlib, which is loaded only when a chart
is drawn (through `scorer.report.html_report`, `plot` and `report_charts`).
The reports of a format or an analysis other than a score's JSON document
(`text`, `markdown`, `csv`, `bands`, `calibrate`, `compare`, `sensitivity`,
`sobol`) load when first used, as attributes of this package: a score
written as JSON loads neither them nor the analyses they render.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scorer.report import bands, calibrate, compare, csv, markdown, sensitivity, sobol, text
    from scorer.report.charts import plot, report_charts
    from scorer.report.html import html_report

__all__ = ["bands", "calibrate", "compare", "csv", "html_report", "markdown", "plot", "report_charts", "sensitivity", "sobol", "text"]

_DRAWING = {"html_report": "scorer.report.html", "plot": "scorer.report.charts", "report_charts": "scorer.report.charts"}


_ON_FIRST_USE = frozenset({"bands", "calibrate", "compare", "csv", "markdown", "sensitivity", "sobol", "text"})


def __getattr__(name: str) -> Any:
    """The functions that draw, from modules that load matplotlib, and the reports of `_ON_FIRST_USE`,
    loaded when first asked for."""
    if name in _ON_FIRST_USE:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _DRAWING:
        return getattr(importlib.import_module(_DRAWING[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
