"""Scores rendered for people and programs: text, markdown, CSV, JSON, HTML, charts.

`format` holds what every rendering shares; `text`, `markdown`, `csv` and
`json` render scores, `compare` and `sensitivity` render those analyses,
`explanation` holds what the published reports show beyond the trail, and
`html` and `charts` draw with matplotlib, which is loaded only when a chart
is drawn (through `scorer.report.html_report`, `plot` and `report_charts`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scorer.report.charts import plot, report_charts
    from scorer.report.html import html_report

__all__ = ["html_report", "plot", "report_charts"]

_DRAWING = {"html_report": "scorer.report.html", "plot": "scorer.report.charts", "report_charts": "scorer.report.charts"}


def __getattr__(name: str) -> Any:
    """The functions that draw, from modules that load matplotlib, loaded when first asked for."""
    if name in _DRAWING:
        return getattr(importlib.import_module(_DRAWING[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
