"""Converting a Network: to and from a networkx graph and GeoDataFrames, to files (the dataset, GraphML, GeoParquet).

The graph and the GeoDataFrames carry the places and legs; the rest of a network (its sources, time parameters,
costs, emission factors and condition sets) travels beside them: :func:`graph_from_gdfs` takes it from the network
named by ``like``, so that a round trip keeps every time, cost and emission a route is priced with.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from . import contract
from .errors import CorridorError, ValidationError
from .io import RawTable, join_list, write_tables

if TYPE_CHECKING:
    import networkx as nx

    from .costs import CostParameters
    from .network import Network
    from .timing import TimeParameters

NODE_FIELDS = tuple(c.name for c in contract.NODE_COLUMNS)
LEG_FIELDS = tuple(c.name for c in contract.LEG_COLUMNS)
CRS = "EPSG:4326"
#: What :meth:`Network.save` writes nodes and legs as; every one of them reads back with load_network.
SAVE_FORMATS = ("csv", "geojson", "gpkg")


def to_graph(network: Network) -> nx.MultiDiGraph:
    """Return the network as a read-only networkx MultiDiGraph (see :attr:`corridors.network.Network.graph`)."""
    nodes, legs = network._nodes, network._legs
    import networkx as nx  # here, not above: a route, a simulation or a report never needs it

    graph = nx.MultiDiGraph(crs=CRS, name=network.name)
    for node_id, row in nodes.iterrows():
        attrs = {k: row[k] for k in NODE_FIELDS if k not in ("id", "lat", "lon")}
        graph.add_node(node_id, x=row.geometry.x, y=row.geometry.y, **attrs)
    for leg_id, row in legs.iterrows():
        attrs = {k: row[k] for k in LEG_FIELDS if k not in ("id", "from", "to")}
        graph.add_edge(row["from"], row["to"], key=leg_id, forward=True, geometry=row.geometry, **attrs)
        graph.add_edge(row["to"], row["from"], key=leg_id, forward=False, geometry=row.geometry.reverse(), **attrs)
    return _read_only(graph)


def graph_to_gdfs(graph: nx.MultiDiGraph) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return ``(nodes, legs)`` GeoDataFrames from a network graph (one leg row per forward edge)."""
    node_rows = []
    for node_id, data in graph.nodes(data=True):
        row = {k: v for k, v in data.items() if k not in ("x", "y")}
        row["id"] = node_id
        row["geometry"] = gpd.points_from_xy([data["x"]], [data["y"]])[0]
        node_rows.append(row)
    leg_rows = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        if data.get("forward", True):
            leg_rows.append({**{k: val for k, val in data.items() if k != "forward"}, "id": key, "from": u,
                             "to": v})
    nodes = gpd.GeoDataFrame(node_rows, geometry="geometry", crs=graph.graph.get("crs", CRS))
    legs = gpd.GeoDataFrame(leg_rows, geometry="geometry", crs=graph.graph.get("crs", CRS))
    return nodes.set_index("id", drop=False).rename_axis(None), legs.set_index("id", drop=False).rename_axis(None)


def graph_from_gdfs(nodes: gpd.GeoDataFrame, legs: gpd.GeoDataFrame, *, sources: pd.DataFrame | None = None,
                    parameters: TimeParameters | None = None, costs: CostParameters | None = None,
                    name: str = "network", like: Network | None = None) -> Network:
    """Return a validated Network from node and leg GeoDataFrames (as :meth:`Network.to_gdfs` gives them).

    What is not given is taken from ``like``: its sources, time parameters, costs and emission factors, condition
    sets, months and queues (with the volumes, capacities and conversions they read), so that
    ``graph_from_gdfs(*net.to_gdfs(), like=net)`` prices every route as ``net`` does. Without ``like`` or
    ``parameters``, the network takes the bundled stop times and speeds as a dataset folder without them does
    (``contract.FROM_BUNDLED``: the default rows and those of its countries, and here of its places too, citing the
    bundled sources), and says so in a BundledDataWarning; without ``like`` or ``sources``, the bundled sources are
    used. The bundled leg times, disruptions and costs name the bundled legs and places, so they are not taken. The
    tables pass through the same checks as files do, so a GeoDataFrame that breaks the contract, or a table of
    ``like`` that names a place or leg no longer there, raises a ValidationError listing every problem.
    """
    from .datasets import data_path
    from .io import read_table
    from .loading import _network_from_clean, _validated, bundled_parameters, warn_borrowed

    tables: dict[str, pd.DataFrame] = {}
    folder = None
    if like is not None:
        sources = sources if sources is not None else like.sources
        parameters = parameters if parameters is not None else like.parameters
        costs = costs if costs is not None else like.costs
        tables.update({role: table.copy() for role, table in like._condition_tables.items()})
        # its months, and its queues with the tables they read while they are the ones read (a scenario scales them)
        as_read = like.queues is like._queues_as_read
        roles = ("months", *(("queues", "volumes", "capacities", "conversions") if as_read else ()))
        tables.update({role: like.table(role) for role in roles if like.has_table(role)})
        folder = like._queue_files[0].parent if like._queue_files and as_read else None
    if parameters is not None:
        tables.update(parameters.tables())
    if costs is not None:
        tables.update(costs.tables())
    raw = {
        "nodes": _raw_from_frame("nodes", nodes.assign(lat=nodes.geometry.y, lon=nodes.geometry.x)),
        "legs": _raw_from_frame("legs", legs, geometry=gpd.GeoSeries(legs.geometry, crs=legs.crs)),
        "sources": (_raw_from_frame("sources", sources) if sources is not None
                    else read_table("sources", data_path() / "sources.csv")),
        **{role: _raw_from_frame(role, table) for role, table in tables.items()},
    }
    borrowed = bundled_parameters(raw, merge_sources=sources is not None) if parameters is None else ()
    clean, problems = _validated(raw)
    if problems:
        raise ValidationError(problems)
    network = _network_from_clean(clean, name, folder)
    warn_borrowed(raw, borrowed, f"the network {name!r} (from GeoDataFrames)", remedy="with parameters= or like=",
                  which="default (*) rows and rows for its places and countries")
    return network


def save(network: Network, folder: str | os.PathLike[str], *, format: str = "csv") -> list[Path]:
    """Write the network to ``folder`` as a dataset that load_network reads back; return the files (see
    :meth:`corridors.network.Network.save`)."""
    if format not in SAVE_FORMATS:
        raise CorridorError(f"unknown format {format!r}; use {', '.join(SAVE_FORMATS)} (GraphML and GeoParquet: "
                            "corridors.convert.to_graphml and to_parquet)")
    nodes = network.nodes.reset_index(drop=True)
    nodes["lat"], nodes["lon"] = nodes.geometry.y, nodes.geometry.x
    if format == "csv":
        nodes = pd.DataFrame(nodes.drop(columns="geometry"))
    legs = network.legs.reset_index(drop=True)
    tables = {
        "nodes": nodes[[*NODE_FIELDS, *(["geometry"] if format != "csv" else [])]],
        "legs": legs[[*LEG_FIELDS, "geometry"]],
        "sources": network.sources.reset_index(drop=True),
        **network.parameters.tables(),
        **network.costs.tables(),
        **{role: table.copy() for role, table in network._condition_tables.items()},
    }
    written = write_tables(tables, Path(folder), spatial_format=format)
    if network.queues is network._queues_as_read:  # the queue files describe these queues, not a scenario's
        for path in network._queue_files:
            target = Path(folder) / path.name
            if target.resolve() != path.resolve():
                shutil.copyfile(path, target)
            written.append(target)
    return written


def to_graphml(network: Network, path: str | os.PathLike[str]) -> Path:
    """Write the network's graph (:attr:`Network.graph`) to a GraphML file and return its path.

    GraphML holds text, numbers and booleans only, so attributes are flattened as the CSV files write them: a list
    as its items joined by ``;``, a geometry as WKT; a missing value (a leg without a gauge) is left out.
    ``networkx.read_graphml(path, force_multigraph=True)`` reads it back; edges keep their leg id as key.
    """
    graph = network.graph
    import networkx as nx

    flat = nx.MultiDiGraph()
    flat.graph.update(_flat(graph.graph))
    flat.add_nodes_from((node, _flat(data)) for node, data in graph.nodes(data=True))
    flat.add_edges_from((u, v, key, _flat(data)) for u, v, key, data in graph.edges(keys=True, data=True))
    target = Path(path)
    nx.write_graphml(flat, target)
    return target


def to_parquet(network: Network, folder: str | os.PathLike[str]) -> list[Path]:
    """Write the places and legs as GeoParquet files (``nodes.parquet``, ``legs.parquet``) and return them.

    Columns keep their types (list fields stay lists, gauges whole numbers with gaps) and ``geopandas.read_parquet``
    reads each file back as the GeoDataFrame :meth:`Network.to_gdfs` gives (lists as arrays). The other tables are
    written by :meth:`Network.save`. Needs ``pyarrow`` (``pip install 'corridors[parquet]'``).
    """
    try:
        import pyarrow  # noqa: F401  (geopandas needs it to write Parquet, and says so less plainly)
    except ImportError:
        raise CorridorError("writing Parquet needs pyarrow: pip install 'corridors[parquet]'") from None
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for role, frame in zip(("nodes", "legs"), network.to_gdfs(), strict=True):
        out = frame.copy()
        for column in [c for c in out.columns if out[c].dtype == "object"]:  # list fields; typed ones (Int64) kept
            out[column] = out[column].map(lambda v: list(v) if isinstance(v, tuple | frozenset) else v)
        path = target / f"{role}.parquet"
        gpd.GeoDataFrame(out, geometry="geometry", crs=frame.crs).to_parquet(path)
        written.append(path)
    return written


def _flat(attrs: dict[str, Any]) -> dict[str, str | int | float | bool]:
    """Return attributes as GraphML can hold them: lists joined, geometries as WKT, missing values left out."""
    out: dict[str, str | int | float | bool] = {}
    for key, value in attrs.items():
        if isinstance(value, tuple | list | frozenset | set):
            out[key] = join_list(sorted(value) if isinstance(value, frozenset | set) else map(str, value))
        elif hasattr(value, "wkt"):
            out[key] = value.wkt
        elif value is None or (not isinstance(value, str) and pd.isna(value)):
            continue  # GraphML has no missing value: a leg without a gauge or a stated time has no such attribute
        elif isinstance(value, np.generic):
            out[key] = value.item()
        else:
            out[key] = value
    return out


class _ReadOnlyAttributes(dict):
    """An attribute dict of the network graph that refuses every change.

    The graph is built once per network and shared by every caller, so a change would leak into later answers
    (and graph_to_gdfs). nx.freeze stops nodes and edges being added or removed but leaves their attribute dicts
    writable; read-only dicts close that hole at no cost per query, where a fresh copy per access would copy
    the whole graph. Every attribute value is immutable already (text, numbers, tuples, shapely geometries).
    """

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("the network graph is read-only; change a copy (nx.MultiDiGraph(net.graph)) or build a "
                        "new network (a scenario, or graph_from_gdfs)")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[dict], tuple[dict]]:
        return dict, (dict(self),)  # copies (copy.deepcopy, pickle) are plain, changeable dicts


def _read_only(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Return ``graph`` frozen, with read-only attribute dicts for the graph, every node and every edge."""
    import networkx as nx

    graph.graph = _ReadOnlyAttributes(graph.graph)
    for node, data in graph._node.items():
        graph._node[node] = _ReadOnlyAttributes(data)
    for targets in graph._succ.values():
        for keys in targets.values():  # the same dict as the reverse adjacency (_pred) holds
            for key, data in keys.items():
                keys[key] = _ReadOnlyAttributes(data)
    return nx.freeze(graph)


def _raw_from_frame(role: str, frame: pd.DataFrame, geometry: gpd.GeoSeries | None = None) -> RawTable:
    table = pd.DataFrame(frame).drop(columns=["geometry"], errors="ignore").reset_index(drop=True)
    text = table.map(_to_text)
    labels = tuple(f"row {i + 1}" for i in range(len(text)))
    if geometry is not None:
        geometry = geometry.reset_index(drop=True)
        if geometry.crs is not None and not geometry.crs.equals(CRS):
            geometry = geometry.to_crs(CRS)
    return RawTable(role, f"{role} (GeoDataFrame)", text, labels, geometry)


def _to_text(value: object) -> str:
    if isinstance(value, (tuple, list)):
        return join_list(str(v) for v in value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
