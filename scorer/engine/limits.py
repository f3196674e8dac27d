"""What one durable_rules 2.0.28 ruleset can hold, counted the way its C engine counts.

A rule's expression becomes two things in the engine:

* an *expression sequence* on the rule's node: every `$and` and `$or` takes two
  entries (its start and its end; tests of a fact against constants take none),
  and a sequence that reaches 32 entries is refused (error 113), so a rule may
  hold at most 15 `$and`/`$or` in all;
* nodes of the ruleset's *alpha network*, shared between rules: a test under a
  node reuses the child that makes the same test, each `$and` is a chain, and each
  `$or` is a fresh "forward" node that the end of every branch points to. A
  fact walks the network depth first with a stack of at most 64 pending nodes
  (error 303 past it); a node may have at most 511 tests below it (at 512 the
  engine's table is full and a fact that matches none of them never returns),
  127 forward nodes and 255 rules.

`Network` simulates that construction and bounds the stack for any fact: at a
node, every child that could match at once is pushed (of the equality tests on
one channel, only one can match) and every forward node always is; the worst
path through the network decides.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

MAX_SEQUENCE = 31  # entries in a rule's expression sequence (the engine refuses the 32nd)
MAX_STACK = 64  # nodes pending at once while one fact walks the alpha network
MAX_TESTS_BELOW = 511  # test nodes under one node (its table has 512 slots, one must stay empty)
MAX_FORWARDS = 127  # forward nodes one node points to
MAX_RULES_AT = 255  # rules one node leads to
MAX_CHANNELS = 240  # a fact holds at most 255 properties: its channels, its id and run, and room to spare


def sequence_length(expression: dict[str, Any]) -> int:
    """How many entries a rule's expression takes in the engine's expression sequence."""
    ((name, value),) = expression.items()
    if name in ("$and", "$or"):
        return 2 + sum(sequence_length(item) for item in value)
    return 0


@dataclass
class _Node:
    """One alpha node: the tests below it (by what they test), the forward nodes it points to, its rules."""

    tests: dict[tuple[str, str, Hashable], int] = field(default_factory=dict)
    forwards: list[int] = field(default_factory=list)
    rules: int = 0


class Network:
    """The alpha network durable_rules builds from a ruleset's rule expressions, node for node."""

    def __init__(self) -> None:
        self.nodes: list[_Node] = [_Node()]  # node 0 is the root every fact enters

    def copy(self) -> Network:
        """An independent copy, to try a rule without keeping it."""
        other = Network()
        other.nodes = [_Node(dict(n.tests), list(n.forwards), n.rules) for n in self.nodes]
        return other

    def add(self, expression: dict[str, Any]) -> None:
        """Add one rule whose condition is `expression`."""
        self.nodes[self._build(expression, 0)].rules += 1

    def _build(self, expression: dict[str, Any], parent: int) -> int:
        """The nodes of `expression` below `parent`; the node a fact that passes it reaches."""
        ((name, value),) = expression.items()
        if name == "$and":
            node = parent
            for item in value:
                node = self._build(item, node)
            return node
        if name == "$or":
            forward = self._new()
            for item in value:
                self.nodes[self._build(item, parent)].forwards.append(forward)
            return forward
        if name.startswith("$"):
            ((channel, operand),) = value.items()
            key = (channel, name, _hashable(operand))
        else:
            key = (name, "$eq", _hashable(value))
        tests = self.nodes[parent].tests
        if key not in tests:
            tests[key] = self._new()
        return tests[key]

    def _new(self) -> int:
        """A new node, by its index."""
        self.nodes.append(_Node())
        return len(self.nodes) - 1

    def stack_bound(self) -> int:
        """The most nodes any fact can leave pending on the engine's stack at once."""
        # The worst path from the root: each node on it leaves pending all it pushes but the one walked on.
        best: dict[int, int] = {}
        todo = [(0, False)]
        while todo:
            index, ready = todo.pop()
            if index in best:
                continue
            node = self.nodes[index]
            below = [*node.tests.values(), *node.forwards]
            if not ready:
                todo.append((index, True))
                todo.extend((c, False) for c in below if c not in best)
                continue
            onward = max((best[c] for c in below), default=0)
            best[index] = self._pushed(node) - 1 + max(0, onward)
        return 1 + best[0]

    @staticmethod
    def _pushed(node: _Node) -> int:
        """How many children of `node` one fact can match at once."""
        equal_on = {channel for channel, op, _ in node.tests if op == "$eq"}
        others = sum(1 for _, op, _ in node.tests if op != "$eq")
        return len(node.forwards) + others + len(equal_on)

    def fits(self) -> bool:
        """Whether the engine accepts this network and no fact can overflow its stack."""
        return self.stack_bound() <= MAX_STACK and all(
            len(n.tests) <= MAX_TESTS_BELOW and len(n.forwards) <= MAX_FORWARDS and n.rules <= MAX_RULES_AT
            for n in self.nodes
        )


def _hashable(value: Any) -> Hashable:
    """A test's constant as a key: the engine tells apart `true` and `1`, so the type is part of it."""
    return (type(value).__name__, value)
