"""One event mapping validated with the pydantic model, each problem named where the analyst has to look."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scorer import model
from scorer.problems import Problem, describe, printable
from scorer.suggest import hint

if TYPE_CHECKING:
    from scorer.model.event import Event

# Where a problem stands: (the location pydantic gives, whether it is a key, the message) -> the problem.
Where = Callable[[tuple[Any, ...], bool, str], Problem]


def validate_event(raw: Any, where: Where) -> Event | list[Problem]:
    """One event mapping as an Event, or its problems; `where(loc, is_key, message)` places each one."""
    try:
        return model.Event.model_validate(raw)
    except model.ValidationError as err:
        problems: dict[tuple[Any, ...], Problem] = {}
        for error in err.errors():
            loc = tuple(error["loc"])
            message = _message(error)
            if error["type"] == "extra_forbidden" and len(loc) == 1:
                message = hint(message, str(loc[0]), model.Event.model_fields)
            if loc[:1] == ("attrs",) and len(loc) > 2:
                # One attribute failed every member of the union: say it once.
                loc = loc[:2]
                message = f"expected text, a number or true/false, got {describe(error.get('input'))}"
            name = printable(".".join(str(part) for part in loc)) or "event"
            problems.setdefault(loc, where(loc, error["type"] == "extra_forbidden", f"field '{name}': {message}"))
        return list(problems.values())


_EXPECTED = {
    "string": "text",
    "float": "a number",
    "int": "a number",
    "bool": "true or false",
    "list": "a list",
    "dict": "a mapping",
}


def _message(error: Any) -> str:
    """What a pydantic error means, in words an analyst reads."""
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_unicode":
        return "not text: holds half of a UTF-16 surrogate pair (such as \\ud800)"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "float_type" and isinstance(error.get("input"), int) and not isinstance(error.get("input"), bool):
        return "number too large: more than a float holds (about 1.8e308)"
    if kind.endswith("_type"):
        wanted = _EXPECTED.get(kind[: -len("_type")], "another type")
        return f"expected {wanted}, got {describe(error.get('input'))}"
    return str(error["msg"])
