"""How results show themselves in Jupyter: HTML tables headed in words, numbers to their unit's precision.

One home for the precision of each unit, so that every ``_repr_html_`` rounds a day, a kilometre and a dollar alike
(a journey time to a tenth of a day, a distance to the kilometre, money to the dollar): more digits than the data
carry read as precision the model does not have. The tables are written here rather than by ``DataFrame.to_html``
so that the numbers of one column read the same whatever pandas' display options are. This module formats; it knows
nothing of networks or routes, so model modules may import it for their display methods.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

#: Digits after the decimal point by a column name's unit suffix; the first suffix that matches wins.
DIGITS = (("_days", 1), ("_h", 1), ("_km", 0), ("_usd", 0), ("_kg", 0), ("_teu", 0), ("_per_year", 0),
          ("_pct", 1))
#: Column name endings whose values are shares of one, shown as percentages.
SHARES = ("_share", "p_within", "p_within_window", "_probability", "coverage")
MISSING = "–"
STYLE = "border-collapse:collapse"


def cell(column: str, value: Any) -> str:
    """Return one value as text, to the precision of the unit its column name ends with."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        if math.isinf(number):
            return "∞" if number > 0 else "−∞"
        if column.endswith(SHARES) or column.startswith("p_within"):
            return f"{number:.0%}"
        digits = next((d for suffix, d in DIGITS if column.endswith(suffix)), None)
        if digits is None:
            digits = 0 if number.is_integer() else 1
        return f"{number:,.{digits}f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def html_table(frame: pd.DataFrame, headers: Mapping[str, str], *, caption: str | None = None) -> str:
    """Return the columns of ``frame`` named in ``headers`` as an HTML table, headed by the headers' words.

    Numbers are right-aligned and rounded by :func:`cell`; every text is escaped.
    """
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers.values())
    rows = []
    for record in frame[list(headers)].to_dict(orient="records"):
        cells = []
        for column, value in record.items():
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            align = ' style="text-align:right"' if numeric else ""
            cells.append(f"<td{align}>{html.escape(cell(column, value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f'<table style="{STYLE}">{title}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            "</table>")


def html_fields(fields: Mapping[str, Any], *, caption: str | None = None) -> str:
    """Return a two-column HTML table, one row per field: a label and its value (already text or a number)."""
    rows = "".join(f'<tr><th style="text-align:left">{html.escape(label)}</th><td>{html.escape(str(value))}</td></tr>'
                   for label, value in fields.items())
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table style="{STYLE}">{title}<tbody>{rows}</tbody></table>'


def heading(text: str) -> str:
    """Return a line of bold text above a table."""
    return f"<p><b>{html.escape(text)}</b></p>"


def network_html(title: str, summary: Mapping[str, Any], country_names: Mapping[str, str]) -> str:
    """Return a network's summary (``Network.summary()``) as HTML: its counts in words, then its legs by mode."""
    s = summary
    by_mode = pd.DataFrame({"mode": list(s["legs_by_mode"]), "legs": list(s["legs_by_mode"].values()),
                            "distance_km": [s["km_by_mode"].get(m, 0) for m in s["legs_by_mode"]]})
    by_mode = by_mode.sort_values("distance_km", ascending=False)

    def counted(counts: Mapping[str, int], name=str) -> str:
        return ", ".join(f"{count} {name(key)}" for key, count in sorted(counts.items(), key=lambda kv: -kv[1]))

    fields = {
        "places": f"{s['places']}: " + ", ".join(f"{count} {kind}{'s' if count != 1 else ''}" for kind, count
                                                 in sorted(s["places_by_kind"].items(), key=lambda kv: -kv[1])),
        "countries": counted(s["places_by_country"], lambda c: country_names.get(c, c)),
        "rail by gauge": "; ".join(f"{int(g):,} mm: {km:,.0f} km" for g, km in s["rail_km_by_gauge"].items()),
        "sources": f"{s['sources']:,}",
        "presets": ", ".join(s["profiles"]),
        "condition sets": ", ".join(s["conditions"]),
        "groups of elements": ", ".join(s["groups"]),
    }
    return (heading(title) + html_fields(fields)
            + html_table(by_mode, {"mode": "mode", "legs": "legs", "distance_km": "distance (km)"},
                         caption="legs by mode"))
