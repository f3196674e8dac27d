"""scorer: turns coded foreign-policy events into an explainable alignment score.

The Python API under the `scorer` command, one function per command:

    >>> import scorer
    >>> events = scorer.read_events("fixtures/kazakhstan-2009.yaml")
    >>> pack = scorer.load_pack()            # the bundled pack; "cameo", "default" or a path for others
    >>> result = scorer.score(events, pack)
    >>> result.actors["KAZ"].final.balance

The names are loaded on first use, so that importing the package (as the
command does first) loads neither polars nor numpy: the command sets up their
allocator before they load (see `scorer.cli`).
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

if _TYPE_CHECKING:
    from scorer.analysis.compare import Comparison
    from scorer.analysis.explain import Explanation
    from scorer.analysis.sensitivity import Sensitivity
    from scorer.analysis.whatif import without
    from scorer.api import (
        check_actor,
        check_as_of,
        compare,
        explain,
        init,
        lint,
        load_pack,
        plot,
        score,
        sensitivity,
        set_weight,
        validate,
        write_file,
        write_report,
    )
    from scorer.io.load import read_events
    from scorer.model.event import Event
    from scorer.model.frame import EventSet
    from scorer.pack.model import Rule, RulePack
    from scorer.problems import InputError, Problem, UsageError
    from scorer.report.render import render
    from scorer.scoring.score import Score

__version__ = "0.1.0"

_EXPORTS = {
    "Comparison": "scorer.analysis.compare",
    "Event": "scorer.model.event",
    "EventSet": "scorer.model.frame",
    "Explanation": "scorer.analysis.explain",
    "InputError": "scorer.problems",
    "Problem": "scorer.problems",
    "Rule": "scorer.pack.model",
    "RulePack": "scorer.pack.model",
    "Score": "scorer.scoring.score",
    "Sensitivity": "scorer.analysis.sensitivity",
    "UsageError": "scorer.problems",
    "check_actor": "scorer.api",
    "check_as_of": "scorer.api",
    "compare": "scorer.api",
    "explain": "scorer.api",
    "init": "scorer.api",
    "lint": "scorer.api",
    "load_pack": "scorer.api",
    "plot": "scorer.api",
    "read_events": "scorer.io.load",
    "render": "scorer.report.render",
    "score": "scorer.api",
    "sensitivity": "scorer.api",
    "set_weight": "scorer.api",
    "validate": "scorer.api",
    "without": "scorer.analysis.whatif",
    "write_file": "scorer.api",
    "write_report": "scorer.api",
}

__all__ = [
    "Comparison",
    "Event",
    "EventSet",
    "Explanation",
    "InputError",
    "Problem",
    "Rule",
    "RulePack",
    "Score",
    "Sensitivity",
    "UsageError",
    "__version__",
    "check_actor",
    "check_as_of",
    "compare",
    "explain",
    "init",
    "lint",
    "load_pack",
    "plot",
    "read_events",
    "render",
    "score",
    "sensitivity",
    "set_weight",
    "validate",
    "without",
    "write_file",
    "write_report",
]


def __getattr__(name: str) -> _Any:
    """An API name, loaded from its module when first asked for."""
    if name in _EXPORTS:
        value = getattr(_importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'scorer' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The API, and nothing else."""
    return list(__all__)
