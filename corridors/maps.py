"""Interactive maps (folium) of a network, a route, a comparison of corridors and a scenario.

Layers by mode and by corridor can be switched in a layer control; places are styled by kind, with popups
that give their country, facilities, stop times by profile and sources; a route's legs and stops have popups of
their own. Everything that comes from data (names, notes, sources) is escaped before it reaches the page, so a
place called ``<img src=x onerror=alert(1)>`` shows as text.

``offline=True`` writes a page that needs no internet at all: Leaflet and jQuery are inlined from the
``folium-offline`` package (a maintained packaging of folium's web resources, read from disk, never fetched), and
the background is the bundled Natural Earth country outlines instead of map tiles. The default uses ordinary tiles,
which are the reader's browser's business. :func:`embed` gives a map to place inside another page (the report),
which loads the scripts once for all its maps.
"""

from __future__ import annotations

import html
import math
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import numpy as np
import shapely

from . import datasets
from .conditions import DEFAULT_CONDITIONS, TYPICAL
from .errors import CorridorError

if TYPE_CHECKING:
    from .compare import Comparison
    from .network import Network
    from .route import Route
    from .scenarios import ScenarioDiff

TILES = "OpenStreetMap"
MODE_STYLE: dict[str, dict[str, Any]] = {
    "rail": {"color": "#3b3b3b", "weight": 2.5, "dash_array": None},
    "road": {"color": "#a65628", "weight": 2.5, "dash_array": "10 5"},
    "ferry": {"color": "#1f78b4", "weight": 2.5, "dash_array": "6 5"},
    "sea": {"color": "#08519c", "weight": 1.8, "dash_array": "2 6"},
    "air": {"color": "#6a3d9a", "weight": 1.5, "dash_array": "1 8"},
}
KIND_STYLE = {"terminal": ("#111111", 6), "border": ("#d62728", 6), "port": ("#1f78b4", 6), "junction": ("#7f7f7f", 4),
              "airport": ("#6a3d9a", 5)}
KIND_LABEL = {"terminal": "Terminals and hubs", "border": "Border crossings", "port": "Ports", "junction": "Junctions",
              "airport": "Airports"}
MODE_LABEL = {"rail": "Rail", "road": "Road", "ferry": "Ferries", "sea": "Sea lanes", "air": "Flights"}
#: A route is drawn in a colour that no stop, place or mode uses, so its line and its stops' markers stay apart.
ROUTE_COLOUR = "#1a9850"
STOP_COLOUR = {"border_crossing": "#d62728", "gauge_change": "#9467bd", "port_handling": "#1f78b4",
               "transshipment": "#8c564b", "ferry_wait": "#17becf", "weather_closure": "#7f7f7f",
               "air_handling": "#6a3d9a", "flight_wait": "#c5b0d5"}
#: The beginnings of the addresses a page links to; anything else (javascript:, data:, file:) is shown as text.
LINK_SCHEMES = ("http://", "https://")
#: Scripts and style sheets folium adds that these maps do not use: icon fonts, Bootstrap (a page look and widgets)
#: and the awesome markers. An offline page leaves them out (about 0.5 MB each); jQuery stays, folium's popups use it.
UNUSED_OFFLINE = ("fontawesome", "bootstrap", "awesome-markers", "awesome.rotate")
#: Decimal places kept in the offline background's outlines: 0.001° is about 100 m, finer than a 1:110m drawing.
OUTLINE_DECIMALS = 3


def esc(value: object) -> str:
    """Return text safe inside HTML, inside the JavaScript template literals folium writes popups into, and inside
    folium's Jinja templates (a legend is a ``folium.Element``, whose HTML is rendered as a template: a name
    holding ``{{ … }}`` was evaluated there)."""
    text = html.escape("" if value is None else str(value), quote=True)
    return (text.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")
            .replace("{", "&#123;").replace("}", "&#125;"))


def link(url: object, text: object, *, new_tab: bool = False) -> str:
    """Return an HTML link to ``url`` showing ``text``, or the text alone when ``url`` is not an http(s) address.

    Validation refuses other schemes in a dataset, but a page must not rely on it: a ``javascript:`` link in a
    network built in memory, or changed by a scenario, would run when a reader clicks it.
    """
    address = "" if url is None else str(url)
    # browsers ignore leading spaces and control characters, and tabs and newlines anywhere ("java\tscript:")
    scheme = re.sub(r"[\x00-\x20]", "", address).lower()
    if not scheme.startswith(LINK_SCHEMES):
        return esc(text)
    target = " target='_blank'" if new_tab else ""
    return f"<a href='{esc(address.strip())}'{target} rel='noopener noreferrer'>{esc(text)}</a>"


def _unwrap(coords: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Return (lat, lon) points whose longitudes never jump by more than 180°, so lines do not wrap the globe."""
    points: list[tuple[float, float]] = []
    shift = 0.0
    previous = None
    for lon, lat in coords:
        if previous is not None:
            step = lon + shift - previous
            if step > 180:
                shift -= 360
            elif step < -180:
                shift += 360
        previous = lon + shift
        points.append((lat, lon + shift))
    return points


def _table(rows: Sequence[tuple[str, object]]) -> str:
    cells = "".join(f"<tr><th style='text-align:left;padding-right:6px'>{esc(k)}</th><td>{esc(v)}</td></tr>"
                    for k, v in rows if v not in (None, "", ()))
    return f"<table style='font-size:12px'>{cells}</table>"


#: The kinds of source (``contract.SOURCE_KINDS``: who stands behind the text) as pages show them: a short grade
#: beside every cited id, and what it means.
SOURCE_GRADES: dict[str, tuple[str, str]] = {
    "operator_government": ("official", "an operator, port, railway, ministry, customs or state agency"),
    "international_org": ("intl org", "an international organisation: ADB/CAREC, the World Bank, OECD, UN and EU "
                                      "bodies, UIC"),
    "research": ("research", "a paper, a consultancy's study, a method or an open dataset"),
    "press": ("press", "news media and the trade press"),
    "secondary_copy": ("copy", "a secondary copy: an encyclopedia or its mirror, a blog, a forum or an aggregator"),
}
#: A source whose kind the dataset does not give (a user's network may not grade its sources).
UNGRADED = ("ungraded", "the dataset does not say what kind of source this is")


def source_grades(network: Network) -> dict[str, str]:
    """Return each source's kind (``""`` where the dataset gives none)."""
    sources = network.sources
    if "kind" not in sources.columns:
        return {}
    return {str(k): (v if isinstance(v, str) else "") for k, v in sources["kind"].items()}


def _sources_html(network: Network, ids: Iterable[str]) -> str:
    sources = network.sources
    graded = "kind" in sources.columns
    links = []
    for source in dict.fromkeys(i for i in ids if i):
        if source in sources.index:
            label = SOURCE_GRADES.get(sources.at[source, "kind"] if graded else "", UNGRADED)[0]
            links.append(f"{link(sources.at[source, 'url'], source, new_tab=True)} ({esc(label)})")
        else:
            links.append(esc(source))
    return "<div style='font-size:11px'>Sources: " + ", ".join(links) + "</div>" if links else ""


def base_map(network: Network, *, offline: bool = False) -> folium.Map:
    """Return an empty map fitted to the network: tiles, or, offline, the bundled country outlines."""
    m = folium.Map(tiles=None if offline else TILES, control_scale=True, world_copy_jump=False)
    if offline:
        outlines = datasets.countries()[["name", "iso_a3", "geometry"]]
        # full precision would spend a quarter of a megabyte per map on digits the 1:110m drawing does not have
        outlines["geometry"] = shapely.transform(outlines.geometry.to_numpy(),
                                                 lambda xy: np.round(xy, OUTLINE_DECIMALS))
        folium.GeoJson(
            outlines.to_json(), name="Countries (Natural Earth 1:110m)", control=False,
            style_function=lambda _: {"color": "#9a9a9a", "weight": 0.6, "fillColor": "#f2efe6", "fillOpacity": 1.0},
        ).add_to(m)
        root: Any = m.get_root()
        root.header.add_child(folium.Element("<style>.leaflet-container{background:#cfe3f0}</style>"))
    bounds = network.nodes.total_bounds  # minx, miny, maxx, maxy
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m


def _leg_popup(network: Network, leg_id: str, row: Any) -> str:
    names = network.nodes["name"]
    gauge = f"{int(row['gauge_mm'])} mm" if row["mode"] == "rail" and row["gauge_mm"] == row["gauge_mm"] else ""
    rows = [("Leg", f"{names[row['from']]} – {names[row['to']]}"), ("Mode", row["mode"]), ("Gauge", gauge),
            ("Distance", f"{row['distance_km']:,.0f} km ({row['distance_status'] or 'stated'})"),
            ("Service", row["service"]), ("Passages", ", ".join(row["passages"])), ("Note", row["distance_note"])]
    return (f"<b>{esc(names[row['from']])} – {esc(names[row['to']])}</b>" + _table(rows)
            + _sources_html(network, [row["distance_source"], *row["sources"]]))


def _place_popup(network: Network, place: str, row: Any) -> str:
    kinds = ["border_crossing"] if "customs" in row["facilities"] else []
    if "gauge_change" in row["facilities"]:
        kinds.append("gauge_change")
    if "port" in row["facilities"]:
        kinds += ["port_handling", "ferry_wait"]
    lines = []
    cited: list[str] = [row["coord_source"], *row["sources"]]
    for kind in kinds:
        values = []
        for profile in network.parameters.profiles:  # the levels of the time parameters
            # a level with rows for one way (a gauge change's 1435>1520) shows each way's time
            ways = network.parameters.stop_directions(kind, place, profile)
            for way in ways or (None,):
                found = network.parameters.stop_time(kind, place, row["country"], profile, way)
                if found is not None:
                    values.append(f"{profile} {found.typical:g} h" + (f" ({way})" if way else ""))
                    cited += list(found.sources)
        if values:
            lines.append((kind.replace("_", " "), ", ".join(values)))
    rows = [("Country", row["country"]), ("Kind", row["kind"]), ("Facilities", ", ".join(row["facilities"])),
            ("Also called", ", ".join(row["aliases"])), *lines, ("Note", row["note"])]
    return f"<b>{esc(row['name'])}</b>" + _table(rows) + _sources_html(network, cited)


def _add_network(m: folium.Map, network: Network, *, faint: bool = False, show_places: bool = True) -> None:
    legs = network.legs
    for mode in [m_ for m_ in MODE_STYLE if (legs["mode"] == m_).any()]:
        group = folium.FeatureGroup(name=esc(MODE_LABEL[mode]) + (" (network)" if faint else ""), show=True)
        style = MODE_STYLE[mode]
        for leg_id, row in legs[legs["mode"] == mode].iterrows():
            folium.PolyLine(
                _unwrap(row.geometry.coords), color=style["color"], weight=style["weight"] * (0.6 if faint else 1),
                opacity=0.35 if faint else 0.85, dash_array=style["dash_array"],
                class_name=f"corridors-leg corridors-mode-{mode}",
                tooltip=None if faint else esc(f"{network.place_name(row['from'])} – {network.place_name(row['to'])}"),
                popup=None if faint else folium.Popup(_leg_popup(network, leg_id, row), max_width=360),
            ).add_to(group)
        group.add_to(m)
    if not show_places:
        return
    nodes = network.nodes
    for kind, label in KIND_LABEL.items():
        subset = nodes[nodes["kind"] == kind]
        if not len(subset):
            continue
        colour, radius = KIND_STYLE[kind]
        group = folium.FeatureGroup(name=esc(label), show=True)
        for place, row in subset.iterrows():
            folium.CircleMarker(
                (row.geometry.y, row.geometry.x), radius=radius * (0.7 if faint else 1), color=colour, weight=1.5,
                fill=True, fill_color="#ffffff" if kind == "junction" else colour, fill_opacity=0.9,
                class_name=f"corridors-place corridors-kind-{kind}", tooltip=esc(row["name"]),
                popup=folium.Popup(_place_popup(network, place, row), max_width=360),
            ).add_to(group)
        group.add_to(m)


def _swatch(colour: str, style: str) -> str:
    """Return a legend's sample: a line (solid, dashed, dotted) or, for ``"dot"``, a round marker like a stop's."""
    if style == "dot":
        return (f"<span class='corridors-swatch corridors-swatch-dot' data-colour='{esc(colour)}' "
                f"style='display:inline-block;width:10px;height:10px;border-radius:50%;background:{esc(colour)};"
                f"margin:0 12px 0 6px;vertical-align:middle'></span>")
    return (f"<span class='corridors-swatch' data-colour='{esc(colour)}' style='display:inline-block;width:22px;"
            f"height:0;border-top:3px {style} {esc(colour)};vertical-align:middle;margin-right:6px'></span>")


def _legend(m: folium.Map, title: str, items: Sequence[tuple[str, str, str]]) -> None:
    """Add a legend: (colour, label, line style or ``"dot"``) per item; everything escaped."""
    entries = "".join(f"<div>{_swatch(colour, style)}{esc(label)}</div>" for colour, label, style in items)
    # kept inside the map on a phone: a legend wider than the map would widen the page
    box = (f"<div class='corridors-legend' style='position:absolute;bottom:56px;left:10px;z-index:1000;"
           f"max-width:calc(100% - 20px);box-sizing:border-box;overflow-wrap:break-word;"
           f"background:rgba(255,255,255,.92);padding:6px 9px;border-radius:4px;font:12px sans-serif;"
           f"box-shadow:0 1px 4px rgba(0,0,0,.3)'><b>{esc(title)}</b>{entries}</div>")
    root: Any = m.get_root()
    root.html.add_child(folium.Element(box))


def network_map(network: Network, *, offline: bool = False, corridors: bool = True) -> folium.Map:
    """Return a map of the whole network: legs by mode, places by kind, and each corridor's example route."""
    m = base_map(network, offline=offline)
    _add_network(m, network)
    items = [(MODE_STYLE[k]["color"], MODE_LABEL[k], "dashed" if MODE_STYLE[k]["dash_array"] else "solid")
             for k in MODE_STYLE if (network.legs["mode"] == k).any()]
    if corridors:
        items += _add_corridor_examples(m, network)
    folium.LayerControl(collapsed=False).add_to(m)
    _legend(m, "Network", items)
    return m


def _add_corridor_examples(m: folium.Map, network: Network) -> list[tuple[str, str, str]]:
    from .registry import load_corridors

    try:
        registry = load_corridors(network)
    except CorridorError:  # a user's network without the bundled corridors
        return []
    items = []
    for corridor in registry.values():
        if not corridor.example_origin:
            continue
        try:
            route = corridor.route(network, corridor.example_origin, corridor.example_destination)
        except CorridorError:
            continue
        label = (f"{corridor.name}: {network.place_name(route.origin)} → "
                 f"{network.place_name(route.destination)}")
        group = folium.FeatureGroup(name=esc(label), show=False)
        _draw_route(group, route, colour=corridor.colour, weight=5, popups=False)
        group.add_to(m)
        items.append((corridor.colour, corridor.name, "solid"))
    return items


def _draw_route(target: Any, route: Route, *, colour: str, weight: float = 5.0, popups: bool = True) -> None:
    network = route.network
    legs = network.legs
    for element in route.legs:
        line = legs.geometry[element.leg]
        coords = list(line.coords)
        if legs.at[element.leg, "from"] != element.from_place:
            coords.reverse()
        popup = None
        if popups:
            rows = [("Mode", element.mode), ("Distance", f"{element.distance_km:,.0f} km"),
                    ("Time (typical)", f"{element.time_h:,.1f} h"),
                    ("Cost", "" if math.isnan(element.cost_usd) else f"US$ {element.cost_usd:,.0f} per FEU"),
                    ("CO2e", "" if math.isnan(element.co2_kg) else f"{element.co2_kg:,.0f} kg per FEU")]
            title = f"{network.place_name(element.from_place)} → {network.place_name(element.to_place)}"
            popup = folium.Popup(f"<b>{esc(title)}</b>" + _table(rows) + _sources_html(network, element.sources),
                                 max_width=360)
        folium.PolyLine(_unwrap(coords), color=colour, weight=weight, opacity=0.9,
                        class_name="corridors-route-leg", popup=popup,
                        tooltip=esc(f"{network.place_name(element.from_place)} → "
                                    f"{network.place_name(element.to_place)}") if popups else None).add_to(target)


def route_map(route: Route, *, offline: bool = False, colour: str = ROUTE_COLOUR) -> folium.Map:
    """Return a map of one route over the network: a popup per leg, a marker per stop with its time."""
    network = route.network
    m = base_map(network, offline=offline)
    _add_network(m, network, faint=True, show_places=False)
    group = folium.FeatureGroup(name=esc(f"Route {network.place_name(route.origin)} → "
                                         f"{network.place_name(route.destination)} ({route.profile})"))
    _draw_route(group, route, colour=colour)
    stops = folium.FeatureGroup(name="Stops on the route")
    by_place: dict[str, list[Any]] = {}
    for stop in route.stops:
        by_place.setdefault(stop.place, []).append(stop)
    drawn: list[str] = []  # the kinds whose colour a marker has, for the legend
    for place, place_stops in by_place.items():
        point = network.nodes.geometry[place]
        rows = [(s.kind.replace("_", " "), f"{s.time_h:,.1f} h") for s in place_stops]
        total = sum(s.time_h for s in place_stops)
        main = max(place_stops, key=lambda s: s.time_h).kind
        drawn.append(main)
        folium.CircleMarker(
            (point.y, point.x), radius=5 + min(10.0, total / 12), color=STOP_COLOUR.get(main, "#333"),
            fill=True, fill_opacity=0.85, class_name="corridors-stop",
            tooltip=esc(f"{network.place_name(place)}: {total:,.1f} h"),
            popup=folium.Popup(f"<b>{esc(network.place_name(place))}</b>" + _table(rows)
                               + _sources_html(network, [x for s in place_stops for x in s.sources]), max_width=360),
        ).add_to(stops)
    for place, label in ((route.origin, "Origin"), (route.destination, "Destination")):
        point = network.nodes.geometry[place]
        folium.CircleMarker((point.y, point.x), radius=9, color="#000", weight=3, fill=True, fill_color="#ffd92f",
                            fill_opacity=1, class_name="corridors-end",
                            tooltip=esc(f"{label}: {network.place_name(place)}")).add_to(group)
    group.add_to(m)
    stops.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    _legend(m, f"{network.place_name(route.origin)} → {network.place_name(route.destination)}: "
               f"{route.distance_km:,.0f} km, {route.time_days:.1f} days ({route.profile})",
            [(colour, "route", "solid"),
             *((c, k.replace("_", " ") + " (stop)", "dot") for k, c in STOP_COLOUR.items() if k in drawn),
             *((("#333", "other stop", "dot"),) if any(k not in STOP_COLOUR for k in drawn) else ()),
             ("#ffd92f", "origin, destination", "dot")])
    line_bounds = [pt for e in route.legs for pt in _unwrap(network.legs.geometry[e.leg].coords)]
    if line_bounds:
        m.fit_bounds([[min(p[0] for p in line_bounds), min(p[1] for p in line_bounds)],
                      [max(p[0] for p in line_bounds), max(p[1] for p in line_bounds)]])
    return m


def comparison_map(comparison: Comparison, *, offline: bool = False, profile: str | None = None) -> folium.Map:
    """Return a map with one colour per corridor (its route under one profile) and a legend."""
    network = comparison.network
    m = base_map(network, offline=offline)
    _add_network(m, network, faint=True, show_places=False)
    profiles = [e.profile for e in comparison.entries]
    chosen = profile or (DEFAULT_CONDITIONS if DEFAULT_CONDITIONS in profiles else profiles[0])
    items = []
    for entry in comparison.entries:
        if entry.profile != chosen:
            continue
        if entry.route is None:
            items.append(("#cccccc", f"{entry.corridor.name}: not available", "dotted"))
            continue
        group = folium.FeatureGroup(name=esc(entry.corridor.name))
        _draw_route(group, entry.route, colour=entry.corridor.colour)
        group.add_to(m)
        median = entry.transit.median_days if entry.transit is not None else entry.route.time_days
        items.append((entry.corridor.colour, f"{entry.corridor.name}: {median:.1f} days (median)", "solid"))
    folium.LayerControl(collapsed=False).add_to(m)
    _legend(m, f"{network.place_name(comparison.origin)} → {network.place_name(comparison.destination)} "
               f"({chosen})", items)
    return m


def scenario_map(result: ScenarioDiff, *, offline: bool = False) -> folium.Map:
    """Return a map of a scenario: closed legs and places in red, added legs in green, changed places in orange."""
    base, changed = result.base, result.changed
    m = base_map(base, offline=offline)
    _add_network(m, changed, faint=True, show_places=False)
    closed = folium.FeatureGroup(name="Closed by the scenario")
    removed = base.legs.index.difference(changed.legs.index)
    for leg_id in removed:
        row = base.legs.loc[leg_id]
        folium.PolyLine(_unwrap(row.geometry.coords), color="#d62728", weight=4, dash_array="8 6",
                        class_name="corridors-closed",
                        tooltip=esc(f"closed: {base.place_name(row['from'])} – {base.place_name(row['to'])}")
                        ).add_to(closed)
    added = folium.FeatureGroup(name="Added by the scenario")
    for leg_id in changed.legs.index.difference(base.legs.index):
        row = changed.legs.loc[leg_id]
        folium.PolyLine(_unwrap(row.geometry.coords), color="#2ca02c", weight=5, class_name="corridors-added",
                        tooltip=esc(f"added: {changed.place_name(row['from'])} – {changed.place_name(row['to'])}")
                        ).add_to(added)
    touched = folium.FeatureGroup(name="Places whose stops change")
    for place in _changed_places(result):
        point = base.nodes.geometry[place]
        folium.CircleMarker((point.y, point.x), radius=7, color="#ff7f0e", fill=True, fill_opacity=0.8,
                            class_name="corridors-changed", tooltip=esc(f"changed: {base.place_name(place)}")
                            ).add_to(touched)
    for group in (closed, added, touched):
        group.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    _legend(m, f"Scenario: {result.scenario.name}",
            [("#d62728", "closed", "dashed"), ("#2ca02c", "added", "solid"), ("#ff7f0e", "stops changed", "solid")])
    return m


def _changed_places(result: ScenarioDiff) -> list[str]:
    base, changed = result.base, result.changed
    places = []
    for place, row in base.nodes.iterrows():
        for kind in ("border_crossing", "gauge_change", "port_handling", "transshipment", "ferry_wait"):
            before = base.parameters.stop_time(kind, place, row["country"], TYPICAL)
            after = changed.parameters.stop_time(kind, place, row["country"], TYPICAL)
            if before is not None and after is not None and abs(before.typical - after.typical) > 1e-9:
                places.append(place)
                break
    return places


# Writing ---------------------------------------------------------------------------------------------------

_RESOURCE = re.compile(r"<script src=\"(?P<js>https?://[^\"]+)\"></script>|"
                       r"<link rel=\"stylesheet\" href=\"(?P<css>https?://[^\"]+)\"\s*/?>")


def offline_html(document: str) -> str:
    """Return the page with every external script and style sheet inlined from disk, or raise if one is unknown."""
    from offlinefolium.elements import _res as resources  # the packaged copies of folium's web resources

    def inline(match: re.Match[str]) -> str:
        url = match.group("js") or match.group("css")
        if any(word in url for word in UNUSED_OFFLINE):
            return ""
        body = resources.get(url)
        if body is None:
            raise CorridorError(f"cannot write an offline page: no local copy of {url}")
        if match.group("js"):
            return "<script>" + body.replace("</script", "<\\/script") + "</script>"
        return "<style>" + body.replace("</style", "<\\/style") + "</style>"

    return _RESOURCE.sub(inline, document)


def resources_html(tags: Iterable[str]) -> str:
    """Return the scripts and style sheets that ``tags`` link to, each inlined once, in order (a page's head)."""
    return offline_html("".join(dict.fromkeys(tags)))


def render(m: folium.Map, *, offline: bool) -> str:
    """Return the map as a complete HTML page (offline: self-contained)."""
    page = m.get_root().render()
    return offline_html(page) if offline else page


@dataclass(frozen=True)
class EmbeddedMap:
    """A map to place inside another page: the scripts and style sheets it needs, which the page loads once for
    all its maps (:func:`resources_html`), and its own HTML (its styles, its element, legend and script)."""

    resources: tuple[str, ...]  # the tags that link them, for resources_html
    html: str


#: Rules of folium's page that size the whole document to the map; inside a report they would take over its page.
_PAGE_RULES = re.compile(r"<style>\s*(?:html,\s*body|#map)\s*\{[^}]*\}\s*</style>|<meta[^>]*>")


def embed(m: folium.Map, *, title: str, height_px: int = 520) -> EmbeddedMap:
    """Return the map to be placed inside another page, ``height_px`` tall and as wide as its column.

    folium writes a whole page (its head, its body and a script after the body); the head's links to scripts and
    style sheets become the resources, its page-wide rules are dropped, and the rest goes inside a box that holds
    the legend and clips whatever the map draws beyond its edge.
    """
    page = m.get_root().render()
    try:
        head = page[page.index("<head>") + len("<head>"):page.index("</head>")]
        body = page[page.index("<body>") + len("<body>"):page.rindex("</body>")]
        script = page[page.rindex("</body>") + len("</body>"):page.rindex("</html>")].strip()
    except ValueError as exc:
        raise CorridorError("cannot embed the map: folium wrote a page without its head, body or script "
                            "(a folium version this code does not know)") from exc
    if not (script.startswith("<script>") and script.endswith("</script>")):
        raise CorridorError("cannot embed the map: folium's script does not follow its page's body")
    tags = [match.group(0) for match in _RESOURCE.finditer(head)
            if not any(word in (match.group("js") or match.group("css")) for word in UNUSED_OFFLINE)]
    head = _PAGE_RULES.sub("", _RESOURCE.sub("", head))
    html_ = (f"<div class='corridors-map' role='region' aria-label='{esc(title)}' "
             f"style='position:relative;height:{int(height_px)}px;overflow:hidden;border:1px solid #ccc'>"
             f"{head.strip()}{body.strip()}{script}</div>")
    return EmbeddedMap(tuple(tags), html_)


#: The suffixes of a web page; a map or the report written under any other name would open as something else.
PAGE_SUFFIXES = (".html", ".htm")


def check_page_path(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` if an HTML page can be written there (an .html name, an existing folder), else raise.

    Called before any work, so that ``--out map.png`` fails at once instead of writing HTML under a picture's name.
    """
    target = Path(path)
    if target.suffix.lower() not in PAGE_SUFFIXES:
        raise CorridorError(f"cannot write {target}: a map or report is an HTML page, so its name must end in "
                            f".html (it ends in {target.suffix or 'no suffix'})")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise CorridorError(f"cannot write {target}: the folder {folder} does not exist")
    if target.is_dir():
        raise CorridorError(f"cannot write {target}: it is a folder")
    return target


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write a file whole or not at all: the folder must exist; a failure leaves nothing half-written."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise CorridorError(f"cannot write {target}: the folder {folder} does not exist")
    if target.is_dir():
        raise CorridorError(f"cannot write {target}: it is a folder")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".corridors-", suffix=target.suffix)
    except OSError as exc:
        raise CorridorError(f"cannot write {target}: {exc.strerror}") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o666 & ~_umask())  # a temporary file is private; the result is an ordinary file
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise CorridorError(f"cannot write {target}: {exc.strerror}") from exc
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_map(m: folium.Map, path: str | os.PathLike[str], *, offline: bool = False) -> Path:
    """Write a map as an HTML page (``offline=True``: one self-contained file that needs no internet)."""
    return write_text(check_page_path(path), render(m, offline=offline))
