"""What the charts draw for uncertainty: the band around the balance line, and the bars of Sobol' indices.

They share the other charts' style, caption and bytes (`scorer.report.figure`).
Sobol' indices say how much of the balance's spread a weight causes, not
which pole it favours, so their bars are grey: blue and orange stay the
poles' colours.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from scorer.analysis.indices import ActorIndices
from scorer.report.figure import BALANCE_COLOR, MUTED, WIDTH, caption, new_figure, save, style
from scorer.report.format import ChartFormat, signed

FIRST_ORDER_COLOR = "#c7cbd1"
TOTAL_COLOR = "#4b5563"


def shade_band(ax: Axes, when: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
    """The 5th to 95th percentile of the balance over the draws, shaded behind the balance line."""
    ax.fill_between(
        when, low, high, color=BALANCE_COLOR, alpha=0.13, linewidth=0, label="balance, 90% of draws", zorder=1
    )


def sobol_height(actor: ActorIndices, top: int | None) -> float:
    """The height in inches of one actor's panel."""
    shown = len(actor.signals) if top is None else min(top, len(actor.signals))
    return 1.2 + 0.32 * max(shown, 2)


def draw_sobol(ax: Axes, actor: ActorIndices, top: int | None) -> None:
    """Each weight's total (ST) and first-order (S1) index as bars with their 95% intervals, largest ST on top."""
    rows = list(actor.signals if top is None else actor.signals[:top])
    ax.set_title(f"{actor.actor}: share of the final balance's variance due to each uncertain weight")
    if not rows:
        ax.text(0.5, 0.5, "no uncertain weight moves the balance", transform=ax.transAxes, ha="center", color=MUTED)
        ax.set_yticks([])
        return
    positions = np.arange(len(rows))[::-1].astype(np.float64)
    total = [r.st for r in rows]
    first = [r.s1 for r in rows]
    ax.barh(positions + 0.19, total, height=0.36, color=TOTAL_COLOR, xerr=[r.st_conf for r in rows], capsize=2)
    ax.barh(positions - 0.19, first, height=0.36, color=FIRST_ORDER_COLOR, xerr=[r.s1_conf for r in rows], capsize=2)
    ax.set_yticks(positions, labels=[f"{r.name}  ({r.where})" for r in rows], fontsize=8)
    ax.set_xlim(0, max(1.0, max(total + first) * 1.05))
    ax.axvline(0, color="#6b7280", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)
    ax.set_xlabel(f"Sobol' index (final balance {signed(actor.balance)} on {actor.date}; bars: 95% intervals)")
    # Beside the plot, never over a bar.
    ax.legend(
        handles=[
            Patch(color=TOTAL_COLOR, label="total (ST): alone and with others"),
            Patch(color=FIRST_ORDER_COLOR, label="first order (S1): alone"),
        ],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )


def sobol_chart(
    actors: Sequence[ActorIndices], fmt: ChartFormat, *, top: int | None = 10, note: str | None = None
) -> bytes:
    """Sobol' indices as bars, a panel per actor; `note` is a caption."""
    with style():
        heights = [sobol_height(actor, top) for actor in actors] or [1.0]
        figure = new_figure(WIDTH, sum(heights) + (0.25 if note else 0.0))
        grid = figure.subplots(len(heights), 1, squeeze=False, height_ratios=heights)[:, 0]
        for ax, actor in zip(grid, actors, strict=False):
            draw_sobol(ax, actor, top)
        caption(figure, note)
        return save(figure, fmt)
