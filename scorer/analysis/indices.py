"""The results of global sensitivity (`sensitivity --global`): Sobol' indices per actor and weight.

Kept apart from the analysis itself (`scorer.analysis.sobol`), which loads
SALib and its dependencies: reports and the command line name these results
without paying for that import.
"""

from __future__ import annotations

from dataclasses import dataclass

from scorer.analysis.defaults import BASE_DRAWS
from scorer.problems import printable


@dataclass(frozen=True)
class Index:
    """The Sobol' indices of one weight, with the half-widths of their 95% confidence intervals."""

    rule: str
    axis: str
    file: str
    line: int
    s1: float
    s1_conf: float
    st: float
    st_conf: float
    shown: str = ""  # the rule's file as reports name it (`rules/military.yaml`); "" for `file`

    @property
    def name(self) -> str:
        """`rule.axis`."""
        return f"{self.rule}.{self.axis}"

    @property
    def where(self) -> str:
        """Where the rule is defined, as reports name it: `rules/military.yaml:12`."""
        return printable(f"{self.shown or self.file}:{self.line}")


@dataclass(frozen=True)
class ActorIndices:
    """One actor's final balance, how much it varies over the draws, and the indices of the weights that move it."""

    actor: str
    date: str
    balance: float
    variance: float
    signals: tuple[Index, ...]  # largest ST first


@dataclass(frozen=True)
class GlobalSensitivity:
    """Every actor's indices, with the base draws and seed that made them."""

    draws: int
    seed: int
    plus: str
    minus: str
    actors: dict[str, ActorIndices]


def check_draws(draws: int) -> None:
    """ValueError unless `draws` is a power of two (what a Sobol' sequence keeps its balance at)."""
    if draws < 2 or draws & (draws - 1):
        raise ValueError(f"draws must be a power of two from 2 on (such as {BASE_DRAWS}), not {draws}")


