"""The differential hunt: random packs and events, scored through the command line and checked against
tests/differential_model.py, which shares no code with `scorer/`.

`make_case(seed)` draws one case (a pack, events in YAML, JSON Lines or CSV, and
flags among --as-of, --every, --set, --without and --actor); `run_case(seed,
main, folder)` scores it with `main(argv)` twice and says what went wrong, if
anything: an exit status other than 0, 1 or 2, an internal error, an actor
missing, an infinity or NaN, a rerun that differs by a byte, or a number that
differs from the model's. Nothing here imports `scorer`: the caller passes `main`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from differential_model import differences, expected

ACTORS = ["KAZ", "UZB", "KGZ"]
TYPES = ["diplomacy.meeting", "arms.buy", "exercise.join", "trade.deal"]
PARTNERS = ["NATO", "RUS", "CHN", "EU", "USA"]
SETS = {"west": ["NATO", "EU", "USA"], "east": ["RUS", "CHN"]}
TAGS = ["bilateral", "summit", "military"]
WORDS = ["high", "low"]
SOURCES = ["Reuters wire", "AP report", "TASS", "Xinhua note"]
NUMBERS = [0, 0.5, 1, 1.5, 2, 3, 4.25]


@dataclass
class Case:
    """One drawn case: the pack and events as data, the events' format, the flags as the model reads them."""

    pack: dict[str, Any]
    events: list[dict[str, Any]]
    fmt: str
    flags: dict[str, Any] = field(default_factory=dict)

    def argv(self, events: Path, pack: Path) -> list[str]:
        """The command line that scores this case."""
        argv = ["score", str(events), "--rules", str(pack), "--format", "json"]
        if self.flags.get("as_of") is not None:
            argv += ["--as-of", self.flags["as_of"]]
        if self.flags.get("every"):
            argv += ["--every", self.flags["every"]]
        for rule, axis, weight in self.flags.get("set", []):
            argv += ["--set", f"{rule}.{axis}={weight!r}"]
        for event_id in self.flags.get("without", []):
            argv += ["--without", event_id]
        if self.flags.get("actor"):
            argv += ["--actor", self.flags["actor"]]
        return argv


def _date(r: random.Random) -> str:
    """A date of 2008-2010, whole or partial."""
    year = r.choice([2008, 2009, 2009, 2010])
    kind = r.random()
    if kind < 0.15:
        return str(year)
    if kind < 0.35:
        return f"{year}-{r.randint(1, 12):02d}"
    return f"{year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"


def _test(r: random.Random, name: str) -> Any:
    """What a condition says of one field: a value, a list, or a mapping of operators."""
    if name == "type":
        return r.choice([r.choice(TYPES), {"ne": r.choice(TYPES)}, r.sample(TYPES, 2), {"not_in": r.sample(TYPES, 2)},
                         {"prefix": "arms"}, {"regex": r"^(arms|trade)\."}])
    if name == "partner":
        return r.choice([r.choice(PARTNERS), {"ne": r.choice(PARTNERS)}, {"in": r.sample(PARTNERS, 2)},
                         {"in_set": r.choice(sorted(SETS))}, {"exists": r.random() < 0.5}, {"not_in": r.sample(PARTNERS, 2)}])
    if name in ("intensity", "confidence", "attrs.x"):
        low, high = sorted(r.sample(NUMBERS, 2))
        choices: list[Any] = [{r.choice(["gt", "gte", "lt", "lte"]): r.choice(NUMBERS)}, r.choice(NUMBERS),
                              {"gt": low, "lte": high}, {"ne": r.choice(NUMBERS)}]
        if name == "attrs.x":
            choices += [r.choice(WORDS), {"exists": r.random() < 0.5}, {"in": [1, "high"]}, {"not_in": [0.5, "low"]}]
        return r.choice(choices)
    if name == "tags":
        return r.choice([{"contains": r.choice(TAGS)}, {"in": r.sample(TAGS, 2)}, {"not_in": r.sample(TAGS, 1)},
                         {"exists": r.random() < 0.5}])
    if name == "date":
        return r.choice([{r.choice(["gt", "gte", "lt", "lte"]): _date(r)}, _date(r), {"in": [_date(r), _date(r)]},
                         {"ne": _date(r)}])
    return r.choice([{"regex": "(?i)reuters|tass"}, {"prefix": "AP"}, {"exists": True}])


def _condition(r: random.Random, depth: int) -> dict[str, Any]:
    """A `when` mapping: tests of fields, all, any and not, nested down to `depth`."""
    condition: dict[str, Any] = {}
    for _ in range(r.randint(1, 3)):
        roll = r.random()
        if depth > 0 and roll < 0.25:
            key, value = r.choice(["all", "any"]), [_condition(r, depth - 1) for _ in range(r.randint(1, 4))]
        elif depth > 0 and roll < 0.35:
            key, value = "not", _condition(r, depth - 1)
        else:
            key = r.choice(["type", "partner", "intensity", "confidence", "attrs.x", "tags", "date", "source"])
            value = _test(r, key)
        if key in condition:
            condition = {"all": [condition, {key: value}]}
        else:
            condition[key] = value
    return condition


def _pack(r: random.Random) -> dict[str, Any]:
    """A random valid pack."""
    axes = ["nato", "russia"] + (["china"] if r.random() < 0.5 else [])
    plus, minus = r.sample(axes, 2)
    scoring: dict[str, Any] = {"axes": axes, "balance": {"plus": plus, "minus": minus}}
    if r.random() < 0.5:
        scoring["half_life_days"] = r.choice([3, 10, 30.5, 365])
    rules = []
    for i in range(r.randint(1, 8)):
        signals = {axis: r.choice([-2, -1, -0.5, 0.25, 1, 1.5, 3]) for axis in r.sample(axes, r.randint(1, len(axes)))}
        rule: dict[str, Any] = {"id": f"r{i}", "when": _condition(r, r.randint(0, 3)), "signals": signals}
        if r.random() < 0.1:
            rule["enabled"] = False
        rules.append(rule)
    return {"scoring": scoring, "sets": SETS, "rules": rules}


def _events(r: random.Random) -> list[dict[str, Any]]:
    """Random events of a few actors, optional fields present or not."""
    events = []
    for i in range(r.randint(1, 12)):
        event: dict[str, Any] = {"id": f"e{i}", "date": _date(r), "actor": r.choice(ACTORS), "type": r.choice(TYPES)}
        if r.random() < 0.8:
            event["partner"] = r.choice(PARTNERS)
        if r.random() < 0.6:
            event["intensity"] = r.choice(NUMBERS)
        if r.random() < 0.4:
            event["confidence"] = r.choice([0, 0.25, 0.5, 1])
        if r.random() < 0.4:
            event["tags"] = r.sample(TAGS, r.randint(1, 2))
        if r.random() < 0.5:
            event["attrs"] = {"x": r.choice(NUMBERS + WORDS)}
        if r.random() < 0.4:
            event["source"] = r.choice(SOURCES)
        events.append(event)
    return events


def make_case(seed: int) -> Case:
    """The case of this seed."""
    r = random.Random(seed)
    pack, events = _pack(r), _events(r)
    flags: dict[str, Any] = {}
    if r.random() < 0.35:
        flags["as_of"] = _date(r)
    if r.random() < 0.25:
        flags["every"] = r.choice(["year", "quarter", "month"])
    if r.random() < 0.25:
        rule = r.choice(pack["rules"])
        flags["set"] = [(rule["id"], r.choice(pack["scoring"]["axes"]), r.choice([-3.5, 0, 0.75, 2]))]
    if r.random() < 0.2:
        flags["without"] = [r.choice(events)["id"]]
    if r.random() < 0.2:
        left = [e["actor"] for e in events if e["id"] not in flags.get("without", [])]
        if left:
            flags["actor"] = r.choice(left)
    return Case(pack, events, r.choice(["yaml", "jsonl", "csv"]), flags)


def write_events(case: Case, folder: Path) -> Path:
    """The case's events as a file of its format."""
    path = folder / f"events.{case.fmt}"
    if case.fmt == "yaml":
        path.write_text(json.dumps({"events": case.events}, indent=1), encoding="utf-8")
    elif case.fmt == "jsonl":
        path.write_text("".join(json.dumps(e) + "\n" for e in case.events), encoding="utf-8")
    else:
        out = io.StringIO()
        columns = ["id", "date", "actor", "type", "partner", "intensity", "confidence", "source", "tags", "attrs.x"]
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for e in case.events:
            cells = {**e, "tags": ";".join(e.get("tags", [])), "attrs.x": (e.get("attrs") or {}).get("x", "")}
            writer.writerow(["" if cells.get(c) is None else cells[c] for c in columns])
        path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _call(main: Callable[[list[str]], int], argv: list[str]) -> tuple[int, str, str]:
    """Exit status, standard output and standard error of one in-process run."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def run_case(seed: int, main: Callable[[list[str]], int], folder: Path) -> list[str]:
    """Score the case of `seed` in `folder`: what went wrong ("crash: ..." or "differs: ..."), none when it agrees."""
    case = make_case(seed)
    pack = folder / "pack.yaml"
    pack.write_text(json.dumps(case.pack, indent=1), encoding="utf-8")
    argv = case.argv(write_events(case, folder), pack)
    code, out, err = _call(main, argv)
    again = _call(main, argv)
    problems = []
    if code not in (0, 1, 2) or "internal error" in err or "Traceback" in err:
        problems.append(f"crash: exit {code}: {err.strip()[:300]}")
    elif code != 0:
        problems.append(f"differs: a valid case was refused (exit {code}): {err.strip()[:300]}")
    if again != (code, out, err):
        problems.append("crash: a second run printed something else")
    if problems:
        return problems
    if "Infinity" in out or "NaN" in out:
        problems.append("crash: an infinity or NaN in the output")
    got = json.loads(out)["actors"]
    want = expected(case.pack, case.events, case.flags)
    if sorted(got) != sorted(want):
        problems.append(f"differs: actors {sorted(got)}, expected {sorted(want)}")
    else:
        problems += [f"differs: {d}" for d in differences(want, got)[:5]]
    return problems
