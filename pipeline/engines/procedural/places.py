"""The kinds of place a scene can be, each drawn so a reader knows it at a glance.

City wall and gate, street, interior, forest, mountains, shore, sky and a neutral
fallback; each in far, middle and near layers (the far ones hazier: aerial
perspective), lit by the time of day (windows and lanterns glow after dusk), and
each also seen from straight above for a bird's-eye shot. Streets and rooms are
drawn in one-point perspective, as a storyboard artist would block them.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

from ...format.model import Era, Place, Weather
from . import outdoors, space
from .above import plan_view
from .furniture import furnish
from .palette import RGB, mix, shade
from .rooms import Room
from .scenery import LAMP, Set, View, vertical_gradient

INK = (30, 28, 34)


def draw(stage: Set, image: Image.Image, view: View, from_above: bool = False) -> None:
    """Draw the scene's set into `image` as `view` sees it."""
    pen = ImageDraw.Draw(image)
    place = stage.place
    if from_above:
        plan_view(stage, image, pen, view)
    elif place == Place.hall and stage.era == Era.ancient:
        interior(stage, image, pen, view)  # the lantern hall, pillars and all
    elif stage.setting.inside:
        room = Room(stage, image, view, place, stage.era)
        room.shell()
        furnish(room)
    elif place in SPACE:
        SPACE[place](stage, image, pen, view)
    elif place == Place.cave:
        outdoors.cave(stage, image, pen, view)
    else:
        stage.sky(image, pen, view)
        if not stage.setting.storm:
            stage.celestial(pen, view.far(1.0))
        stage.ground(image, view)
        OUTSIDE.get(place, neutral)(stage, image, pen, view)


def _glow(pen: ImageDraw.ImageDraw, x: float, y: float, r: float, behind: RGB) -> None:
    for k, t in ((2.2, 0.85), (1.5, 0.65), (1.0, 0.0)):
        pen.ellipse([x - r * k, y - r * k, x + r * k, y + r * k], fill=mix(LAMP, behind, t))


def _road(stage: Set, pen: ImageDraw.ImageDraw, view: View, half: float, colour: RGB) -> None:
    cx = view.x(0.5)
    spread = view.w * view.zoom * 0.55
    pen.polygon([(cx - half * view.w * view.zoom, view.horizon),
                 (cx + half * view.w * view.zoom, view.horizon), (cx + spread, view.h),
                 (cx - spread, view.h)], fill=colour)


def city_gate(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    far = view.far(1.0)
    stage.ridge(pen, far, "far-peaks", 0.2, stage.aerial(stage.mid, 0.85), 5, sharp=True)
    town = view.far(0.5)  # the roofs of the city over the wall
    rng = stage.rng("town")
    for i in range(14):
        u = -0.6 + i * 0.16 + rng.uniform(-0.03, 0.03)
        top = rng.uniform(0.24, 0.34)
        body = stage.aerial(stage.dim(stage.dark), 0.45)
        town.quad(pen, u, 0.1, u + 0.08, top, body)
        town.poly(pen, [(u - 0.025, top), (u + 0.04, top + 0.05), (u + 0.105, top)],
                  shade(body, -0.25))
    _road(stage, pen, view, 0.05, mix(stage.ground_near, stage.dark, 0.22))
    stone = stage.dim(mix(stage.mid, stage.light, 0.35), 0.55)
    mortar = shade(stone, -0.16)
    line = max(1, int(view.zoom))
    view.quad(pen, -1.5, 0.0, 2.5, 0.2, stone)
    view.quad(pen, -1.5, 0.17, 2.5, 0.2, shade(stone, 0.12))
    u = -1.5
    while u < 2.5:  # crenellations
        view.quad(pen, u, 0.2, u + 0.016, 0.228, stone)
        u += 0.03
    for row in (0.05, 0.1, 0.145):  # courses of stone
        pen.line([view.pt(-1.5, row), view.pt(2.5, row)], fill=mortar, width=line)
    for side in (0.33, 0.67):  # towers either side of the gate
        left, right = side - 0.065, side + 0.065
        view.quad(pen, left, 0.0, right, 0.36, shade(stone, -0.06), INK, line)
        view.quad(pen, left - 0.01, 0.33, right + 0.01, 0.36, shade(stone, 0.1), INK, line)
        view.poly(pen, [(left - 0.035, 0.36), (side, 0.47), (right + 0.035, 0.36)],
                  stage.dim(stage.accent, 0.4), INK, line)
        window = LAMP if stage.lit else shade(stone, -0.55)
        view.quad(pen, side - 0.014, 0.24, side + 0.014, 0.29, window)
        if stage.lit:
            x, y = view.pt(side, 0.12)
            _glow(pen, x, y, 0.008 * view.h * view.zoom, stone)
    # the gate: an arch with its doors, open (and lit from inside) when the panel says so
    opening = shade(stone, -0.72)
    view.quad(pen, 0.45, 0.0, 0.55, 0.13, opening)
    x0, y0 = view.pt(0.45, 0.17)
    x1, y1 = view.pt(0.55, 0.09)
    pen.ellipse([x0, y0, x1, y1], fill=opening)
    wood = stage.dim(mix(stage.accent, (90, 60, 40), 0.6), 0.5)
    if "open" in stage.description:
        view.quad(pen, 0.462, 0.0, 0.538, 0.12, mix(LAMP, stage.light, 0.3))
        spill = mix(LAMP, stage.ground_near, 0.45)
        cx = view.x(0.5)
        pen.polygon([view.pt(0.462, 0.0), view.pt(0.538, 0.0), (cx + view.w * view.zoom * 0.2,
                     view.h), (cx - view.w * view.zoom * 0.2, view.h)], fill=spill)
        view.quad(pen, 0.43, 0.0, 0.455, 0.12, wood, INK, line)
        view.quad(pen, 0.545, 0.0, 0.57, 0.12, wood, INK, line)
    else:
        view.quad(pen, 0.455, 0.0, 0.545, 0.125, wood, INK, line)
        pen.line([view.pt(0.5, 0.0), view.pt(0.5, 0.125)], fill=INK, width=line)
        for v in (0.03, 0.07, 0.105):
            pen.line([view.pt(0.455, v), view.pt(0.545, v)], fill=shade(wood, -0.35), width=line)
    _near(stage, pen, view)


def _near(stage: Set, pen: ImageDraw.ImageDraw, view: View) -> None:
    """Banks of snow or rocks at the bottom corners: the nearest layer, never hazy."""
    rng = stage.rng("near")
    colour = ((238, 242, 250) if stage.scene.weather == Weather.snow
              else shade(stage.ground_near, -0.25))
    colour = stage.dim(colour, 0.35)
    for side in (-1, 1):
        x = view.w / 2 + side * view.w * rng.uniform(0.48, 0.56)
        r = view.h * rng.uniform(0.12, 0.18)
        pen.ellipse([x - r * 1.8, view.h - r * 0.5, x + r * 1.8, view.h + r * 1.2], fill=colour,
                    outline=shade(colour, -0.3), width=2)


def street(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    """Two rows of houses running away from us to the horizon, a road between."""
    cx, f, eye = view.x(0.5), view.h * view.zoom * 0.5, 0.9

    def at(x: float, y: float, z: float) -> tuple[float, float]:
        return cx + x * f / z, view.horizon + (eye - y) * f / z

    road = mix(stage.ground_near, stage.dark, 0.25)
    pen.polygon([at(-1.6, 0, 1.0), at(1.6, 0, 1.0), at(1.6, 0, 40), at(-1.6, 0, 40)], fill=road)
    for x in (-0.05, 0.05):
        pen.line([at(x, 0, 0.8), at(x, 0, 40)], fill=shade(road, 0.12), width=2)
    rng = stage.rng("street")
    western = stage.setting.western
    if western:
        road = mix(road, (176, 140, 96), 0.5)  # dust
        pen.polygon([at(-1.6, 0, 1.0), at(1.6, 0, 1.0), at(1.6, 0, 40), at(-1.6, 0, 40)],
                    fill=road)
    for side in (-1, 1):
        z = 1.0
        while z < 24:
            depth = z * rng.uniform(0.25, 0.45)
            tall = rng.uniform(1.6, 3.0) * {Era.modern: 2.0, Era.futuristic: 4.0}.get(
                stage.era, 1.0)
            body = stage.aerial(stage.dim(mix(stage.mid, stage.accent, rng.uniform(0, 0.5))),
                                z / 30)
            if western:
                body = mix(body, (150, 108, 70), 0.5)
            x = side * 1.6
            a, b = z, z + depth
            pen.polygon([at(x, 0, a), at(x, 0, b), at(x, tall, b), at(x, tall, a)], fill=body,
                         outline=shade(body, -0.35))
            if western:  # a false front over a plank porch roof on posts
                pen.polygon([at(x, 1.25, a), at(x, 1.25, b), at(x - side * 0.7, 1.1, b),
                             at(x - side * 0.7, 1.1, a)], fill=shade(body, -0.25),
                            outline=INK)
                for post in (a + 0.05, b - 0.05):
                    pen.line([at(x - side * 0.68, 0, post), at(x - side * 0.68, 1.1, post)],
                             fill=shade(body, -0.5), width=max(1, int(4 / post)))
            else:
                pen.polygon([at(x, tall, a), at(x, tall, b), at(x - side * 0.5, tall + 0.5, b),
                             at(x - side * 0.5, tall + 0.5, a)], fill=shade(body, -0.3))
            for level in range(1, int(tall)):
                for k in (0.25, 0.6):
                    w0, w1 = a + depth * k, a + depth * (k + 0.18)
                    lit = stage.lit and rng.random() < 0.6
                    pen.polygon([at(x, level - 0.05, w0), at(x, level - 0.05, w1),
                                 at(x, level + 0.45, w1), at(x, level + 0.45, w0)],
                                fill=LAMP if lit else shade(body, -0.45))
            pen.polygon([at(x, 0, a + depth * 0.35), at(x, 0, a + depth * 0.6),
                         at(x, 0.8, a + depth * 0.6), at(x, 0.8, a + depth * 0.35)],
                        fill=shade(body, -0.55))  # a door
            z = b
    if stage.era != Era.ancient:  # street lamps along the kerbs
        for z in (1.8, 3.6, 7.2):
            for side in (-1, 1):
                x = side * 1.3
                pen.line([at(x, 0, z), at(x, 2.6, z)], fill=INK, width=max(1, int(3 / z)))
                lx, ly = at(x - side * 0.2, 2.6, z)
                r = f / z * 0.06
                colour = LAMP if stage.lit else (230, 230, 220)
                if stage.era == Era.futuristic:
                    colour = (150, 230, 255)
                pen.ellipse([lx - r, ly - r, lx + r, ly + r], fill=colour, outline=INK)
        return
    if western:
        return
    for z in (2.5, 5.5):  # strings of lanterns across the street
        left, right = at(-1.6, 2.0, z), at(1.6, 2.0, z)
        mid = ((left[0] + right[0]) / 2, left[1] + f / z * 0.3)
        pen.line([left, mid, right], fill=INK, width=max(1, int(2 / z * view.zoom)))
        for t in (0.2, 0.4, 0.6, 0.8):
            x = left[0] + (right[0] - left[0]) * t
            y = left[1] + (mid[1] - left[1]) * (1 - (2 * t - 1) ** 2)
            r = f / z * 0.07
            colour = LAMP if stage.lit else stage.dim(stage.accent)
            pen.ellipse([x - r, y, x + r, y + r * 2.4], fill=colour, outline=INK)


def interior(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    """A hall seen down its length: walls, pillars, lanterns, a window at the end."""
    cx, f, eye = view.x(0.5), view.h * view.zoom * 0.42, 1.0
    half, high, back = 1.8, 3.0, 7.0

    def at(x: float, y: float, z: float) -> tuple[float, float]:
        return cx + x * f / z, view.horizon + (eye - y) * f / z

    warm = mix(stage.mid, stage.light, 0.3)
    if stage.lit:
        warm = mix(warm, LAMP, 0.12)
    wall = stage.dim(warm, 0.35)
    image.paste(vertical_gradient(image.size, shade(wall, -0.45), shade(wall, -0.2)), (0, 0))
    floor_near = stage.dim(mix(stage.dark, stage.mid, 0.4), 0.3)
    side_wall = shade(wall, -0.12)
    pen.polygon([at(-half, 0, 0.5), at(-half, 0, back), at(-half, high, back),
                 at(-half, high, 0.5)], fill=side_wall)
    pen.polygon([at(half, 0, 0.5), at(half, 0, back), at(half, high, back), at(half, high, 0.5)],
                fill=side_wall)
    pen.polygon([at(-half, 0, 0.5), at(half, 0, 0.5), at(half, 0, back), at(-half, 0, back)],
                fill=floor_near)
    for z in (1, 1.5, 2.2, 3.2, 4.7):  # floor boards across
        pen.line([at(-half, 0, z), at(half, 0, z)], fill=shade(floor_near, -0.15), width=1)
    pen.polygon([at(-half, high, 0.5), at(half, high, 0.5), at(half, high, back),
                 at(-half, high, back)], fill=shade(wall, -0.5))
    pen.polygon([at(-half, 0, back), at(half, 0, back), at(half, high, back),
                 at(-half, high, back)], fill=wall, outline=INK)
    runner = stage.dim(stage.accent, 0.3)
    pen.polygon([at(-0.4, 0, 0.5), at(0.4, 0, 0.5), at(0.4, 0, back), at(-0.4, 0, back)],
                fill=mix(runner, (120, 30, 40), 0.35))
    # the window at the end: round if the scene says so, looking onto the sky
    sky = stage.sky_top
    wx, wy = at(0, 1.7, back)
    r = 0.75 * f / back
    if "round" in stage.words or "moon" in stage.words:
        pen.ellipse([wx - r, wy - r, wx + r, wy + r], fill=mix(sky, stage.sky_low, 0.3),
                    outline=INK, width=max(2, int(r / 12)))
        if stage.lit:
            m = r * 0.42
            pen.ellipse([wx + r * 0.1 - m, wy - r * 0.2 - m, wx + r * 0.1 + m, wy - r * 0.2 + m],
                        fill=(246, 244, 226))
        pen.line([(wx - r, wy), (wx + r, wy)], fill=INK, width=max(1, int(r / 20)))
        pen.line([(wx, wy - r), (wx, wy + r)], fill=INK, width=max(1, int(r / 20)))
    else:
        for dx in (-0.9, 0.5):
            tl, br = at(dx, 2.2, back), at(dx + 0.4, 1.0, back)
            pen.rectangle([tl, br], fill=mix(sky, stage.sky_low, 0.5), outline=INK, width=3)
    # pillars down both sides, then lanterns hung between them
    pillar = stage.dim(mix(stage.accent, stage.dark, 0.55), 0.3)
    for z in (1.3, 2.4, 3.8, 5.6):
        for side in (-1, 1):
            x = side * (half - 0.25)
            pen.polygon([at(x - 0.12, 0, z), at(x + 0.12, 0, z), at(x + 0.12, high, z),
                         at(x - 0.12, high, z)], fill=pillar, outline=INK)
            pen.polygon([at(x - side * 0.12, 0, z), at(x - side * 0.04, 0, z),
                         at(x - side * 0.04, high, z), at(x - side * 0.12, high, z)],
                        fill=shade(pillar, 0.18))
    for z in (1.8, 3.1, 4.7):
        for side in (-1, 1):
            x, y = at(side * 0.9, 2.2, z)
            top = at(side * 0.9, high, z)
            pen.line([top, (x, y)], fill=INK, width=1)
            r = 0.1 * f / z
            if stage.lit:
                _glow(pen, x, y + r, r, wall)
            pen.rounded_rectangle([x - r * 0.7, y, x + r * 0.7, y + r * 2], radius=r * 0.5,
                                  fill=mix(stage.accent, LAMP, 0.5 if stage.lit else 0.1),
                                  outline=INK)


def forest(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    stage.ridge(pen, view.far(1.0), "hills", 0.12, stage.aerial(stage.mid, 0.8), 7)
    leaf = stage.dim(mix(stage.dark, (52, 104, 66), 0.55))
    rng = stage.rng("forest")
    for depth, count, size in ((0.8, 40, 0.16), (0.5, 26, 0.26), (0.2, 14, 0.42)):
        layer = view.far(depth)
        colour = stage.aerial(leaf, depth)
        for _ in range(count):
            u, tall = rng.uniform(-1.0, 2.0), size * rng.uniform(0.7, 1.15)
            base = -0.015 * (1 - depth)
            layer.quad(pen, u - 0.004, base, u + 0.004, base + tall * 0.3, shade(colour, -0.35))
            for tier in range(3):  # a conifer: three stacked tiers
                b = base + tall * (0.2 + tier * 0.25)
                wide = tall * (0.3 - tier * 0.07)
                layer.poly(pen, [(u - wide, b), (u, b + tall * 0.42), (u + wide, b)],
                           shade(colour, 0.05 * tier))
    path = mix(stage.ground_near, (150, 120, 90), 0.3)
    _road(stage, pen, view, 0.01, path)
    for side in (-1, 1):  # near trunks frame the view
        x = view.w / 2 + side * view.w * 0.47
        r = view.w * 0.035
        pen.rectangle([x - r, 0, x + r, view.h], fill=shade(leaf, -0.5))


def mountains(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    snow = (240, 244, 250)
    rock = stage.dim(mix(stage.mid, stage.dark, 0.4), 0.4)
    for depth, height, salt in ((1.0, 0.42, "range-far"), (0.6, 0.32, "range-mid")):
        layer, rng = view.far(depth), stage.rng(salt)
        colour = stage.aerial(rock, depth * 0.9)
        for i in range(7):
            u = -0.9 + i * 0.42 + rng.uniform(-0.1, 0.1)
            top, half = height * rng.uniform(0.6, 1.0), rng.uniform(0.2, 0.32)
            layer.poly(pen, [(u - half, 0), (u, top), (u + half, 0)], colour)
            layer.poly(pen, [(u, top), (u + half, 0), (u + half * 0.2, 0)], shade(colour, -0.12))
            cap = top * 0.7
            layer.poly(pen, [(u - half * 0.3, cap), (u, top), (u + half * 0.3, cap),
                             (u + half * 0.1, cap + 0.02), (u - half * 0.1, cap - 0.01)],
                       stage.aerial(stage.dim(snow, 0.3), depth * 0.6))
    ledge = shade(rock, -0.3)
    stage.ridge(pen, view, "ledge", 0.05, ledge, 12, base=-0.32, sharp=True)


def shore(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    far = view.far(0.8)
    stage.ridge(pen, far, "headland", 0.08, stage.aerial(stage.dark, 0.7), 3, base=0.0)
    shore_y = min(max(view.y(-0.16), view.horizon + 1), view.h)
    sea = stage.dim(mix(stage.sky_low, (36, 86, 126), 0.55), 0.3)
    image.paste(vertical_gradient((view.w, int(shore_y - view.horizon) + 1),
                                  mix(sea, stage.sky_low, 0.4), shade(sea, -0.2)),
                (0, int(view.horizon)))
    x, _, r = stage.sun(view.far(1.0))
    rng = stage.rng("waves")
    glint = mix(sea, (255, 244, 210), 0.55)
    for i in range(18):  # the sun or moon's path on the water, and the waves
        t = (i + 1) / 19
        y = view.horizon + (shore_y - view.horizon) * t
        half = r * (0.6 + 2.2 * t) * rng.uniform(0.6, 1.2)
        pen.line([(x - half, y), (x + half, y)], fill=glint, width=max(1, int(t * 3)))
        wx = view.x(rng.uniform(-0.5, 1.3))
        pen.line([(wx, y), (wx + view.w * 0.12 * t, y)], fill=shade(sea, 0.25), width=1)
    sand = stage.dim(mix(stage.light, (224, 204, 162), 0.6), 0.45)
    if stage.scene.weather == Weather.snow:
        sand = stage.ground_near
    pen.rectangle([0, shore_y, view.w, view.h], fill=sand)
    pts = [(x, shore_y + 4 * ((x // 37) % 2)) for x in range(0, view.w + 40, 37)]
    pen.line(pts, fill=(244, 248, 250), width=max(2, int(view.zoom * 2)), joint="curve")


def sky(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    """High above the ground: the world is a sea of cloud below the horizon."""
    below = vertical_gradient((view.w, max(int(view.h - view.horizon), 1)), stage.sky_low,
                              mix(stage.sky_low, (255, 255, 255), 0.5))
    image.paste(below, (0, int(view.horizon)))
    rng = stage.rng("clouds")
    cloud = stage.dim(mix((255, 255, 255), stage.sky_low, 0.25), 0.4)
    for depth, count, v0, v1 in ((0.9, 14, -0.02, 0.02), (0.5, 10, -0.12, 0.3),
                                 (0.1, 6, -0.45, -0.15)):
        layer = view.far(depth)
        colour = stage.aerial(cloud, depth * 0.5)
        for _ in range(count):
            u, v, s = rng.uniform(-0.5, 1.5), rng.uniform(v0, v1), rng.uniform(0.04, 0.09)
            s *= 1.6 - depth
            for dx, k in ((-1, 0.75), (0, 1.15), (1, 0.8)):
                cx, cy = layer.pt(u + dx * s * 0.9, v)
                rr = s * view.h * layer.zoom * k
                pen.ellipse([cx - rr * 1.6, cy - rr, cx + rr * 1.6, cy + rr * 0.6], fill=colour)
            cx, cy = layer.pt(u, v)
            rr = s * view.h * layer.zoom
            pen.rectangle([cx - rr * 2.6, cy, cx + rr * 2.6, cy + rr * 0.35],
                          fill=shade(colour, -0.12))


def neutral(stage: Set, image: Image.Image, pen: ImageDraw.ImageDraw, view: View) -> None:
    """A plain set in the scene's palette: a backdrop, a floor and a few flats placed by
    the card's seed, so the place is no other story's and no other scene's."""
    back = stage.dim(mix(stage.mid, stage.light, 0.5), 0.4)
    image.paste(vertical_gradient((view.w, max(int(view.horizon), 1)), shade(back, -0.2), back),
                (0, 0))
    rng = stage.rng("flats")
    layer = view.far(0.5)
    for _ in range(rng.randint(2, 4)):
        u, wide, tall = rng.uniform(-0.2, 1.0), rng.uniform(0.08, 0.25), rng.uniform(0.1, 0.4)
        colour = stage.dim(mix(rng.choice([stage.accent, stage.mid, stage.dark]), back, 0.5), 0.3)
        layer.quad(pen, u, 0.0, u + wide, tall, colour)
    pen.line([(0, view.horizon), (view.w, view.horizon)], fill=shade(back, -0.35), width=2)


OUTSIDE = {Place.city_gate: city_gate, Place.street: street, Place.forest: forest,
           Place.mountains: mountains, Place.shore: shore, Place.sky: sky,
           Place.neutral: neutral, Place.alley: outdoors.alley, Place.rooftop: outdoors.rooftop,
           Place.skyline: outdoors.skyline, Place.village: outdoors.village,
           Place.countryside: outdoors.countryside, Place.field: outdoors.field,
           Place.desert: outdoors.desert, Place.sea: outdoors.sea, Place.deck: outdoors.deck,
           Place.snowfield: outdoors.snowfield, Place.battlefield: outdoors.battlefield}
SPACE = {Place.space: space.space, Place.planet: space.planet_place,
         Place.station: space.station_place}
