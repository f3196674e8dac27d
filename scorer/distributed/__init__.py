"""Scoring on a Dask cluster (`--engine dask`): what workers do (`parts`) and what the driver does (`driver`).

Dask is an optional extra (`pip install 'scorer[dask]'`): `driver`, which
imports it, is loaded on first use, and `DaskMissing` says how to install
it when it is not there.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from scorer.problems import UsageError


class DaskMissing(UsageError):
    """`--engine dask` without Dask installed."""


def load_driver() -> ModuleType:
    """The driver module, loaded now; DaskMissing if Dask is not installed."""
    try:
        return importlib.import_module("scorer.distributed.driver")
    except ImportError as err:
        if err.name is not None and err.name.split(".")[0] in ("dask", "distributed"):
            raise DaskMissing("--engine dask needs Dask: pip install 'scorer[dask]'") from None
        raise


def __getattr__(name: str) -> Any:
    """`driver`'s names, loaded when first asked for."""
    if name in ("connect", "inputs", "run", "Inputs", "MAX_FETCHED"):
        return getattr(load_driver(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
