"""What the charts draw for uncertainty: the band around the balance line, and the bars of Sobol' indices.

Drawn on an axes `scorer.report.charts` lays out and saves (its style, its
figure), so these charts look like the others.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from scorer.analysis.indices import ActorIndices
from scorer.problems import printable
from scorer.report.format import signed

BAND_COLOR = "#111827"
FIRST_ORDER_COLOR = "#93c5fd"
TOTAL_COLOR = "#1d4ed8"
MUTED = "#9ca3af"


def shade_band(ax: Axes, when: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
    """The 5th to 95th percentile of the balance over the draws, shaded behind the balance line."""
    ax.fill_between(when, low, high, color=BAND_COLOR, alpha=0.13, linewidth=0, label="balance, 90% of draws", zorder=1)


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
    ax.set_yticks(positions, labels=[f"{r.name}  ({printable(r.file)}:{r.line})" for r in rows], fontsize=8)
    ax.set_xlim(0, max(1.0, max(total + first) * 1.05))
    ax.axvline(0, color="#6b7280", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)
    ax.set_xlabel(f"Sobol' index (final balance {signed(actor.balance)} on {actor.date}; bars: 95% intervals)")
    ax.legend(
        handles=[
            Patch(color=TOTAL_COLOR, label="total (ST): alone and with others"),
            Patch(color=FIRST_ORDER_COLOR, label="first order (S1): alone"),
        ],
        loc="lower right",
    )
