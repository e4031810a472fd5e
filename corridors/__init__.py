"""corridors: freight transport corridors as sourced, weighted geospatial networks.

>>> import corridors
>>> net = corridors.load_network()
>>> route = net.route("Xi'an", "Poti")
>>> corridors.compare(net, "Xi'an", "Duisburg").table()
"""

from __future__ import annotations

import importlib
import logging
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# A library prints nothing its user did not ask for: without a logging handler of the user's, what the package logs
# (validation's warnings about drawings, said again when a network is read back from the cache) stays silent, where
# Python would otherwise print it on stderr before every command's answer. `corridors validate` shows it.
logging.getLogger(__name__).addHandler(logging.NullHandler())

# Each public name and the module that defines it. The package imports a module only when one of its names is first
# used (PEP 562): `corridors --help` and `import corridors` then cost milliseconds instead of the second it takes to
# import pandas, networkx, geopandas, matplotlib and folium.
_PUBLIC = {
    "backtest": ("backtest", "backtest"),
    "bottleneck": ("capacity", "bottleneck"),
    "check_claim": ("claims", "check"),
    "load_claims": ("claims", "load_claims"),
    "compare": ("compare", "compare"),
    "Conditions": ("conditions", "Conditions"),
    "boundaries": ("datasets", "boundaries"),
    "countries": ("datasets", "countries"),
    "data_path": ("datasets", "data_path"),
    "CorridorError": ("errors", "CorridorError"),
    "MissingTableError": ("errors", "MissingTableError"),
    "NoRouteError": ("errors", "NoRouteError"),
    "Problem": ("errors", "Problem"),
    "UnknownPlaceError": ("errors", "UnknownPlaceError"),
    "ValidationError": ("errors", "ValidationError"),
    "Network": ("network", "Network"),
    "graph_from_gdfs": ("convert", "graph_from_gdfs"),
    "graph_to_gdfs": ("convert", "graph_to_gdfs"),
    "load_network": ("network", "load_network"),
    "validate": ("network", "validate"),
    "corridors": ("registry", "corridors"),
    "load_corridors": ("registry", "load_corridors"),
    "Route": ("route", "Route"),
    "Scenario": ("scenarios", "Scenario"),
    "ScenarioError": ("scenarios", "ScenarioError"),
    "diff": ("scenarios", "diff"),
    "TransitTime": ("simulation", "TransitTime"),
    "simulate": ("simulation", "simulate"),
    "GridError": ("sweep", "GridError"),
}
# Submodules that are public names themselves (``corridors.sweep(grid)`` calls the module; see corridors.sweep).
_MODULES = ("convert", "sweep")
# Public functions that live in a module of the same name: the name is the module, made callable (see _Callable).
_CALLABLE = ("backtest", "compare")

__all__ = [  # written out, not derived from _PUBLIC, so that static tools read it
    "Conditions",
    "CorridorError",
    "GridError",
    "MissingTableError",
    "Network",
    "NoRouteError",
    "Problem",
    "Route",
    "Scenario",
    "ScenarioError",
    "TransitTime",
    "UnknownPlaceError",
    "ValidationError",
    "__version__",
    "backtest",
    "bottleneck",
    "boundaries",
    "check_claim",
    "compare",
    "convert",
    "corridors",
    "countries",
    "data_path",
    "diff",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "load_claims",
    "load_corridors",
    "load_network",
    "simulate",
    "sweep",
    "validate",
]


def __getattr__(name: str) -> Any:
    """Return a public name, importing its module on first use; cache it so that later lookups are plain."""
    if name in _MODULES or name in _CALLABLE:
        return importlib.import_module(f".{name}", __name__)  # importing sets it, through _Package.__setattr__
    try:
        module, attribute = _PUBLIC[name]
    except KeyError:
        raise AttributeError(f"module 'corridors' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    globals()[name] = value
    return value


class _Callable(types.ModuleType):
    """A submodule that is also the function of its name: ``corridors.compare(net, "Xi'an", "Poti")`` calls
    ``corridors.compare.compare``, while ``import corridors.compare`` still gives the module and every name in it
    (``corridors.compare.Comparison``). A package attribute holding the function would hide the module."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, self.__name__.rpartition(".")[2])(*args, **kwargs)


class _Package(types.ModuleType):
    """The package module, which makes a submodule of ``_CALLABLE`` callable when it is set as an attribute: the
    import system sets it whenever the submodule is first imported, from anywhere (``from .compare import compare``
    included)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _CALLABLE and isinstance(value, types.ModuleType) and not isinstance(value, _Callable):
            value.__class__ = _Callable
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC, *_MODULES, *_CALLABLE})


if TYPE_CHECKING:  # type checkers and IDEs see the names as if imported eagerly
    from . import convert
    from .backtest import backtest
    from .capacity import bottleneck
    from .claims import check as check_claim
    from .claims import load_claims
    from .compare import compare
    from .conditions import Conditions
    from .convert import graph_from_gdfs, graph_to_gdfs
    from .datasets import boundaries, countries, data_path
    from .errors import CorridorError, MissingTableError, NoRouteError, Problem, UnknownPlaceError, ValidationError
    from .network import Network, load_network, validate
    from .registry import corridors, load_corridors
    from .route import Route
    from .scenarios import Scenario, ScenarioError, diff
    from .simulation import TransitTime, simulate
    from .sweep import GridError
