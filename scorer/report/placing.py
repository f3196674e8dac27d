"""Where a chart's event labels go: beside their markers, over no other label, marker or the balance line.

The most important labels are placed first; a label with no free place is
left out rather than drawn over something (a crowded chart names fewer
events, never illegible ones).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.path import Path
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

# Where a label may sit beside its marker, in points, tried in this order.
_PLACES = (
    (6, 1, "left", "bottom"),
    (6, -1, "left", "top"),
    (-6, 1, "right", "bottom"),
    (-6, -1, "right", "top"),
    (0, 6, "center", "bottom"),
    (0, -6, "center", "top"),
)


@dataclass(frozen=True)
class Label:
    """A label an event may get: where its marker is, the text, and how much it matters (larger first)."""

    x: float  # matplotlib's date number of its marker
    y: float
    text: str
    weight: float


@dataclass(frozen=True)
class Marks:
    """What labels must not cover: every event marker and the balance line; and the labels to place."""

    x: np.ndarray  # the markers, as matplotlib's date numbers
    y: np.ndarray
    line_x: np.ndarray  # the balance line, likewise
    line_y: np.ndarray
    labels: list[Label]


def place_labels(figure: Figure, ax: Axes, marks: Marks | None) -> None:
    """Put each label beside its marker where it covers no other label, no marker, not the balance line,
    and stays inside the plot.

    The most important first; a label with no free place is left out. Needs
    the final layout, so the figure is drawn once first.
    """
    if marks is None or not marks.labels:
        return
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    points = ax.transData.transform(np.column_stack([marks.x, marks.y]))
    radius = 4.5 * figure.dpi / 72  # a marker's half-width, in pixels
    line_room = 1.5 * figure.dpi / 72  # half the balance line's width
    taken = [Bbox.from_extents(px - radius, py - radius, px + radius, py + radius) for px, py in points]
    line = Path(ax.transData.transform(np.column_stack([marks.line_x, marks.line_y])))
    labels = marks.labels
    order = sorted(range(len(labels)), key=lambda i: (-labels[i].weight, i))
    for i in order:
        label = labels[i]
        for dx, dy, ha, va in _PLACES:
            note = Annotation(
                label.text,
                (label.x, label.y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=7,
                color="#374151",
                zorder=5,
                annotation_clip=False,
                # A line the label crosses (an axis total) is hidden under it, not through its letters.
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
            )
            note.set_in_layout(False)
            ax.add_artist(note)
            box = note.get_window_extent(renderer).padded(1.0)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            clear = box.padded(line_room)  # the balance line is thick: keep its edge clear of the label's ground too
            free = not any(box.overlaps(other) for other in taken) and not line.intersects_bbox(clear, filled=False)
            if inside and free:
                taken.append(box)
                break
            note.remove()
