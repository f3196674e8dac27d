"""Any result in any of its formats: the one place that says which renderer serves which result and format.

Results are a `Score` (timeline: text, json, csv, markdown), an `Explanation`
(text, markdown, html, json, csv), a `Sensitivity` or a `Comparison` (text,
json, csv, markdown) and a `RulePack` (its weights: text, json). Text comes out as
UTF-8 bytes, in parts, so that a document of millions of rows is written as
it is made.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from scorer import analysis, report
from scorer.pack.model import RulePack
from scorer.report.format import Palette
from scorer.report.json import compare_document, document_json, sensitivity_document, to_json, weights_document
from scorer.scoring.score import Score

if TYPE_CHECKING:
    from scorer.analysis.calibrate import Calibration
    from scorer.analysis.compare import Comparison
    from scorer.analysis.explain import Explanation
    from scorer.analysis.indices import GlobalSensitivity
    from scorer.analysis.sensitivity import Sensitivity
    from scorer.analysis.uncertain import BandedScore

FORMATS: dict[str, tuple[str, ...]] = {
    "score": ("text", "json", "csv", "markdown"),
    "explain": ("text", "markdown", "html", "json", "csv"),
    "analysis": ("text", "json", "csv", "markdown"),
    "global": ("text", "json", "markdown", "csv"),
    "weights": ("text", "json"),
}


@dataclass(frozen=True)
class Style:
    """How a report is laid out: drivers listed before "N others", terminal colour, linked chart files."""

    top: int | None = 10
    palette: Palette = Palette()
    charts: Mapping[str, tuple[str, str]] | None = None  # per actor, the PNG files a markdown report links


# (Named, not evaluated: the analyses and their reports load when first used.)
Result: TypeAlias = "Score | BandedScore | Explanation | Sensitivity | GlobalSensitivity | Calibration | Comparison | RulePack"


def render(result: Result, fmt: str, style: Style) -> Iterator[bytes]:
    """`result` in format `fmt`, as UTF-8 in parts; ValueError for a format the result does not come in."""
    if isinstance(result, Score):
        return _score(result, fmt, style)
    if isinstance(result, RulePack):
        return _whole(to_json(weights_document(result)) if fmt == "json" else report.text.weights_text(result))
    # What else a result is, asked of the analyses' own modules: loaded only now.
    if isinstance(result, analysis.uncertain.BandedScore):
        return _banded(result, fmt, style)
    if isinstance(result, analysis.explain.Explanation):
        return _explanation(result, fmt, style)
    if isinstance(result, analysis.sensitivity.Sensitivity):
        return _whole(_sensitivity(result, fmt))
    if isinstance(result, analysis.indices.GlobalSensitivity):
        sobol = report.sobol
        return _whole(_by_format(fmt, sobol.sobol_text, sobol.sobol_markdown, sobol.sobol_csv, sobol.sobol_document, result))
    if isinstance(result, analysis.calibrate.Calibration):
        fit = report.calibrate
        return _whole(
            _by_format(fmt, fit.calibration_text, fit.calibration_markdown, fit.calibration_csv, fit.calibration_document, result)
        )
    return _whole(_comparison(result, fmt, style))


def _by_format(fmt: str, text: Any, markdown: Any, csv: Any, document: Any, result: Any) -> str:
    """A result rendered by the function of its format (JSON: its document)."""
    if fmt == "json":
        return to_json(document(result))
    found: str = {"markdown": markdown, "csv": csv}.get(fmt, text)(result)
    return found


def _whole(text: str) -> Iterator[bytes]:
    """Text made all at once, as one part."""
    yield text.encode("utf-8")


def _skipped(score: Score) -> dict[str, object] | None:
    """GDELT/ICEWS rows that did not become events, listed after the score (only when such files were read)."""
    return None if score.tally is None else {"skipped": score.tally.as_json()}


def _score(score: Score, fmt: str, style: Style) -> Iterator[bytes]:
    """The timeline of `score --format FMT`."""
    if fmt == "json":
        return document_json(score, after=_skipped(score))
    if fmt == "csv":
        return _whole(report.csv.timeline_csv(score))
    if fmt == "markdown":
        return _whole(report.markdown.timeline_markdown(score))
    return _whole(report.text.timeline_text(score, style.palette))


def _banded(result: BandedScore, fmt: str, style: Style) -> Iterator[bytes]:
    """The timeline with its bands, of `score --bands --format FMT`."""
    if fmt == "json":
        return document_json(result.score, after=_skipped(result.score), bands=result)
    if fmt == "csv":
        return _whole(report.csv.timeline_csv(result.score, result.bands))
    if fmt == "markdown":
        return _whole(report.bands.banded_markdown(result))
    return _whole(report.bands.banded_text(result, style.palette))


def _explanation(explanation: Explanation, fmt: str, style: Style) -> Iterator[bytes]:
    """The report of `explain --format FMT`."""
    score, event, bands = explanation.score, explanation.event, explanation.bands
    banded = analysis.uncertain.BandedScore(score, bands) if bands else None
    if fmt == "json":
        return document_json(score, explain=True, event=event, after=_skipped(score), bands=banded)
    if fmt == "html":
        # Several actors get their ranking, which shows no sensitivity: not worth computing.
        sensitive = analysis.sensitivity.of_matched(explanation.matched, score.pack) if len(score.actors) == 1 else None
        page = report.html_report(
            score,
            sensitive,
            top=style.top,
            event=event,
            inputs=explanation.sources,
            bands=bands,
            indices=explanation.indices,
        )
        return _whole(page)
    poles = (score.pack.scoring.plus, score.pack.scoring.minus)
    if fmt == "markdown":
        text = report.markdown.explain_markdown(score, top=style.top, event=event, charts=style.charts)
        return _whole(text + ("\n" + report.bands.how_sure_markdown(bands, explanation.indices, *poles) if bands else ""))
    if fmt == "csv":
        return _whole(report.csv.explain_csv(explanation))
    text = report.text.explain_text(score, style.palette, top=style.top, event=event)
    return _whole(text + ("\n" + report.bands.how_sure_text(bands, explanation.indices, *poles) if bands else ""))


def _sensitivity(result: Sensitivity, fmt: str) -> str:
    """The report of `sensitivity --format FMT`."""
    if fmt == "json":
        return to_json(sensitivity_document(result))
    if fmt == "csv":
        return report.csv.sensitivity_csv(result)
    return report.sensitivity.sensitivity_markdown(result) if fmt == "markdown" else report.sensitivity.sensitivity_text(result)


def _comparison(result: Comparison, fmt: str, style: Style) -> str:
    """The report of `compare --format FMT`."""
    if fmt == "json":
        return to_json(compare_document(result))
    if fmt == "csv":
        return report.csv.compare_csv(result)
    render_text = report.compare.compare_markdown if fmt == "markdown" else report.compare.compare_text
    return render_text(result, top=style.top)
