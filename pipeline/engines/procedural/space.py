"""Space: stars, a planet, a station or ship seen from outside, and what a window shows.

Space has no sky colour and no ground: black, a field of stars fixed by the scene's
seed, a planet whose bands come from the scene's palette, and the station's modules,
trusses and solar wings drawn as flat shapes with a hard sunlit edge. `view_out` is
what the windows of a room show, so a station's corridor looks onto stars and an
office onto its city.
"""

from __future__ import annotations

import random

from PIL import Image, ImageDraw

from ...format.model import Era, Place, TimeOfDay, Weather
from .palette import RGB, mix, shade
from .scenery import LAMP, Set, View, vertical_gradient

VOID = (6, 8, 18)
STAR = (236, 240, 255)
SEA_VIEW = (Place.bridge, Place.cabin, Place.deck)


def stars(pen: ImageDraw.ImageDraw, size: tuple[int, int], rng: random.Random,
          shift: float = 0.0, density: float = 1.0) -> None:
    w, h = size
    for _ in range(int(w * h / 1800 * density) + 6):
        x, y = (rng.uniform(0, 1.5) * w - shift * w) % w, rng.uniform(0, h)
        r = rng.choice((0.6, 0.8, 0.8, 1.0, 1.6))
        pen.ellipse([x - r, y - r, x + r, y + r], fill=STAR if r > 0.9 else (150, 160, 190))


def planet(pen: ImageDraw.ImageDraw, cx: float, cy: float, r: float, colour: RGB,
           rng: random.Random, night_side: bool = True) -> None:
    """A lit disc with bands, its night side in shadow, a thin atmosphere at the rim."""
    pen.ellipse([cx - r * 1.04, cy - r * 1.04, cx + r * 1.04, cy + r * 1.04],
                fill=mix(colour, (160, 210, 255), 0.5))
    pen.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    for _ in range(5):  # cloud bands
        y = cy + rng.uniform(-0.8, 0.8) * r
        half = (r * r - (y - cy) ** 2) ** 0.5
        pen.line([(cx - half * 0.95, y), (cx + half * 0.95, y)], fill=shade(colour, 0.22),
                 width=max(1, int(min(r, 60) * rng.uniform(0.03, 0.09))))
    if night_side:
        pen.chord([cx - r, cy - r, cx + r, cy + r], 100, 260, fill=shade(colour, -0.55))


def station(pen: ImageDraw.ImageDraw, cx: float, cy: float, s: float, hull: RGB,
            accent: RGB, rng: random.Random) -> None:
    """Modules along a truss, solar wings either side, lit windows along the hull."""
    dark = shade(hull, -0.45)
    pen.rectangle([cx - s * 1.6, cy - s * 0.04, cx + s * 1.6, cy + s * 0.04], fill=dark)
    for side in (-1, 1):  # solar wings
        for k in (0, 1):
            x0 = cx + side * s * (0.85 + k * 0.42)
            wing = [x0 - s * 0.18, cy - s * 0.55, x0 + s * 0.18, cy + s * 0.55]
            pen.rectangle(wing, fill=(38, 52, 96), outline=(120, 140, 190), width=2)
            for i in range(1, 6):
                y = cy - s * 0.55 + i * s * 0.18
                pen.line([(wing[0], y), (wing[2], y)], fill=(80, 100, 150))
    for i in range(-2, 3):  # modules
        mx = cx + i * s * 0.3
        long = s * (0.16 if i % 2 else 0.2)
        pen.rounded_rectangle([mx - s * 0.14, cy - long, mx + s * 0.14, cy + long],
                              radius=s * 0.08, fill=hull, outline=dark, width=2)
        pen.rectangle([mx - s * 0.14, cy - long * 0.5, mx - s * 0.08, cy + long * 0.5],
                      fill=shade(hull, 0.35))  # the sunlit edge
        for j in range(3):
            wy = cy - long * 0.5 + j * long * 0.5
            pen.rectangle([mx + s * 0.02, wy - s * 0.015, mx + s * 0.08, wy + s * 0.015],
                          fill=mix(accent, LAMP, 0.5))
    pen.ellipse([cx - s * 0.3, cy - s * 0.3, cx + s * 0.3, cy + s * 0.3], outline=hull,
                width=max(2, int(s * 0.05)))  # a ring


def _void(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    tint = mix(VOID, stage.dark, 0.25)
    image.paste(vertical_gradient(image.size, tint, shade(mix(tint, stage.mid, 0.2), -0.2)),
                (0, 0))
    rng = stage.rng("nebula")
    for _ in range(3):  # a faint nebula in the scene's colours
        x, y, r = rng.uniform(0, view.w), rng.uniform(0, view.h), view.h * rng.uniform(0.2, 0.4)
        pen.ellipse([x - r * 1.6, y - r, x + r * 1.6, y + r],
                    fill=mix(tint, stage.accent, 0.06))
    stars(pen, image.size, stage.rng("stars"), view.pan * 0.3)


def space(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    _void(stage, image, pen, view)
    far = view.far(0.7)
    x, y = far.pt(0.78, 0.25)
    planet(pen, x, y, view.h * 0.06 * far.zoom, mix(stage.mid, stage.accent, 0.4),
           stage.rng("moon"))


def planet_place(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    """In orbit: the planet's curve fills the lower part of the frame."""
    _void(stage, image, pen, view)
    r = view.w * 1.2 * view.far(0.5).zoom
    cx, cy = view.x(0.5), view.horizon + r * 0.97
    planet(pen, cx, cy, r, mix(stage.mid, (70, 120, 170), 0.4), stage.rng("planet"), False)


def station_place(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View
                  ) -> None:
    """Outside the station: its hull and wings against the stars, a planet below."""
    planet_place(stage, image, pen, view)
    hull = stage.dim(mix(stage.light, (200, 204, 212), 0.5), 0.2)
    x, y = view.pt(0.5, 0.2)
    station(pen, x, y, view.h * 0.3 * view.zoom, hull, stage.accent, stage.rng("station"))


def view_out(stage: Set, place: Place, era: Era, size: tuple[int, int]) -> Image.Image:
    """What a room's window shows, drawn into a picture of the window's size."""
    w, h = size
    rng = stage.rng("outside")
    night = stage.scene.time_of_day == TimeOfDay.night
    if era == Era.futuristic and place != Place.bar or place == Place.station:
        image = Image.new("RGB", size, VOID)
        pen = ImageDraw.Draw(image)
        stars(pen, size, rng, density=2.0)
        planet(pen, w * 0.7, h * 1.3, w * 0.7, mix(stage.mid, (70, 120, 170), 0.4), rng)
        return image
    image = vertical_gradient(size, stage.sky_top, stage.sky_low)
    pen = ImageDraw.Draw(image)
    horizon = h * 0.62
    if place in SEA_VIEW:
        sea = stage.dim(mix(stage.sky_low, (36, 86, 126), 0.6), 0.3)
        pen.rectangle([0, horizon, w, h], fill=sea)
        for i in range(8):
            y = horizon + (h - horizon) * (i + 0.5) / 8
            pen.line([(rng.uniform(0, w * 0.6), y), (rng.uniform(w * 0.5, w), y)],
                     fill=shade(sea, 0.25))
    elif era == Era.modern:
        x = -rng.uniform(0, w * 0.1)
        while x < w:  # the city's towers, windows lit at night
            bw, top = w * rng.uniform(0.08, 0.18), h * rng.uniform(0.15, 0.6)
            body = stage.aerial(stage.dim(mix(stage.mid, stage.dark, 0.5)), 0.5)
            pen.rectangle([x, top, x + bw, h], fill=body)
            for wy in range(int(top + 4), h, 7):
                for wx in range(int(x + 3), int(x + bw - 3), 6):
                    if rng.random() < (0.5 if night else 0.2):
                        pen.rectangle([wx, wy, wx + 2, wy + 3],
                                      fill=LAMP if night else shade(body, 0.25))
            x += bw + w * rng.uniform(0.0, 0.04)
    else:
        points = [(0, h)] + [(w * i / 8, horizon - h * rng.uniform(0.0, 0.18)) for i in range(9)]
        pen.polygon(points + [(w, h)], fill=stage.aerial(stage.dim(stage.mid), 0.5))
    if night and stage.scene.weather == Weather.clear:
        stars(pen, (w, int(horizon * 0.8)), rng, density=0.6)
    if stage.scene.weather == Weather.rain:
        for _ in range(int(w * h / 300) + 3):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            pen.line([(x, y), (x - h * 0.02, y + h * 0.08)], fill=(190, 200, 215))
    elif stage.scene.weather == Weather.snow:
        for _ in range(int(w * h / 400) + 3):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            pen.ellipse([x - 1, y - 1, x + 1, y + 1], fill=(246, 248, 255))
    return image
