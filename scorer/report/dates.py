"""Date axes that read at any span: days named with their month, months with their year, years alone.

Matplotlib's own date ticks go down to hours when the data span a day or
two, and label a month of days `05 09 13 ... 2012-Sep`, never naming August.
Here the axis covers at least a week around the data, ticks fall on days,
months or years (never inside a day), and every label names what it is:
`14 Aug` with `2012` under the first tick of each year, `Aug` with its year
likewise, or `2012`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date as Date
from typing import Any

import matplotlib.dates as mdates
from matplotlib.ticker import Formatter, Locator

EPOCH = Date(1970, 1, 1).toordinal()  # matplotlib's date numbers count days from here
MIN_SPAN = 6  # days: an axis of one event still shows the week around it
MAX_TICKS = 11

# The tick steps tried in turn, smallest first. Days: (step, the days of the month ticked as a range).
_DAY_STEPS = ((1, (1, 32, 1)), (2, (1, 30, 2)), (5, (1, 27, 5)), (7, (1, 23, 7)), (15, (1, 16, 14)))
_MONTH_STEPS = (1, 2, 3, 6)
_YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000)


def limits(first: float, last: float) -> tuple[float, float]:
    """The axis limits (ordinal days) for data from `first` to `last`: a margin each side, at least MIN_SPAN."""
    span = last - first
    pad = max(span * 0.03, 0.6)
    lo, hi = first - pad, last + pad
    if hi - lo < MIN_SPAN:
        extra = (MIN_SPAN - (hi - lo)) / 2
        lo, hi = lo - extra, hi + extra
    return lo, hi


def locator(lo: float, hi: float) -> tuple[Locator, str]:
    """Ticks for an axis from ordinal day lo to hi, and their unit: `day`, `month` or `year`."""
    span = hi - lo
    for step, (start, stop, by) in _DAY_STEPS:
        if span / step <= MAX_TICKS:
            return mdates.DayLocator(bymonthday=range(start, stop, by)), "day"  # type: ignore[no-untyped-call]
    for step in _MONTH_STEPS:
        if span / (30.44 * step) <= MAX_TICKS:
            return mdates.MonthLocator(bymonth=range(1, 13, step)), "month"  # type: ignore[no-untyped-call]
    years = span / 365.25
    step = next((s for s in _YEAR_STEPS if years / s <= MAX_TICKS), _YEAR_STEPS[-1])
    return mdates.YearLocator(base=step), "year"  # type: ignore[no-untyped-call]


class DateLabels(Formatter):
    """Tick labels by unit: `14 Aug` / `Aug` / `2012`, the year under the first visible tick and each new year."""

    def __init__(self, unit: str) -> None:
        self.unit = unit

    def __call__(self, x: float, pos: int | None = None) -> str:
        """One label, the year included (matplotlib's cursor readout uses this)."""
        day = _day(x)
        return f"{day.day} {day:%b %Y}" if self.unit == "day" else f"{day:%b %Y}" if self.unit == "month" else str(day.year)

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        """Every tick's label, knowing its neighbours: the year is written where it starts or first shows."""
        view = self.axis.get_view_interval() if self.axis is not None else (float("-inf"), float("inf"))
        lo, hi = sorted(view)
        labels, year = [], None
        for x in values:
            day = _day(x)
            if self.unit == "year":
                labels.append(str(day.year))
                continue
            text = f"{day.day} {day:%b}" if self.unit == "day" else f"{day:%b}"
            if lo <= x <= hi and day.year != year:
                text += f"\n{day.year}"
                year = day.year
            labels.append(text)
        return labels


def date_axis(ax: Any, first: float, last: float) -> None:
    """Limits, ticks and labels of `ax`'s x axis for data from ordinal day `first` to `last`."""
    lo, hi = limits(first, last)
    ax.set_xlim(lo - EPOCH, hi - EPOCH)
    ticks, unit = locator(lo, hi)
    ax.xaxis.set_major_locator(ticks)
    ax.xaxis.set_major_formatter(DateLabels(unit))


def _day(x: float) -> Date:
    """The calendar day of a matplotlib date number."""
    return Date.fromordinal(int(round(x)) + EPOCH)
