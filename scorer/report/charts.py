"""Charts with matplotlib: one actor's balance over time (with its band), many actors ranked, and `scorer plot`'s files.

A timeline in a report numbers its events as the report's tables do; one
that stands alone names its largest moves instead. Labels that would cover
another label or a marker are moved, and left out where no place is free
(`placing`).
The waterfalls and the tornado are in `bars`; style, palette, caption and
deterministic bytes in `figure`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from scorer.analysis.indices import GlobalSensitivity
from scorer.analysis.sensitivity import Sensitivity
from scorer.analysis.uncertain import ActorBands, Bands
from scorer.model.fields import parse_date
from scorer.pack.model import RulePack, Scoring
from scorer.report.bars import drivers_chart, ranking_chart, tornado_chart
from scorer.report.dates import EPOCH, date_axis
from scorer.report.explanation import effect
from scorer.report.figure import (
    BALANCE_COLOR,
    MUTED,
    TEXT_MUTED,
    WIDTH,
    axis_colors,
    caption,
    latest,
    new_figure,
    pole_color,
    save,
    style,
)
from scorer.report.format import Caption, Chart, ChartFormat, signed
from scorer.report.labels import act, arrowed
from scorer.report.placing import Label, Marks, place_labels
from scorer.report.uncertainty_charts import shade_band, sobol_chart
from scorer.scoring.actor import ActorScore, Step
from scorer.scoring.decay import factor
from scorer.scoring.score import Score

# Beyond these many events a timeline gets no per-event tooltips, labels or decay curves:
# the chart would be a smear of markers, and the report's tables say it better.
TOOLTIPS_UP_TO = 400
DECAY_SAMPLES = 24
NAMED_MOVES = 6  # a chart that stands alone names this many of the largest moves
NAME_CHARS = 60  # and cuts their names to this length


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


def _dates(days: np.ndarray) -> np.ndarray:
    """Ordinal days (possibly fractional) as datetime64 seconds, which matplotlib places on a date axis."""
    return np.round((days - EPOCH) * 86400).astype(np.int64).astype("datetime64[s]")


def _score_label(scoring: Scoring) -> str:
    """The y axis's title: what the numbers are."""
    decayed = ", decayed" if scoring.half_life_days is not None else ""
    return f"score: sum of weight × intensity × confidence{decayed}"


def draw_timeline(
    ax: Axes,
    actor: ActorScore,
    pack: RulePack,
    prefix: str = "event",
    link: str | None = None,
    band: ActorBands | None = None,
) -> tuple[dict[str, str], Marks | None]:
    """The balance and every axis total over time, one marker per event.

    Returns each marker's tooltip by id and the marks for `place_labels`:
    with `link` (a report) the events' numbers, each marker of an SVG linking
    to `#{link}{n}`, the n-th event's place in the report; without, the
    largest moves by what they were. With `band`, the balance's 90% band over
    draws of the uncertain weights is shaded around its line.
    """
    rows = actor.timeline
    scoring = pack.scoring
    axes = list(scoring.axes)
    colors = axis_colors(scoring)
    ax.set_title(f"{actor.actor}: balance and totals over time")
    ax.set_ylabel(_score_label(scoring))
    if not rows:
        ax.text(0.5, 0.5, "no events", transform=ax.transAxes, ha="center", color=MUTED)
        return {}, None
    days = np.array([parse_date(row.date).toordinal() for row in rows], dtype=np.float64)
    totals = np.array([[row.totals[a] for a in axes] for row in rows], dtype=np.float64)
    end = parse_date(actor.final.date).toordinal()
    detailed = len(rows) <= TOOLTIPS_UP_TO
    half_life = scoring.half_life_days
    x, y = series(days, totals, half_life, end, DECAY_SAMPLES if detailed and half_life else 1)
    when = _dates(x)
    for i, axis in enumerate(axes):
        ax.plot(when, y[:, i], color=colors[axis], linewidth=1.1, alpha=0.85, label=f"{axis} total")
    if band is not None:
        # Between events a band decays as the balance does: every draw's balance shrinks by the same factor.
        _, edges = series(
            days, band.timeline[:, [0, 2]], half_life, end, DECAY_SAMPLES if detailed and half_life else 1
        )
        shade_band(ax, when, edges[:, 0], edges[:, 1])
    balance = y[:, axes.index(scoring.plus)] - y[:, axes.index(scoring.minus)]
    ax.plot(when, balance, color=BALANCE_COLOR, linewidth=2.2, label=f"balance ({scoring.plus} − {scoring.minus})")
    ax.axhline(0, color="#6b7280", linewidth=0.8, zorder=1)
    date_axis(ax, float(days[0]), float(max(end, days[-1])))
    decay = "no decay" if half_life is None else f"contributions halve every {half_life:g} days"
    ax.set_title(decay, loc="right", fontsize=8, color=TEXT_MUTED)

    event_balance = np.array([row.balance for row in rows])
    if detailed:
        titles, labels = _markers(ax, actor, pack, days, event_balance, prefix, link)
    else:
        titles, labels = {}, []
        ax.plot(_dates(days), event_balance, "o", markersize=2, color=BALANCE_COLOR, zorder=4)
    _legend(ax, scoring, detailed)
    if link is None:
        labels = _named(labels)
    return titles, Marks(days - EPOCH, event_balance, x - EPOCH, balance, labels)


def _markers(
    ax: Axes, actor: ActorScore, pack: RulePack, days: np.ndarray, balance: np.ndarray, prefix: str, link: str | None
) -> tuple[dict[str, str], list[Label]]:
    """One marker per event, coloured by the way it moved the balance; their tooltips by id, and their labels."""
    scoring = pack.scoring
    where = pack.locations()
    when = _dates(days)
    titles: dict[str, str] = {}
    labels: list[Label] = []
    for i, step in enumerate(actor.trail):
        moved = effect(step, scoring.plus, scoring.minus)
        gid = f"{prefix}-{i + 1}"
        ax.plot(
            [when[i]],
            [balance[i]],
            marker="o",
            markersize=6.5,
            linestyle="none",
            markerfacecolor=pole_color(moved) if step.matches else "white",
            markeredgecolor=BALANCE_COLOR if step.matches else MUTED,
            markeredgewidth=0.8,
            zorder=4,
            gid=gid,
            url=f"#{link}{i + 1}" if link else None,
        )
        titles[gid] = _tooltip(i + 1, step, moved, where)
        at = float(days[i] - EPOCH)
        labels.append(_event_label(i + 1, step, moved, at, float(balance[i]), numbered=link is not None))
    return titles, labels


def _event_label(number: int, step: Step, moved: float, x: float, y: float, *, numbered: bool) -> Label:
    """An event's label: its number in a report; else what it was (a CAMEO act) or its id."""
    e = step.event
    weight = abs(moved) if step.matches else 0.0
    if numbered:
        # Every event may be numbered; the largest moves get the free places first.
        return Label(x, y, str(number), weight + (1.0 if step.matches else 0.0))
    return Label(x, y, arrowed(act(e.actor, e.partner, e.type) or e.id), weight)


def _named(labels: list[Label]) -> list[Label]:
    """The largest moves of a chart that stands alone, one label per kind of act (`×5` for five such events)."""
    kinds: dict[str, list[Label]] = {}
    for label in labels:
        if label.weight > 0:
            kinds.setdefault(label.text, []).append(label)
    ranked = sorted(kinds.values(), key=lambda same: -sum(label.weight for label in same))[:NAMED_MOVES]
    named = []
    for same in ranked:
        first = max(same, key=lambda label: label.weight)
        text = first.text if len(first.text) <= NAME_CHARS else first.text[: NAME_CHARS - 1] + "…"
        text += f" (×{len(same)})" if len(same) > 1 else ""
        named.append(Label(first.x, first.y, text, sum(label.weight for label in same)))
    return named


def _legend(ax: Axes, scoring: Scoring, detailed: bool) -> None:
    """The lines, and the markers by pole colour, beside the plot."""
    handles, _ = ax.get_legend_handles_labels()
    if detailed:
        handles += [
            Line2D([], [], marker="o", linestyle="none", markerfacecolor=c, markeredgecolor=e, label=text)
            for c, e, text in (
                (pole_color(1.0), BALANCE_COLOR, f"event toward {scoring.plus}"),
                (pole_color(-1.0), BALANCE_COLOR, f"event toward {scoring.minus}"),
                ("white", MUTED, "event no rule matched"),
            )
        ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _tooltip(number: int, step: Step, moved: float, where: dict[str, str]) -> str:
    """An event marker's tooltip: what happened, what fired, how far it moved the balance."""
    event = step.event
    what = act(event.actor, event.partner, event.type)
    kind = f"{event.type}{' → ' + event.partner if event.partner else ''}"
    lines = [f"{number}. {event.date}  {event.id}  ({arrowed(what) if what else kind})"]
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


def timeline_chart(
    actor: ActorScore,
    pack: RulePack,
    fmt: ChartFormat,
    *,
    prefix: str = "event",
    link: str | None = None,
    note: str | None = None,
    band: ActorBands | None = None,
) -> bytes:
    """One actor's balance over time (with its band); in SVG each event marker carries its tooltip (and link);
    `note` is a caption."""
    with style():
        figure = new_figure(WIDTH, 4.4 + (0.25 if note else 0.0))
        ax = figure.add_subplot()
        titles, marks = draw_timeline(ax, actor, pack, prefix, link, band)
        caption(figure, note)
        place_labels(figure, ax, marks)
        return save(figure, fmt, titles)


def _note(about: Caption | None, actors: Sequence[ActorScore]) -> str | None:
    """The caption of a chart that stands alone, dated by the latest final balance it shows."""
    return about.text(latest([actor.final.date for actor in actors])) if about is not None else None


def plot(
    chart: Chart,
    score: Score,
    fmt: ChartFormat,
    *,
    sensitivity: Sensitivity | None = None,
    top: int | None = 10,
    about: Caption | None = None,
    bands: Bands | None = None,
    indices: GlobalSensitivity | None = None,
) -> bytes:
    """`scorer plot`: one chart of one actor, or for several actors (timeline or ranking) the ranking.

    ValueError for a waterfall, tornado or Sobol' chart of several actors: each is drawn for one.
    """
    actors = list(score.actors.values())
    note = _note(about, actors)
    if chart == "ranking" or (chart == "timeline" and len(actors) > 1):
        return ranking_chart(score, fmt, note, bands)
    if len(actors) > 1:
        raise ValueError(f"a {chart} chart shows one actor: add --actor CODE ({', '.join(score.actors)})")
    if not actors:
        return _nothing(fmt)
    if chart == "sobol":
        if indices is None:
            raise ValueError("a Sobol' chart needs the global sensitivity")
        return sobol_chart(list(indices.actors.values()), fmt, top=top, note=note)
    if chart == "timeline":
        band = bands.actors[actors[0].actor] if bands else None
        return timeline_chart(actors[0], score.pack, fmt, note=note, band=band)
    if chart == "waterfall":
        return drivers_chart(actors[0], score, fmt, top, note)
    if sensitivity is None:
        raise ValueError("a tornado chart needs the sensitivity")
    return tornado_chart(sensitivity.actors[actors[0].actor], sensitivity.delta, fmt, top=top, note=note)


def _nothing(fmt: ChartFormat) -> bytes:
    """The chart of no events: a line saying so."""
    with style():
        figure = new_figure(WIDTH, 2.0)
        ax = figure.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no events", ha="center", color=MUTED)
        return save(figure, fmt)


def report_charts(
    score: Score, stem: str, top: int | None, about: Caption | None = None
) -> tuple[dict[str, bytes], dict[str, tuple[str, str]]]:
    """The PNG files a markdown report links, named after the report: files by name, and per actor its two names."""
    files: dict[str, bytes] = {}
    names: dict[str, tuple[str, str]] = {}
    for name, actor in score.actors.items():
        base = f"{stem}-{_file_safe(name)}"
        while f"{base}-balance.png" in files:
            base += "_"
        balance, drivers = f"{base}-balance.png", f"{base}-drivers.png"
        note = _note(about, [actor])
        # Markdown numbers the events as its markers: a link target of "" gives numbers without links.
        files[balance] = timeline_chart(actor, score.pack, "png", link="", note=note)
        files[drivers] = drivers_chart(actor, score, "png", top, note)
        names[name] = (balance, drivers)
    return files, names


def _file_safe(text: str) -> str:
    """An actor code as part of a file name: letters, digits, '-', '_' and '.' kept, the rest '_'."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text).lstrip(".") or "_"
