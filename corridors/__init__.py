"""corridors: freight transport corridors as sourced, weighted geospatial networks.

>>> import corridors
>>> net = corridors.load_network()
>>> route = net.route("Xi'an", "Poti")
>>> corridors.compare(net, "Xi'an", "Duisburg").table()
"""

from __future__ import annotations

from .backtest import backtest
from .capacity import bottleneck
from .claims import check as check_claim
from .claims import load_claims
from .compare import compare
from .conditions import Conditions
from .datasets import boundaries, countries, data_path
from .errors import CorridorError, NoRouteError, Problem, UnknownPlaceError, ValidationError
from .network import Network, graph_from_gdfs, graph_to_gdfs, load_network, validate
from .registry import corridors, load_corridors
from .route import Route
from .scenarios import Scenario, ScenarioError, diff
from .simulation import TransitTime, simulate

__version__ = "0.1.0"

__all__ = [
    "Conditions",
    "CorridorError",
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
    "validate",
]
