"""Charts with matplotlib: the balance over time (with its band), waterfalls of the drivers, the sensitivity
tornado, Sobol' indices (`scorer.report.uncertainty_charts` draws the last two's uncertainty parts).

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
from datetime import date as Date
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from scorer.analysis.indices import ActorIndices, GlobalSensitivity
from scorer.analysis.sensitivity import ActorSensitivity, Sensitivity
from scorer.analysis.uncertain import ActorBands, Bands
from scorer.model.fields import parse_date
from scorer.pack.model import RulePack, Scoring
from scorer.report.explanation import Bar, effect, waterfall
from scorer.report.format import Chart, ChartFormat, signed
from scorer.report.uncertainty_charts import draw_sobol, shade_band, sobol_height
from scorer.scoring.actor import ActorScore, Step
from scorer.scoring.decay import factor
from scorer.scoring.score import Score

PLUS_COLOR = "#2563eb"
MINUS_COLOR = "#dc2626"
BALANCE_COLOR = "#111827"
MUTED = "#9ca3af"
OTHER_AXIS_COLORS = ("#d97706", "#059669", "#7c3aed", "#db2777", "#0891b2")

# Beyond these many events a timeline gets no per-event tooltips, labels or decay curves:
# the chart would be a smear of markers, and the report's tables say it better.
TOOLTIPS_UP_TO = 400
LABELS_UP_TO = 60
DECAY_SAMPLES = 24

_EPOCH = Date(1970, 1, 1).toordinal()

_STYLE: dict[Any, Any] = {
    "svg.hashsalt": "scorer",
    "svg.fonttype": "path",
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
def _style() -> Iterator[None]:
    """Matplotlib's defaults plus ours, for one chart only; the caller's settings come back after."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        with matplotlib.rc_context(_STYLE):
            yield


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, fmt: ChartFormat, titles: dict[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    if fmt == "png":
        figure.savefig(out, format="png", dpi=150, metadata={"Software": None})
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


def _dates(days: np.ndarray) -> np.ndarray:
    """Ordinal days (possibly fractional) as datetime64 seconds, which matplotlib places on a date axis."""
    return np.round((days - _EPOCH) * 86400).astype(np.int64).astype("datetime64[s]")


def axis_colors(scoring: Scoring) -> dict[str, str]:
    others = iter(OTHER_AXIS_COLORS * (len(scoring.axes) // len(OTHER_AXIS_COLORS) + 1))
    return {
        axis: PLUS_COLOR if axis == scoring.plus else MINUS_COLOR if axis == scoring.minus else next(others)
        for axis in scoring.axes
    }


def series(
    days: np.ndarray, totals: np.ndarray, half_life: float | None, end: int, samples: int
) -> tuple[np.ndarray, np.ndarray]:
    """The totals as curves: each event's row held (or decaying) until the next event, the last until `end`.

    `totals` has one row per event and one column per axis; the result has
    `samples + 1` points per event: the event itself, then the values up to
    just before the next one, so decay shows as a falling curve and a jump as
    a vertical step.
    """
    following = np.append(days[1:], max(end, days[-1]))
    fraction = np.arange(samples + 1) / samples
    x = days[:, None] + (following - days)[:, None] * fraction[None, :]
    decay = factor(x - days[:, None], half_life)
    y = totals[:, None, :] * decay[:, :, None]
    return x.reshape(-1), y.reshape(-1, totals.shape[1])


def draw_timeline(
    ax: Axes,
    actor: ActorScore,
    pack: RulePack,
    prefix: str = "event",
    link: str | None = None,
    band: ActorBands | None = None,
) -> dict[str, str]:
    """The balance and every axis total over time, one marker per event; returns each marker's tooltip by id.

    With `link`, each marker of an SVG links to `#{link}{n}`, the n-th event's place in the report; with
    `band`, the balance's 90% band over draws of the uncertain weights is shaded around its line.
    """
    rows = actor.timeline
    scoring = pack.scoring
    where = pack.locations()
    axes = list(scoring.axes)
    colors = axis_colors(scoring)
    titles: dict[str, str] = {}
    ax.set_title(f"{actor.actor}: balance and totals over time")
    if not rows:
        ax.text(0.5, 0.5, "no events", transform=ax.transAxes, ha="center", color=MUTED)
        return titles
    days = np.array([parse_date(row.date).toordinal() for row in rows], dtype=np.float64)
    totals = np.array([[row.totals[a] for a in axes] for row in rows], dtype=np.float64)
    end = parse_date(actor.final.date).toordinal()
    detailed = len(rows) <= TOOLTIPS_UP_TO
    half_life = scoring.half_life_days
    x, y = series(days, totals, half_life, end, DECAY_SAMPLES if detailed and half_life else 1)
    when = _dates(x)
    for i, axis in enumerate(axes):
        ax.plot(when, y[:, i], color=colors[axis], linewidth=1.1, alpha=0.8, label=f"{axis} total")
    if band is not None:
        # Between events a band decays as the balance does: every draw's balance shrinks by the same factor.
        _, edges = series(days, band.timeline[:, [0, 2]], half_life, end, DECAY_SAMPLES if detailed and half_life else 1)
        shade_band(ax, when, edges[:, 0], edges[:, 1])
    balance = y[:, axes.index(scoring.plus)] - y[:, axes.index(scoring.minus)]
    ax.plot(when, balance, color=BALANCE_COLOR, linewidth=2.2, label=f"balance ({scoring.plus} − {scoring.minus})")
    ax.axhline(0, color="#6b7280", linewidth=0.8, zorder=1)

    event_when = _dates(days)
    event_balance = np.array([row.balance for row in rows])
    if detailed:
        for i, step in enumerate(actor.trail):
            moved = effect(step, scoring.plus, scoring.minus)
            face = MUTED if not step.matches else PLUS_COLOR if moved > 0 else MINUS_COLOR if moved < 0 else MUTED
            gid = f"{prefix}-{i + 1}"
            ax.plot(
                [event_when[i]],
                [event_balance[i]],
                marker="o",
                markersize=6.5,
                linestyle="none",
                markerfacecolor=face if step.matches else "white",
                markeredgecolor=BALANCE_COLOR if step.matches else MUTED,
                markeredgewidth=0.8,
                zorder=4,
                gid=gid,
                url=f"#{link}{i + 1}" if link else None,
            )
            titles[gid] = _tooltip(i + 1, step, moved, where)
            if len(rows) <= LABELS_UP_TO:
                ax.annotate(
                    str(i + 1),
                    (event_when[i], event_balance[i]),
                    xytext=(5, 3),
                    textcoords="offset points",
                    fontsize=7,
                    color="#374151",
                    zorder=5,
                )
    else:
        ax.plot(event_when, event_balance, "o", markersize=2, color=BALANCE_COLOR, zorder=4)

    handles, _ = ax.get_legend_handles_labels()
    if detailed:
        handles += [
            Line2D([], [], marker="o", linestyle="none", markerfacecolor=c, markeredgecolor=e, label=text)
            for c, e, text in (
                (PLUS_COLOR, BALANCE_COLOR, f"event toward {scoring.plus}"),
                (MINUS_COLOR, BALANCE_COLOR, f"event toward {scoring.minus}"),
                ("white", MUTED, "unmatched event"),
            )
        ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    decay = "no decay" if half_life is None else f"contributions halve every {half_life:g} days"
    numbers = "; numbers are the events' places in the report" if detailed and len(rows) <= LABELS_UP_TO else ""
    ax.set_title(f"{decay}{numbers}", loc="right", fontsize=8, color="#4b5563")
    ax.set_ylabel("score")
    locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    return titles


def _tooltip(number: int, step: Step, moved: float, where: dict[str, str]) -> str:
    event = step.event
    lines = [f"{number}. {event.date}  {event.id}  ({event.type}{' → ' + event.partner if event.partner else ''})"]
    if event.summary:
        lines.append(" ".join(event.summary.split()))
    if step.matches:
        lines.append(f"moved the balance by {signed(moved)}:")
        by_rule: dict[str, list[str]] = {}
        for m in step.matches:
            by_rule.setdefault(m.rule, []).append(f"{m.axis} {signed(m.contribution)}")
        lines += [f"  {rule} ({where[rule]}): {', '.join(parts)}" for rule, parts in by_rule.items()]
    else:
        lines.append("no rule matched")
    lines.append(f"balance after it: {signed(step.balance)}")
    return "\n".join(lines)


def draw_waterfall(ax: Axes, bars: Sequence[Bar], title: str, scoring: Scoring) -> None:
    """Start at 0, one signed bar per driver, 'N others', then the final balance from 0."""
    positions = np.arange(len(bars))[::-1].astype(np.float64)
    span = max([abs(b.start) for b in bars] + [abs(b.end) for b in bars] + [1e-12])
    for y, bar in zip(positions, bars, strict=True):
        if bar.kind == "total":
            color = BALANCE_COLOR
        elif bar.kind == "others":
            color = MUTED
        else:
            color = PLUS_COLOR if bar.value >= 0 else MINUS_COLOR
        ax.barh(y, bar.end - bar.start, left=bar.start, height=0.62, color=color)
        right = bar.value >= 0
        ax.text(
            max(bar.start, bar.end) + span * 0.01 if right else min(bar.start, bar.end) - span * 0.01,
            y,
            signed(bar.value),
            va="center",
            ha="left" if right else "right",
            fontsize=7.5,
        )
        if bar.kind != "total" and y > 0:
            ax.plot([bar.end, bar.end], [y - 0.31, y - 0.69], color="#6b7280", linewidth=0.6, linestyle=":")
    labels = [
        "= final balance"
        if bar.kind == "total"
        else f"{bar.label}  ({bar.where})"
        if bar.where
        else bar.label
        for bar in bars
    ]
    ax.set_yticks(positions, labels=labels, fontsize=8)
    _bar_axes(ax)
    ax.axvline(0, color="#6b7280", linewidth=0.8)
    ax.set_title(title)
    ax.set_xlabel(f"share of the final balance ({scoring.plus} +, {scoring.minus} −)")


def draw_tornado(ax: Axes, actor: ActorSensitivity, delta: float, top: int | None) -> None:
    """Each weight's low and high variant as bars from the unvaried balance, largest swing on top."""
    rows = list(actor.variations if top is None else actor.variations[:top])
    percent = f"{delta * 100:g}%"
    ax.set_title(f"{actor.actor}: the balance if one weight changes by ±{percent}")
    if not rows:
        ax.text(0.5, 0.5, "no rule moved the balance", transform=ax.transAxes, ha="center", color=MUTED)
        ax.set_yticks([])
        return
    positions = np.arange(len(rows))[::-1].astype(np.float64)
    low_color, high_color = "#f59e0b", "#0d9488"
    base = actor.balance
    span = max([abs(v.low.balance - base) for v in rows] + [abs(v.high.balance - base) for v in rows] + [1e-12])
    for y, v in zip(positions, rows, strict=True):
        ax.barh(y, v.low.balance - base, left=base, height=0.62, color=low_color)
        ax.barh(y, v.high.balance - base, left=base, height=0.62, color=high_color)
        if v.flips:
            ax.text(
                max(v.low.balance, v.high.balance) + span * 0.02,
                y,
                "flips sign",
                va="center",
                fontsize=7.5,
                color=MINUS_COLOR,
            )
    ax.set_yticks(positions, labels=[f"{v.name}  ({v.where})" for v in rows], fontsize=8)
    _bar_axes(ax)
    ax.axvline(base, color=BALANCE_COLOR, linewidth=1.2)
    ax.axvline(0, color="#6b7280", linewidth=0.8, linestyle="--")
    ax.set_xlabel(f"final balance on {actor.date} (now {signed(base)}; dashed: 0)")
    ax.legend(
        handles=[Patch(color=low_color, label=f"weight −{percent}"), Patch(color=high_color, label=f"weight +{percent}")],
        loc="lower right",
    )


def _bar_axes(ax: Axes) -> None:
    """Room beside the outermost bars for their value labels (bars' edges would otherwise pin the limits)."""
    ax.use_sticky_edges = False
    ax.margins(x=0.14)
    ax.set_axisbelow(True)
    ax.grid(axis="y", visible=False)


def _waterfall_height(bars: int) -> float:
    return 0.9 + 0.27 * bars


def timeline_chart(
    actor: ActorScore,
    pack: RulePack,
    fmt: ChartFormat,
    *,
    prefix: str = "event",
    link: str | None = None,
    band: ActorBands | None = None,
) -> bytes:
    """One actor's balance over time (with its band); in SVG each event marker carries its tooltip (and link)."""
    with _style():
        figure = _figure(10.5, 4.4)
        titles = draw_timeline(figure.add_subplot(), actor, pack, prefix, link, band)
        return _save(figure, fmt, titles)


def sobol_chart(actors: Sequence[ActorIndices], fmt: ChartFormat, *, top: int | None = 10) -> bytes:
    """Sobol' indices as bars, a panel per actor."""
    with _style():
        heights = [sobol_height(actor, top) for actor in actors] or [1.0]
        figure = _figure(10.5, sum(heights))
        grid = figure.subplots(len(heights), 1, squeeze=False, height_ratios=heights)[:, 0]
        for ax, actor in zip(grid, actors, strict=False):
            draw_sobol(ax, actor, top)
        return _save(figure, fmt)


def waterfall_chart(bars: Sequence[Bar], title: str, scoring: Scoring, fmt: ChartFormat) -> bytes:
    with _style():
        figure = _figure(10.5, _waterfall_height(len(bars)))
        draw_waterfall(figure.add_subplot(), bars, title, scoring)
        return _save(figure, fmt)


def tornado_chart(actor: ActorSensitivity, delta: float, fmt: ChartFormat, *, top: int | None = 10) -> bytes:
    with _style():
        shown = len(actor.variations) if top is None else min(top, len(actor.variations))
        figure = _figure(10.5, _waterfall_height(max(shown, 2)) + 0.3)
        draw_tornado(figure.add_subplot(), actor, delta, top)
        return _save(figure, fmt)


def driver_bars(actor: ActorScore, score: Score, top: int | None) -> tuple[list[Bar], list[Bar]]:
    """The two waterfalls of an actor: by event, and by rule (with where each rule is defined)."""
    final = actor.final.balance
    return (
        waterfall(actor.event_drivers, final, top),
        waterfall(actor.rule_drivers, final, top, score.pack.locations()),
    )


def _timelines(
    actors: Sequence[ActorScore], pack: RulePack, fmt: ChartFormat, bands: Bands | None = None
) -> bytes:
    figure = _figure(10.5, 4.4 * max(len(actors), 1))
    grid = figure.subplots(max(len(actors), 1), 1, squeeze=False)[:, 0]
    titles: dict[str, str] = {}
    for k, (ax, actor) in enumerate(zip(grid, actors, strict=False), 1):
        band = bands.actors[actor.actor] if bands else None
        titles.update(draw_timeline(ax, actor, pack, prefix=f"a{k}-event", band=band))
    if not actors:
        grid[0].text(0.5, 0.5, "no events", transform=grid[0].transAxes, ha="center", color=MUTED)
    return _save(figure, fmt, titles)


def _waterfalls(actors: Sequence[ActorScore], score: Score, fmt: ChartFormat, top: int | None) -> bytes:
    panels: list[tuple[list[Bar], str]] = []
    for actor in actors:
        by_event, by_rule = driver_bars(actor, score, top)
        panels += [(by_event, f"{actor.actor}: drivers by event"), (by_rule, f"{actor.actor}: drivers by rule")]
    heights = [_waterfall_height(len(bars)) for bars, _ in panels] or [1.0]
    figure = _figure(10.5, sum(heights))
    grid = figure.subplots(len(heights), 1, squeeze=False, height_ratios=heights)[:, 0]
    for ax, (bars, title) in zip(grid, panels, strict=False):
        draw_waterfall(ax, bars, title, score.pack.scoring)
    return _save(figure, fmt)


def _tornados(sensitivity: Sensitivity, fmt: ChartFormat, top: int | None) -> bytes:
    actors = list(sensitivity.actors.values())
    heights = [
        _waterfall_height(max(len(a.variations) if top is None else min(top, len(a.variations)), 2)) + 0.3
        for a in actors
    ] or [1.0]
    figure = _figure(10.5, sum(heights))
    grid = figure.subplots(len(heights), 1, squeeze=False, height_ratios=heights)[:, 0]
    for ax, actor in zip(grid, actors, strict=False):
        draw_tornado(ax, actor, sensitivity.delta, top)
    return _save(figure, fmt)


def plot(
    chart: Chart,
    score: Score,
    fmt: ChartFormat,
    *,
    sensitivity: Sensitivity | None = None,
    top: int | None = 10,
    bands: Bands | None = None,
    indices: GlobalSensitivity | None = None,
) -> bytes:
    """`scorer plot`: one chart, with a panel per actor (two for a waterfall: by event and by rule)."""
    with _style():
        if chart == "timeline":
            return _timelines(list(score.actors.values()), score.pack, fmt, bands)
        if chart == "waterfall":
            return _waterfalls(list(score.actors.values()), score, fmt, top)
        if chart == "sobol":
            if indices is None:
                raise ValueError("a Sobol' chart needs the global sensitivity")
            return sobol_chart(list(indices.actors.values()), fmt, top=top)
        if sensitivity is None:
            raise ValueError("a tornado chart needs the sensitivity")
        return _tornados(sensitivity, fmt, top)


def report_charts(score: Score, stem: str, top: int | None) -> tuple[dict[str, bytes], dict[str, tuple[str, str]]]:
    """The PNG files a markdown report links, named after the report: files by name, and per actor its two names."""
    files: dict[str, bytes] = {}
    names: dict[str, tuple[str, str]] = {}
    with _style():
        for name, actor in score.actors.items():
            base = f"{stem}-{_file_safe(name)}"
            while f"{base}-balance.png" in files:
                base += "_"
            balance, drivers = f"{base}-balance.png", f"{base}-drivers.png"
            files[balance] = _timelines([actor], score.pack, "png")
            files[drivers] = _waterfalls([actor], score, "png", top)
            names[name] = (balance, drivers)
    return files, names


def _file_safe(text: str) -> str:
    """An actor code as part of a file name: letters, digits, '-', '_' and '.' kept, the rest '_'."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text).lstrip(".") or "_"
