"""Periods of `--every year|quarter|month`: labels such as `2009`, `2009-Q2`, `2009-04`, and their last days."""

from __future__ import annotations

import calendar
from datetime import date as Date
from functools import lru_cache
from typing import Literal

import numpy as np

Every = Literal["year", "quarter", "month"]
EVERY: tuple[str, ...] = ("year", "quarter", "month")


def period_of(day: Date, every: Every) -> tuple[str, Date]:
    """The label and last day of the period holding `day`."""
    if every == "year":
        return f"{day.year}", Date(day.year, 12, 31)
    if every == "quarter":
        quarter = (day.month - 1) // 3 + 1
        month = quarter * 3
        return f"{day.year}-Q{quarter}", Date(day.year, month, calendar.monthrange(day.year, month)[1])
    return f"{day.year}-{day.month:02d}", Date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def _periods(first: Date, last: Date, every: Every) -> list[tuple[str, Date]]:
    """Every period from the one holding `first` to the one holding `last`."""
    periods = []
    label, end = period_of(first, every)
    while True:
        periods.append((label, end))
        if end >= last:
            return periods
        label, end = period_of(Date.fromordinal(end.toordinal() + 1), every)


@lru_cache(maxsize=64)
def period_table(every: Every, first_year: int, last_year: int) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    """Every period of whole years: labels, last days as ISO text and as ordinals (shared by all actors)."""
    periods = _periods(Date(first_year, 1, 1), Date(last_year, 12, 31), every)
    ends = np.array([end.toordinal() for _, end in periods], dtype=np.int64)
    return tuple(label for label, _ in periods), tuple(end.isoformat() for _, end in periods), ends

