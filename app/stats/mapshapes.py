"""Denmark's municipalities as SVG paths, projected once per process from the committed GeoJSON.

Equirectangular, with longitude scaled by cos(56°) so Denmark keeps its
shape; points closer than a fraction of a pixel to the last kept one are
dropped and paths use relative integer steps, which keeps the map small.
Bornholm is moved into a framed inset north of Zealand, as Danish maps do,
so the rest of the country is not squeezed by the sea in between.
"""
import json
import math
from dataclasses import dataclass
from functools import cache

from app.municipalities.refdata import DATA_DIR

#: Map width in SVG units; paths are whole units, so this is also the detail.
WIDTH = 1000
MIN_STEP = 2
BORNHOLM = 400
#: Degrees Bornholm is moved by (longitude, latitude) into its inset.
BORNHOLM_SHIFT = (-2.15, 1.55)
SCALE_X = math.cos(math.radians(56))


@dataclass(frozen=True)
class Shape:
    code: int
    name: str
    path: str


@dataclass(frozen=True)
class Geometry:
    width: int
    height: int
    shapes: tuple
    #: The inset frame around Bornholm: x, y, width, height.
    inset: tuple


def _polygons(feature):
    geometry = feature["geometry"]
    return geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]


def _ring_path(points):
    """Relative path of one ring: "M x y l dx dy …z", skipping sub-step moves."""
    x0, y0 = points[0]
    parts = [f"M{x0} {y0}"]
    last = (x0, y0)
    steps = []
    for x, y in points[1:]:
        if abs(x - last[0]) + abs(y - last[1]) >= MIN_STEP:
            steps.append(f"{x - last[0]} {y - last[1]}")
            last = (x, y)
    if len(steps) < 2:
        return ""
    return parts[0] + "l" + " ".join(steps) + "z"


@cache
def geometry():
    """Project and simplify the boundaries; cached for the life of the process."""
    with open(DATA_DIR / "municipalities.geojson", encoding="utf-8") as f:
        features = json.load(f)["features"]

    def lonlat(code, lon, lat):
        if code == BORNHOLM:
            return lon + BORNHOLM_SHIFT[0], lat + BORNHOLM_SHIFT[1]
        return lon, lat

    projected = []
    for feature in features:
        code = int(feature["properties"]["code"])
        rings = [
            [lonlat(code, lon, lat) for lon, lat in ring]
            for polygon in _polygons(feature) for ring in polygon
        ]
        projected.append((code, feature["properties"]["name"], rings))
    xs = [lon * SCALE_X for *_, rings in projected for ring in rings for lon, _ in ring]
    ys = [lat for *_, rings in projected for ring in rings for _, lat in ring]
    min_x, max_y = min(xs), max(ys)
    scale = (WIDTH - 20) / (max(xs) - min_x)
    height = round((max_y - min(ys)) * scale) + 20

    def point(lon, lat):
        return round((lon * SCALE_X - min_x) * scale) + 10, round((max_y - lat) * scale) + 10

    shapes = []
    for code, name, rings in projected:
        path = "".join(_ring_path([point(lon, lat) for lon, lat in ring]) for ring in rings)
        shapes.append(Shape(code, name, path))
    bornholm = [
        point(lon, lat) for code, _, rings in projected if code == BORNHOLM for ring in rings for lon, lat in ring
    ]
    bx, by = [p[0] for p in bornholm], [p[1] for p in bornholm]
    inset = (min(bx) - 8, min(by) - 8, max(bx) - min(bx) + 16, max(by) - min(by) + 16)
    return Geometry(WIDTH, height, tuple(sorted(shapes, key=lambda s: s.code)), inset)
