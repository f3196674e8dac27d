"""Questions asked of scores: what if a weight changed (`sensitivity`), what if another pack (`compare`),
what if some events had not happened (`whatif`), how sure is the balance (`bands`, `sobol`) and does it
agree with an outside measure (`calibrate`).

Each analysis is loaded when first asked for (`scorer.analysis.calibrate` as
an attribute of this package, say), so that a score loads none of them: their
dataclasses alone take 40-50 ms to make. `global_sensitivity`
(`scorer.analysis.sobol`) loads SALib, and with it scipy and pandas, and
`bands_of` (`scorer.analysis.bands`) loads scipy: no other command pays for
that import. Their defaults are in `scorer.analysis.defaults`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scorer.analysis import calibrate, compare, explain, indices, sensitivity, uncertain, validation
    from scorer.analysis.bands import bands as bands_of
    from scorer.analysis.sobol import global_sensitivity

__all__ = [
    "bands_of",
    "calibrate",
    "compare",
    "explain",
    "global_sensitivity",
    "indices",
    "sensitivity",
    "uncertain",
    "validation",
]

_HEAVY = {"bands_of": ("scorer.analysis.bands", "bands"), "global_sensitivity": ("scorer.analysis.sobol", "global_sensitivity")}
_ON_FIRST_USE = frozenset({"calibrate", "compare", "explain", "indices", "sensitivity", "uncertain", "validation"})


def __getattr__(name: str) -> Any:
    """An analysis module, or `bands_of` and `global_sensitivity` from the modules that load scipy and
    SALib, when first asked for."""
    if name in _ON_FIRST_USE:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _HEAVY:
        module, attribute = _HEAVY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
