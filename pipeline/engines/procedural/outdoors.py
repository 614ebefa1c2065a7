"""Outdoor places beyond the first six: alleys, rooftops and skylines; villages,
countryside, fields, deserts and snowfields; the open sea and a ship's deck; caves
and battlefields.

Each is drawn over the sky and ground the set already laid down (except the sea,
the deck and the cave, which make their own), far layers first and hazier, in the
era's materials: a skyline of towers with lit windows in the modern city, a wall of
light strips in the future, rooftops of tile before either.
"""

from __future__ import annotations

import random

from PIL import Image, ImageDraw

from ...format.model import Era
from .palette import RGB, mix, shade
from .scenery import LAMP, Set, View, vertical_gradient

INK = (30, 28, 34)
STRIP = (150, 230, 255)


def towers(stage: Set, pen: ImageDraw.ImageDraw, view: View, depth: float, base: float,
           tall: tuple[float, float], salt: str) -> None:
    """A row of buildings across the view, windows lit after dusk (light strips ahead)."""
    layer, rng = view.far(depth), stage.rng(salt)
    body = stage.aerial(stage.dim(mix(stage.mid, stage.dark, 0.55), 0.5), depth)
    era = stage.era
    u = -0.8
    while u < 1.8:
        wide = rng.uniform(0.05, 0.12) * (0.6 if era == Era.ancient else 1.0)
        top = base + rng.uniform(*tall) * (0.35 if era == Era.ancient else 1.0)
        colour = shade(body, rng.uniform(-0.08, 0.08))
        layer.quad(pen, u, base - 0.2, u + wide, top, colour)
        if era == Era.ancient:
            layer.poly(pen, [(u - 0.01, top), (u + wide / 2, top + wide * 0.5),
                             (u + wide + 0.01, top)], shade(colour, -0.25))
        elif era == Era.futuristic:
            layer.quad(pen, u + wide * 0.45, base, u + wide * 0.55, top,
                       mix(STRIP, colour, 0.4))
            layer.poly(pen, [(u + wide * 0.3, top), (u + wide / 2, top + 0.06),
                             (u + wide * 0.7, top)], colour)
        if era != Era.ancient or stage.lit:
            lit = LAMP if stage.lit else shade(colour, 0.2)
            v = base + 0.02
            while v < top - 0.02:
                for k in (0.2, 0.55):
                    if rng.random() < (0.55 if stage.lit else 0.35):
                        layer.quad(pen, u + wide * k, v, u + wide * (k + 0.2), v + 0.012, lit)
                v += 0.03
        u += wide + rng.uniform(0.0, 0.03)


def skyline(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    towers(stage, pen, view, 0.9, 0.0, (0.15, 0.4), "far-towers")
    towers(stage, pen, view, 0.6, -0.02, (0.1, 0.3), "near-towers")


def rooftop(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    """The city beyond, and the roof we stand on: gravel, a parapet, a water tank."""
    skyline(stage, image, pen, view)
    roof = stage.dim(mix(stage.mid, (120, 118, 112), 0.5), 0.4)
    top = max(view.horizon + view.h * 0.04, 0)
    pen.rectangle([0, top, view.w, view.h], fill=roof)
    pen.rectangle([0, top - view.h * 0.03 * view.zoom, view.w, top],
                  fill=shade(roof, 0.1), outline=INK)
    x = view.x(0.12)
    s = view.h * 0.12 * view.zoom
    if stage.era == Era.futuristic:
        pen.ellipse([x - s, top - s * 0.4, x + s, top + s * 0.2], fill=shade(roof, -0.2),
                    outline=STRIP, width=2)
    else:  # a water tank on legs, an antenna
        pen.rectangle([x - s * 0.5, top - s * 1.6, x + s * 0.5, top - s * 0.6],
                      fill=stage.dim((110, 80, 60), 0.4), outline=INK)
        for dx in (-0.4, 0.4):
            pen.line([(x + dx * s, top - s * 0.6), (x + dx * s, top)], fill=INK, width=2)
    ax = view.x(0.85)
    pen.line([(ax, top), (ax, top - s * 2.2)], fill=INK, width=2)


def alley(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    """Two close walls running away from us, bins, pipes, a strip of sky above."""
    cx, f, eye = view.x(0.5), view.h * view.zoom * 0.5, 1.6

    def at(x: float, y: float, z: float) -> tuple[float, float]:
        return cx + x * f / z, view.horizon + (eye - y) * f / z

    wall = stage.dim(mix(stage.mid, (120, 90, 80) if stage.era != Era.futuristic
                         else (90, 96, 110), 0.4), 0.4)
    ground = stage.dim(mix(stage.dark, (70, 70, 74), 0.4), 0.3)
    pen.polygon([at(-1.2, 0, 0.6), at(1.2, 0, 0.6), at(1.2, 0, 30), at(-1.2, 0, 30)],
                fill=ground)
    rng = stage.rng("alley")
    for side in (-1, 1):
        x = side * 1.2
        pen.polygon([at(x, 0, 0.6), at(x, 0, 30), at(x, 12, 30), at(x, 12, 0.6)],
                    fill=shade(wall, -0.1 * side))
        for z in (1.0, 1.6, 2.6, 4.2, 7.0):
            pen.line([at(x, 0, z), at(x, 12, z)], fill=shade(wall, -0.3))
        for y in range(1, 12, 2):
            pen.line([at(x, y, 0.6), at(x, y, 30)], fill=shade(wall, -0.18))
        z = 1.5
        while z < 10:  # doors, windows, bins along the walls
            lit = stage.lit and rng.random() < 0.5
            pen.polygon([at(x, 2.4, z), at(x, 2.4, z + 0.5), at(x, 3.2, z + 0.5), at(x, 3.2, z)],
                        fill=LAMP if lit else shade(wall, -0.45))
            if rng.random() < 0.5:
                pen.polygon([at(x - side * 0.5, 0, z), at(x, 0, z), at(x, 0.9, z),
                             at(x - side * 0.5, 0.9, z)], fill=stage.dim((64, 80, 70), 0.3),
                            outline=INK)
            z *= 1.6
        pen.line([at(x - side * 0.1, 0, 1.3), at(x - side * 0.1, 12, 1.3)],
                 fill=shade(wall, -0.5), width=max(2, int(f / 60)))


def _hills(stage: Set, pen: ImageDraw.ImageDraw, view: View, green: RGB) -> None:
    for depth, height, salt in ((0.95, 0.1, "hills-far"), (0.7, 0.07, "hills-mid"),
                                (0.4, 0.04, "hills-near")):
        stage.ridge(pen, view.far(depth), salt, height,
                    stage.aerial(stage.dim(green, 0.4), depth * 0.8), 3)


def _tree(pen: ImageDraw.ImageDraw, x: float, y: float, s: float, leaf: RGB) -> None:
    pen.rectangle([x - s * 0.08, y - s * 0.6, x + s * 0.08, y], fill=shade(leaf, -0.5))
    pen.ellipse([x - s * 0.45, y - s * 1.3, x + s * 0.45, y - s * 0.45], fill=leaf,
                outline=shade(leaf, -0.3))


def _house(pen: ImageDraw.ImageDraw, x: float, y: float, s: float, wall: RGB, roof: RGB,
           lit: bool) -> None:
    pen.rectangle([x - s, y - s * 0.9, x + s, y], fill=wall, outline=INK)
    pen.polygon([(x - s * 1.2, y - s * 0.9), (x, y - s * 1.7), (x + s * 1.2, y - s * 0.9)],
                fill=roof, outline=INK)
    pen.rectangle([x - s * 0.2, y - s * 0.55, x + s * 0.2, y], fill=shade(wall, -0.5))
    pen.rectangle([x + s * 0.4, y - s * 0.65, x + s * 0.75, y - s * 0.35],
                  fill=LAMP if lit else shade(wall, -0.35))


def countryside(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    green = mix(stage.mid, (96, 140, 70), 0.5)
    _hills(stage, pen, view, green)
    rng = stage.rng("country")
    for _ in range(7):  # hedgerows and trees across the fields
        u = rng.uniform(-0.3, 1.3)
        x, y = view.far(0.5).pt(u, -0.01)
        _tree(pen, x, y, view.h * 0.06 * view.far(0.5).zoom, stage.dim((60, 100, 56), 0.4))
    x, y = view.far(0.6).pt(0.3 if rng.random() < 0.5 else 0.7, -0.005)
    _house(pen, x, y, view.h * 0.035 * view.far(0.6).zoom, stage.dim((220, 210, 190), 0.4),
           stage.dim((140, 60, 50), 0.4), stage.lit)


def village(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    _hills(stage, pen, view, mix(stage.mid, (96, 140, 70), 0.4))
    rng = stage.rng("village")
    layer = view.far(0.35)
    houses = sorted((rng.uniform(-0.3, 1.3), rng.uniform(-0.06, 0.0)) for _ in range(9))
    for u, v in sorted(houses, key=lambda h: -h[1]):
        x, y = layer.pt(u, v)
        s = view.h * 0.06 * layer.zoom * (1 - v * 4)
        wall = stage.dim(mix((214, 200, 170), stage.light, 0.3), 0.4)
        _house(pen, x, y, s, wall, stage.dim(mix((120, 70, 50), stage.accent, 0.3), 0.4),
               stage.lit and rng.random() < 0.7)
    for u in (-0.1, 0.95):
        x, y = view.pt(u, -0.08)
        _tree(pen, x, y, view.h * 0.22 * view.zoom, stage.dim((58, 96, 54), 0.4))


def field(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    """Flat land to the horizon, furrows or grass running toward it, a lone tree."""
    crop = stage.dim(mix(stage.mid, (176, 160, 84), 0.55), 0.4)
    pen.rectangle([0, view.horizon, view.w, view.h], fill=crop)
    cx = view.x(0.5)
    for k in range(-14, 15):
        pen.line([(cx + k * view.w * 0.002, view.horizon), (cx + k * view.w * 0.12, view.h)],
                 fill=shade(crop, -0.15), width=max(1, int(view.zoom)))
    x, y = view.far(0.6).pt(0.78, -0.01)
    _tree(pen, x, y, view.h * 0.09 * view.far(0.6).zoom, stage.dim((60, 96, 56), 0.4))


def desert(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    sand = stage.dim(mix(stage.light, (222, 184, 120), 0.6), 0.4)
    pen.rectangle([0, view.horizon, view.w, view.h], fill=sand)
    for depth, height, salt in ((0.95, 0.05, "mesa"), (0.6, 0.04, "dunes"),
                                (0.25, 0.05, "dunes-near")):
        colour = stage.aerial(shade(sand, -0.1 if salt == "mesa" else 0.05 * depth), depth * 0.6)
        stage.ridge(pen, view.far(depth), salt, height, colour, 2, base=-0.06 * (1 - depth),
                    sharp=salt == "mesa")
    if stage.era == Era.ancient:  # cacti of the old west
        for u in (0.15, 0.82):
            x, y = view.far(0.3).pt(u, -0.08)
            s = view.h * 0.1 * view.far(0.3).zoom
            green = stage.dim((70, 120, 70), 0.4)
            pen.rounded_rectangle([x - s * 0.1, y - s, x + s * 0.1, y], radius=s * 0.1,
                                  fill=green, outline=INK)
            pen.rounded_rectangle([x - s * 0.4, y - s * 0.7, x - s * 0.25, y - s * 0.35],
                                  radius=s * 0.07, fill=green, outline=INK)


def snowfield(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    snow = stage.dim((236, 240, 248), 0.45)
    stage.ridge(pen, view.far(0.95), "ice-far", 0.05, stage.aerial(shade(snow, -0.1), 0.8), 4)
    pen.rectangle([0, view.horizon, view.w, view.h], fill=snow)
    rng = stage.rng("drifts")
    for _ in range(9):
        x, y = view.x(rng.uniform(-0.2, 1.2)), view.horizon + (view.h - view.horizon) * \
            rng.uniform(0.05, 1.0)
        r = (y - view.horizon) * 0.6
        pen.arc([x - r * 2, y - r * 0.3, x + r * 2, y + r * 0.3], 190, 350,
                fill=shade(snow, -0.12), width=2)


def _waves(stage: Set, pen: ImageDraw.ImageDraw, view: View, sea: RGB, top: float,
           rng: random.Random) -> None:
    storm = stage.setting.storm
    rows = 12 if storm else 18
    for i in range(rows):
        t = (i + 1) / rows
        y = top + (view.h - top) * t * t
        step = view.w * (0.08 + 0.25 * t)
        lift = (view.h * 0.1 if storm else view.h * 0.015) * t
        x = -rng.uniform(0, step)
        while x < view.w:
            crest = [(x, y), (x + step * 0.5, y - lift * rng.uniform(0.6, 1.4)), (x + step, y)]
            pen.polygon(crest + [(x + step, y + lift), (x, y + lift)], fill=shade(sea, -0.1 * t))
            pen.line(crest[:2], fill=shade(sea, 0.45 if storm else 0.25),
                     width=max(1, int(t * 3)))
            x += step * rng.uniform(0.8, 1.1)


def sea(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    """Open water to every edge: swells under a calm sky, walls of water in a storm."""
    colour = (30, 60, 80) if stage.setting.storm else (36, 86, 126)
    water = stage.dim(mix(stage.sky_low, colour, 0.65), 0.3)
    top = view.horizon
    image.paste(vertical_gradient((view.w, max(int(view.h - top), 1) + 1),
                                  mix(water, stage.sky_low, 0.35), shade(water, -0.25)),
                (0, int(top)))
    _waves(stage, pen, view, water, top, stage.rng("waves"))


def deck(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    """On board: planks running to the bow, a rail, a mast and rigging; the sea beyond."""
    sea(stage, image, pen, view)
    cx, f, eye = view.x(0.5), view.h * view.zoom * 0.5, 1.7

    def at(x: float, y: float, z: float) -> tuple[float, float]:
        return cx + x * f / z, view.horizon + (eye - y) * f / z

    wood = stage.dim((132, 96, 62) if stage.era != Era.futuristic else (110, 116, 128), 0.4)
    bow = 9.0
    pen.polygon([at(-2.2, 0, 0.6), at(2.2, 0, 0.6), at(0.6, 0, bow), at(-0.6, 0, bow)],
                fill=wood)
    for k in range(-6, 7):
        pen.line([at(k * 0.35, 0, 0.6), at(k * 0.1, 0, bow)], fill=shade(wood, -0.2))
    for side in (-1, 1):  # the rails along the sides
        for y in (0.5, 1.0):
            pen.line([at(side * 2.2, y, 0.6), at(side * 0.6, y, bow)], fill=shade(wood, -0.4),
                     width=max(2, int(f / 80)))
        for t in range(8):
            z = 0.8 * 1.35 ** t
            if z < bow:
                x = side * (2.2 - 1.6 * (z - 0.6) / (bow - 0.6))
                pen.line([at(x, 0, z), at(x, 1.0, z)], fill=shade(wood, -0.4), width=2)
    if stage.era == Era.ancient:  # a mast with its sail and rigging
        mast = at(0.3, 0, 4.0)
        top = at(0.3, 12, 4.0)
        pen.line([mast, top], fill=shade(wood, -0.3), width=max(3, int(f / 30)))
        sail = stage.dim((230, 222, 200), 0.4)
        pen.polygon([at(-1.4, 9.5, 4.2), at(2.0, 9.5, 4.2), at(1.8, 3.5, 4.2), at(-1.2, 3.5, 4.2)],
                    fill=sail, outline=INK)
        for side in (-1, 1):
            pen.line([top, at(side * 2.0, 0.5, 1.5)], fill=INK)
    if stage.setting.storm:
        rng = stage.rng("spray")
        for _ in range(int(view.w * view.h / 3000)):
            x, y = rng.uniform(0, view.w), rng.uniform(0, view.h)
            pen.line([(x, y), (x - view.h * 0.02, y + view.h * 0.06)], fill=(200, 210, 222))


def cave(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    """Rock all round, the mouth of the cave a lighter arch at the back."""
    rock = stage.dim(mix(stage.dark, (70, 62, 56), 0.5), 0.3)
    pen.rectangle([0, 0, view.w, view.h], fill=rock)
    cx, cy = view.x(0.5), view.horizon
    r = view.h * 0.4 * view.zoom ** 0.6
    mouth = mix(stage.sky_low, (220, 220, 210), 0.3) if not stage.lit else stage.sky_top
    pen.ellipse([cx - r * 0.8, cy - r, cx + r * 0.8, cy + r * 0.4], fill=shade(rock, 0.25))
    pen.ellipse([cx - r * 0.45, cy - r * 0.7, cx + r * 0.45, cy + r * 0.1], fill=mouth)
    pen.rectangle([0, cy, view.w, view.h], fill=shade(rock, 0.1))
    rng = stage.rng("rocks")
    for _ in range(14):  # stalactites and boulders
        x = view.x(rng.uniform(-0.3, 1.3))
        s = view.h * rng.uniform(0.03, 0.08) * view.zoom ** 0.5
        pen.polygon([(x - s, 0), (x + s, 0), (x, s * rng.uniform(2, 5))], fill=shade(rock, -0.2))
        y = cy + (view.h - cy) * rng.uniform(0.2, 1.0)
        pen.ellipse([x - s * 1.6, y - s, x + s * 1.6, y + s * 0.4], fill=shade(rock, -0.1),
                    outline=shade(rock, -0.4))


def battlefield(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    """Churned ground, smoke rising, the wreck of war: banners and spears, or wire and craters."""
    ground = stage.dim(mix(stage.dark, (96, 80, 60), 0.5), 0.3)
    pen.rectangle([0, view.horizon, view.w, view.h], fill=ground)
    rng = stage.rng("battle")
    smoke = stage.dim(mix(stage.sky_low, (120, 116, 112), 0.6), 0.3)
    for _ in range(5):  # columns of smoke
        x = view.x(rng.uniform(-0.1, 1.1))
        for k in range(6):
            r = view.h * 0.03 * (1 + k * 0.5) * view.far(0.7).zoom
            y = view.horizon - k * r * 1.2
            pen.ellipse([x - r + k * r * 0.3, y - r, x + r + k * r * 0.3, y + r],
                        fill=mix(smoke, stage.sky_low, k / 8))
    for _ in range(12):
        x = view.x(rng.uniform(-0.2, 1.2))
        y = view.horizon + (view.h - view.horizon) * rng.uniform(0.05, 0.9)
        s = (y - view.horizon) * 0.25 + 2
        pen.ellipse([x - s * 2, y - s * 0.4, x + s * 2, y + s * 0.4], fill=shade(ground, -0.3))
        if stage.era == Era.ancient:  # a broken spear or a fallen banner
            pen.line([(x - s, y), (x + s * 0.6, y - s * 2)], fill=(70, 50, 36),
                     width=max(1, int(s / 6)))
            if rng.random() < 0.4:
                pen.polygon([(x + s * 0.6, y - s * 2), (x + s * 1.8, y - s * 1.7),
                             (x + s * 0.7, y - s * 1.3)], fill=stage.dim(stage.accent, 0.3))
        else:  # a stake of barbed wire
            pen.line([(x, y), (x, y - s * 1.5)], fill=INK, width=max(1, int(s / 8)))
            pen.line([(x, y - s), (x + s * 3, y - s * 1.1)], fill=INK)
