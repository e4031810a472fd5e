"""The cache of loaded networks: a second load of unchanged files reads it, an edited file is read again, what the
load said is said again, and a cache that cannot be used is no cache, never an error."""

from __future__ import annotations

import gc
import logging
import os
import pickle
import shutil
import time
from pathlib import Path

import pytest
from conftest import DATA

import corridors
from corridors import cache, loading
from corridors.errors import ValidationError
from corridors.loading import BundledDataWarning


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(where))
    monkeypatch.delenv("CORRIDORS_CACHE", raising=False)
    return where


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Count the loads that read and check the files (the cache's misses)."""
    done: list[tuple] = []
    real = loading._load

    def counted(paths, name):
        done.append(paths)
        return real(paths, name)

    monkeypatch.setattr(loading, "_load", counted)
    return done


@pytest.fixture
def own(tmp_path: Path) -> Path:
    target = tmp_path / "own"
    shutil.copytree(DATA / "mini", target)
    return target


def test_a_second_load_of_unchanged_files_reads_the_cache(store: Path, loads: list, own: Path) -> None:
    first = corridors.load_network(own)
    assert len(loads) == 1
    assert len(list(store.glob("network-*.pickle"))) == 1
    second = corridors.load_network(own)
    assert len(loads) == 1
    assert second is not first
    assert second.legs.equals(first.legs)
    assert second.nodes.equals(first.nodes)
    one, two = (n.route(*first.nodes.index[:2]) for n in (first, second))
    assert (one.distance_km, one.time_h) == (two.distance_km, two.time_h)
    corridors.load_network(own, name="another name")  # the name is part of what was loaded
    assert len(loads) == 2


def test_an_edited_file_is_read_and_checked_again(store: Path, loads: list, own: Path) -> None:
    before = corridors.load_network(own)
    legs = own / "legs.csv"
    text = legs.read_text(encoding="utf-8")
    leg = before.legs.index[0]
    old = f"{before.legs.loc[leg, 'distance_km']:g}"
    assert f",{old}," in text
    # the same length and, most likely, the same modification time: only the content tells the change
    new = str(int(old) + 1) if len(str(int(old) + 1)) == len(old) else str(int(old) - 1)
    legs.write_text(text.replace(f",{old},", f",{new},", 1), encoding="utf-8")
    after = corridors.load_network(own)
    assert len(loads) == 2
    assert after.legs.loc[leg, "distance_km"] == float(new)
    legs.write_text(text.replace(f",{old},", ",-5,", 1), encoding="utf-8")
    with pytest.raises(ValidationError, match="distance"):
        corridors.load_network(own)


def test_what_the_load_said_is_said_again(store: Path, loads: list, own: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    (own / "stop_times.csv").unlink()
    for _ in range(2):
        with pytest.warns(BundledDataWarning, match="has no stop_times.csv") as caught:
            corridors.load_network(own)
        assert len([w for w in caught if w.category is BundledDataWarning]) == 1
    assert len(loads) == 1
    # the drawing warnings of validation too, to whoever listens to the logger
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="corridors.validation"):
        corridors.load_network()
        corridors.load_network()
    said = [r.getMessage() for r in caplog.records if r.name == "corridors.validation"]
    assert len(said) == 2
    assert said[0] == said[1]
    assert "drawn" in said[0]


def test_a_dataset_with_problems_is_never_cached(store: Path, loads: list, own: Path) -> None:
    (own / "legs.csv").write_text("id,from,to,mode\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ValidationError):
            corridors.load_network(own)
    assert len(loads) == 2
    assert not list(store.glob("network-*.pickle"))


def test_the_cache_can_be_turned_off(store: Path, loads: list, own: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORRIDORS_CACHE", "0")
    corridors.load_network(own)
    corridors.load_network(own)
    assert len(loads) == 2
    assert not store.exists()


def test_a_damaged_or_unwritable_cache_is_only_a_miss(store: Path, loads: list, own: Path,
                                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    corridors.load_network(own)
    (entry,) = store.glob("network-*.pickle")
    entry.write_bytes(b"not a pickle")
    net = corridors.load_network(own)
    assert len(loads) == 2
    assert len(net.nodes) > 0
    corridors.load_network(own)  # written anew
    assert len(loads) == 2
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("x", encoding="utf-8")
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(blocked / "cache"))
    assert len(corridors.load_network(own).nodes) == len(net.nodes)
    assert len(loads) == 3


def test_old_entries_make_way(store: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    for i in range(3):
        folder = tmp_path / f"copy{i}"
        shutil.copytree(DATA / "mini", folder)
        corridors.load_network(folder)
    assert len(cache.entries()) == 2
    assert cache.clear() == 2
    assert cache.entries() == []


def test_the_cache_from_the_command_line(store: Path, own: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from corridors.cli import main

    corridors.load_network(own)
    assert main(["cache"]) == 0
    assert capsys.readouterr().out.startswith(f"{store}: 1 cached network, ")
    assert main(["cache", "--clear"]) == 0
    assert capsys.readouterr().out == f"removed 1 cached network from {store}\n"
    assert cache.entries() == []
    monkeypatch.setenv("CORRIDORS_CACHE", "off")
    assert main(["cache"]) == 0
    assert "off" in capsys.readouterr().out


def test_a_network_larger_than_an_entry_may_be_is_loaded_but_not_kept(store: Path, loads: list, own: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", 10_000)  # the mini network pickles to far more
    first = corridors.load_network(own)
    assert list(store.iterdir()) == []  # neither an entry nor the part of one written before it stopped
    second = corridors.load_network(own)
    assert len(loads) == 2
    assert second.legs.equals(first.legs)


def test_a_network_estimated_larger_than_an_entry_may_be_is_not_even_pickled(
        store: Path, loads: list, own: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "LARGE", 0)  # the mini network estimated as a large one is
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", 1_000)
    pickled: list[object] = []
    real = pickle.dump
    monkeypatch.setattr(pickle, "dump", lambda obj, *args, **kwargs: (pickled.append(obj), real(obj, *args, **kwargs)))
    first = corridors.load_network(own)
    second = corridors.load_network(own)
    assert len(loads) == 2
    assert pickled == []  # not even begun
    assert not store.exists()
    assert second.legs.equals(first.legs)


def test_a_network_estimated_near_the_limit_is_not_pickled(store: Path, loads: list, own: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # the estimate runs below the entry's size: one estimated at 95% of the limit would end at it or past it
    monkeypatch.setattr(cache, "LARGE", 0)  # the mini network estimated as a large one is
    with monkeypatch.context() as off:
        off.setenv("CORRIDORS_CACHE", "0")
        probe = corridors.load_network(own)
        probe.expanded_graph()
    estimate = cache._estimated_bytes(probe)
    pickled: list[object] = []
    real = pickle.dump
    monkeypatch.setattr(pickle, "dump", lambda obj, *args, **kwargs: (pickled.append(obj), real(obj, *args, **kwargs)))
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", int(estimate / 0.95))
    corridors.load_network(own)
    assert pickled == []
    assert not store.exists()
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", int(estimate / (cache.ESTIMATE_SHARE * 0.9)))  # well within it
    corridors.load_network(own)
    assert len(pickled) == 1


@pytest.mark.parametrize("where", [DATA / "mini", None], ids=["mini", "bundled"])
def test_the_estimate_of_an_entry_stays_below_its_size(where: Path | None, monkeypatch: pytest.MonkeyPatch) -> None:
    # below: a network the estimate keeps out of the cache would not have fitted in it
    monkeypatch.setenv("CORRIDORS_CACHE", "0")
    network = corridors.load_network(where) if where else corridors.load_network()
    network.expanded_graph()  # as an entry holds it
    size = len(pickle.dumps((network, cache.Said()), protocol=pickle.HIGHEST_PROTOCOL))
    assert 0.5 * size < cache._estimated_bytes(network) <= size


def test_a_settled_file_changed_in_place_is_read_again(store: Path, loads: list, own: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # every file stamped by its status, as a file unchanged for a while is: no content is hashed
    monkeypatch.setattr(cache, "SETTLED_NS", -1)
    corridors.load_network(own)
    corridors.load_network(own)
    assert len(loads) == 1
    legs = own / "legs.csv"
    text, status = legs.read_text(encoding="utf-8"), legs.stat()
    first = corridors.load_network(own).legs.iloc[0]
    old = f",{first['distance_km']:g},"
    new = f",{first['distance_km'] + 1:g}," if len(f"{first['distance_km'] + 1:g}") == len(old) - 2 else \
        f",{first['distance_km'] - 1:g},"
    legs.write_text(text.replace(old, new, 1), encoding="utf-8")
    # the same size, and the modification time put back: the status-change time still tells the change
    os.utime(legs, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert legs.stat().st_size == status.st_size
    assert corridors.load_network(own).legs.iloc[0]["distance_km"] == float(new.strip(","))
    assert len(loads) == 2
    (own / "sources.csv").write_text((own / "sources.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    corridors.load_network(own)
    assert len(loads) == 3


def test_a_fresh_file_is_stamped_by_its_content(tmp_path: Path) -> None:
    file = tmp_path / "legs.csv"
    file.write_text("a,b\n1,2\n", encoding="utf-8")
    now = time.time_ns()
    first = cache._stamp(file, now)
    assert first.startswith("content ")
    assert cache._stamp(file, now) == first
    file.write_text("a,b\n1,3\n", encoding="utf-8")
    assert cache._stamp(file, now) != first
    later = file.stat().st_ctime_ns + 2 * cache.SETTLED_NS
    assert cache._stamp(file, later).startswith("status ")


@pytest.mark.parametrize("collecting", [True, False])
def test_an_entry_is_read_with_the_collector_held_off_and_left_as_it_was(store: Path, loads: list, own: Path,
                                                                        monkeypatch: pytest.MonkeyPatch,
                                                                        collecting: bool) -> None:
    corridors.load_network(own)
    seen: list[bool] = []
    real = pickle.loads

    def watched(data: bytes):
        seen.append(gc.isenabled())
        return real(data)

    monkeypatch.setattr(cache.pickle, "loads", watched)
    was = gc.isenabled()
    (gc.enable if collecting else gc.disable)()
    try:
        corridors.load_network(own)
        assert seen == [False]
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()
    assert len(loads) == 1
