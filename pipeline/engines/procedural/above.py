"""Bird's-eye views: the ground plan of a place seen straight down.

A high shot from above needs the place's plan, not its elevation: a road between
roofs, a wall and its gate, the crowns of trees, the line of the shore. Places
without a plan of their own get the ground, in their colours, and a road.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from ...format.model import Place
from .palette import RGB, mix, shade
from .scenery import Set, View
from .space import VOID

INK = (30, 28, 34)


def plan_view(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    """Straight down: the ground plan of the place, at the shot's scale."""
    w, h = view.w, view.h
    s = min(w, h) * view.zoom
    cx, cy = view.x(0.5), h / 2
    rng = stage.rng("above")
    ground = stage.ground_near
    place = stage.place
    if place == Place.shore:
        ground = stage.dim(mix(stage.light, (224, 204, 162), 0.6), 0.45)
    elif place == Place.sky:
        ground = mix(stage.sky_low, (255, 255, 255), 0.4)
    elif place in (Place.sea, Place.deck):
        ground = stage.dim(mix(stage.sky_low, (36, 86, 126), 0.65), 0.3)
    elif place in (Place.space, Place.planet, Place.station):
        ground = VOID
    elif stage.setting.inside:
        place = Place.interior
        ground = stage.dim(mix(stage.dark, stage.mid, 0.4), 0.3)
    pen.rectangle([0, 0, w, h], fill=ground)
    speck = shade(ground, -0.08)
    for _ in range(160):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        pen.ellipse([x - 2, y - 1, x + 2, y + 1], fill=speck)
    if place in (Place.city_gate, Place.street, Place.neutral, Place.mountains):
        pen.rectangle([cx - s * 0.12, 0, cx + s * 0.12, h],
                      fill=mix(ground, stage.dark, 0.18))  # the road
    if place == Place.city_gate:
        stone = stage.dim(mix(stage.mid, stage.light, 0.35), 0.55)
        top, bottom = cy - s * 0.42, cy - s * 0.22
        pen.rectangle([0, top, w, bottom], fill=stone, outline=INK, width=2)
        for x in range(0, w, max(6, int(s * 0.04))):
            pen.rectangle([x, bottom - s * 0.03, x + s * 0.02, bottom], fill=shade(stone, 0.15))
        pen.rectangle([cx - s * 0.1, top, cx + s * 0.1, bottom], fill=shade(stone, -0.65))
        for side in (-1, 1):
            tx = cx + side * s * 0.33
            _roof(pen, tx - s * 0.12, top - s * 0.04, tx + s * 0.12, bottom + s * 0.04,
                  stage.dim(stage.accent, 0.4))
        for i in range(int(w / (s * 0.3)) + 2):  # roofs of the city beyond
            x = i * s * 0.3 - s * 0.1
            if abs(x + s * 0.12 - cx) > s * 0.2:
                _roof(pen, x, top - s * 0.35, x + s * 0.24, top - s * 0.1,
                      stage.dim(mix(stage.dark, stage.accent, 0.3), 0.4))
    elif place == Place.street:
        for side in (-1, 1):
            for i in range(-4, 5):
                y = cy + i * s * 0.3
                x0 = cx + side * s * 0.2
                x1 = x0 + side * s * 0.45
                _roof(pen, min(x0, x1), y, max(x0, x1), y + s * 0.27,
                      stage.dim(mix(stage.mid, stage.accent, rng.uniform(0, 0.6)), 0.4))
    elif place == Place.interior:
        for i in range(-8, 9):
            pen.line([(cx + i * s * 0.12, 0), (cx + i * s * 0.12, h)], fill=shade(ground, -0.15))
        pen.rectangle([cx - s * 0.14, 0, cx + s * 0.14, h],
                      fill=mix(stage.dim(stage.accent, 0.3), (120, 30, 40), 0.35))
        for i in range(-3, 4):
            for side in (-1, 1):
                x, y, r = cx + side * s * 0.5, cy + i * s * 0.35, s * 0.06
                pen.ellipse([x - r, y - r, x + r, y + r], fill=shade(ground, 0.25), outline=INK)
    elif place == Place.forest:
        leaf = stage.dim(mix(stage.dark, (52, 104, 66), 0.55))
        for _ in range(60):
            x, y, r = rng.uniform(-0.1, 1.1) * w, rng.uniform(-0.1, 1.1) * h, s * rng.uniform(
                0.06, 0.12)
            if abs(x - cx) < s * 0.12:
                continue
            pen.ellipse([x - r + r * 0.3, y - r + r * 0.3, x + r * 1.3, y + r * 1.3],
                        fill=shade(ground, -0.35))
            pen.ellipse([x - r, y - r, x + r, y + r], fill=leaf, outline=shade(leaf, -0.3))
            pen.ellipse([x - r * 0.5, y - r * 0.6, x + r * 0.2, y], fill=shade(leaf, 0.15))
    elif place == Place.shore:
        sea = stage.dim(mix(stage.sky_low, (36, 86, 126), 0.55), 0.3)
        edge = w * 0.62
        pen.rectangle([edge, 0, w, h], fill=sea)
        for i in range(0, h, 24):
            pen.line([(edge + 12 * ((i // 24) % 2), i), (edge + 12 * ((i // 24 + 1) % 2), i + 24)],
                     fill=(244, 248, 250), width=4)
            pen.arc([edge + 60 + (i * 7) % 200, i, edge + 140 + (i * 7) % 200, i + 30], 200, 340,
                    fill=shade(sea, 0.3), width=2)
    elif place == Place.mountains:
        rock = stage.dim(mix(stage.mid, stage.dark, 0.4), 0.4)
        for _ in range(14):
            x, y, r = rng.uniform(0, w), rng.uniform(0, h), s * rng.uniform(0.08, 0.16)
            if abs(x - cx) < s * 0.2:
                continue
            pts = [(x + r * dx, y + r * dy) for dx, dy in
                   ((-1, 0), (-0.4, -0.9), (0.6, -0.7), (1, 0.1), (0.3, 0.8), (-0.6, 0.7))]
            pen.polygon(pts, fill=rock, outline=INK)
            pen.polygon([pts[1], pts[2], (x, y)], fill=(236, 240, 246))
    elif place == Place.sky:
        for _ in range(24):
            x, y, r = rng.uniform(0, w), rng.uniform(0, h), s * rng.uniform(0.05, 0.12)
            pen.ellipse([x - r * 1.5, y - r, x + r * 1.5, y + r], fill=(250, 252, 255))


def _roof(pen: ImageDraw.ImageDraw, x0: float, y0: float, x1: float, y1: float,
          colour: RGB) -> None:
    """A hipped roof from above: four slopes, two in light and two in shade."""
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    ridge = (x1 - x0) * 0.25 if x1 - x0 > y1 - y0 else 0
    a, b = (mx - ridge, my), (mx + ridge, my)
    pen.polygon([(x0, y0), (x1, y0), b, a], fill=shade(colour, 0.15))
    pen.polygon([(x1, y0), (x1, y1), b], fill=shade(colour, -0.1))
    pen.polygon([(x0, y1), (x1, y1), b, a], fill=shade(colour, -0.25))
    pen.polygon([(x0, y0), (x0, y1), a], fill=colour)
    pen.rectangle([x0, y0, x1, y1], outline=INK)
