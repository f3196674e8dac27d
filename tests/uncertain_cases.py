"""Random packs and events for the tests of units, bands, Sobol' indices and calibration, and the brute-force
references they are checked against (every number made again by rescoring, not by the units)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

from scorer.io.load import read_events
from scorer.model.frame import EventSet
from scorer.pack.load import load_rules
from scorer.pack.model import RulePack
from scorer.scoring.score import Matched, Score, match, rescore

AXES = ("nato", "russia", "china")


@dataclass(frozen=True)
class Case:
    """A pack's rules (each `type: tK`, with its signals) and events, written out when `load`ed."""

    signals: list[dict[str, float]]
    events: list[dict[str, Any]]
    half_life: float | None
    uncertainty: float

    def pack_text(self, ranges: dict[tuple[int, str], tuple[float, float]] | None = None) -> str:
        """The pack as YAML; `ranges` gives some signals an explicit range."""
        half_life = "null" if self.half_life is None else repr(self.half_life)
        lines = [
            "scoring:",
            f"  axes: [{', '.join(AXES)}]",
            "  balance: {plus: nato, minus: russia}",
            f"  half_life_days: {half_life}",
            f"  uncertainty: {self.uncertainty!r}",
            "rules:",
        ]
        for k, signals in enumerate(self.signals):
            written = []
            for axis, weight in signals.items():
                bounds = (ranges or {}).get((k, axis))
                value = repr(weight) if bounds is None else f"{{weight: {weight!r}, range: [{bounds[0]!r}, {bounds[1]!r}]}}"
                written.append(f"{axis}: {value}")
            lines.append(f"  - {{id: r{k}, when: {{type: t{k}}}, signals: {{{', '.join(written)}}}}}")
        return "\n".join(lines) + "\n"

    def load(self, folder: Path, ranges: dict[tuple[int, str], tuple[float, float]] | None = None) -> tuple[EventSet, RulePack]:
        """The events and the pack, read from files in `folder`."""
        (folder / "pack.yaml").write_text(self.pack_text(ranges))
        (folder / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in self.events))
        return read_events(str(folder / "events.jsonl")), load_rules(folder / "pack.yaml")


@st.composite
def cases(draw: st.DrawFn, *, decay: bool = True, min_events: int = 1, uncertainty: float | None = None) -> Case:
    """A pack of 1-5 rules and up to 25 events of 1-3 actors over 30 years."""
    rules = draw(st.integers(1, 5))
    weight = st.floats(-3, 3, allow_nan=False).map(lambda w: round(w, 3))
    signals = [
        draw(st.dictionaries(st.sampled_from(AXES), weight, min_size=1, max_size=3)) for _ in range(rules)
    ]
    count = draw(st.integers(min_events, 25))
    events = []
    for i in range(count):
        year, month, day = draw(st.integers(1994, 2023)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
        precision = draw(st.sampled_from(["day", "day", "month", "year"]))
        date = {"day": f"{year}-{month:02d}-{day:02d}", "month": f"{year}-{month:02d}", "year": f"{year}"}[precision]
        events.append(
            {
                "id": f"e{i}",
                "date": date,
                "actor": draw(st.sampled_from(["KAZ", "FIN", "IND"])),
                "type": f"t{draw(st.integers(0, rules))}",  # one past the rules: unmatched
                "intensity": draw(st.sampled_from([0.5, 1.0, 2.0])),
                "confidence": draw(st.sampled_from([0.5, 1.0])),
            }
        )
    half_life = draw(st.one_of(st.none(), st.sampled_from([200.0, 1500.0]))) if decay else None
    spread = uncertainty if uncertainty is not None else draw(st.sampled_from([0.0, 0.1, 0.5]))
    return Case(signals, events, half_life, spread)


def matched_of(events: EventSet, pack: RulePack, as_of: str | None = None) -> Matched:
    """The events matched once."""
    return match(events, pack, as_of=as_of)


def with_weights(pack: RulePack, weights: dict[tuple[str, str], float]) -> RulePack:
    """The pack with these (rule, axis) weights."""
    for (rule, axis), weight in weights.items():
        pack = pack.with_weight(rule, axis, weight)
    return pack


def balance_signals(pack: RulePack) -> list[tuple[str, str]]:
    """Every (rule, axis) on the balance's poles, in pack order."""
    poles = (pack.scoring.plus, pack.scoring.minus)
    return [(rule.id, axis) for rule in pack.rules for axis in rule.signals if axis in poles]


def unit_balances(matched: Matched, pack: RulePack, every: str | None = None) -> dict[tuple[str, str], Score]:
    """Per balance signal, the score with that weight 1 and every other weight 0: its unit contribution."""
    zero = {(rule.id, axis): 0.0 for rule in pack.rules for axis in rule.signals}
    return {
        signal: rescore(matched, with_weights(pack, {**zero, signal: 1.0}), every=every)  # type: ignore[arg-type]
        for signal in balance_signals(pack)
    }


def drawn_balances(matched: Matched, pack: RulePack, weights: np.ndarray, names: list[tuple[str, str]]) -> list[Score]:
    """The score under each row of drawn weights (columns: `names`), by rescoring."""
    return [rescore(matched, with_weights(pack, dict(zip(names, row.tolist(), strict=True)))) for row in weights]
