"""Date axes: months and years named, never an hour, for any span from one day to centuries."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.report.dates import EPOCH, MAX_TICKS, MIN_SPAN, date_axis
from scorer.report.figure import new_figure, style


def labels(first: date, last: date) -> tuple[list[str], tuple[float, float], list[float]]:
    """The visible tick labels of an axis drawn for data from `first` to `last`, its limits and its ticks."""
    with style():
        figure = new_figure(10.5, 4.4)
        ax = figure.add_subplot()
        date_axis(ax, first.toordinal(), last.toordinal())
        figure.canvas.draw()
        lo, hi = ax.get_xlim()
        shown = [(t, label.get_text()) for t, label in zip(ax.get_xticks(), ax.get_xticklabels(), strict=True) if lo <= t <= hi]
        return [text for _, text in shown], (lo, hi), [t for t, _ in shown]


def test_one_event_shows_the_week_around_it() -> None:
    texts, (lo, hi), ticks = labels(date(2012, 8, 14), date(2012, 8, 14))
    assert MIN_SPAN <= hi - lo < 8
    assert lo + EPOCH < date(2012, 8, 14).toordinal() < hi + EPOCH
    assert texts[0].endswith("Aug\n2012") and all("Aug" in t for t in texts)
    assert all(t == int(t) for t in ticks)  # on days, never inside one


def test_two_days_get_days_not_hours() -> None:
    texts, _, ticks = labels(date(2012, 8, 30), date(2012, 8, 31))
    assert all(t == int(t) for t in ticks)
    assert "30 Aug" in texts and any(t.startswith("1 Sep") for t in texts)


def test_a_month_names_its_month() -> None:
    texts, _, _ = labels(date(2012, 8, 1), date(2012, 8, 31))
    assert texts[0] == "1 Aug\n2012"
    assert all("Aug" in t for t in texts)


def test_twenty_years_are_years() -> None:
    texts, _, _ = labels(date(1992, 5, 15), date(2012, 8, 31))
    assert texts == [str(year) for year in range(1992, 2013, 2)]


@settings(max_examples=20, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2090, 1, 1)), st.integers(min_value=0, max_value=40_000))
def test_any_span_has_few_ticks_named_by_day_month_or_year(first: date, days: int) -> None:
    last = date.fromordinal(min(first.toordinal() + days, date(2099, 12, 31).toordinal()))
    texts, (lo, hi), ticks = labels(first, last)
    assert 1 <= len(ticks) <= MAX_TICKS + 1
    assert all(t == int(t) for t in ticks)
    assert any(str(year) in " ".join(texts) for year in range(first.year, last.year + 2))  # a year is named


@pytest.mark.parametrize("span", [0, 1, 30, 400, 7300])
def test_the_year_is_written_once_per_year(span: int) -> None:
    first = date(2011, 12, 20)
    texts, _, _ = labels(first, date.fromordinal(first.toordinal() + span))
    years = [t.split("\n")[1] if "\n" in t else t for t in texts if "\n" in t or t.isdigit()]
    assert len(years) == len(set(years))
