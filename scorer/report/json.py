"""JSON documents: the score and explanation (`score`/`explain --format json`), weights, comparisons, sensitivity.

The shapes are those of the reference (docs/reference.md); a document of
millions of events is written as it is made (`document_json`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, Any

import orjson

from scorer import report
from scorer.pack.model import RulePack
from scorer.problems import printable
from scorer.report.ahead import ahead
from scorer.report.format import clean
from scorer.scoring.actor import ActorScore, Row, Step
from scorer.scoring.score import Score
from scorer.scoring.unmatched_ids import Parts, Piece, indented

if TYPE_CHECKING:
    from scorer.analysis.compare import Comparison
    from scorer.analysis.sensitivity import Sensitivity, Variant
    from scorer.analysis.uncertain import BandedScore


def _totals(totals: dict[str, float]) -> dict[str, float]:
    """Axis totals as JSON numbers."""
    return {axis: clean(value) for axis, value in totals.items()}


def _row(row: Row) -> dict[str, Any]:
    """A timeline row (or `final`) as JSON."""
    out: dict[str, Any] = {}
    if row.period is not None:
        out["period"] = row.period
    out["date"] = row.date
    if row.event is not None:
        out["event"] = row.event
    if row.events is not None:
        out["events"] = row.events
    out.update(totals=_totals(row.totals), balance=clean(row.balance), lean=clean(row.lean))
    return out


def _timeline(actor: ActorScore, axes: tuple[str, ...], lo: int = 0, hi: int | None = None) -> list[dict[str, Any]]:
    """The rows of `_row` (rows lo to hi), built from the timeline's columns (no Row objects)."""
    c = actor.columns
    part = slice(lo, hi)
    # Adding 0.0 turns -0.0 into 0.0, as `clean` does.
    totals = _by_axis(axes, (c.values[part] + 0.0).tolist())
    balances, leans = (c.balance[part] + 0.0).tolist(), (c.lean[part] + 0.0).tolist()
    dates, events = c.dates[part], c.events[part]
    if c.periods is None:
        return [
            {"date": d, "event": e, "totals": t, "balance": b, "lean": n}
            for d, e, t, b, n in zip(dates, events, totals, balances, leans, strict=True)
        ]
    return [
        {"period": p, "date": d, "events": e, "totals": t, "balance": b, "lean": n}
        for p, d, e, t, b, n in zip(c.periods[part], dates, events, totals, balances, leans, strict=True)
    ]


def _by_axis(axes: tuple[str, ...], values: list[list[float]]) -> list[dict[str, float]]:
    """Each row of values as a dict by axis; for three axes, as most packs have, written out (a third of
    the time of a dict of a zip, which counts at a million events)."""
    if len(axes) == 3:
        first, second, third = axes
        return [{first: a, second: b, third: c} for a, b, c in values]
    return [dict(zip(axes, row, strict=True)) for row in values]


def _step(step: Step) -> dict[str, Any]:
    """One event of the trail as JSON."""
    return {
        "event": step.event.id,
        "date": step.event.date,
        "matches": [
            {
                "rule": m.rule,
                "axis": m.axis,
                "weight": m.weight,
                "intensity": m.intensity,
                "confidence": m.confidence,
                "contribution": clean(m.contribution),
                **({"after": [b.event for b in m.after]} if m.after else {}),
            }
            for m in step.matches
        ],
        "totals": _totals(step.totals),
        "balance": clean(step.balance),
    }


def document(score: Score, *, explain: bool = False, event: str | None = None) -> dict[str, Any]:
    """The JSON document of `score --format json` (and of `explain` with `explain=True`)."""
    head = _head(score)
    axes = score.pack.scoring.axes
    head["actors"] = {name: _actor(actor, axes, explain, event) for name, actor in score.actors.items()}
    return head


def _head(score: Score) -> dict[str, Any]:
    """The keys before `actors`."""
    scoring = score.pack.scoring
    return {"axes": list(scoring.axes), "balance": {"plus": scoring.plus, "minus": scoring.minus}}


def _actor(
    actor: ActorScore, axes: tuple[str, ...], explain: bool, event: str | None, *, timeline: bool = True
) -> dict[str, Any]:
    """One actor's part of the document (its timeline left out with `timeline=False`)."""
    item: dict[str, Any] = {"timeline": _timeline(actor, axes)} if timeline else {}
    item.update(final=_row(actor.final), unmatched=list(actor.unmatched), unmatched_reasons=actor.unmatched_reasons)
    return item | _explained(actor, explain, event)


def _unmatched_json(actor: ActorScore) -> tuple[list[Piece], list[Piece]]:
    """An actor's `unmatched` and `unmatched_reasons` as they stand in the document, indented as orjson
    indents them: each in pieces to make one after another."""
    if actor.unmatched_json is not None:
        return actor.unmatched_json(_PAD)
    listed, reasons = indented(list(actor.unmatched), _PAD), indented(actor.unmatched_reasons, _PAD)
    return [partial(tuple, (listed,))], [partial(tuple, (reasons,))]


_PAD = "      "  # an actor's keys stand three levels in


def _explained(actor: ActorScore, explain: bool, event: str | None) -> dict[str, Any]:
    """An actor's trail and drivers, with `explain` (else nothing)."""
    if not explain:
        return {}
    return {
        "trail": [_step(step) for step in actor.trail if event is None or step.event.id == event],
        "drivers": {
            "events": [{"event": s.name, "share": clean(s.share)} for s in actor.event_drivers],
            "rules": [{"rule": s.name, "share": clean(s.share)} for s in actor.rule_drivers],
        },
    }


def to_json(data: Any) -> str:
    """A document as indented JSON text."""
    # orjson: the same document as the standard library's, several times faster on big timelines.
    return orjson.dumps(data, option=orjson.OPT_INDENT_2, default=list).decode("utf-8") + "\n"


def document_json(
    score: Score,
    *,
    explain: bool = False,
    event: str | None = None,
    after: dict[str, Any] | None = None,
    bands: BandedScore | None = None,
) -> Iterator[bytes]:
    """`to_json(document(...) | after)` as UTF-8, an actor's timeline `_ROWS` rows at a time.

    A million events make a document of many megabytes: written as it is made,
    no more than one actor's part of it (less its timeline, which an actor of a
    million events makes as long) is held as Python objects at once.
    """
    top = _head(score) | ({"bands": report.bands.draws_json(bands)} if bands else {})
    head = orjson.dumps({**top, "actors": {}}, option=orjson.OPT_INDENT_2)
    before, rest = head.split(b'\n  "actors": {}', 1)
    yield before + b'\n  "actors": {'
    axes = score.pack.scoring.axes
    # orjson escapes every newline inside a string, so each one below is between lines:
    # indenting after each moves a part to where it stands in the whole document.
    # An actor's unmatched events are joined by polars on a thread of their own, `ahead.AHEAD` pieces ahead
    # of the one written (and of the timeline made here; this thread makes some too when it would
    # wait): the two cores work at once, and no more than `ahead.AHEAD` + 1 pieces are held.
    actors = list(score.actors.items())
    parts = [_unmatched_json(actor) for _, actor in actors]
    with ThreadPoolExecutor(max_workers=1) as pool:
        pieces = ahead(pool, (piece for listed, reasons in parts for piece in (*listed, *reasons)))
        for _, actor in actors:
            # Worked out while the other thread gathers the unmatched ids (`final` last: it lets go of
            # what the timeline kept for it).
            _ = actor.columns, actor.final
        for i, (name, actor) in enumerate(actors):
            counts = (len(parts[i][0]), len(parts[i][1]))
            yield from _actor_json(i, name, actor, axes, pieces, counts, bands, explain, event)
    yield b"\n  }" if score.actors else b"}"
    for key, value in (after or {}).items():
        yield b",\n  " + orjson.dumps(key) + b": "
        yield from _value(value, 1)
    yield rest + b"\n"


def _actor_json(
    i: int,
    name: str,
    actor: ActorScore,
    axes: tuple[str, ...],
    pieces: Iterator[Parts],
    counts: tuple[int, int],
    bands: BandedScore | None,
    explain: bool,
    event: str | None,
) -> Iterator[bytes]:
    """Actor `i`'s part of `document_json`, its unmatched events and their reasons the next `counts`
    of `pieces`."""
    yield (b",\n    " if i else b"\n    ") + orjson.dumps(name) + b': {\n      "timeline": ['
    count = len(actor.columns.dates)
    for lo in range(0, count, _ROWS):
        part = _timeline(actor, axes, lo, lo + _ROWS)
        if bands:
            for row, band in zip(part, report.bands.row_bands(bands.bands.actors[name], lo, lo + _ROWS), strict=True):
                row["bands"] = band
        rows = orjson.dumps(part, option=orjson.OPT_INDENT_2)
        yield (b"," if lo else b"") + rows[1:-2].replace(b"\n", b"\n      ")  # without its brackets
    yield b"\n      ]," if count else b"],"
    final = _row(actor.final) | ({"bands": report.bands.final_bands(bands.bands.actors[name])} if bands else {})
    yield orjson.dumps({"final": final}, option=orjson.OPT_INDENT_2)[1:-2].replace(b"\n", b"\n    ")
    yield b',\n      "unmatched": '
    for parts in islice(pieces, counts[0]):
        yield from parts
    yield b',\n      "unmatched_reasons": '
    for parts in islice(pieces, counts[1]):
        yield from parts
    rest_of = _explained(actor, explain, event)
    item = orjson.dumps(rest_of, option=orjson.OPT_INDENT_2)
    yield (b"," + item[1:-2].replace(b"\n", b"\n    ") if rest_of else b"") + b"\n    }"  # the keys after those


_ROWS = 10_000  # timeline rows (and items of a long list) made into Python objects at a time


def _value(value: Any, depth: int) -> Iterator[bytes]:
    """`value` as orjson writes it `depth` levels in, a long list (such as skipped rows) `_ROWS` items at a time."""
    pad = b"\n" + b"  " * depth
    if isinstance(value, dict) and value:
        yield b"{"
        for i, (key, item) in enumerate(value.items()):
            yield (b"," if i else b"") + pad + b"  " + orjson.dumps(key) + b": "
            yield from _value(item, depth + 1)
        yield pad + b"}"
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) > _ROWS:
        yield b"["
        for lo in range(0, len(value), _ROWS):
            part = orjson.dumps(list(value[lo : lo + _ROWS]), option=orjson.OPT_INDENT_2)
            yield (b"," if lo else b"") + part[1:-2].replace(b"\n", pad)  # without its brackets
        yield pad + b"]"
    else:
        yield orjson.dumps(value, option=orjson.OPT_INDENT_2, default=list).replace(b"\n", pad)


def weights_document(pack: RulePack) -> dict[str, Any]:
    """The JSON document of `weights list --format json`."""
    rules = []
    for r in pack.rules:
        item: dict[str, Any] = {"rule": r.id, "file": printable(r.file), "line": r.line, "enabled": r.enabled, "signals": dict(r.signals)}
        # Only weights that may vary have a range: a pack without uncertainty lists as it always did.
        ranges = {axis: list(pack.weight_range(r, axis)) for axis in r.signals}
        ranges = {axis: bounds for axis, bounds in ranges.items() if bounds[1] > bounds[0]}
        if ranges:
            item["ranges"] = ranges
        rules.append(item)
    return {"rules": rules}


def _side(totals: dict[str, float], balance: float, lean: float) -> dict[str, Any]:
    """One pack's totals, balance and lean in a comparison."""
    return {"totals": {k: clean(v) for k, v in totals.items()}, "balance": clean(balance), "lean": clean(lean)}


def compare_document(result: Comparison) -> dict[str, Any]:
    """The JSON document of `compare --format json`."""

    def pole(s: Score) -> dict[str, str]:
        """A pack's balance poles."""
        return {"plus": s.pack.scoring.plus, "minus": s.pack.scoring.minus}

    def share(value: float | None) -> float | None:
        """A share as JSON, or null."""
        return None if value is None else clean(value)

    actors: dict[str, Any] = {}
    for name, c in result.actors.items():
        fa, fb = c.a.final, c.b.final
        actors[name] = {
            "final": {
                "date": fa.date,
                "a": _side(fa.totals, fa.balance, fa.lean),
                "b": _side(fb.totals, fb.balance, fb.lean),
                "balance_difference": clean(fb.balance - fa.balance),
                "lean_difference": clean(fb.lean - fa.lean),
            },
            "timeline": [
                {
                    "date": ra.date,
                    "event": ra.event,
                    "a": _side(ra.totals, ra.balance, ra.lean),
                    "b": _side(rb.totals, rb.balance, rb.lean),
                    "balance_difference": clean(rb.balance - ra.balance),
                }
                for ra, rb in zip(c.a.timeline, c.b.timeline, strict=True)
            ],
            "events": [
                {"event": d.name, "a": share(d.a), "b": share(d.b), "difference": clean(d.difference)}
                for d in c.events
            ],
            "rules": [
                {
                    "rule": d.name,
                    "defined_at": {"a": d.a_at, "b": d.b_at},
                    "a": share(d.a),
                    "b": share(d.b),
                    "difference": clean(d.difference),
                }
                for d in c.rules
            ],
        }
    return {
        "a": {"rules": result.labels[0], "balance": pole(result.a)},
        "b": {"rules": result.labels[1], "balance": pole(result.b)},
        "changed_weights": [
            {"rule": ch.rule, "defined_at": {"a": ch.a_at, "b": ch.b_at}, "a": ch.a, "b": ch.b}
            for ch in result.changes
        ],
        "actors": actors,
    }


def sensitivity_document(result: Sensitivity) -> dict[str, Any]:
    """The JSON document of `sensitivity --format json`."""

    def variant(v: Variant) -> dict[str, float]:
        """One variant of a weight as JSON."""
        return {"weight": clean(v.weight), "balance": clean(v.balance), "lean": clean(v.lean)}

    return {
        "delta": result.delta,
        "balance": {"plus": result.plus, "minus": result.minus},
        "actors": {
            name: {
                "date": actor.date,
                "balance": clean(actor.balance),
                "lean": clean(actor.lean),
                "variations": [
                    {
                        "rule": v.rule,
                        "axis": v.axis,
                        "file": printable(v.file),
                        "line": v.line,
                        "weight": v.weight,
                        "low": variant(v.low),
                        "high": variant(v.high),
                        "flips": v.flips,
                        "breakeven_weight": v.breakeven,
                    }
                    for v in actor.variations
                ],
                "flips": [v.name for v in actor.flips],
            }
            for name, actor in result.actors.items()
        },
    }
