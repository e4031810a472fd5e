"""Draw the rail legs of data/legs.csv along Natural Earth's 1:10m railroads.

Maintenance tool, not part of the runtime package::

    python tools/railgeometry.py NE_RAILROADS data/legs.csv data/nodes.csv [--dry-run] [--only LEG ...]

NE_RAILROADS is the ne_10m_railroads layer in any format geopandas reads (shapefile, GeoJSON,
GeoPackage), or a folder of Mapbox vector tiles of that layer laid out as Z/X/Y.pbf (the highest
zoom level found is used; each tile is clipped to its own square so that the buffers tiles share
are not counted twice). Where that layer lacks a line, another line layer can stand in for it with
``--layer-name SOURCE_ID`` (the layer's row in data/sources.csv, named in each redrawn leg's note):
any file geopandas reads, or a JSON list of OpenStreetMap ways ({"type": "rail", "geometry":
[[lat, lon], ...]}, as an Overpass "out geom" query gives them), of which the "rail" ways are read.

For each rail leg that has fewer than one waypoint segment per 50 km of its stated distance, or
whose drawn line is more than 10% shorter than that distance, the tool builds a graph of the
railroad lines, ties the leg's from- and to-node to the lines within 25 km of them, snaps the leg's
existing waypoints to the lines (as a guide to which line is meant), takes the shortest path through
them along the lines, keeps the vertices that hold its shape (one every 20-40 km on straight track,
denser on curves), and checks that the drawn line (nodes and waypoints) is 0.90-1.15 times
distance_km and passes within 50 km of each of the leg's old waypoints. A leg that passes gets new
waypoints ("lat lon" with 4 decimals) and a sentence in its note; a leg that fails is left as it was
and listed at the end with the reason.

Legs in TRACED (a line the layer lacks in part, or whose shortest path along the layer is not the leg's line) are
drawn instead through published points of the places the line serves: along the layer between two points where it
has the line, one straight segment where it does not.

Legs in DRAWN_SHORT are drawn along the real line although the drawing stays more than 10% short of distance_km
(the layer cuts the line's curves, or the stated distance counts track beyond the leg's ends, or a stretch is one
straight segment between published points): each has its own lower bound and the reason, the densest thinning is
kept (the drawing loses as little length as it can), and the note written says the ratio. Validation still warns
about them: the warning tells the user that the drawing and the stated distance disagree.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import math
import sys
from pathlib import Path

import networkx as nx
import numpy as np
from pyproj import Geod
from scipy.spatial import cKDTree

GEOD = Geod(ellps="WGS84")

SEGMENT_KM = 50.0          # at least one waypoint segment per this many km of distance_km
SPACING_KM = 30.0          # the spacing kept when thinning a path
MAX_GAP_KM = 40.0          # a longer stretch between two kept vertices is split along the source's line
# thinning levels, sparsest first: a chord shorter than STRAIGHT of the line it stands for is split,
# a stretch shorter than MIN_SPLIT km never is; a leg takes the sparsest level whose line passes the checks
LEVELS = ((0.97, 20.0), (0.98, 15.0), (0.99, 8.0))
# a leg in DRAWN_SHORT is already short of its distance: it takes the densest level that passes, down to one about
# every 4 km on curves, so that thinning takes as little more off it as it can
SHORT_LEVELS = ((0.995, 4.0), *LEVELS[::-1])
LOW = 0.90                 # drawn length / distance_km accepted: at least 0.90 (the brief's -10%) and at most
HIGH = 1.15                # 1.15, the bound corridors/contract.py checks (tighter than the brief's +25%)
GUIDE_OFF_KM = 50.0        # a path farther than this from one of the leg's own waypoints is another line
END_SNAP_KM = 25.0         # a node farther than this from every line: the layer lacks the line
GUIDE_SNAP_KM = 15.0       # a waypoint farther than this from every line is no guide
BRIDGE_KM = 1.5            # a line end this close to another line is joined to it
ACCESS_WEIGHT = 3.0        # a straight stretch from a node to a line weighs this much more than track
LAYER = "ne_10m_railroads"
#: the sentence a redrawn leg's note gets, per layer (source id in data/sources.csv); another layer's is made
#: from its id
NOTES = {
    LAYER: "Waypoints drawn along Natural Earth 1:10m railroads (ne_10m_railroads) by tools/railgeometry.py.",
    "osm_railways_tm": "Waypoints drawn along OpenStreetMap's railway lines (osm_railways_tm, ODbL) by "
                       "tools/railgeometry.py.",
    "osm_railways_ge": "Waypoints drawn along OpenStreetMap's railway lines (osm_railways_ge, ODbL) by "
                       "tools/railgeometry.py.",
}


def layer_note(layer: str) -> str:
    return NOTES.get(layer, f"Waypoints drawn along the railway lines of {layer} by tools/railgeometry.py.")


#: Legs drawn along the real line though the drawing stays more than LOW short of distance_km: the lowest ratio
#: accepted for each (a drawing shorter than that is left as it was: the layer or the points have changed) and why
#: it is short. Lowering LOW for every leg would let a path along the wrong line through; this names each leg.
DRAWN_SHORT: dict[str, tuple[float, str]] = {
    "chongqing__chengdu": (0.88, "the 1:10m layer cuts the curves of the old Chengyu line, and the 505 km counts "
                                 "from Chongqing station to Chengdu station, beyond the city points"),
    "chongqing__xian": (0.88, "the layer lacks the Xikang line: Ankang–Zhashui–Yinzhen–Xi'an are straight "
                              "stretches between published points, which cut the line's mountain curves"),
    "bereket__etrek": (0.86, "the 257 km is a design length reported at financing that may count the line on "
                             "towards the Iranian border; no published length of Bereket–Etrek alone was found"),
    "mangyshlak__kuryk_port": (0.75, "straight stretches between the stations OpenStreetMap maps cut the line's "
                                     "curves, and the 87 km is an estimate (a 76 km waypoint path x 1.15), not a "
                                     "published length; the Kuryk port station lies 17 km west of the node, off the "
                                     "way to it, so the line is not drawn out to it and back"),
}


def short_note(drawn: float, distance: float, reason: str) -> str:
    return (f"The drawing is {drawn:.0f} km, {drawn / distance:.2f}x the stated {distance:g} km (more than 10% "
            f"short, accepted for this leg in DRAWN_SHORT): {reason}.")


#: Legs whose line the layer lacks in part, or whose shortest path along the layer leaves the leg's line, drawn
#: through published points instead of the leg's own waypoints.
#: For each leg, in order from its from-node: (how the line reaches the point, name, lat, lon, source id in
#: data/sources.csv). "layer": along the railroads from the previous point (both points are tied to the lines
#: within END_SNAP_KM of them, as the nodes are); "chord": one straight segment from the previous point, standing
#: for track the layer lacks. No vertex is made up between two published points: a chord stays one segment.
#: The last entry, with name None, is the leg's to-node. Town points are those of places the line is published to
#: serve (a station of that name), not of the station itself: they can lie a few km off the track.
TRACED: dict[str, list[tuple[str, str | None, float, float, str]]] = {
    "urumqi__kashgar": [
        ("layer", "Korla", 41.76055, 86.15231, "geonames_cities1000"),
        ("chord", "Luntai", 41.77953, 84.27049, "geonames_cities1000"),
        ("chord", "Xinhe (Toksu)", 41.5468, 82.6096, "geonames_cities1000"),
        ("chord", "Aksu (Aqsu)", 41.18418, 80.27921, "geonames_cities1000"),
        ("chord", "Bachu (Maralbexi)", 39.78498, 78.54251, "geonames_cities1000"),
        ("chord", "Artux", 39.70842, 76.17971, "geonames_cities1000"),
        ("chord", "Kashgar station", 39.49194, 76.04611, "enwiki_kashgar_station"),
        ("chord", None, 0.0, 0.0, ""),
    ],
    "andijan__tashkent": [
        ("layer", "Marg‘ilon (Margilan)", 40.47237, 71.72463, "geonames_cities1000"),
        ("layer", "Qo‘qon (Kokand)", 40.52861, 70.9425, "geonames_cities1000"),
        ("layer", "Pop (Pap)", 40.87361, 71.10889, "geonames_cities1000"),
        ("chord", "Angren", 41.01667, 70.14361, "geonames_cities1000"),
        ("layer", None, 0.0, 0.0, ""),
    ],
    # the layer has the whole line, but its shortest path from the border cuts the curves (0.90x); through the
    # towns the line serves, along the layer between each, it keeps them
    "kapitan_andreevo__plovdiv": [
        ("layer", "Svilengrad", 41.76836, 26.19775, "geonames_cities1000"),
        ("layer", "Harmanli", 41.93233, 25.90172, "geonames_cities1000"),
        ("layer", "Dimitrovgrad", 42.05, 25.6, "geonames_cities1000"),
        ("layer", "Parvomay", 42.1, 25.21667, "geonames_cities1000"),
        ("layer", "Sadovo", 42.13178, 24.93999, "geonames_cities1000"),
        ("layer", None, 0.0, 0.0, ""),
    ],
    # the leg's old waypoints ran on past the to-node to the Luchaogang terminal (30.87 N 121.90 E), which the
    # layer lacks, and back, so no path along the layer passed near them; through the towns the Longhai and
    # Beijing–Shanghai lines serve, the line is drawn to the node, without the Pudong railway stretch
    "zhengzhou__shanghai_port": [
        ("layer", "Kaifeng", 34.7986, 114.30742, "geonames_cities1000"),
        ("layer", "Shangqiu", 34.4143, 115.65613, "geonames_cities1000"),
        ("layer", "Xuzhou", 34.20442, 117.28386, "geonames_cities1000"),
        ("layer", "Bengbu", 32.94083, 117.36083, "geonames_cities1000"),
        ("layer", "Nanjing", 32.06167, 118.77778, "geonames_cities1000"),
        ("layer", "Changzhou", 31.77359, 119.95401, "geonames_cities1000"),
        ("layer", "Suzhou", 31.30408, 120.59538, "geonames_cities1000"),
        ("layer", None, 0.0, 0.0, ""),
    ],
    # the leg's assumed route (Hangzhou, Xuancheng, Hefei, Fuyang): the layer's shortest Xuancheng–Hefei path
    # runs round by Nanjing (485 km); the line between them crosses the Yangtze at Wuhu, so through Wuhu
    "yiwu__zhengzhou": [
        ("layer", "Hangzhou", 30.29365, 120.16142, "geonames_cities1000"),
        ("layer", "Xuancheng", 30.9525, 118.75528, "geonames_cities1000"),
        ("layer", "Wuhu", 31.35259, 118.42947, "geonames_cities1000"),
        ("layer", "Hefei", 31.86389, 117.28083, "geonames_cities1000"),
        ("layer", "Fuyang", 32.9, 115.81667, "geonames_cities1000"),
        ("layer", None, 0.0, 0.0, ""),
    ],
    # the BTK line the layer lacks joins the Kars–Akyaka (ex-Gyumri) line, which the layer has, at Mezra, 13 km
    # east of Kars (egtre_georgia_turkey): the layer's own vertex 13 km along that line from Kars station stands
    # for the junction; no station coordinate on the new line was found, so the border stretch is one chord
    "kartsakhi__kars": [
        ("chord", "Mezra junction (layer vertex 13 km from Kars)", 40.66892, 43.23154, "egtre_georgia_turkey"),
        ("layer", None, 0.0, 0.0, ""),
    ],
    # the layer lacks the line (2019). It leaves the Tehran–Tabriz line at Siah Cheshmeh, north-west of Qazvin
    # before Takestan, passes the villages of Kuhin and Shirin Su and runs by Loshan, Manjil, Rudbar, Rostamabad
    # and Imamzadeh Hashem to Rasht (eghtesadgostareshomal_2020_qazvin_rasht); the towns in GeoNames stand for
    # their stations, one straight stretch each. Siah Cheshmeh is km 162.5 of the Tehran–Tabriz line, Qazvin
    # km 143.6 and Takestan km 178.4 (wikili_tehran_tabriz): the layer's own vertex 18.9 km along the line from
    # the vertex nearest the Qazvin node stands for it (the same walk puts Takestan's chainage 34.8 km on, at a
    # layer vertex 1.0 km from the Takestan town point, so the layer keeps the chainage there)
    "rasht__qazvin": [
        ("chord", "Rostamabad", 36.90222, 49.49748, "geonames_cities1000"),
        ("chord", "Rudbar", 36.8211, 49.4264, "geonames_cities1000"),
        ("chord", "Manjil", 36.74445, 49.40082, "geonames_cities1000"),
        ("chord", "Loshan", 36.62981, 49.51282, "geonames_cities1000"),
        ("chord", "Kuhin", 36.37097, 49.66259, "geonames_cities1000"),
        ("chord", "Siah Cheshmeh junction (layer vertex at km 162.5 of the Tehran–Tabriz line)", 36.15617, 49.82094,
         "wikili_tehran_tabriz"),
        ("layer", None, 0.0, 0.0, ""),
    ],
    # Lines the layer lacks, drawn through the stations OpenStreetMap maps on them (osm_stations_kz: railway=station
    # nodes, with their OSM node ids in the source's note), one straight stretch from each station to the next.
    # Jinghe–Yining–Khorgos (2009): from Jinghe South (the county-point node lies 1.6 km from it; Jinghe station, 10 km
    # east on the Northern Xinjiang line, would draw a spike), across the Tian Shan and down the Ili valley; the
    # Yining station point agrees with the one published coordinate (43°58′00″N 81°16′30″E)
    "jinghe__khorgos": [
        ("chord", "Jinghe South (精河南)", 44.60508, 82.91829, "osm_stations_kz"),
        ("chord", "Aile (艾乐)", 44.48066, 82.88446, "osm_stations_kz"),
        ("chord", "Aobao (敖包)", 44.38704, 82.7672, "osm_stations_kz"),
        ("chord", "Moren (莫仁)", 44.32314, 82.67543, "osm_stations_kz"),
        ("chord", "Aqiaer (阿恰尔)", 44.3213, 82.48995, "osm_stations_kz"),
        ("chord", "Axiale (阿夏勒)", 44.20046, 82.42596, "osm_stations_kz"),
        ("chord", "Suguer (苏古尔)", 44.20138, 82.24684, "osm_stations_kz"),
        ("chord", "Mengmalaer (蒙马拉尔)", 44.10577, 82.12294, "osm_stations_kz"),
        ("chord", "Subutai (苏布台)", 44.00704, 82.08186, "osm_stations_kz"),
        ("chord", "Nilka (尼勒克)", 43.96596, 82.04578, "osm_stations_kz"),
        ("chord", "Taer (塔尔)", 43.91075, 81.94407, "osm_stations_kz"),
        ("chord", "Bulieke (布列开)", 43.89852, 81.79239, "osm_stations_kz"),
        ("chord", "Qiuluhai (曲鲁海)", 43.93625, 81.66766, "osm_stations_kz"),
        ("chord", "Yining East (伊宁东)", 43.95399, 81.49992, "osm_stations_kz"),
        ("chord", "Panjin (潘津)", 43.97479, 81.40036, "osm_stations_kz"),
        ("chord", "Yining (伊宁)", 43.96642, 81.27526, "osm_stations_kz"),
        ("chord", "Liushiliu Tuan (六十六团)", 43.96901, 81.03448, "osm_stations_kz"),
        ("chord", "Huocheng (霍城)", 44.05789, 80.83615, "osm_stations_kz"),
        ("chord", "Qingshuihe (清水河)", 44.16149, 80.71463, "osm_stations_kz"),
        ("chord", "Khorgos (霍尔果斯)", 44.15622, 80.45435, "osm_stations_kz"),
        ("chord", None, 0.0, 0.0, ""),
    ],
    # Altynkol–Zhetygen (2011): the stations KTZ and a 2011 forum post name (Kundyzdy, Taskarasu, Shelek; Kurozek,
    # Ekpindy, Zharsu, Zhinishkesu); the Ortakudyk point agrees with its published coordinate (43°45′00″N 78°52′33″E)
    "altynkol__zhetygen": [
        ("chord", "Altynkol (Алтынкөл)", 44.16491, 80.29542, "osm_stations_kz"),
        ("chord", "Kundyzdy (Кундызды)", 44.09084, 80.13734, "osm_stations_kz"),
        ("chord", "Kerimagash (Керімағаш)", 44.00746, 80.02743, "osm_stations_kz"),
        ("chord", "Aidarly (Айдарлы)", 43.96071, 79.8154, "osm_stations_kz"),
        ("chord", "Taskarasu (Таскарасу)", 43.73764, 79.4813, "osm_stations_kz"),
        ("chord", "Sharyn (Шарын)", 43.77101, 79.18746, "osm_stations_kz"),
        ("chord", "Ortakudyk (Ортакудык)", 43.75025, 78.87603, "osm_stations_kz"),
        ("chord", "Nurly (Нурлы)", 43.67102, 78.58086, "osm_stations_kz"),
        ("chord", "Shelek (Шелек)", 43.66602, 78.35654, "osm_stations_kz"),
        ("chord", "Zhinishkesu (Жинишкесу)", 43.66701, 78.01307, "osm_stations_kz"),
        ("chord", "Zharsu (Жарсу)", 43.66421, 77.76393, "osm_stations_kz"),
        ("chord", "Ekpindy (Екпинди)", 43.63927, 77.52588, "osm_stations_kz"),
        ("chord", "Kurozek (Курозек)", 43.71945, 77.32168, "osm_stations_kz"),
        ("chord", "Zhetygen (Жетыген)", 43.6887, 77.1259, "osm_stations_kz"),
        ("chord", None, 0.0, 0.0, ""),
    ],
    # Zhezkazgan–Saksaulskaya (2014): through Karsakpay, Baikonur, Koktal and Koskol (named in the press) and Abai and
    # Karashegen (named by Kyzylorda region), with the passing loops OSM maps between them
    "zhezkazgan__saksaulskaya": [
        ("chord", "Zhezkazgan (Жезқазған)", 47.77745, 67.69172, "osm_stations_kz"),
        ("chord", "Karsakpay (Карсакбай)", 47.80886, 66.77077, "osm_stations_kz"),
        ("chord", "Baikonur loop (разъезд Байконыр)", 47.82425, 66.09618, "osm_stations_kz"),
        ("chord", "Loop No. 5 (рзд. №5)", 47.78838, 65.84047, "osm_stations_kz"),
        ("chord", "Koktal (Коктал)", 47.77048, 65.38247, "osm_stations_kz"),
        ("chord", "Loop No. 8 (рзд. №8)", 47.78112, 64.79239, "osm_stations_kz"),
        ("chord", "Koskol (Косколь)", 47.57296, 64.56142, "osm_stations_kz"),
        ("chord", "Promezhutochnaya (Промежуточная)", 47.3783, 63.56794, "osm_stations_kz"),
        ("chord", "Abai (Абай)", 47.23836, 62.31807, "osm_stations_kz"),
        ("chord", "Karashegen (Карашеген)", 47.08863, 61.59884, "osm_stations_kz"),
        ("chord", "Sekseuil (Сексеуіл)", 47.08412, 61.15469, "osm_stations_kz"),
        ("chord", None, 0.0, 0.0, ""),
    ],
    # Shalkar–Beyneu (2014): through Baikadam and Begimbet (named by KTZ in Shalkar district) and the stations OSM maps
    # south-west across the Ustyurt to the Nogaity loop and Sam, then straight to Beyneu station
    "shalkar__beyneu": [
        ("chord", "Saryzhide (Сарыжиде)", 47.64692, 59.48547, "osm_stations_kz"),
        ("chord", "Akkaitym (Аккайтым)", 47.46045, 59.27307, "osm_stations_kz"),
        ("chord", "Baikadam (Байкадам)", 47.34654, 59.20421, "osm_stations_kz"),
        ("chord", "Begimbet (Бегимбет)", 47.06904, 59.01577, "osm_stations_kz"),
        ("chord", "Dombar (Домбар)", 46.97746, 58.85371, "osm_stations_kz"),
        ("chord", "Shukyr (Шукыр)", 46.76774, 58.49216, "osm_stations_kz"),
        ("chord", "Zhanak (Жанак)", 46.7363, 58.42656, "osm_stations_kz"),
        ("chord", "Kampala (Кампала)", 46.62365, 58.18659, "osm_stations_kz"),
        ("chord", "Tassai (Тассай)", 46.51067, 57.97124, "osm_stations_kz"),
        ("chord", "Sagyr (Сагыр)", 46.38195, 57.74298, "osm_stations_kz"),
        ("chord", "Sankybai (Санкыбай)", 46.16595, 57.37653, "osm_stations_kz"),
        ("chord", "Kabel (Кабель)", 46.02487, 57.1355, "osm_stations_kz"),
        ("chord", "Turysh (Тұрыш)", 45.45699, 56.11406, "osm_stations_kz"),
        ("chord", "Nogaity loop (Ноғайты)", 45.31583, 56.02478, "osm_stations_kz"),
        ("chord", "Sam (Сам)", 45.23161, 55.85118, "osm_stations_kz"),
        ("chord", "Beyneu (Бейнеу)", 45.32211, 55.19662, "osm_stations_kz"),
        ("chord", None, 0.0, 0.0, ""),
    ],
    # Mangyshlak–Uzen: the line runs south to Borzhakty, where the Kuryk branch leaves it, then east by Zhetybai
    "mangyshlak__zhanaozen": [
        ("chord", "Mangystau (Маңғыстау)", 43.69695, 51.30896, "osm_stations_kz"),
        ("chord", "Borzhakty (Боржакты)", 43.34381, 51.59633, "osm_stations_kz"),
        ("chord", "Zhetybai (Жетібай)", 43.45891, 52.09792, "osm_stations_kz"),
        ("chord", "Uzen (Zhanaözen)", 43.32128, 52.85373, "osm_stations_kz"),
        ("chord", None, 0.0, 0.0, ""),
    ],
    # Mangyshlak–Kuryk port: the Mangyshlak–Uzen line to Borzhakty, then the Borzhakty–Ersai branch
    # (rg_borzhakty_ersai) to Ersai, then on to the node (the village point); the Kuryk port station OSM maps
    # (43.16477 N 51.44161 E) lies 17 km west of the node, so the line is not drawn out to it and back
    "mangyshlak__kuryk_port": [
        ("chord", "Mangystau (Маңғыстау)", 43.69695, 51.30896, "osm_stations_kz"),
        ("chord", "Borzhakty (Боржакты)", 43.34381, 51.59633, "osm_stations_kz"),
        ("chord", "Ersai (Ерсай)", 43.19527, 51.58324, "osm_stations_kz"),
        ("chord", None, 0.0, 0.0, ""),
    ],
    # Chongqing–Xi'an as operated since November 2018: the Xiangyu line by Guang'an, Dazhou and Wanyuan to Ankang (the
    # layer has it; Wanyuan is not in GeoNames' places over 1,000 inhabitants, and the layer's path from Dazhou to
    # Ankang passes within 5 km of the leg's old Wanyuan waypoint without it), then the 35.5 km Dalingpu–Ankang cut-off
    # and the Xikang line, which the layer lacks: straight from Ankang to Zhashui's county seat (Qianyou), to Yinzhen
    # station (ex-Xi'an South, zhwiki_yinzhen) and to the node. Dalingpu has no published coordinate, so the Ankang
    # chord stands for the cut-off; the old line through Xunyang North, which the cut-off bypasses, is not drawn
    "chongqing__xian": [
        ("layer", "Guang'an", 30.47413, 106.63696, "geonames_cities1000"),
        ("layer", "Dazhou", 31.2106, 107.46308, "geonames_cities1000"),
        ("layer", "Ankang", 32.68, 109.01722, "geonames_cities1000"),
        ("chord", "Zhashui (Qianyou)", 33.6775, 109.12333, "geonames_cities1000"),
        ("chord", "Yinzhen station", 34.094088, 109.096481, "zhwiki_yinzhen"),
        ("chord", None, 0.0, 0.0, ""),
    ],
}


def km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def line_km(points: list[tuple[float, float]]) -> float:
    if len(points) < 2:
        return 0.0
    lons, lats = zip(*points, strict=True)
    return float(GEOD.line_length(lons, lats)) / 1000.0


# ---------------------------------------------------------------- reading the layer

def _tile_lines(folder: Path, bbox: tuple[float, float, float, float]) -> list[list[tuple[float, float]]]:
    import mapbox_vector_tile
    from shapely.geometry import LineString, MultiLineString, box

    zooms = sorted(int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit())
    if not zooms:
        raise SystemExit(f"{folder}: no Z/X/Y.pbf tiles")
    z = zooms[-1]
    n = 2 ** z
    west, south, east, north = bbox

    def tile_x(lon: float) -> int:
        return int((lon + 180.0) / 360.0 * n)

    def tile_y(lat: float) -> int:
        r = math.radians(lat)
        return int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n)

    lines = []
    for x in range(tile_x(west), tile_x(east) + 1):
        for y in range(tile_y(north), tile_y(south) + 1):
            path = folder / str(z) / str(x) / f"{y}.pbf"
            if not path.exists():
                continue
            data = mapbox_vector_tile.decode(path.read_bytes(), default_options={"y_coord_down": True})
            for layer in data.values():
                extent = layer.get("extent", 4096)
                square = box(0, 0, extent, extent)
                for feature in layer["features"]:
                    geom = feature["geometry"]
                    if geom["type"] == "LineString":
                        shape = LineString(geom["coordinates"])
                    elif geom["type"] == "MultiLineString":
                        shape = MultiLineString(geom["coordinates"])
                    else:
                        continue
                    clipped = shape.intersection(square)
                    parts = getattr(clipped, "geoms", [clipped])
                    for part in parts:
                        if part.geom_type != "LineString" or part.is_empty:
                            continue
                        points = []
                        for px, py in part.coords:
                            lon = (x + px / extent) / n * 360.0 - 180.0
                            lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + py / extent) / n))))
                            points.append((lon, lat))
                        lines.append(points)
    return lines


def _file_lines(path: Path, bbox: tuple[float, float, float, float]) -> list[list[tuple[float, float]]]:
    import geopandas as gpd

    frame = gpd.read_file(path, bbox=bbox)
    lines = []
    for geom in frame.geometry:
        if geom is None or geom.is_empty:
            continue
        for part in getattr(geom, "geoms", [geom]):
            if part.geom_type == "LineString":
                lines.append([(float(a), float(b)) for a, b, *_ in part.coords])
    return lines


def _way_lines(path: Path, bbox: tuple[float, float, float, float]) -> list[list[tuple[float, float]]]:
    """Read a JSON list of OpenStreetMap ways with their geometry as [lat, lon] pairs; only "rail" ways count.

    Lines under construction, proposed, light rail and the like are left out: a leg runs on open track.
    """
    import json

    west, south, east, north = bbox
    lines = []
    for way in json.loads(path.read_text(encoding="utf-8")):
        if way.get("type", "rail") != "rail" or len(way.get("geometry") or []) < 2:
            continue
        points = [(float(lon), float(lat)) for lat, lon in way["geometry"]]
        if any(west <= lon <= east and south <= lat <= north for lon, lat in points):
            lines.append(points)
    return lines


def read_lines(source: Path, bbox: tuple[float, float, float, float]) -> list[list[tuple[float, float]]]:
    if source.is_dir():
        return _tile_lines(source, bbox)
    if source.suffix == ".json":
        with source.open(encoding="utf-8") as f:
            if f.read(64).lstrip().startswith("["):
                return _way_lines(source, bbox)
    return _file_lines(source, bbox)


# ---------------------------------------------------------------- the graph

class RailGraph:
    def __init__(self, lines: list[list[tuple[float, float]]]) -> None:
        self.graph = nx.Graph()
        self.coords: dict[int, tuple[float, float]] = {}
        index: dict[tuple[int, int], int] = {}

        def node(lon: float, lat: float) -> int:
            key = (round(lon * 1e5), round(lat * 1e5))
            if key not in index:
                index[key] = len(index)
                self.coords[index[key]] = (lon, lat)
            return index[key]

        for points in lines:
            ids = [node(lon, lat) for lon, lat in points]
            for a, b in itertools.pairwise(ids):
                if a != b:
                    (lo1, la1), (lo2, la2) = self.coords[a], self.coords[b]
                    self.graph.add_edge(a, b, km=km(lo1, la1, lo2, la2))
        ids = np.array(sorted(self.graph.nodes))
        self.ids = ids
        xyz = np.array([self._xyz(*self.coords[i]) for i in ids])
        self.tree = cKDTree(xyz)
        # tile seams and loosely drawn junctions: join each line end to the nearest other line close by
        ends = [i for i in ids if self.graph.degree(i) == 1]
        for i in ends:
            near = self.tree.query_ball_point(self._xyz(*self.coords[i]), BRIDGE_KM / 6371.0)
            best = None
            for j in (int(ids[k]) for k in near):
                if j == i or self.graph.has_edge(i, j):
                    continue
                d = km(*self.coords[i], *self.coords[j])
                if best is None or d < best[0]:
                    best = (d, j)
            if best is not None:
                self.graph.add_edge(i, best[1], km=best[0])

    @staticmethod
    def _xyz(lon: float, lat: float) -> tuple[float, float, float]:
        lo, la = math.radians(lon), math.radians(lat)
        return (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))

    def snap(self, lon: float, lat: float) -> tuple[int, float]:
        _, k = self.tree.query(self._xyz(lon, lat))
        i = int(self.ids[k])
        return i, km(lon, lat, *self.coords[i])

    def near(self, lon: float, lat: float, radius_km: float, most: int = 400) -> list[tuple[int, float]]:
        """Return (vertex, km) for the vertices within radius_km of a point, nearest first."""
        dist, ks = self.tree.query(self._xyz(lon, lat), k=most, distance_upper_bound=radius_km / 6371.0)
        out = []
        for d, k in zip(np.atleast_1d(dist), np.atleast_1d(ks), strict=True):
            if np.isfinite(d):
                i = int(self.ids[k])
                out.append((i, km(lon, lat, *self.coords[i])))
        return out

    def tie(self, name: str, lon: float, lat: float) -> None:
        """Join a place to the lines near it (within END_SNAP_KM) by edges weighted ACCESS_WEIGHT x their length.

        The path then leaves a place by the line that serves it best: the nearest vertex can lie on a line
        that does not go the leg's way (across a strait, or a parallel line).
        """
        for i, d in self.near(lon, lat, END_SNAP_KM):
            self.graph.add_edge(name, i, km=ACCESS_WEIGHT * d)

    def untie(self, *names: str) -> None:
        for name in names:
            if name in self.graph:
                self.graph.remove_node(name)

    def path(self, anchors: list) -> list | None:
        route: list[int] = []
        for a, b in itertools.pairwise(anchors):
            if a == b:
                continue
            try:
                part = nx.shortest_path(self.graph, a, b, weight="km")
            except nx.NetworkXNoPath:
                return None
            route.extend(part if not route else part[1:])
        return route or anchors[:1]


# ---------------------------------------------------------------- thinning

def thin(points: list[tuple[float, float]], straight: float = 0.97,
         min_split: float = 20.0) -> list[tuple[float, float]]:
    """Keep the vertices that hold the line's shape: about one every 20-40 km, more on curves.

    Between two kept vertices the chord must be at least ``straight`` times the length along the source's line
    and no longer than MAX_GAP_KM; where it is not, the vertex farthest off the chord is kept (on a curve)
    or the one nearest halfway along (on a straight). A single source segment longer than MAX_GAP_KM is
    split at points along that segment itself.
    """
    pts = [points[0]]
    for prev, cur in itertools.pairwise(points):
        step = km(*prev, *cur)
        if step > MAX_GAP_KM:
            between = GEOD.npts(prev[0], prev[1], cur[0], cur[1], math.ceil(step / SPACING_KM) - 1)
            pts.extend((float(a), float(b)) for a, b in between)
        if cur != pts[-1]:
            pts.append(cur)
    lons = np.array([p[0] for p in pts])
    lats = np.array([p[1] for p in pts])
    lat0 = math.radians(float(lats.mean()))
    x = lons * 111.32 * math.cos(lat0)   # a local plane, km: enough to find the vertex farthest off a chord
    y = lats * 110.57
    steps = [km(*a, *b) for a, b in itertools.pairwise(pts)]
    along = np.concatenate([[0.0], np.cumsum(steps)])
    keep = {0, len(pts) - 1}
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        arc = along[j] - along[i]
        chord = km(*pts[i], *pts[j])
        if arc <= MAX_GAP_KM and (chord >= straight * arc or arc <= min_split):
            continue
        if chord >= straight * arc:  # straight but long: halfway along
            k = i + 1 + int(np.argmin(np.abs(along[i + 1:j] - (along[i] + along[j]) / 2)))
        else:  # a curve: the vertex farthest off the chord
            dx, dy = x[j] - x[i], y[j] - y[i]
            norm = math.hypot(dx, dy) or 1.0
            off = np.abs((x[i + 1:j] - x[i]) * dy - (y[i + 1:j] - y[i]) * dx) / norm
            k = i + 1 + int(np.argmax(off))
        keep.add(k)
        stack.extend([(i, k), (k, j)])
    return [pts[k] for k in sorted(keep)]


# ---------------------------------------------------------------- legs

def parse_waypoints(text: str) -> list[tuple[float, float]]:
    points = []
    for part in text.split(";"):
        pair = part.replace(",", " ").split()
        if len(pair) == 2:
            points.append((float(pair[1]), float(pair[0])))
    return points


def format_waypoints(points: list[tuple[float, float]]) -> str:
    return ";".join(f"{lat:.4f} {lon:.4f}" for lon, lat in points)


def farthest_guide_km(guides: list[tuple[float, float]], line: list[tuple[float, float]]) -> float:
    """Return how far the guide point farthest from the line's vertices lies from them (haversine, km)."""
    if not guides:
        return 0.0
    lon = np.radians([p[0] for p in line])
    lat = np.radians([p[1] for p in line])
    worst = 0.0
    for glon, glat in guides:
        a, b = math.radians(glon), math.radians(glat)
        h = np.sin((lat - b) / 2) ** 2 + math.cos(b) * np.cos(lat) * np.sin((lon - a) / 2) ** 2
        worst = max(worst, float(2 * 6371.0 * np.arcsin(np.sqrt(h.min()))))
    return worst


def needs_work(line: list[tuple[float, float]], distance: float) -> bool:
    segments = len(line) - 1
    return segments < distance / SEGMENT_KM or line_km(line) < LOW * distance


START, END = "__start__", "__end__"


def _route(graph: RailGraph, anchors: list, start: tuple[float, float], end: tuple[float, float]) -> list | None:
    """Return the path through the anchors, START and END standing for the nodes tied to the lines near them."""
    route: list = []
    for x, y in itertools.pairwise(anchors):
        # a node is tied to the lines only while a path leaves or reaches it, so that no path
        # takes a shortcut through a node between two of its lines
        try:
            if x == START:
                graph.tie(START, *start)
            if y == END:
                graph.tie(END, *end)
            part = graph.path([x, y])
        finally:
            graph.untie(START, END)
        if part is None:
            return None
        route.extend(part if not route else part[1:])
    return [i for i in route if i not in (START, END)]


def _passes(inner: list[tuple[float, float]], ratio: float, distance: float, low: float) -> bool:
    """Return whether a drawing meets the rules: a segment per SEGMENT_KM of distance_km, and a drawn length from
    ``low`` (LOW, or a DRAWN_SHORT leg's own) to HIGH times it."""
    return len(inner) + 1 >= distance / SEGMENT_KM and low <= ratio <= HIGH


def draw(graph: RailGraph, start: tuple[float, float], end: tuple[float, float],
         guides: list[tuple[float, float]], distance: float,
         low: float | None = None) -> tuple[list[tuple[float, float]] | None, str]:
    """Return (waypoints, '') for a line along the railroads, or (None, why not).

    With ``low`` (a leg in DRAWN_SHORT) a drawing down to that ratio is accepted and SHORT_LEVELS are tried,
    densest first, so that the drawing loses as little of the line's length as it can.
    """
    levels = LEVELS if low is None else SHORT_LEVELS
    low = LOW if low is None else low
    gap_a = graph.snap(*start)[1]
    gap_b = graph.snap(*end)[1]
    if gap_a > END_SNAP_KM or gap_b > END_SNAP_KM:
        return None, f"no railroad within {END_SNAP_KM:g} km of a node (from {gap_a:.0f} km, to {gap_b:.0f} km)"
    guide_ids = []
    for lon, lat in guides:
        g, gap = graph.snap(lon, lat)
        if gap <= GUIDE_SNAP_KM:
            guide_ids.append(g)
    tried = []
    routes = []
    # first from the vertices nearest the nodes, then from the nodes tied to every line near them
    for first, last in ((graph.snap(*start)[0], graph.snap(*end)[0]), (START, END)):
        for anchors in ([[first, *guide_ids, last], [first, last]] if guide_ids else [[first, last]]):
            routes.append(_route(graph, anchors, start, end))
    for route in routes:
        if route is None:
            tried.append("no connected path")
            continue
        dense = [graph.coords[i] for i in route]
        off = farthest_guide_km(guides, [start, *dense, end])
        if off > GUIDE_OFF_KM:
            tried.append(f"path {off:.0f} km from one of the leg's waypoints")
            continue
        for straight, min_split in levels:
            inner = thin(dense, straight, min_split)
            # the nodes themselves are the line's ends: drop path vertices that sit on them
            inner = [p for p in inner if km(*p, *start) > 2.0 and km(*p, *end) > 2.0]
            inner = [(round(lon, 4), round(lat, 4)) for lon, lat in inner]
            drawn = line_km([start, *inner, end])
            ratio = drawn / distance
            if _passes(inner, ratio, distance, low):
                return inner, ""
        if len(inner) + 1 < distance / SEGMENT_KM:
            tried.append(f"{len(inner)} waypoints for {distance:g} km")
        else:
            tried.append(f"drawn {drawn:.0f} km = {ratio:.2f}x the stated {distance:g} km")
    return None, "; ".join(tried)


def _layer_stretch(graph: RailGraph, a: tuple[float, float], b: tuple[float, float]) -> list | None:
    """Return the vertices of the path along the lines from point a to point b (both tied to the lines near them)."""
    part = _route(graph, [START, END], a, b)
    return None if part is None else [graph.coords[i] for i in part]


def trace(graph: RailGraph, start: tuple[float, float], end: tuple[float, float],
          stops: list[tuple[str, str | None, float, float, str]],
          distance: float, low: float | None = None) -> tuple[list[tuple[float, float]] | None, str]:
    """Return (waypoints, '') for a line through a leg's published points (see TRACED), or (None, why not).

    ``low`` as in draw().
    """
    levels = LEVELS if low is None else SHORT_LEVELS
    low = LOW if low is None else low
    points = [start, *[(lon, lat) for _, name, lat, lon, _ in stops if name is not None], end]
    stretches = []
    for (how, name, *_), a, b in zip(stops, points[:-1], points[1:], strict=True):
        if how == "chord":
            stretches.append(None)
            continue
        dense = _layer_stretch(graph, a, b)
        if dense is None:
            return None, f"no path along the lines to {name or 'the to-node'}"
        stretches.append(dense)
    tried = ""
    for straight, min_split in levels:
        inner: list[tuple[float, float]] = []
        for k, (a, b, dense) in enumerate(zip(points[:-1], points[1:], stretches, strict=True)):
            if dense is not None:
                kept = thin([a, *dense, b], straight, min_split)[1:-1]
                inner.extend(p for p in kept if km(*p, *a) > 2.0 and km(*p, *b) > 2.0)
            if k < len(points) - 2:
                inner.append(b)  # the published point itself
        inner = [(round(lon, 4), round(lat, 4)) for lon, lat in inner]
        drawn = line_km([start, *inner, end])
        ratio = drawn / distance
        if _passes(inner, ratio, distance, low):
            return inner, ""
        tried = f"{len(inner)} waypoints, drawn {drawn:.0f} km = {ratio:.2f}x the stated {distance:g} km"
    return None, tried


def trace_note(stops: list[tuple[str, str | None, float, float, str]], layer: str = LAYER) -> str:
    parts = []
    for how, name, _, _, source in stops:
        place = name or "the to-node"
        parts.append(f"along {layer} to {place}" if how == "layer"
                     else f"straight to {place}" + (f" ({source})" if source else ""))
    return ("Waypoints drawn by tools/railgeometry.py through published points: " + ", ".join(parts) +
            "; a straight stretch stands for track the layer lacks and has no vertex between its two points.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("railroads", type=Path, help="ne_10m_railroads (file, or folder of Z/X/Y.pbf tiles)")
    parser.add_argument("legs", type=Path)
    parser.add_argument("nodes", type=Path)
    parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
    parser.add_argument("--only", nargs="*", default=None, help="leg ids to consider (default: every rail leg)")
    parser.add_argument("--layer-name", default=LAYER,
                        help=f"source id of the line layer, named in the notes (default: {LAYER})")
    args = parser.parse_args(argv)

    with args.nodes.open(newline="", encoding="utf-8") as f:
        nodes = {r["id"]: (float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)}
    raw = args.legs.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(raw)))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}

    todo = []
    for row in body:
        if row[col["mode"]] != "rail" or (args.only is not None and row[col["id"]] not in args.only):
            continue
        if col.get("geometry") is not None and row[col["geometry"]].strip():
            continue  # drawn as WKT: not this tool's
        start, end = nodes[row[col["from"]]], nodes[row[col["to"]]]
        guides = parse_waypoints(row[col["waypoints"]])
        distance = float(row[col["distance_km"]])
        if needs_work([start, *guides, end], distance):
            todo.append((row, start, end, guides, distance))
    if not todo:
        print("every rail leg already has enough vertices")
        return 0

    published = [(lon, lat) for row, *_ in todo for _, name, lat, lon, _ in TRACED.get(row[col["id"]], []) if name]
    lons = [p[0] for _, s, e, g, _ in todo for p in (s, e, *g)] + [p[0] for p in published]
    lats = [p[1] for _, s, e, g, _ in todo for p in (s, e, *g)] + [p[1] for p in published]
    bbox = (min(lons) - 1, min(lats) - 1, max(lons) + 1, max(lats) + 1)
    lines = read_lines(args.railroads, bbox)
    graph = RailGraph(lines)
    print(f"{len(lines)} railroad lines, {graph.graph.number_of_nodes()} vertices in "
          f"{bbox[0]:.0f}..{bbox[2]:.0f}E {bbox[1]:.0f}..{bbox[3]:.0f}N; {len(todo)} legs to draw", file=sys.stderr)

    failed = []
    for row, start, end, guides, distance in todo:
        leg = row[col["id"]]
        low, reason = DRAWN_SHORT.get(leg, (None, ""))
        if leg in TRACED:
            inner, why = trace(graph, start, end, TRACED[leg], distance, low)
            sentence = trace_note(TRACED[leg], args.layer_name)
        else:
            inner, why = draw(graph, start, end, guides, distance, low)
            sentence = layer_note(args.layer_name)
        if inner is None:
            failed.append((leg, why))
            continue
        before = len(guides)
        row[col["waypoints"]] = format_waypoints([(lon, lat) for lon, lat in inner])
        drawn = line_km([start, *inner, end])
        note = row[col["note"]].strip()
        if sentence not in note:
            note = f"{note} {sentence}".strip()
        if drawn < LOW * distance:
            # a rerun replaces the sentence it wrote before rather than adding a second one
            note = note.split(" The drawing is ")[0] + " " + short_note(drawn, distance, reason)
        row[col["note"]] = note
        print(f"drawn  {leg}: {before} -> {len(inner)} waypoints, {drawn:.0f} km for {distance:g} km")
    for leg, why in failed:
        print(f"LEFT   {leg}: {why}")
    print(f"{len(todo) - len(failed)} drawn, {len(failed)} left", file=sys.stderr)

    if not args.dry_run:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *body])
        args.legs.write_text(out.getvalue(), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
