"""Leg lines drawn straight between their places, held as the places' coordinates until a line is read.

Most legs of a large network are drawn as a straight line from one place to the other (validation draws a leg that
gives neither a geometry nor waypoints that way). Each such line is a shapely geometry of about 260 bytes: 0.26 GB
for a million legs, held by the legs table all the time although routing, skims and simulations never read them.
:class:`StraightLines` is the legs table's geometry column for such a network: the same lines, made the first
time something reads them (a map, ``net.legs.geometry``, a save), each from the coordinates validation drew it
from, so that it is the line validation made, coordinate for coordinate. A part of the column (a route's legs)
is made alone; until then the column holds the places' coordinates and each leg's ends and given line (16 bytes a
leg, 16 a place). It stands on how geopandas' GeometryArray holds its lines (an array of them, ``_data``, read by
its every method): tests/test_memory_lines.py checks a held table against a plain one, method by method.
"""

from __future__ import annotations

import numbers

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from geopandas.array import GeometryArray

from .memory import LARGE, index_dtype


class Drawing:
    """Straight lines not made yet: the places' coordinates (``xy``, lon and lat), each leg's ``start`` and ``end``
    place (rows of ``xy``) and the legs' ``given`` geometries (None where the line is straight). The lines are made
    once for all the columns that share it (a table and its copies), and never changed after."""

    def __init__(self, xy: np.ndarray, start: np.ndarray, end: np.ndarray, given: np.ndarray) -> None:
        self.xy, self.start, self.end, self.given = xy, start, end, given
        self.made: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.start)

    @property
    def nbytes(self) -> int:
        return self.xy.nbytes + self.start.nbytes + self.end.nbytes + self.given.nbytes

    def all(self) -> np.ndarray:
        """Return every line, made the first time and kept."""
        if self.made is None:
            self.made = self.rows(np.arange(len(self)))
        return self.made

    def rows(self, at: np.ndarray) -> np.ndarray:
        """Return the lines of some rows (positions): the given ones as they are, the others drawn straight."""
        if self.made is not None:
            return self.made[at]
        out = np.array(self.given[at], dtype=object)
        straight = np.flatnonzero(_straight(out))
        if len(straight):
            legs = at[straight]
            # as validation draws them: a line from the first place's coordinates to the second's
            out[straight] = shapely.linestrings(np.stack([self.xy[self.start[legs]], self.xy[self.end[legs]]], axis=1))
        return out


class StraightLines(GeometryArray):
    """A geometry column whose straight lines are made when first read (see the module's docstring).

    Reading the whole column (its values, a pickle) makes every line once, for the table and its copies, and
    keeps them as a plain column holds them; reading some rows (``take``, a slice or a mask) makes those rows'
    lines only. Copies and views share the lines; one that is written to takes a copy of its own first (what a
    plain column's copy has from the start), so that no other column sees the change.
    """

    @classmethod
    def of(cls, drawing: Drawing, *, crs: object) -> StraightLines:
        """Return a column of ``drawing``'s lines."""
        lines = cls.__new__(cls)
        lines.__dict__["_drawing"] = drawing
        lines._crs = None
        lines.crs = crs
        lines._sindex = None
        return lines

    @property
    def _data(self) -> np.ndarray:
        own = self.__dict__.get("_own")
        return own if own is not None else self.__dict__["_drawing"].all()

    @_data.setter
    def _data(self, value: np.ndarray) -> None:  # GeometryArray.__init__ and __setstate__ set it
        self.__dict__["_own"] = value

    @property
    def _shared(self) -> Drawing | None:
        """Return the drawing whose lines this column reads (None once it has lines of its own)."""
        return None if "_own" in self.__dict__ else self.__dict__.get("_drawing")

    @property
    def size(self) -> int:
        drawing = self._shared
        return len(drawing) if drawing is not None else super().size

    @property
    def nbytes(self) -> int:
        drawing = self._shared
        if drawing is None or drawing.made is not None:
            return super().nbytes
        return drawing.nbytes

    def isna(self) -> np.ndarray:
        drawing = self._shared
        if drawing is None or drawing.made is not None:
            return super().isna()
        return shapely.is_missing(drawing.given) & ~_straight(drawing.given)  # a straight line is never missing

    def copy(self, *args, **kwargs) -> GeometryArray:
        drawing = self._shared
        return super().copy(*args, **kwargs) if drawing is None else StraightLines.of(drawing, crs=self.crs)

    def view(self, dtype=None):
        drawing = self._shared
        if drawing is None or dtype is not None:
            return super().view(dtype)
        return StraightLines.of(drawing, crs=self.crs)

    def take(self, indices, allow_fill: bool = False, fill_value=None) -> GeometryArray:
        drawing = self._shared
        at = np.asarray(indices, dtype=np.intp)
        if drawing is None or (allow_fill and (at < 0).any()):  # a row to fill: as a plain column fills it
            return super().take(indices, allow_fill=allow_fill, fill_value=fill_value)
        return GeometryArray(drawing.rows(np.arange(len(drawing))[at]), crs=self.crs)

    def equals(self, other: object) -> bool:
        if not isinstance(other, GeometryArray):
            return False
        return GeometryArray(self._data, crs=self.crs).equals(GeometryArray(other._data, crs=other.crs))

    def __reduce_ex__(self, protocol):
        # pickled as the plain column it stands for (as GeometryArray pickles its lines): read back, it is one
        return _plain, (shapely.to_wkb(self._data), self.crs)

    def __getitem__(self, idx):
        drawing = self._shared
        if drawing is None:
            return super().__getitem__(idx)
        if isinstance(idx, slice) and idx == slice(None):
            return self.view()
        if isinstance(idx, numbers.Integral):
            return drawing.rows(np.array([np.arange(len(drawing))[int(idx)]], dtype=np.intp))[0]
        if isinstance(idx, slice) or (isinstance(idx, np.ndarray) and idx.dtype.kind in "bi"):
            return GeometryArray(drawing.rows(np.arange(len(drawing))[idx]), crs=self.crs)
        return super().__getitem__(idx)

    def __setitem__(self, key, value) -> None:
        drawing = self._shared
        if drawing is not None:
            self._data = drawing.all().copy()  # its own lines before one changes: the shared ones never do
        super().__setitem__(key, value)


def _plain(wkb: np.ndarray, crs: object) -> GeometryArray:
    return GeometryArray(shapely.from_wkb(wkb), crs=crs)


def _straight(given: np.ndarray) -> np.ndarray:
    return np.fromiter((g is None for g in given), dtype=bool, count=len(given))


def hold_straight(legs: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame, *, least: int | None = None) -> None:
    """Make the geometry column of ``legs`` (in place) a :class:`StraightLines` when it has ``least`` legs or more
    (:data:`LARGE` by default: fewer lines take a few megabytes); the same table, value for value.

    A leg's line is held as its ends when it is exactly the straight line validation would draw between them: two
    2-D points, the first place's coordinates then the second's. Any other line (a drawing, waypoints, a line
    given in the file that differs) is kept as it is.
    """
    array = legs.geometry.array if "geometry" in legs else None
    if len(legs) < (LARGE if least is None else least) or not isinstance(array, GeometryArray) or \
            isinstance(array, StraightLines):
        return
    lines = np.asarray(legs.geometry.array._data, dtype=object)
    if shapely.is_missing(lines).any():
        return  # never once validated (a leg without a line is drawn straight): None means straight below
    points = nodes.geometry.array._data
    xy = np.column_stack([shapely.get_x(points), shapely.get_y(points)])
    start = nodes.index.get_indexer(legs["from"].to_numpy(dtype=object))
    end = nodes.index.get_indexer(legs["to"].to_numpy(dtype=object))
    if (start < 0).any() or (end < 0).any():
        return  # never once validated: every end is a place
    candidate = np.flatnonzero((shapely.get_type_id(lines) == shapely.GeometryType.LINESTRING)
                               & (shapely.get_num_coordinates(lines) == 2) & ~shapely.has_z(lines)
                               & (shapely.get_srid(lines) == 0))
    coords = shapely.get_coordinates(lines[candidate]).reshape(-1, 2, 2)
    same = ((coords[:, 0] == xy[start[candidate]]) & (coords[:, 1] == xy[end[candidate]])).all(axis=1)
    given = lines.copy()
    given[candidate[same]] = None
    positions = index_dtype(len(nodes))
    column = StraightLines.of(Drawing(xy, start.astype(positions), end.astype(positions), given), crs=legs.crs)
    del lines, coords, candidate
    legs[legs.geometry.name] = gpd.GeoSeries(column, index=legs.index, crs=legs.crs)


def is_held_straight(frame: pd.DataFrame) -> bool:
    """Return whether a table's geometry column holds straight lines not made yet."""
    array = getattr(frame.get("geometry"), "array", None)
    drawing = array._shared if isinstance(array, StraightLines) else None
    return drawing is not None and drawing.made is None


def with_lines_made(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``frame`` (a copy of a legs table) with its geometry column a plain one, its lines made: what a
    user is given, which compares, pickles and behaves as any GeoDataFrame's column."""
    array = getattr(frame.get("geometry"), "array", None)
    if isinstance(array, StraightLines):
        frame[frame.geometry.name] = gpd.GeoSeries(GeometryArray(array._data.copy(), crs=array.crs),
                                                   index=frame.index, crs=array.crs)
    return frame
