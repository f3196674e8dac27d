"""Questions asked of scores: what if a weight changed (`sensitivity`), what if another pack (`compare`),
what if some events had not happened (`whatif`), how sure is the balance (`bands`, `sobol`) and does it
agree with an outside measure (`calibrate`).

`global_sensitivity` (`scorer.analysis.sobol`) loads SALib, and with it scipy
and pandas, and `bands_of` (`scorer.analysis.bands`) loads scipy: each is
loaded when first asked for, so that no other command pays for that import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scorer.analysis.bands import bands as bands_of
    from scorer.analysis.sobol import global_sensitivity

__all__ = ["bands_of", "global_sensitivity"]

_HEAVY = {"bands_of": ("scorer.analysis.bands", "bands"), "global_sensitivity": ("scorer.analysis.sobol", "global_sensitivity")}


def __getattr__(name: str) -> Any:
    """`bands_of` and `global_sensitivity`, from the modules that load scipy and SALib, when first asked for."""
    if name in _HEAVY:
        module, attribute = _HEAVY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
