"""Bar charts: one actor's waterfalls of what drives the final balance and sensitivity tornado; many actors ranked."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from scorer.analysis.sensitivity import ActorSensitivity
from scorer.analysis.uncertain import Bands
from scorer.pack.model import Scoring
from scorer.report.explanation import Bar, waterfall
from scorer.report.figure import BALANCE_COLOR, MUTED, TEXT_MUTED, WIDTH, caption, new_figure, pole_color, save, style
from scorer.report.format import MINUS_NAME, PLUS_NAME, ChartFormat, collapse, signed
from scorer.report.labels import arrowed, labels_by_id
from scorer.report.ranking import Standing, ends, standings
from scorer.scoring.actor import ActorScore
from scorer.scoring.score import Score

LOW_COLOR, HIGH_COLOR = "#b6bcc6", "#4b5563"  # a weight made smaller, larger: light and dark, never a pole's colour
LABEL_CHARS = 70  # longer bar labels are cut
WHERE_CHARS = 36  # a longer path of a rule file shows only its file name in a chart


def driver_bars(actor: ActorScore, score: Score, top: int | None) -> tuple[list[Bar], list[Bar]]:
    """The two waterfalls of an actor: by event (with what each was), and by rule (with where it is defined)."""
    final = actor.final.balance
    events, _ = collapse(actor.event_drivers, top)
    labels = labels_by_id(actor.described([share.name for share in events]))
    what = {name: arrowed(text) for name, text in labels.items() if text != name}
    return (
        waterfall(actor.event_drivers, final, top, what=what),
        waterfall(actor.rule_drivers, final, top, score.pack.locations()),
    )


def _bar_label(bar: Bar) -> str:
    """A waterfall row's label: the event's act or the rule with where it is defined."""
    if bar.kind == "total":
        return "= final balance"
    return _cut(bar.what or (f"{bar.label}  ({_short(bar.where)})" if bar.where else bar.label))


def _short(where: str) -> str:
    """Where a rule is defined, short enough for a chart: a long path keeps its file name and line."""
    return where if len(where) <= WHERE_CHARS else "…/" + where.replace("\\", "/").rsplit("/", 1)[-1]


def _cut(text: str) -> str:
    """A bar's label cut to LABEL_CHARS, its start kept: the rule or the act, then where or when."""
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def draw_waterfall(ax: Axes, bars: Sequence[Bar], title: str, scoring: Scoring) -> None:
    """Start at 0, one signed bar per driver, 'N others', then the final balance from 0."""
    positions = np.arange(len(bars))[::-1].astype(np.float64)
    span = max([abs(b.start) for b in bars] + [abs(b.end) for b in bars] + [1e-12])
    for y, bar in zip(positions, bars, strict=True):
        color = BALANCE_COLOR if bar.kind == "total" else MUTED if bar.kind == "others" else pole_color(bar.value)
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
    ax.set_yticks(positions, labels=[_bar_label(bar) for bar in bars], fontsize=8)
    _bar_axes(ax)
    ax.axvline(0, color="#6b7280", linewidth=0.8)
    ax.set_title(title)
    ax.set_xlabel(
        f"share of the final balance ({PLUS_NAME}: toward {scoring.plus}, +; {MINUS_NAME}: toward {scoring.minus}, −)"
    )


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
    base = actor.balance
    span = max([abs(v.low.balance - base) for v in rows] + [abs(v.high.balance - base) for v in rows] + [1e-12])
    for y, v in zip(positions, rows, strict=True):
        ax.barh(y, v.low.balance - base, left=base, height=0.62, color=LOW_COLOR)
        ax.barh(y, v.high.balance - base, left=base, height=0.62, color=HIGH_COLOR)
        if v.flips:
            ax.text(
                max(v.low.balance, v.high.balance) + span * 0.02,
                y,
                "flips sign",
                va="center",
                fontsize=7.5,
                fontweight="bold",
                color=BALANCE_COLOR,
            )
    ax.set_yticks(positions, labels=[_cut(f"{v.name}  ({_short(v.where)})") for v in rows], fontsize=8)
    _bar_axes(ax)
    ax.axvline(base, color=BALANCE_COLOR, linewidth=1.2)
    ax.axvline(0, color="#6b7280", linewidth=0.8, linestyle="--")
    ax.set_xlabel(f"final balance on {actor.date} (now {signed(base)}: solid line; 0: dashed)")
    # Beside the plot: a legend inside it would cover the longest bar.
    ax.legend(
        handles=[Patch(color=LOW_COLOR, label=f"weight −{percent}"), Patch(color=HIGH_COLOR, label=f"weight +{percent}")],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )


def _bar_axes(ax: Axes) -> None:
    """Room beside the outermost bars for their value labels (bars' edges would otherwise pin the limits)."""
    ax.use_sticky_edges = False
    ax.margins(x=0.14)
    ax.set_axisbelow(True)
    ax.grid(axis="y", visible=False)


def bars_height(bars: int) -> float:
    """Inches for a bar chart of this many rows."""
    return 0.9 + 0.27 * bars


def waterfall_chart(
    bars: Sequence[Bar], title: str, scoring: Scoring, fmt: ChartFormat, *, note: str | None = None
) -> bytes:
    """One waterfall; `note` is the caption of a chart that stands alone."""
    with style():
        figure = new_figure(WIDTH, bars_height(len(bars)) + (0.25 if note else 0.0))
        draw_waterfall(figure.add_subplot(), bars, title, scoring)
        caption(figure, note)
        return save(figure, fmt)


def drivers_chart(actor: ActorScore, score: Score, fmt: ChartFormat, top: int | None, note: str | None) -> bytes:
    """Both waterfalls of one actor, by event above by rule."""
    by_event, by_rule = driver_bars(actor, score, top)
    panels = [(by_event, f"{actor.actor}: drivers by event"), (by_rule, f"{actor.actor}: drivers by rule")]
    heights = [bars_height(len(bars)) for bars, _ in panels]
    with style():
        figure = new_figure(WIDTH, sum(heights) + (0.25 if note else 0.0))
        grid = figure.subplots(2, 1, squeeze=False, height_ratios=heights)[:, 0]
        for ax, (bars, title) in zip(grid, panels, strict=True):
            draw_waterfall(ax, bars, title, score.pack.scoring)
        caption(figure, note)
        return save(figure, fmt)


def tornado_chart(
    actor: ActorSensitivity, delta: float, fmt: ChartFormat, *, top: int | None = 10, note: str | None = None
) -> bytes:
    """One actor's tornado."""
    with style():
        shown = len(actor.variations) if top is None else min(top, len(actor.variations))
        figure = new_figure(WIDTH, bars_height(max(shown, 2)) + 0.3 + (0.25 if note else 0.0))
        draw_tornado(figure.add_subplot(), actor, delta, top)
        caption(figure, note)
        return save(figure, fmt)


def draw_ranking(ax: Axes, ranked: list[Standing], scoring: Scoring, idle: int, bands: Bands | None = None) -> None:
    """Each actor's final balance as a bar, the most toward the plus pole on top; a long ranking shows its ends.

    With `bands`, a whisker from the 5th to the 95th percentile of the balance over the draws.
    """
    total = len(ranked)
    top, middle, bottom = ends(ranked)
    ranked = top + bottom
    positions = np.arange(len(ranked) + (1 if middle else 0))[::-1].astype(np.float64)
    if middle:
        gap = positions[len(top)]
        positions = np.delete(positions, len(top))
        between = f"{len(middle)} actors from {signed(middle[0].balance)} to {signed(middle[-1].balance)} not shown"
        ax.text(0.5, gap, between, transform=ax.get_yaxis_transform(), ha="center", va="center", color=TEXT_MUTED)
    values = np.array([row.balance for row in ranked])
    ax.barh(positions, values, height=0.62, color=[pole_color(v) for v in values])
    low, high = values, values
    if bands is not None:
        low = np.array([bands.actors[row.actor].balance.p05 for row in ranked])
        high = np.array([bands.actors[row.actor].balance.p95 for row in ranked])
        whiskers = [np.maximum(values - low, 0), np.maximum(high - values, 0)]
        ax.errorbar(values, positions, xerr=whiskers, fmt="none", ecolor=BALANCE_COLOR, elinewidth=0.9, capsize=2)
        ax.legend(
            handles=[Line2D([], [], color=BALANCE_COLOR, linewidth=0.9, label="balance, 90% of draws")],
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
        )
    _values(ax, positions, values, np.minimum(low, values), np.maximum(high, values))
    names = [
        f"{row.actor}{'  ' + row.name if row.name else ''}  ({row.events} event{'s' if row.events != 1 else ''}, "
        f"{row.unmatched} unmatched)"
        for row in ranked
    ]
    ax.set_yticks(positions, labels=names, fontsize=8)
    ax.use_sticky_edges = False
    ax.margins(x=0.12, y=0.02)
    ax.set_axisbelow(True)
    ax.grid(axis="y", visible=False)
    ax.axvline(0, color="#6b7280", linewidth=0.8)
    ax.set_title(f"{total} actors ranked by their final balance ({scoring.plus} − {scoring.minus})")
    if idle:
        ax.set_title(f"not shown: {idle} actors with no matched event", loc="right", fontsize=8, color=TEXT_MUTED)
    ax.set_xlabel(f"final balance: blue toward {scoring.plus} (+), orange toward {scoring.minus} (−)")


def _values(ax: Axes, positions: np.ndarray, values: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
    """Each bar's number just beyond its end (or its whisker's, `low` to `high`), outward from 0."""
    span = float(max(np.abs(np.concatenate([low, high])).max(initial=0.0), 1e-12))
    for y, value, left, right in zip(positions, values, low, high, strict=True):
        outward = value >= 0
        ax.text(
            (right + span * 0.01) if outward else (left - span * 0.01),
            y,
            signed(value),
            va="center",
            ha="left" if outward else "right",
            fontsize=7.5,
        )


def ranking_chart(score: Score, fmt: ChartFormat, note: str | None = None, bands: Bands | None = None) -> bytes:
    """Every actor with a matched event, ranked by final balance: what `plot` draws for many actors
    (with `bands`, each balance's 90% band as a whisker)."""
    ranked = standings(score)
    shown = [row for row in ranked if row.unmatched < row.events]
    top, middle, bottom = ends(shown)
    rows = len(top) + len(bottom) + (1 if middle else 0)
    with style():
        figure = new_figure(WIDTH, 1.3 + 0.26 * max(rows, 1) + (0.25 if note else 0.0))
        ax = figure.add_subplot()
        if shown:
            draw_ranking(ax, shown, score.pack.scoring, len(ranked) - len(shown), bands)
        else:
            ax.text(0.5, 0.5, "no event matched a rule", transform=ax.transAxes, ha="center", color=MUTED)
        caption(figure, note)
        return save(figure, fmt)
