"""A large network's straight leg lines, held as their places' coordinates until read (corridors.lines), are the
lines a plain load gives: the same table, the same route geometry, the same saved files."""

from __future__ import annotations

import pickle
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import corridors
import corridors.lines
import corridors.validation
from corridors.lines import StraightLines, hold_straight, is_held_straight

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def plain() -> corridors.Network:
    return corridors.load_network()  # the bundled network: fewer legs than LARGE, its lines made at load


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> corridors.Network:
    monkeypatch.setenv("CORRIDORS_CACHE", "0")
    monkeypatch.setattr(corridors.lines, "LARGE", 0)  # as a large network is held: from a GeoDataFrame
    monkeypatch.setattr(corridors.validation, "LARGE", 0)  # and from files, never made at load
    network = corridors.load_network()
    assert isinstance(network._legs.geometry.array, StraightLines)  # its lines made by now: its risks read legs
    return network


def test_the_legs_a_held_network_gives_are_the_plain_ones(plain: corridors.Network, held: corridors.Network) -> None:
    legs = held.legs
    assert type(legs.geometry.array) is type(plain.legs.geometry.array)  # a user is given a plain column
    pd.testing.assert_frame_equal(legs, plain.legs, check_exact=True)
    assert shapely.equals_exact(legs.geometry.array._data, plain.legs.geometry.array._data, tolerance=0).all()
    assert plain.legs.equals(held.legs)


def test_reading_the_table_but_its_lines_makes_no_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORRIDORS_CACHE", "0")
    monkeypatch.setattr(corridors.lines, "LARGE", 0)
    monkeypatch.setattr(corridors.validation, "LARGE", 0)
    network = corridors.load_network(DATA / "mini")
    legs = network._legs
    assert is_held_straight(legs)
    legs["mode"].value_counts()
    legs.loc[legs.index[:3], ["from", "to"]].copy()
    assert list(legs.iloc[1:3].geometry.geom_type) == ["LineString"] * 2  # some rows' lines: made alone
    legs.copy()
    assert is_held_straight(legs)
    ids = network.nodes.index
    network.route(ids[0], ids[-1])
    network.skim([ids[0]], list(ids))
    assert is_held_straight(network._legs)  # routing and skims never read a line
    monkeypatch.setattr(corridors.lines, "LARGE", 10**9)  # a plain load
    monkeypatch.setattr(corridors.validation, "LARGE", 10**9)
    plain = corridors.load_network(DATA / "mini")
    assert not isinstance(plain._legs.geometry.array, StraightLines)
    pd.testing.assert_frame_equal(network.legs, plain.legs, check_exact=True)
    assert plain.legs.equals(network.legs)


def test_some_rows_and_one_row_are_the_plain_lines(plain: corridors.Network, held: corridors.Network) -> None:
    ids = list(plain._legs.index[::7])
    expected = plain._legs.loc[ids].geometry.array._data
    assert shapely.equals_exact(held._legs.loc[ids].geometry.array._data, expected, tolerance=0).all()
    assert held._legs.geometry.iloc[5].equals_exact(plain._legs.geometry.iloc[5], tolerance=0)
    mask = (plain._legs["mode"] == "rail").to_numpy()
    assert shapely.equals_exact(held._legs.geometry.array[mask]._data, plain._legs.geometry.array[mask]._data,
                                tolerance=0).all()


def test_a_route_and_a_save_are_the_same(plain: corridors.Network, held: corridors.Network, tmp_path: Path) -> None:
    shown = held.route("Xi'an", "Poti").to_geodataframe()
    expected = plain.route("Xi'an", "Poti").to_geodataframe()
    assert shown.geometry.geom_equals_exact(expected.geometry, tolerance=0).all()
    for network, folder in ((plain, tmp_path / "plain"), (held, tmp_path / "held")):
        network.save(folder)
    assert (tmp_path / "held" / "legs.csv").read_bytes() == (tmp_path / "plain" / "legs.csv").read_bytes()


def test_a_copy_written_to_leaves_the_network_alone(held: corridors.Network) -> None:
    before = held.legs.geometry.iloc[0]
    mine = held._legs.copy()
    mine.loc[mine.index[0], "geometry"] = shapely.LineString([(0, 0), (1, 1)])
    assert mine.geometry.iloc[0].equals(shapely.LineString([(0, 0), (1, 1)]))
    assert held._legs.geometry.iloc[0].equals_exact(before, tolerance=0)


def test_a_held_column_pickles_as_a_plain_one(plain: corridors.Network, held: corridors.Network) -> None:
    back = pickle.loads(pickle.dumps(held._legs))
    assert type(back.geometry.array) is type(plain._legs.geometry.array)
    assert back.equals(plain._legs)


def test_only_exact_straight_lines_are_held() -> None:
    nodes = gpd.GeoDataFrame({"name": ["a", "b", "c"]}, index=pd.Index(["a", "b", "c"], dtype=object),
                             geometry=gpd.points_from_xy([0.0, 1.0, 2.0], [0.0, 1.0, 0.5]), crs="EPSG:4326")
    lines = [shapely.LineString([(0, 0), (1, 1)]),  # straight from a to b: held
             shapely.LineString([(1, 1), (0.5, 0.7), (2, 0.5)]),  # drawn through a waypoint: kept
             shapely.LineString([(0, 0), (2, 0.5000001)]),  # not quite at c: kept
             shapely.LineString([(0, 0, 5), (1, 1, 5)])]  # 3-D: kept
    legs = gpd.GeoDataFrame({"from": ["a", "b", "a", "a"], "to": ["b", "c", "c", "b"]},
                            index=pd.Index(["ab", "bc", "ac", "ab3"], dtype=object),
                            geometry=lines, crs="EPSG:4326").astype({"from": object, "to": object})
    hold_straight(legs, nodes, least=0)
    array = legs.geometry.array
    assert isinstance(array, StraightLines)
    assert [g is None for g in array._shared.given] == [True, False, False, False]
    assert shapely.equals_exact(np.asarray(array._data, dtype=object), np.asarray(lines, dtype=object),
                                tolerance=0).all()
    assert all(shapely.has_z(np.asarray(array._data, dtype=object)) == [False, False, False, True])


def test_validation_says_the_same_of_held_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture) -> None:
    # a straight leg drawn far shorter than its distance, and one whose distance is shorter than the great circle:
    # checked from the coordinates when its line is not made, with the same problems and warnings
    folder = tmp_path / "mini"
    folder.mkdir()
    for path in (DATA / "mini").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    legs = pd.read_csv(folder / "legs.csv", dtype=str, keep_default_na=False)
    legs.loc[legs["id"] == "alashankou__dostyk", "distance_km"] = "40"
    extra = legs[legs["id"] == "alashankou__dostyk"].assign(id="dostyk__alashankou", **{"from": "dostyk",
                                                                                        "to": "alashankou"})
    pd.concat([legs, extra.assign(distance_km="1")]).to_csv(folder / "legs.csv", index=False)
    monkeypatch.setenv("CORRIDORS_CACHE", "0")
    said = []
    for large in (10**9, 0):
        monkeypatch.setattr(corridors.validation, "LARGE", large)
        caplog.clear()
        with caplog.at_level("WARNING", logger="corridors.validation"):
            said.append((corridors.validate(folder), [r.getMessage() for r in caplog.records]))
    assert said[0] == said[1]
    assert {p.field for p in said[0][0]} >= {"geometry", "distance_km"}
