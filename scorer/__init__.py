"""scorer: turns coded foreign-policy events into an explainable alignment score.

The Python API under the `scorer` command, one function per command:

    >>> import scorer
    >>> events = scorer.read_events("fixtures/kazakhstan-2009.yaml")  # any format; events.tally: skipped rows
    >>> result = scorer.score(events)              # the bundled pack; or a RulePack, a name ("cameo"), a path
    >>> result.actors["KAZ"].final.balance
    >>> result.to_polars("timeline")               # or "drivers", "trail"; .to_pandas() with scorer[pandas]
    >>> print(scorer.render(scorer.explain(events), "markdown"))

`dir(scorer)` lists the API: the functions (`read_events`, `load_pack`,
`without`, `score`, `explain`, `sensitivity`, `compare`, `plot`, `render`,
`write_report`, `write_file`, `set_weight`, `init`, `validate`, `lint`,
`check_as_of`, `check_actor`, ...; `convert` to Parquet, `tested_fields`, `prepare`; on a Dask
cluster `cluster_inputs`, `score_on_cluster`, `explain_on_cluster`), the types
of their inputs and results, and the errors they raise.

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
    from scorer.api import (
        bands,
        calibrate,
        check_actor,
        check_as_of,
        check_editable,
        cluster_inputs,
        compare,
        convert,
        explain,
        explain_on_cluster,
        global_sensitivity,
        init,
        lint,
        load_pack,
        plot,
        prepare,
        read_events,
        read_targets,
        render,
        score,
        score_on_cluster,
        sensitivity,
        set_weight,
        tested_fields,
        validate,
        without,
        write_calibration,
        write_file,
        write_report,
    )
    from scorer.model.event import Event
    from scorer.model.frame import EventSet
    from scorer.model.skipped import Skip, Tally
    from scorer.pack.model import Rule, RulePack
    from scorer.problems import InputError, Problem, UsageError
    from scorer.scoring.actor import ActorScore
    from scorer.scoring.score import Score

__version__ = "0.1.0"

_EXPORTS = {
    "ActorScore": "scorer.scoring.actor",
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
    "Skip": "scorer.model.skipped",
    "Tally": "scorer.model.skipped",
    "UsageError": "scorer.problems",
    "bands": "scorer.api",
    "calibrate": "scorer.api",
    "check_actor": "scorer.api",
    "check_as_of": "scorer.api",
    "check_editable": "scorer.api",
    "compare": "scorer.api",
    "explain": "scorer.api",
    "global_sensitivity": "scorer.api",
    "init": "scorer.api",
    "lint": "scorer.api",
    "load_pack": "scorer.api",
    "plot": "scorer.api",
    "prepare": "scorer.api",
    "read_events": "scorer.api",
    "render": "scorer.api",
    "score": "scorer.api",
    "sensitivity": "scorer.api",
    "set_weight": "scorer.api",
    "validate": "scorer.api",
    "without": "scorer.api",
    "read_targets": "scorer.api",
    "write_calibration": "scorer.api",
    "write_file": "scorer.api",
    "write_report": "scorer.api",
    "cluster_inputs": "scorer.api",
    "convert": "scorer.api",
    "explain_on_cluster": "scorer.api",
    "score_on_cluster": "scorer.api",
    "tested_fields": "scorer.api",
}

__all__ = [
    "ActorScore",
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
    "Skip",
    "Tally",
    "UsageError",
    "__version__",
    "bands",
    "calibrate",
    "check_actor",
    "check_as_of",
    "cluster_inputs",
    "check_editable",
    "compare",
    "convert",
    "explain",
    "explain_on_cluster",
    "global_sensitivity",
    "init",
    "lint",
    "load_pack",
    "plot",
    "prepare",
    "read_events",
    "read_targets",
    "render",
    "score",
    "score_on_cluster",
    "sensitivity",
    "set_weight",
    "tested_fields",
    "validate",
    "without",
    "write_calibration",
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
