"""Matching: which rules fire on which events, decided by durable_rules once per distinct fact.

`semantics` says what conditions mean, `channels` what the engine sees of an
event, `compile` turns conditions into durable_rules expressions, `distinct`
finds the distinct facts of a frame, `host` talks to durable_rules, and
`matcher.Matcher` puts them together.
"""

from scorer.engine.host import EngineError
from scorer.engine.matcher import Matcher, compiled, fields_of

__all__ = ["EngineError", "Matcher", "compiled", "fields_of"]
