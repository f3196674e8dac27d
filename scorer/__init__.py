"""scorer: turns coded foreign-policy events into an explainable alignment score.

The Python API under the `scorer` command:

    >>> import scorer
    >>> events = scorer.load_events("fixtures/kazakhstan-2009.yaml")
    >>> pack = scorer.load_rules()            # the bundled pack
    >>> result = scorer.score(events, pack)
    >>> result.actors["KAZ"].final.balance
"""

from scorer.events import Event, EventSet, load_events
from scorer.problems import InputError, Problem
from scorer.rules import Rule, RulePack, load_rules
from scorer.timeline import Score, score

__version__ = "0.1.0"

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
