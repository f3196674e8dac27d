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
    """One alpha node: the tests below it (by what they test), the forward nodes it points to, its rules;
    and for the stack bound, the nodes that lead to it and the worst it adds on a path from it."""

    tests: dict[tuple[str, str, Hashable], int] = field(default_factory=dict)
    forwards: list[int] = field(default_factory=list)
    rules: int = 0
    parents: list[int] = field(default_factory=list)
    equal_on: dict[str, int] = field(default_factory=dict)  # channel -> equality tests on it below
    others: int = 0  # tests below that are not equalities
    best: int = -1  # the most a path from here leaves pending, less one
    onward: int = 0  # the largest `best` below (0 when none is larger)

    def pushed(self) -> int:
        """How many children one fact can match at once: of the equality tests on one channel, only one."""
        return len(self.forwards) + self.others + len(self.equal_on)

    def over(self) -> bool:
        """Whether the engine could not hold this node."""
        return len(self.tests) > MAX_TESTS_BELOW or len(self.forwards) > MAX_FORWARDS or self.rules > MAX_RULES_AT


class Network:
    """The alpha network durable_rules builds from a ruleset's rule expressions, node for node.

    The stack bound is kept up to date as nodes are added (each change is passed
    up to the nodes that lead to it), and every change is journaled, so that a
    rule can be tried and taken back (`mark`, `rollback`) without a copy.
    """

    def __init__(self) -> None:
        self.nodes: list[_Node] = [_Node()]  # node 0 is the root every fact enters
        self._journal: list[tuple[Any, ...]] = []
        self._over: set[int] = set()  # nodes the engine could not hold

    def add(self, expression: dict[str, Any]) -> None:
        """Add one rule whose condition is `expression`."""
        node = self._build(expression, 0)
        self._journal.append(("rules", node))
        self.nodes[node].rules += 1
        self._check(node)

    def mark(self) -> int:
        """A point to `rollback` to."""
        return len(self._journal)

    def rollback(self, mark: int) -> None:
        """Undo every change since `mark`."""
        while len(self._journal) > mark:
            change = self._journal.pop()
            kind, node = change[0], self.nodes[change[1]]
            if kind == "rules":
                node.rules -= 1
            elif kind == "over":
                self._over.discard(change[1])
            elif kind == "best":
                node.best, node.onward = change[2], change[3]
            elif kind == "parent":
                node.parents.pop()
            elif kind == "forward":
                node.forwards.pop()
            elif kind == "test":
                channel, op, _ = change[2]
                del node.tests[change[2]]
                if op != "$eq":
                    node.others -= 1
                elif node.equal_on[channel] == 1:
                    del node.equal_on[channel]
                else:
                    node.equal_on[channel] -= 1
            else:  # "node": the last node made
                self.nodes.pop()

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
                end = self._build(item, parent)
                self._journal.append(("forward", end))
                self.nodes[end].forwards.append(forward)
                self._link(end, forward)
            return forward
        if name.startswith("$"):
            ((channel, operand),) = value.items()
            key = (channel, name, _hashable(operand))
        else:
            key = (name, "$eq", _hashable(value))
        above = self.nodes[parent]
        if key in above.tests:
            return above.tests[key]
        child = self._new()
        self._journal.append(("test", parent, key))
        above.tests[key] = child
        if key[1] == "$eq":
            above.equal_on[key[0]] = above.equal_on.get(key[0], 0) + 1
        else:
            above.others += 1
        self._link(parent, child)
        return child

    def _new(self) -> int:
        """A new node, by its index."""
        self.nodes.append(_Node())
        self._journal.append(("node", len(self.nodes) - 1))
        return len(self.nodes) - 1

    def _link(self, parent: int, child: int) -> None:
        """Note that `parent` now leads to `child`, and pass the change up."""
        self._journal.append(("parent", child))
        self.nodes[child].parents.append(parent)
        self._check(parent)
        # Adding only ever raises a bound, so the most below a node is kept as a running maximum.
        todo = [(parent, self.nodes[child].best)]
        while todo:
            index, below = todo.pop()
            node = self.nodes[index]
            onward = max(node.onward, below)
            best = node.pushed() - 1 + onward
            if (onward, best) != (node.onward, node.best):
                self._journal.append(("best", index, node.best, node.onward))
                changed = best != node.best
                node.onward, node.best = onward, best
                if changed:
                    todo.extend((up, best) for up in node.parents)

    def _check(self, index: int) -> None:
        """Note `index` among the nodes the engine could not hold, if it now is one."""
        if index not in self._over and self.nodes[index].over():
            self._over.add(index)
            self._journal.append(("over", index))

    def stack_bound(self) -> int:
        """The most nodes any fact can leave pending on the engine's stack at once.

        The worst path from the root: each node on it leaves pending all it pushes but the one walked on.
        """
        return 1 + self.nodes[0].best

    def fits(self) -> bool:
        """Whether the engine accepts this network and no fact can overflow its stack."""
        return self.stack_bound() <= MAX_STACK and not self._over


def _hashable(value: Any) -> Hashable:
    """A test's constant as a key: the engine tells apart `true` and `1`, so the type is part of it."""
    return (type(value).__name__, value)
