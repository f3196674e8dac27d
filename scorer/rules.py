"""Rulepacks: `scoring`, `sets` and `rules` from one YAML file or a directory of them.

A rule's `when` is parsed into a small condition tree (`All`, `AnyOf`, `Not`,
`Test`) that the engine compiles; every problem names the file, line and
column where the analyst has to look.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scorer.events import parse_date, read_text
from scorer.patterns import regex_problem
from scorer.problems import InputError, Problem
from scorer.yamlfile import Located, describe, load_yaml

FIELDS = ("id", "date", "actor", "type", "partner", "intensity", "confidence", "source", "tags")
OPERATORS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "prefix", "regex", "contains", "in_set", "exists")
ORDERING = ("gt", "gte", "lt", "lte")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_RULE_KEYS = ("id", "description", "when", "signals", "enabled", "references")

Scalar = str | int | float | bool

# Weights are "how much an event moves the country", on a scale of a few units;
# past a million a weight is a typo (or an attempt to drown every other rule), and
# sums of such weights times intensities could overflow to infinity.
MAX_WEIGHT = 1e6


def weight_too_large(what: str, weight: float) -> str:
    return f"weight of {what} is {weight:g}: weights may be at most {MAX_WEIGHT:,.0f} either way"


@dataclass(frozen=True)
class Test:
    """One operator on one event field; `in_set` arrives here as `in` with the set's members."""

    field: str
    op: str
    operand: Any


@dataclass(frozen=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Test | All | AnyOf | Not


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    when: Condition
    signals: dict[str, float]
    enabled: bool
    references: tuple[str, ...]
    file: str
    line: int


@dataclass(frozen=True)
class Scoring:
    axes: tuple[str, ...] = ("nato", "russia")
    plus: str = "nato"
    minus: str = "russia"
    half_life_days: float | None = None


@dataclass(frozen=True)
class RulePack:
    scoring: Scoring
    sets: dict[str, tuple[Scalar, ...]]
    rules: tuple[Rule, ...]
    files: tuple[str, ...] = field(default=())

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def with_weight(self, rule_id: str, axis: str, weight: float) -> RulePack:
        """The same pack with one weight changed (for `--set`)."""
        rules = tuple(
            replace(rule, signals={**rule.signals, axis: weight}) if rule.id == rule_id else rule for rule in self.rules
        )
        return replace(self, rules=rules)


def bundled_rules() -> Path:
    """The default pack: shipped inside the package, or the checkout's top-level `rules/`."""
    inside = Path(__file__).resolve().parent / "rules"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parent.parent / "rules"


def pack_files(path: str | Path) -> list[Path]:
    """The YAML files of a pack in the order they are merged."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise InputError([Problem(str(path), 1, 1, "no .yaml or .yml rule files in this folder")])
        return files
    if not path.exists():
        raise InputError([Problem(str(path), 1, 1, "no such file or folder")])
    return [path]


def _shown(path: Path) -> Path:
    """The bundled pack named as `rules/...` when run from the checkout, not by an absolute path."""
    relative = os.path.relpath(path)
    return Path(relative) if not relative.startswith("..") else path


def load_rules(path: str | Path | None = None) -> RulePack:
    """Read and validate a rulepack; every problem of every file is raised together."""
    files = pack_files(path) if path is not None else [_shown(p) for p in pack_files(bundled_rules())]
    problems: list[Problem] = []
    documents: list[Located] = []
    for file in files:
        try:
            documents.append(load_yaml(read_text(str(file)), str(file)))
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    pack = _Assembler(documents).assemble()
    return replace(pack, files=tuple(str(f) for f in files))


class _Assembler:
    def __init__(self, documents: list[Located]) -> None:
        self.documents = documents
        self.problems: list[Problem] = []

    def problem(self, doc: Located, path: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        self.problems.append(doc.problem(path, message, key=key))

    def assemble(self) -> RulePack:
        scoring = Scoring()
        scoring_doc: Located | None = None
        sets: dict[str, tuple[Scalar, ...]] = {}
        raw_rules: list[tuple[Located, int, dict[str, Any]]] = []
        for doc in self.documents:
            data = doc.data
            if data is None:
                continue
            if not isinstance(data, dict):
                self.problem(doc, (), f"a rule file must be a mapping with 'rules:', not {describe(data)}")
                continue
            for key in data:
                if key not in ("scoring", "sets", "rules"):
                    self.problem(
                        doc, (key,), f"unknown top-level key '{key}': expected scoring, sets or rules", key=True
                    )
            if "scoring" in data:
                if scoring_doc is not None:
                    line, _ = scoring_doc.where(("scoring",), key=True)
                    self.problem(doc, ("scoring",), f"'scoring' is already set in {scoring_doc.file}:{line}", key=True)
                else:
                    scoring_doc = doc
                    scoring = self.scoring(doc, data["scoring"])
            for name, members in self.sets(doc, data.get("sets")).items():
                if name in sets:
                    self.problem(doc, ("sets", name), f"set '{name}' is defined twice", key=True)
                sets[name] = members
            rules = data.get("rules", [])
            if not isinstance(rules, list):
                self.problem(doc, ("rules",), f"'rules' must be a list, not {describe(rules)}")
                continue
            for index, raw in enumerate(rules):
                if not isinstance(raw, dict):
                    self.problem(doc, ("rules", index), f"a rule must be a mapping, not {describe(raw)}")
                    continue
                raw_rules.append((doc, index, raw))
        built: list[Rule] = []
        seen: dict[str, tuple[str, int]] = {}
        for doc, index, raw in raw_rules:
            rule = self.rule(doc, index, raw, scoring, sets)
            if rule is None:
                continue
            if rule.id in seen:
                file, line = seen[rule.id]
                self.problem(doc, ("rules", index, "id"), f"duplicate rule id '{rule.id}' (first at {file}:{line})")
                continue
            seen[rule.id] = (rule.file, rule.line)
            built.append(rule)
        if not raw_rules and not self.problems:
            self.problems.append(
                Problem(self.documents[0].file if self.documents else "rules", 1, 1, "the pack has no rules")
            )
        if self.problems:
            raise InputError(self.problems)
        return RulePack(scoring, sets, tuple(built))

    def scoring(self, doc: Located, raw: Any) -> Scoring:
        at = ("scoring",)
        if not isinstance(raw, dict):
            self.problem(doc, at, f"'scoring' must be a mapping, not {describe(raw)}")
            return Scoring()
        for key in raw:
            if key not in ("axes", "balance", "half_life_days"):
                self.problem(
                    doc,
                    at + (key,),
                    f"unknown key '{key}' in scoring: expected axes, balance, half_life_days",
                    key=True,
                )
        axes = raw.get("axes", list(Scoring.axes))
        if not isinstance(axes, list) or not axes or not all(isinstance(a, str) and a for a in axes):
            self.problem(doc, at + ("axes",), "'axes' must be a non-empty list of names")
            axes = list(Scoring.axes)
        for i, axis in enumerate(axes):
            if axis in axes[:i]:
                self.problem(doc, at + ("axes", i), f"axis '{axis}' is listed twice")
        balance = raw.get("balance", {"plus": Scoring.plus, "minus": Scoring.minus})
        plus, minus = Scoring.plus, Scoring.minus
        if not isinstance(balance, dict) or set(balance) != {"plus", "minus"}:
            self.problem(doc, at + ("balance",), "'balance' must be a mapping with exactly 'plus' and 'minus'")
        else:
            plus, minus = balance["plus"], balance["minus"]
            for pole in ("plus", "minus"):
                if balance[pole] not in axes:
                    self.problem(
                        doc,
                        at + ("balance", pole),
                        f"balance {pole} pole '{balance[pole]}' is not an axis: axes are {', '.join(map(str, axes))}",
                    )
            if plus == minus:
                self.problem(doc, at + ("balance",), "balance plus and minus must be different axes")
        half_life = raw.get("half_life_days")
        if half_life is not None and (
            isinstance(half_life, bool)
            or not isinstance(half_life, (int, float))
            or not math.isfinite(half_life)
            or half_life <= 0
        ):
            self.problem(
                doc,
                at + ("half_life_days",),
                f"half_life_days must be a positive number of days or null, not {half_life!r}",
            )
            half_life = None
        return Scoring(tuple(axes), str(plus), str(minus), float(half_life) if half_life is not None else None)

    def sets(self, doc: Located, raw: Any) -> dict[str, tuple[Scalar, ...]]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problem(doc, ("sets",), f"'sets' must be a mapping of name to list, not {describe(raw)}")
            return {}
        result: dict[str, tuple[Scalar, ...]] = {}
        for name, members in raw.items():
            if not isinstance(members, list) or not members or not all(_is_scalar(m) for m in members):
                self.problem(doc, ("sets", name), f"set '{name}' must be a non-empty list of values")
                continue
            result[name] = tuple(members)
        return result

    def rule(
        self, doc: Located, index: int, raw: dict[str, Any], scoring: Scoring, sets: dict[str, tuple[Scalar, ...]]
    ) -> Rule | None:
        at: tuple[Any, ...] = ("rules", index)
        before = len(self.problems)
        for key in raw:
            if key not in _RULE_KEYS:
                self.problem(
                    doc, at + (key,), f"unknown key '{key}' in rule: expected {', '.join(_RULE_KEYS)}", key=True
                )
        for key in ("id", "when", "signals"):
            if key not in raw:
                self.problem(doc, at, f"rule is missing required key '{key}'")
        rule_id = raw.get("id")
        if "id" in raw and (not isinstance(rule_id, str) or not _ID.match(rule_id)):
            self.problem(
                doc, at + ("id",), f"rule id must be a name of letters, digits, '-', '_' or '.', not {rule_id!r}"
            )
        description = raw.get("description", "")
        if not isinstance(description, str):
            self.problem(doc, at + ("description",), f"description must be text, not {describe(description)}")
        enabled = raw.get("enabled", True)
        if not isinstance(enabled, bool):
            self.problem(doc, at + ("enabled",), f"enabled must be true or false, not {enabled!r}")
        references = raw.get("references", [])
        if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
            self.problem(doc, at + ("references",), "references must be a list of text")
        signals: dict[str, float] = {}
        raw_signals = raw.get("signals", {})
        if not isinstance(raw_signals, dict) or ("signals" in raw and not raw_signals):
            self.problem(doc, at + ("signals",), "signals must be a non-empty mapping of axis to weight")
        else:
            for axis, weight in raw_signals.items():
                where = at + ("signals", axis)
                if axis not in scoring.axes:
                    self.problem(
                        doc, where, f"signal on unknown axis '{axis}': axes are {', '.join(scoring.axes)}", key=True
                    )
                elif isinstance(weight, bool) or not isinstance(weight, (int, float)):
                    self.problem(doc, where, f"weight of '{axis}' must be a number, not {describe(weight)}")
                elif not math.isfinite(weight):
                    self.problem(doc, where, f"weight of '{axis}' must be finite, not {weight}")
                elif abs(weight) > MAX_WEIGHT:
                    self.problem(doc, where, weight_too_large(f"'{axis}'", weight))
                else:
                    signals[axis] = float(weight)
        when: Condition | None = None
        if "when" in raw:
            when = _ConditionParser(self, doc, sets).parse(raw["when"], at + ("when",))
        if len(self.problems) > before or when is None:
            return None
        line, _ = doc.where(at)
        return Rule(str(rule_id), description, when, signals, enabled, tuple(references), doc.file, line)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


class _ConditionParser:
    def __init__(self, owner: _Assembler, doc: Located, sets: dict[str, tuple[Scalar, ...]]) -> None:
        self.owner = owner
        self.doc = doc
        self.sets = sets

    def fail(self, path: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        self.owner.problem(self.doc, path, message, key=key)

    def parse(self, raw: Any, at: tuple[Any, ...]) -> Condition | None:
        if not isinstance(raw, dict):
            self.fail(at, f"a condition must be a mapping, not {describe(raw)}")
            return None
        if not raw:
            self.fail(at, "a condition must not be empty")
            return None
        items: list[Condition | None] = []
        for key, value in raw.items():
            where = at + (key,)
            if key in ("all", "any"):
                if not isinstance(value, list) or not value:
                    self.fail(where, f"'{key}' must be a non-empty list of conditions")
                    items.append(None)
                    continue
                parts = [self.parse(item, where + (i,)) for i, item in enumerate(value)]
                if any(p is None for p in parts):
                    items.append(None)
                    continue
                group = tuple(p for p in parts if p is not None)
                items.append(All(group) if key == "all" else AnyOf(group))
            elif key == "not":
                inner = self.parse(value, where)
                items.append(Not(inner) if inner is not None else None)
            elif key in FIELDS or (key.startswith("attrs.") and len(key) > len("attrs.")):
                items.append(self.field(key, value, where))
            else:
                self.fail(
                    where,
                    f"unknown field '{key}' in condition: expected an event field "
                    f"({', '.join(FIELDS)}), attrs.NAME, all, any or not",
                    key=True,
                )
                items.append(None)
        if any(item is None for item in items):
            return None
        done = tuple(item for item in items if item is not None)
        return done[0] if len(done) == 1 else All(done)

    def field(self, name: str, value: Any, at: tuple[Any, ...]) -> Condition | None:
        if isinstance(value, dict):
            if not value:
                self.fail(at, f"no operator given for '{name}'")
                return None
            tests = [self.test(name, op, operand, at + (op,)) for op, operand in value.items()]
            if any(t is None for t in tests):
                return None
            done = tuple(t for t in tests if t is not None)
            return done[0] if len(done) == 1 else All(done)
        if isinstance(value, list):
            return self.test(name, "in", value, at)
        return self.test(name, "eq", value, at)

    def test(self, name: str, op: str, operand: Any, at: tuple[Any, ...]) -> Test | None:
        if op not in OPERATORS:
            self.fail(at, f"unknown operator '{op}': expected one of {', '.join(OPERATORS)}", key=True)
            return None
        if op == "in_set":
            if not isinstance(operand, str) or operand not in self.sets:
                known = ", ".join(sorted(self.sets)) or "none defined"
                self.fail(at, f"unknown set {operand!r} (sets: {known})")
                return None
            op, operand = "in", list(self.sets[operand])
        if name == "tags" and op not in ("eq", "in", "not_in", "contains", "exists"):
            self.fail(at, f"'{op}' does not apply to tags: use contains, in, not_in or exists", key=True)
            return None
        if op == "contains" and name != "tags":
            self.fail(at, "'contains' applies to tags only", key=True)
            return None
        if op == "exists":
            if not isinstance(operand, bool):
                self.fail(at, f"exists takes true or false, not {operand!r}")
                return None
            return Test(name, op, operand)
        if op in ("in", "not_in"):
            if not isinstance(operand, list) or not operand or not all(_is_scalar(v) for v in operand):
                self.fail(at, f"'{op}' takes a non-empty list of values")
                return None
            values = tuple(operand)
            if name == "date":
                dates = [self.date(value, at) for value in values]
                if None in dates:
                    return None
                values = tuple(dates)
            return Test(name, op, values)
        if op in ("prefix", "regex", "contains"):
            if not isinstance(operand, str):
                self.fail(at, f"'{op}' takes text, not {describe(operand)}")
                return None
            if op == "regex":
                # Checked for cost as well as syntax, so that no rule can hang a run (scorer/patterns.py).
                problem = regex_problem(operand)
                if problem is not None:
                    self.fail(at, problem)
                    return None
            return Test(name, op, operand)
        if not _is_scalar(operand):
            self.fail(at, f"'{op}' takes a single value, not {describe(operand)}")
            return None
        if name == "date":
            text = self.date(operand, at)
            return Test(name, op, text) if text is not None else None
        if op in ORDERING and (
            isinstance(operand, bool) or not isinstance(operand, (int, float)) or not math.isfinite(operand)
        ):
            self.fail(at, f"'{op}' compares numbers (or dates, for date), not {operand!r}")
            return None
        return Test(name, op, operand)

    def date(self, value: Any, at: tuple[Any, ...]) -> str | None:
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str):
            self.fail(at, f"expected a date YYYY, YYYY-MM or YYYY-MM-DD, not {describe(value)}")
            return None
        try:
            parse_date(text)
        except ValueError as err:
            self.fail(at, str(err))
            return None
        return text
