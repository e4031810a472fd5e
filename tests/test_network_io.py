"""Networks round-trip through GeoDataFrames and files without loss."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

import corridors


def _same_network(a: corridors.Network, b: corridors.Network) -> None:
    na, la = a.to_gdfs()
    nb, lb = b.to_gdfs()
    assert list(na.index) == list(nb.index)
    assert list(la.index) == list(lb.index)
    for column in ("name", "aliases", "country", "kind", "facilities", "coord_source", "sources"):
        assert list(na[column]) == list(nb[column]), column
    for column in ("from", "to", "mode", "distance_source", "service", "sources"):
        assert list(la[column]) == list(lb[column]), column
    assert la["distance_km"].tolist() == pytest.approx(lb["distance_km"].tolist())
    assert la["gauge_mm"].fillna(0).tolist() == lb["gauge_mm"].fillna(0).tolist()
    assert na.geometry.geom_equals_exact(nb.geometry, tolerance=1e-5).all()
    assert la.geometry.geom_equals_exact(lb.geometry, tolerance=1e-4).all()


def test_gdfs_round_trip(mini: corridors.Network) -> None:
    nodes, legs = mini.to_gdfs()
    again = corridors.graph_from_gdfs(nodes, legs, sources=mini.sources, parameters=mini.parameters)
    _same_network(mini, again)


def test_graph_round_trip(mini: corridors.Network) -> None:
    nodes, legs = corridors.graph_to_gdfs(mini.graph)
    again = corridors.graph_from_gdfs(nodes, legs, sources=mini.sources, parameters=mini.parameters)
    _same_network(mini, again)


def test_graph_follows_the_attribute_contract(mini: corridors.Network) -> None:
    graph = mini.graph
    assert graph.graph["crs"] == "EPSG:4326"
    assert nx.is_frozen(graph)
    assert graph.nodes["dostyk"]["country"] == "KAZ"
    assert graph.nodes["dostyk"]["x"] == pytest.approx(82.484)
    forward = graph.edges["alashankou", "dostyk", "alashankou__dostyk"]
    backward = graph.edges["dostyk", "alashankou", "alashankou__dostyk"]
    assert forward["forward"]
    assert not backward["forward"]
    assert forward["gauge_mm"] == 1435
    assert backward["geometry"].coords[0] == forward["geometry"].coords[-1]
    assert graph.number_of_edges() == 2 * len(mini.legs)


@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpkg"])
def test_save_and_load_round_trip(mini: corridors.Network, tmp_path: Path, fmt: str) -> None:
    written = mini.save(tmp_path / fmt, format=fmt)
    assert {p.stem for p in written} == {"nodes", "legs", "sources", "stop_times", "speeds"}
    again = corridors.load_network(tmp_path / fmt)
    _same_network(mini, again)
    assert again.route("Urumqi", "Alat").time_h == pytest.approx(mini.route("Urumqi", "Alat").time_h)


def test_a_geodataframe_that_breaks_the_contract_is_rejected(mini: corridors.Network) -> None:
    nodes, legs = mini.to_gdfs()
    legs.loc["alashankou__dostyk", "gauge_mm"] = 1000
    with pytest.raises(corridors.ValidationError, match="unknown gauge"):
        corridors.graph_from_gdfs(nodes, legs, sources=mini.sources, parameters=mini.parameters)


def test_tables_are_copies(mini: corridors.Network) -> None:
    nodes = mini.nodes
    nodes.loc["dostyk", "name"] = "changed"
    assert mini.place_name("dostyk") == "Dostyk"
