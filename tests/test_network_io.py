"""Networks round-trip through GeoDataFrames and files without loss."""

from __future__ import annotations

import warnings
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

import corridors
from corridors.loading import BundledDataWarning


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


@pytest.fixture(scope="module")
def saved(net: corridors.Network, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[Path], Path]]:
    """The bundled network saved once in each format: the files written and the folder."""
    root = tmp_path_factory.mktemp("saved")
    return {fmt: (net.save(root / fmt, format=fmt), root / fmt) for fmt in ("csv", "geojson", "gpkg")}


@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpkg"])
def test_save_load_save_gives_the_same_bytes_and_routes(net: corridors.Network, saved: dict, tmp_path: Path,
                                                        fmt: str) -> None:
    first, folder = saved[fmt]
    again = corridors.load_network(folder)
    second = again.save(tmp_path / "again", format=fmt)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), f"{a.name} changed between two saves"
    assert {"groups.csv", "conditions.csv", "queues.csv"} <= {p.name for p in first}
    legs, legs_again = net.legs, again.legs
    assert legs["waypoints"].fillna("").tolist() == legs_again["waypoints"].fillna("").tolist()
    bundled = pd.read_csv(corridors.data_path() / "legs.csv", dtype=str, keep_default_na=False)
    assert (legs["waypoints"].fillna("") != "").sum() == (bundled["waypoints"] != "").sum() > 100  # every one kept
    assert legs.geometry.geom_equals_exact(legs_again.geometry, tolerance=0).all()  # every digit
    assert net.nodes.geometry.geom_equals_exact(again.nodes.geometry, tolerance=0).all()
    assert again.condition_names == net.condition_names
    for origin, destination, options in (("Xi'an", "Duisburg", {}), ("Shanghai", "Rotterdam", {"by": "distance"}),
                                         ("Xi'an", "Poti", {"conditions": "2022", "reroute": True})):
        a, b = net.route(origin, destination, **options), again.route(origin, destination, **options)
        assert a.places == b.places
        assert a.time_h == b.time_h
        assert a.distance_km == b.distance_km


def test_the_graph_cannot_be_changed(mini: corridors.Network) -> None:
    graph = mini.graph
    edge = graph.edges["alashankou", "dostyk", "alashankou__dostyk"]
    for change in (lambda: graph.nodes["dostyk"].__setitem__("country", "CHN"),
                   lambda: graph.nodes["dostyk"].update(country="CHN"),
                   lambda: graph.nodes["dostyk"].pop("country"),
                   lambda: edge.__setitem__("gauge_mm", 1000),
                   lambda: edge.clear(),
                   lambda: graph.graph.__setitem__("crs", "EPSG:3857"),
                   lambda: nx.set_node_attributes(graph, "CHN", "country"),
                   lambda: nx.set_edge_attributes(graph, 1.0, "distance_km"),
                   lambda: graph.add_edge("urumqi", "alat_port")):
        with pytest.raises((TypeError, nx.NetworkXError)):
            change()
    assert mini.graph is graph  # built once, not copied per access
    assert graph.nodes["dostyk"]["country"] == "KAZ"
    assert edge["gauge_mm"] == 1435
    nodes, legs = corridors.graph_to_gdfs(mini.graph)
    assert nodes.loc["dostyk", "country"] == "KAZ"
    assert legs.loc["alashankou__dostyk", "gauge_mm"] == 1435


def test_a_copy_of_the_graph_can_be_changed(mini: corridors.Network) -> None:
    copy = nx.MultiDiGraph(mini.graph)
    copy.nodes["dostyk"]["country"] = "CHN"
    copy.edges["alashankou", "dostyk", "alashankou__dostyk"]["gauge_mm"] = 1000
    assert mini.graph.nodes["dostyk"]["country"] == "KAZ"
    assert mini.graph.edges["alashankou", "dostyk", "alashankou__dostyk"]["gauge_mm"] == 1435


def test_no_table_handed_out_changes_the_network(mini: corridors.Network) -> None:
    before = mini.route("Urumqi", "Alat")
    handed = mini.legs, mini.sources
    handed[0].loc["dostyk__aktau_port", "distance_km"] = 1.0
    handed[1].loc["index1520_dostyk", "url"] = "javascript:alert(1)"
    nodes, legs = mini.to_gdfs()
    nodes.loc["dostyk", "country"] = "CHN"
    legs.loc["dostyk__aktau_port", "mode"] = "road"
    for table in (*mini.parameters.tables().values(), *mini.costs.tables().values()):
        table.iloc[:, :] = None
    after = mini.route("Urumqi", "Alat")
    assert mini.legs.loc["dostyk__aktau_port", "distance_km"] == 3000
    assert mini.sources.loc["index1520_dostyk", "url"].startswith("https://")
    assert mini.nodes.loc["dostyk", "country"] == "KAZ"
    assert (after.time_h, after.distance_km, after.places) == (before.time_h, before.distance_km, before.places)


def test_a_round_trip_through_gdfs_keeps_times_costs_and_emissions(net: corridors.Network) -> None:
    from corridors.convert import graph_from_gdfs

    again = graph_from_gdfs(*net.to_gdfs(), like=net)
    through_graph = graph_from_gdfs(*corridors.graph_to_gdfs(net.graph), like=net)
    assert again.condition_names == through_graph.condition_names == net.condition_names
    for origin, destination, options in (("Xi'an", "Poti", {}), ("Shanghai", "Rotterdam", {"by": "cost"}),
                                         ("Xi'an", "Duisburg", {"conditions": "2022"})):
        a = net.route(origin, destination, **options)
        for b in (again.route(origin, destination, **options), through_graph.route(origin, destination, **options)):
            assert b.places == a.places
            assert (b.time_h, b.cost_usd, b.co2_kg) == (a.time_h, a.cost_usd, a.co2_kg)
    # without ``like`` only the bundled stop times and speeds come along, and it says so: no costs, no leg times
    with pytest.warns(BundledDataWarning, match="from GeoDataFrames"):
        plain = graph_from_gdfs(*net.to_gdfs()).route("Xi'an", "Poti")
    assert plain.cost_usd != plain.cost_usd  # NaN: unknown, not zero


def test_gdfs_without_time_parameters_take_the_bundled_ones_and_say_so(mini: corridors.Network) -> None:
    nodes, legs = mini.to_gdfs()
    with pytest.warns(BundledDataWarning) as caught:
        again = corridors.graph_from_gdfs(nodes, legs, sources=mini.sources, name="mine")
    assert len(caught) == 1
    used = again.parameters
    message = str(caught[0].message)
    assert "\n" not in message
    assert message == (
        "the network 'mine' (from GeoDataFrames) has no stop_times.csv or speeds.csv: the bundled dataset's "
        "default (*) rows and rows for its places and countries are used "
        f"({len(used.stop_times)} stop times rows, {len(used.speeds)} speeds rows, citing the bundled sources); "
        "add them with parameters= or like= to use your own")
    # as a folder without them: only rows that can apply, and the bundled sources they cite come along
    assert set(used.stop_times["place"]) <= set(nodes.index) | set(nodes["country"]) | {"*"}
    assert set(used.speeds["country"]) <= set(nodes["country"]) | {"*"}
    cited = {s for cell in used.stop_times["sources"] for s in cell}
    assert cited <= set(again.sources.index)
    assert set(mini.sources.index) <= set(again.sources.index)
    assert again.route("Urumqi", "Alat").time_h > 0
    with warnings.catch_warnings():  # given its own parameters, not a word
        warnings.simplefilter("error")
        corridors.graph_from_gdfs(nodes, legs, sources=mini.sources, parameters=mini.parameters)


def test_a_table_of_like_that_names_a_dropped_leg_is_reported(net: corridors.Network) -> None:
    from corridors.convert import graph_from_gdfs

    nodes, legs = net.to_gdfs()
    timed = net.parameters.leg_times["leg"].iloc[0]
    with pytest.raises(corridors.ValidationError, match=timed):
        graph_from_gdfs(nodes, legs.drop(index=timed), like=net)


def test_graphml_export_flattens_every_attribute(mini: corridors.Network, tmp_path: Path) -> None:
    from shapely import wkt

    from corridors.convert import to_graphml

    read = nx.read_graphml(to_graphml(mini, tmp_path / "mini.graphml"), force_multigraph=True)
    graph = mini.graph
    assert set(read.nodes) == set(graph.nodes)
    assert read.number_of_edges() == graph.number_of_edges()
    assert read.graph["crs"] == "EPSG:4326"
    assert read.nodes["urumqi"]["aliases"] == "Urumqi;Wulumuqi"
    assert read.nodes["dostyk"]["x"] == pytest.approx(graph.nodes["dostyk"]["x"])
    for u, v, key, data in graph.edges(keys=True, data=True):
        flat = read.edges[u, v, key]
        assert flat["forward"] is data["forward"]
        assert flat["distance_km"] == pytest.approx(data["distance_km"])
        assert wkt.loads(flat["geometry"]).equals_exact(data["geometry"], tolerance=1e-9)
        assert flat.get("gauge_mm") == (None if data["gauge_mm"] is pd.NA else int(data["gauge_mm"]))
        assert flat["passages"] == ";".join(data["passages"])


def test_geoparquet_export_reads_back_as_the_gdfs(mini: corridors.Network, tmp_path: Path) -> None:
    import geopandas as gpd

    from corridors.convert import to_parquet

    written = to_parquet(mini, tmp_path)
    assert [p.name for p in written] == ["nodes.parquet", "legs.parquet"]
    for path, frame in zip(written, mini.to_gdfs(), strict=True):
        read = gpd.read_parquet(path)
        assert list(read.index) == list(frame.index)
        assert read.crs == frame.crs
        assert read.geometry.geom_equals_exact(frame.geometry, tolerance=0).all()
        for column in frame.columns.drop("geometry"):
            expected = [tuple(v) if isinstance(v, tuple) else v for v in frame[column]]
            got = [tuple(v) if hasattr(v, "__len__") and not isinstance(v, str) else v for v in read[column]]
            assert [_blank(v) for v in got] == [_blank(v) for v in expected], column
    assert str(gpd.read_parquet(written[1])["gauge_mm"].dtype) == "Int64"


def test_save_refuses_an_unknown_format_before_writing(mini: corridors.Network, tmp_path: Path) -> None:
    with pytest.raises(corridors.CorridorError, match="to_graphml"):
        mini.save(tmp_path / "out", format="graphml")
    assert not (tmp_path / "out").exists()


def _blank(value: object) -> object:
    """A missing cell as "" (None, NaN and pandas' NA alike), any other value as it is."""
    return "" if value is None or (not isinstance(value, (str, tuple)) and pd.isna(value)) else value
