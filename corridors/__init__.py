"""corridors: freight transport corridors as sourced, weighted geospatial networks.

>>> import corridors
>>> net = corridors.load_network()
>>> route = net.route("Xi'an", "Poti")
"""

from __future__ import annotations

from .datasets import countries, data_path
from .errors import CorridorError, NoRouteError, Problem, UnknownPlaceError, ValidationError
from .network import Network, graph_from_gdfs, graph_to_gdfs, load_network, validate
from .route import Route
from .simulation import TransitTime, simulate

__version__ = "0.1.0"

__all__ = [
    "CorridorError",
    "Network",
    "NoRouteError",
    "Problem",
    "Route",
    "TransitTime",
    "UnknownPlaceError",
    "ValidationError",
    "__version__",
    "countries",
    "data_path",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "load_network",
    "simulate",
    "validate",
]
