"""scorer: turns coded foreign-policy events into an explainable alignment score.

The Python API under the `scorer` command:

    >>> import scorer
    >>> events = scorer.load_events("fixtures/kazakhstan-2009.yaml")
    >>> pack = scorer.load_rules()            # the bundled pack
    >>> result = scorer.score(events, pack)
    >>> result.actors["KAZ"].final.balance

The names below are loaded on first use, so that importing the package (as
the command does first) loads neither polars nor numpy: the command sets up
their allocator before they load (see `scorer.command`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scorer.events import EventSet, load_events
    from scorer.model import Event
    from scorer.problems import InputError, Problem
    from scorer.rules import Rule, RulePack, load_rules
    from scorer.timeline import Score, score

__version__ = "0.1.0"

_EXPORTS = {
    "Event": "scorer.model",
    "EventSet": "scorer.events",
    "load_events": "scorer.events",
    "InputError": "scorer.problems",
    "Problem": "scorer.problems",
    "Rule": "scorer.rules",
    "RulePack": "scorer.rules",
    "load_rules": "scorer.rules",
    "Score": "scorer.timeline",
    "score": "scorer.timeline",
}

__all__ = [
    "Event",
    "EventSet",
    "InputError",
    "Problem",
    "Rule",
    "RulePack",
    "Score",
    "__version__",
    "load_events",
    "load_rules",
    "score",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'scorer' has no attribute {name!r}")
