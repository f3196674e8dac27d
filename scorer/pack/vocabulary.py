"""The names a pack knows for each event field a typo hides in: types, partners, actors.

A value is known when the codebook lists it (types), the country table has
it (actors and partners: ISO codes, blocs, CAMEO regions), a set holds it
(partners), or a rule names it or could match it (a prefix or a regex; for
types, any rule that does not rule the type out). An unknown
value is one no rule of the pack could ever match and no table explains:
most often a typo, and `suggest` names what it was likely meant to be.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from scorer.engine.semantics import judge, python_test, walk
from scorer.io.machine_coded.countries import places
from scorer.pack.model import All, Condition, RulePack, Test
from scorer.suggest import closest

LINTED = ("type", "partner", "actor")
_TYPE = frozenset({"type"})


@cache
def _table() -> tuple[frozenset[str], dict[str, str]]:
    """Every actor code the country table knows (countries, blocs, regions), and their spellings in lower case."""
    table = places()
    codes = set(table.iso) | set(table.bloc_names.values()) | set(table.cameo.values())
    aliases = {**table.names, **table.bloc_names}
    return frozenset(codes), aliases


@dataclass(frozen=True)
class Vocabulary:
    """What a pack knows of each linted field: names for certain, and tests that may match others."""

    own: dict[str, frozenset[str]]  # field -> the values the pack names (codebook, sets, rules)
    table: dict[str, frozenset[str]]  # field -> the values the country table knows
    patterns: dict[str, tuple[Test, ...]]  # field -> prefix and regex tests that match more values
    aliases: dict[str, str]  # other spellings (lower case) -> the code they stand for

    conditions: tuple[Condition, ...]  # every rule's `when`, and its contexts'

    def knows(self, name: str, value: str) -> bool:
        """Whether `value` of field `name` is one the pack or the tables know (a type: one a rule could match)."""
        if value in self.own[name] or value in self.table[name]:
            return True
        if name == "type":
            # A rule that tests no type (or tests it with `ne`, `not_in`, a regex) may match any type.
            return any(judge(when, {"type": value}, _TYPE) is not False for when in self.conditions)
        return any(python_test(test, value) for test in self.patterns[name])

    def suggest(self, name: str, value: str) -> list[str]:
        """The known names `value` was most likely meant to be, nearest first: the pack's own before the table's."""
        if name == "type":
            return closest(value, self.own[name])
        own = self.own[name]
        return closest(value, own, aliases={k: v for k, v in self.aliases.items() if v in own}) or closest(
            value, self.table[name], aliases=self.aliases
        )


def conditions_of(pack: RulePack) -> Iterable[Condition]:
    """What any rule (enabled or not) asks of an event: its `when`, and what its `after`/`not_after` ask of earlier ones.

    A sequence rule uses earlier events of the types its context names, so
    those types are as much in use as the types its `when` tests; a context
    without `when` takes an earlier event of any kind.
    """
    for rule in pack.rules:
        yield rule.when
        for context in rule.contexts:
            yield context.when if context.when is not None else All(())


def named_by_rules(pack: RulePack, name: str) -> Iterable[Test]:
    """Every test of any rule (enabled or not), its contexts' included, on field `name`."""
    for condition in conditions_of(pack):
        for test in walk(condition):
            if test.field == name and test.op != "same_as":
                yield test


def vocabulary(pack: RulePack) -> Vocabulary:
    """The names `pack` knows for each linted field."""
    codes, aliases = _table()
    members = frozenset(str(member) for values in pack.sets.values() for member in values)
    own: dict[str, frozenset[str]] = {}
    patterns: dict[str, tuple[Test, ...]] = {}
    for name in LINTED:
        found: set[str] = set()
        matching: list[Test] = []
        for test in named_by_rules(pack, name):
            if test.op in ("eq", "ne"):
                found.add(str(test.operand))
            elif test.op in ("in", "not_in"):
                found.update(str(value) for value in test.operand)
            elif test.op in ("prefix", "regex"):
                matching.append(test)
        found |= set(pack.codebook) if name == "type" else members if name == "partner" else set()
        own[name], patterns[name] = frozenset(found), tuple(matching)
    table = {"type": frozenset[str](), "partner": codes, "actor": codes}
    return Vocabulary(own, table, patterns, aliases, tuple(conditions_of(pack)))
