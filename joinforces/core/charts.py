"""Charts drawn on the server as SVG: horizontal bars, columns over time and a map of France.

Each function turns figures already computed in the database into the geometry a template draws
(`templates/includes/charts/*.html`); nothing here queries. Drawing on the server keeps the pages free
of scripts (the strict CSP holds), lets the same chart go into a WeasyPrint PDF, and every include
prints the same figures as a table beside the picture, for screen readers and for copying.

Colours are SVG presentation attributes (not `style`), so they survive the CSP and the PDF.
"""

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "france"

# Series colours, dark enough against white for a 3:1 contrast of graphical objects (WCAG 1.4.11).
SERIES_COLOURS = ("#1f4e79", "#0b5c54", "#8a5a00", "#6f2c91")
# Sequential steps of the map, from little to most; NO_DATA for the areas with nothing.
MAP_STEPS = ("#cfe8e4", "#8fcbc1", "#4fa597", "#1f7a6b", "#0b4f47")
NO_DATA = "#f1f3f5"
MAP_ATTRIBUTION = "Source : IGN, Admin Express (Licence Ouverte)"


def _number(value) -> float:
    return float(value or 0)


def _svg(value: float) -> str:
    """A coordinate as SVG wants it, whatever the language: "12.5", never "12,5" nor "1 040"."""
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Series:
    """One series of a column chart: its label, its colour and a value per bucket."""

    label: str
    values: tuple
    colour: str = SERIES_COLOURS[0]


def bars(rows, *, width: int = 520, label_width: int = 200, row_height: int = 26) -> dict:
    """Horizontal bars for `rows` of (label, value), longest scaled to the room left after the labels
    and the printed value."""
    rows = list(rows)
    top = max((_number(value) for _, value in rows), default=0)
    room = width - label_width - 110
    items = []
    for index, (label, value) in enumerate(rows):
        length = room * _number(value) / top if top else 0
        length = max(length, 0)
        items.append({"label": label, "value": value, "y": _svg(index * row_height), "length": _svg(length),
                      "value_x": _svg(label_width + length + 6)})
    return {"rows": items, "width": _svg(width), "height": _svg(max(len(items), 1) * row_height),
            "label_width": _svg(label_width), "label_x": _svg(label_width - 8), "bar_height": _svg(row_height - 8),
            "text_dy": _svg(row_height / 2)}


def columns(buckets, series, *, width: int = 640, height: int = 240) -> dict:
    """Grouped columns: one group per bucket (a month, a year), one column per series, with three
    ticks of the vertical axis (0, half, top)."""
    buckets, series = list(buckets), list(series)
    left, bottom, top_margin = 90, 28, 10
    plot_width, plot_height = width - left - 10, height - bottom - top_margin
    top = max((_number(value) for one in series for value in one.values), default=0)
    group = plot_width / max(len(buckets), 1)
    column = group * 0.8 / max(len(series), 1)
    groups = []
    for index, bucket in enumerate(buckets):
        x = left + index * group + group * 0.1
        columns_ = []
        for position, one in enumerate(series):
            value = one.values[index]
            size = plot_height * _number(value) / top if top else 0
            size = max(size, 0)
            columns_.append({"x": _svg(x + position * column), "y": _svg(top_margin + plot_height - size),
                             "width": _svg(column * 0.92), "height": _svg(size), "value": value,
                             "colour": one.colour, "label": one.label})
        groups.append({"label": bucket, "columns": columns_, "label_x": _svg(x + group * 0.4)})
    ticks = [{"value": Decimal(str(top * share)).quantize(Decimal("1")),
              "y": _svg(top_margin + plot_height * (1 - share))} for share in (0, 0.5, 1)] if top else []
    return {"groups": groups, "series": series, "ticks": ticks, "width": _svg(width), "height": _svg(height),
            "left": _svg(left), "tick_x": _svg(left - 6), "axis_y": _svg(top_margin + plot_height),
            "label_y": _svg(height - 8)}


@lru_cache(maxsize=2)
def _outlines(level: str) -> tuple:
    """The areas of metropolitan France at `level` ("regions" or "departements"), projected once:
    (code, name, SVG path) and the view box. An equirectangular projection at the latitude of the
    middle of France is exact enough at this scale and keeps the code short."""
    features = json.loads((DATA / f"{level}.geojson").read_text(encoding="utf-8"))["features"]
    squeeze = math.cos(math.radians(46.5))

    def rings(geometry):
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for polygon in polygons:
            yield from polygon

    points = [(lon * squeeze, -lat) for feature in features for ring in rings(feature["geometry"]) for lon, lat in ring]
    min_x, max_x = min(p[0] for p in points), max(p[0] for p in points)
    min_y, max_y = min(p[1] for p in points), max(p[1] for p in points)
    width = 560
    scale = width / (max_x - min_x)
    height = round((max_y - min_y) * scale)

    def path(geometry):
        parts = []
        for ring in rings(geometry):
            coords = [f"{(lon * squeeze - min_x) * scale:.1f} {(-lat - min_y) * scale:.1f}" for lon, lat in ring]
            parts.append("M" + "L".join(coords) + "Z")
        return "".join(parts)

    areas = tuple((f["properties"]["code"], f["properties"]["nom"], path(f["geometry"])) for f in features)
    return areas, f"0 0 {width} {height}"


def france_map(items, *, level: str = "regions") -> dict:
    """A map of metropolitan France coloured by `items`, (code, name, value) triples — régions by their
    INSEE code, départements by their code — in five equal steps from zero to the largest value. The
    rows keep the items' order for the table; `elsewhere` are those the map does not draw (overseas)."""
    areas, viewbox = _outlines(level)
    rows = [{"code": code, "name": name, "value": value} for code, name, value in items]
    values = {row["code"]: row["value"] for row in rows}
    top = max((_number(value) for value in values.values()), default=0)
    drawn = []
    for code, name, d in areas:
        value = values.get(code)
        if not _number(value) or not top:
            colour = NO_DATA
        else:
            step = min(int(_number(value) / top * len(MAP_STEPS)), len(MAP_STEPS) - 1)
            colour = MAP_STEPS[step]
        drawn.append({"code": code, "name": name, "d": d, "value": value, "colour": colour})
    legend = []
    if top:
        size = top / len(MAP_STEPS)
        # Whole numbers, but tenths when the largest value is small (a step of 0.2 is not "up to 0").
        unit = Decimal("1") if top >= 10 else Decimal("0.1")
        legend = [{"colour": colour, "low": Decimal(str(size * index)).quantize(unit),
                   "high": Decimal(str(size * (index + 1))).quantize(unit)}
                  for index, colour in enumerate(MAP_STEPS)]
    codes = {code for code, _name, _d in areas}
    return {"areas": drawn, "viewbox": viewbox, "legend": legend, "no_data": NO_DATA, "rows": rows,
            "elsewhere": [row for row in rows if row["code"] not in codes], "attribution": MAP_ATTRIBUTION}
