"""Rulepacks read from one YAML file or a folder of them, validated, every problem with its file:line:col."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from scorer.io.files import missing, read_text
from scorer.io.machine_coded.cameo import CODEBOOK
from scorer.io.machine_coded.cameo import codebook as cameo_codebook
from scorer.io.yaml import Located, load_yaml
from scorer.model.fields import TYPE_RE
from scorer.pack.bundled import NAMED, bundled_rules, label, pack_name, shown
from scorer.pack.conditions import ConditionParser, is_scalar, split_same
from scorer.pack.model import MAX_WEIGHT, Condition, Context, Rule, RulePack, Scalar, Scoring, weight_problem
from scorer.problems import InputError, Problem, describe
from scorer.suggest import hint

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_RULE_KEYS = ("id", "description", "when", "after", "not_after", "signals", "enabled", "references")
_CONTEXT_KEYS = ("when", "within_days", "min_count")
_TOP_KEYS = ("codebook", "scoring", "sets", "rules")
# A share of each weight above this is no longer "how sure": every weight could be anything.
MAX_UNCERTAINTY = 10.0
_WEIGHTS_ALLOWED = f"of at most {MAX_WEIGHT:,.0f} either way, as weights are"


def pack_files(path: str | Path) -> list[Path]:
    """The YAML files of a pack in the order they are merged."""
    if str(path) == "-":
        return [Path("-")]  # one rule file, from standard input
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise InputError([Problem(str(path), 1, 1, "no .yaml or .yml rule files in this folder")])
        return files
    if not path.exists():
        problem = missing(str(path))
        # A bare word is most likely a bundled pack's name, mistyped.
        named = hint(problem.message, str(path), NAMED) if len(path.parts) == 1 else problem.message
        raise InputError([Problem(problem.file, problem.line, problem.col, named)])
    return [path]



def load_rules(path: str | Path | None = None) -> RulePack:
    """Read and validate a rulepack (by default the bundled one); every problem of every file is raised together."""
    files = pack_files(path) if path is not None else [shown(p) for p in pack_files(bundled_rules())]
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
    labels = {str(f): label(f) for f in files}
    rules = tuple(replace(rule, shown=labels[rule.file]) for rule in pack.rules)
    return replace(pack, rules=rules, files=tuple(str(f) for f in files), name=pack_name(path))


class _Assembler:
    """The files of one pack read into a `RulePack`, every problem of every file collected."""

    def __init__(self, documents: list[Located]) -> None:
        """The pack's YAML documents, in the order they are merged."""
        self.documents = documents
        self.problems: list[Problem] = []

    def problem(self, doc: Located, path: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        """Note a problem at `path` of `doc` (at its key when `key`)."""
        self.problems.append(doc.problem(path, message, key=key))

    def assemble(self) -> RulePack:
        """The pack of all the documents, merged; InputError with every problem found."""
        scoring = Scoring()
        codebook: dict[str, str] = {}
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
                if key not in _TOP_KEYS:
                    message = f"unknown top-level key '{key}': expected codebook, scoring, sets or rules"
                    self.problem(doc, (key,), hint(message, str(key), _TOP_KEYS), key=True)
            self.codebook(doc, data.get("codebook"), codebook)
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
        return RulePack(scoring, sets, tuple(built), codebook=codebook)

    def scoring(self, doc: Located, raw: Any) -> Scoring:
        """The `scoring:` section: axes, the balance's poles, the half-life, the uncertainty."""
        at = ("scoring",)
        if not isinstance(raw, dict):
            self.problem(doc, at, f"'scoring' must be a mapping, not {describe(raw)}")
            return Scoring()
        for key in raw:
            if key not in ("axes", "balance", "half_life_days", "uncertainty"):
                self.problem(
                    doc,
                    at + (key,),
                    f"unknown key '{key}' in scoring: expected axes, balance, half_life_days, uncertainty",
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
        uncertainty = raw.get("uncertainty", 0)
        if isinstance(uncertainty, bool) or not isinstance(uncertainty, (int, float)) or not 0 <= uncertainty <= MAX_UNCERTAINTY:
            self.problem(
                doc,
                at + ("uncertainty",),
                f"uncertainty must be a number from 0 to {MAX_UNCERTAINTY:g} (a share of each weight), not {uncertainty!r}",
            )
            uncertainty = 0
        return Scoring(
            tuple(axes), str(plus), str(minus), float(half_life) if half_life is not None else None, float(uncertainty)
        )

    def codebook(self, doc: Located, raw: Any, codebook: dict[str, str]) -> None:
        """The event types a file describes, added to `codebook`: each a dotted lower-case type with its meaning."""
        if raw is None:
            return
        if raw == CODEBOOK:
            # The CAMEO codes the GDELT and ICEWS readers give events: from the table they read them with.
            raw = cameo_codebook()
        if not isinstance(raw, dict):
            message = f"'codebook' must be a mapping of event type to meaning, or '{CODEBOOK}', not {describe(raw)}"
            self.problem(doc, ("codebook",), message)
            return
        for kind, meaning in raw.items():
            at = ("codebook", kind)
            if not TYPE_RE.match(kind):
                self.problem(doc, at, f"bad type {kind!r}: expected dotted lower case such as 'exercise.decline'", key=True)
            elif not isinstance(meaning, str) or not meaning.strip():
                self.problem(doc, at, f"the meaning of type '{kind}' must be text, not {describe(meaning)}")
            elif kind in codebook:
                self.problem(doc, at, f"type '{kind}' is in the codebook twice", key=True)
            else:
                codebook[kind] = meaning

    def sets(self, doc: Located, raw: Any) -> dict[str, tuple[Scalar, ...]]:
        """The named sets of one document: each a non-empty list of values."""
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problem(doc, ("sets",), f"'sets' must be a mapping of name to list, not {describe(raw)}")
            return {}
        result: dict[str, tuple[Scalar, ...]] = {}
        for name, members in raw.items():
            if not isinstance(members, list) or not members or not all(is_scalar(m) for m in members):
                self.problem(doc, ("sets", name), f"set '{name}' must be a non-empty list of values")
                continue
            result[name] = tuple(members)
        return result

    def rule(
        self, doc: Located, index: int, raw: dict[str, Any], scoring: Scoring, sets: dict[str, tuple[Scalar, ...]]
    ) -> Rule | None:
        """One rule checked: its id, its conditions, its contexts, its signals."""
        at: tuple[Any, ...] = ("rules", index)
        before = len(self.problems)
        for key in raw:
            if key not in _RULE_KEYS:
                message = hint(f"unknown key '{key}' in rule: expected {', '.join(_RULE_KEYS)}", str(key), _RULE_KEYS)
                self.problem(doc, at + (key,), message, key=True)
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
        signals, ranges = self.signals(doc, at, raw, scoring)
        when: Condition | None = None
        if "when" in raw:
            when = ConditionParser(doc, sets, self.problems).parse(raw["when"], at + ("when",))
        contexts = {kind: self.context(doc, at + (kind,), raw[kind], sets) for kind in ("after", "not_after") if kind in raw}
        if len(self.problems) > before or when is None:
            return None
        line, _ = doc.where(at)
        return Rule(
            str(rule_id),
            description,
            when,
            signals,
            enabled,
            tuple(references),
            doc.file,
            line,
            after=contexts.get("after"),
            not_after=contexts.get("not_after"),
            ranges=ranges,
        )

    def signals(
        self, doc: Located, at: tuple[Any, ...], raw: dict[str, Any], scoring: Scoring
    ) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
        """A rule's signals checked: each axis's weight, and the range of those that have one."""
        signals: dict[str, float] = {}
        ranges: dict[str, tuple[float, float]] = {}
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
                elif (signal := self.signal(doc, where, axis, weight)) is not None:
                    signals[axis], bounds = signal
                    if bounds is not None:
                        ranges[axis] = bounds
        return signals, ranges

    def context(
        self, doc: Located, at: tuple[Any, ...], raw: Any, sets: dict[str, tuple[Scalar, ...]]
    ) -> Context | None:
        """A rule's `after` or `not_after`: which earlier events count, how many, and how long before."""
        kind = str(at[-1])
        if not isinstance(raw, dict):
            self.problem(doc, at, f"'{kind}' must be a mapping with 'when', not {describe(raw)}")
            return None
        before = len(self.problems)
        for key in raw:
            if key not in _CONTEXT_KEYS:
                message = f"unknown key '{key}' in {kind}: expected {', '.join(_CONTEXT_KEYS)}"
                self.problem(doc, at + (key,), hint(message, str(key), _CONTEXT_KEYS), key=True)
        if "when" not in raw:
            self.problem(doc, at, f"'{kind}' is missing required key 'when'")
        within = raw.get("within_days")
        if within is not None and (
            isinstance(within, bool) or not isinstance(within, (int, float)) or not math.isfinite(within) or within < 0
        ):
            self.problem(doc, at + ("within_days",), f"within_days must be a number of days, 0 or more, not {within!r}")
        count = raw.get("min_count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            self.problem(doc, at + ("min_count",), f"min_count must be a whole number, 1 or more, not {count!r}")
        when: Condition | None = None
        if "when" in raw:
            when = ConditionParser(doc, sets, self.problems, context=True).parse(raw["when"], at + ("when",))
        if len(self.problems) > before or when is None:
            return None
        rest, same = split_same(when)
        return Context(kind, rest, same, None if within is None else float(within), count)

    def signal(
        self, doc: Located, where: tuple[Any, ...], axis: str, raw: Any
    ) -> tuple[float, tuple[float, float] | None] | None:
        """A signal's weight, and its range when written `{weight: W, range: [LO, HI]}`; None after a problem."""
        if not isinstance(raw, dict):
            problem = weight_problem(raw, f"'{axis}'")
            if problem:
                self.problem(doc, where, problem)
                return None
            return float(raw), None
        unknown = [key for key in raw if key not in ("weight", "range")]
        for key in unknown:
            self.problem(doc, where + (key,), f"unknown key '{key}' in signal '{axis}': expected weight, range", key=True)
        if "weight" not in raw:
            self.problem(doc, where, f"signal '{axis}' is missing required key 'weight'")
            return None
        problem = weight_problem(raw["weight"], f"'{axis}'")
        if problem:
            self.problem(doc, where + ("weight",), problem)
            return None
        weight = float(raw["weight"])
        if unknown or "range" not in raw:
            return (weight, None) if not unknown else None
        bounds = raw["range"]
        if not isinstance(bounds, list) or len(bounds) != 2 or any(weight_problem(b, f"'{axis}'") for b in bounds):
            self.problem(doc, where + ("range",), f"range of '{axis}' must be [LOW, HIGH], two numbers {_WEIGHTS_ALLOWED}")
            return None
        low, high = float(bounds[0]), float(bounds[1])
        if not low <= weight <= high:
            self.problem(doc, where + ("range",), f"range [{low:g}, {high:g}] of '{axis}' must hold its weight {weight:g}")
            return None
        return weight, (low, high)


