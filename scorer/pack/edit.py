"""`weights set`: change one number in the rule file that defines it, and nothing else.

The new text is spliced into the span the YAML parser reports for that
scalar, so comments, order, quoting and spacing survive. The write is atomic
and edits of one folder take turns under a lock on the folder
(`scorer.io.atomic`), so two edits at once both land and a kill leaves the
rule file old or new, never half-written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scorer.io.atomic import locked_folder, replace_file
from scorer.io.yaml import Located, load_yaml
from scorer.pack.bundled import bundled_rules
from scorer.pack.load import load_rules
from scorer.pack.model import outside_range, weight_problem
from scorer.problems import InputError, Problem

_BOM = "\ufeff"


@dataclass(frozen=True)
class Edit:
    """One weight changed: where, which, from what to what (None: the signal was added)."""

    file: str
    line: int
    rule: str
    axis: str
    old: float | None
    new: float


def format_weight(weight: float, like: str = "") -> str:
    """The weight as YAML text every YAML 1.1 and 1.2 reader takes for a number.

    Whole numbers stay whole where the file wrote them so; an exponent always
    follows a decimal point (`1.0e-05`: YAML 1.1 reads `1e-05` as text).
    """
    if re.fullmatch(r"[-+]?[0-9]+", like.strip()) and weight.is_integer():
        return str(int(weight))
    text = repr(weight)
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:
        text = f"{mantissa}.0e{exponent}"
    return text


# What stands before a scalar's value in its span: an anchor (&name) and a tag (!!float).
_PROPERTIES = re.compile(r"(?:(?:&[^\s]+|![^\s]*)\s+)*")


def set_weight(pack_path: str | Path | None, rule_id: str, axis: str, weight: float) -> Edit:
    """Change one weight in place; refuses (InputError) and leaves every file untouched on any problem."""
    pack = load_rules(pack_path)
    try:
        rule = pack.rule(rule_id)
    except KeyError:
        where = str(pack_path) if pack_path is not None else str(bundled_rules())
        raise InputError([Problem(where, 1, 1, f"unknown rule '{rule_id}': nothing changed")]) from None
    if axis not in pack.scoring.axes:
        message = (
            f"unknown axis '{axis}' for rule '{rule_id}': axes are {', '.join(pack.scoring.axes)}; nothing changed"
        )
        raise InputError([Problem(rule.file, rule.line, 1, message)])
    problem = weight_problem(weight, f"{rule_id!r} on {axis!r}") or outside_range(rule, axis, weight)
    if problem:
        raise InputError([Problem(rule.file, rule.line, 1, f"{problem}; nothing changed")])
    try:
        with locked_folder(Path(rule.file).resolve().parent):
            return _edit(Path(rule.file), rule_id, axis, weight)
    except OSError as err:
        # A folder or file we may not write: say so as the other refusals do, not as a crash.
        message = f"cannot write {err.filename or rule.file}: {err.strerror or err}; nothing changed"
        raise InputError([Problem(rule.file, rule.line, 1, message)]) from None


def set_weights(pack_path: str | Path, changes: list[tuple[str, str, float]]) -> list[Edit]:
    """Several weights changed in place, one splice each (as `set_weight`); every change is checked before
    any file is written, so a refusal leaves every file as it was."""
    pack = load_rules(pack_path)
    problems = []
    for rule_id, axis, weight in changes:
        rule = pack.rule(rule_id)
        problem = weight_problem(weight, f"{rule_id!r} on {axis!r}") or outside_range(rule, axis, weight)
        if problem:
            problems.append(Problem(rule.file, rule.line, 1, f"{problem}; nothing changed"))
    if problems:
        raise InputError(problems)
    return [set_weight(pack_path, rule_id, axis, weight) for rule_id, axis, weight in changes]


def _edit(path: Path, rule_id: str, axis: str, weight: float) -> Edit:
    """Splice the new weight into the rule file's text and write it; the Edit done."""
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    bom = text.startswith(_BOM)
    body = text[1:] if bom else text
    doc = load_yaml(body, str(path))
    index = _rule_index(doc, rule_id, path)
    signals_path: tuple[str | int, ...] = ("rules", index, "signals")
    value_path = signals_path + (axis,)
    if isinstance(doc.data["rules"][index]["signals"].get(axis), dict):
        # `{weight: W, range: [LO, HI]}`: the weight alone changes, the range stays as written.
        value_path += ("weight",)
    if value_path in doc.spans:
        start, end = doc.spans[value_path]
        properties = _PROPERTIES.match(body, start, end)
        start = properties.end() if properties else start  # anchors and tags stay
        old_text = body[start:end]
        old = _weight(doc, index, axis)
        new_body = body[:start] + format_weight(weight, old_text) + body[end:]
    else:
        old = None
        new_body = _add_signal(body, doc, signals_path, axis, format_weight(weight))
    target = value_path if value_path in doc.spans else signals_path
    if any(span == doc.spans[target] for where, span in doc.spans.items() if where != target):
        # A YAML alias (*name) shares this node with another place: the splice would change both.
        message = f"the weights of rule '{rule_id}' are shared with another place through a YAML alias; nothing changed"
        raise InputError([doc.problem(target, message)])
    check = load_yaml(new_body, str(path))
    if _weight(check, index, axis) != weight:  # pragma: no cover - a bug of ours
        raise InputError(
            [Problem(str(path), 1, 1, "internal error: the edit did not give the new weight; file left as it was")]
        )
    replace_file(path, ((_BOM if bom else "") + new_body).encode("utf-8"))
    line, _ = check.where(value_path)
    return Edit(str(path), line, rule_id, axis, old, weight)


def _weight(doc: Located, index: int, axis: str) -> float | None:
    """The weight of a rule's signal as the document writes it (plain, or under `weight:`)."""
    value = doc.data["rules"][index]["signals"].get(axis)
    return value.get("weight") if isinstance(value, dict) else value


def _rule_index(doc: Located, rule_id: str, path: Path) -> int:
    """The place of a rule in its file's `rules:` list."""
    for index, rule in enumerate(doc.data.get("rules", [])):
        if isinstance(rule, dict) and rule.get("id") == rule_id:
            return index
    raise InputError([Problem(str(path), 1, 1, f"rule '{rule_id}' not found in this file")])  # pragma: no cover


def _add_signal(body: str, doc: Located, signals_path: tuple[str | int, ...], axis: str, value: str) -> str:
    """A signal the rule does not have yet, added in the style of its neighbours."""
    start, end = doc.spans[signals_path]
    axes = list(doc.data["rules"][signals_path[1]]["signals"])
    if body[start] == "{":
        if not axes:
            return body[: start + 1] + f"{axis}: {value}" + body[start + 1 :]
        # Right after the last value: before any comma, comment or line break that follows it.
        last = max(doc.spans[signals_path + (name,)][1] for name in axes)
        return body[:last] + f", {axis}: {value}" + body[last:]
    _, col = doc.where(signals_path + (axes[0],), key=True)
    _, last_end = doc.spans[signals_path + (axes[-1],)]
    line_end = body.find("\n", last_end)
    if line_end < 0:
        line_end = len(body)
    newline = "\r\n" if "\r\n" in body else "\n"  # the file's own line ends, even on its last line
    if body[line_end - 1 : line_end] == "\r":
        line_end -= 1
    return body[:line_end] + newline + " " * (col - 1) + f"{axis}: {value}" + body[line_end:]
