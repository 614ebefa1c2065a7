"""The set: a scene card drawn as layered shapes seen through the panel's camera.

Everything that makes a place recognisable (its skyline, its gate, its trees) is
seeded by the scene's id, never the panel's, so the same scene is the same place
in every panel; the camera only moves the horizon (angle) and the zoom (shot).
"""

from __future__ import annotations

import random

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from ...model import Place, SceneCard, TimeOfDay, Weather
from .palette import RGB, hex_rgb, luminance, mix, shade, stable_int

SKY = {  # top, horizon colours of the sky by time of day
    TimeOfDay.dawn: ((96, 112, 170), (250, 190, 160)),
    TimeOfDay.day: ((110, 165, 225), (210, 230, 245)),
    TimeOfDay.dusk: ((60, 50, 110), (245, 150, 90)),
    TimeOfDay.night: ((10, 14, 38), (40, 52, 96)),
}
LIGHT = {TimeOfDay.dawn: 0.85, TimeOfDay.day: 1.0, TimeOfDay.dusk: 0.7, TimeOfDay.night: 0.4}

PLACE_WORDS = [
    (Place.city_gate, ("gate", "city wall", "walls", "rampart", "fortress")),
    (Place.interior, ("room", "hall", "inside", "interior", "chamber", "tavern", "inn", "temple",
                      "kitchen", "library", "throne")),
    (Place.street, ("street", "market", "alley", "road", "town", "square", "city")),
    (Place.forest, ("forest", "wood", "trees", "grove", "bamboo", "jungle")),
    (Place.mountains, ("mountain", "peak", "cliff", "summit", "pass", "valley")),
    (Place.shore, ("shore", "sea", "beach", "lake", "harbour", "harbor", "coast", "river")),
    (Place.sky, ("sky", "clouds", "flying", "air", "rooftop")),
]


def place_of(scene: SceneCard) -> Place:
    """The kind of place a scene card describes, read from its words when not given."""
    if scene.place is not None:
        return scene.place
    text = f"{scene.name} {scene.description}".lower()
    for place, words in PLACE_WORDS:
        if any(word in text for word in words):
            return place
    return Place.neutral


class View:
    """Maps set coordinates to panel pixels: u across (0..1, 0.5 is the centre),
    v up from the horizon in panel heights; `zoom` grows with closer shots."""

    def __init__(self, width: int, height: int, horizon: float, zoom: float, pan: float = 0.0):
        self.w, self.h = width, height
        self.horizon = horizon * height
        self.zoom = zoom
        self.pan = pan

    def x(self, u: float) -> float:
        return self.w / 2 + (u - 0.5 - self.pan) * self.w * self.zoom

    def y(self, v: float) -> float:
        return self.horizon - v * self.h * self.zoom


class Set:
    """Colours and shapes of one scene, fixed for every panel that shows it."""

    def __init__(self, world: str, scene: SceneCard):
        self.scene = scene
        self.place = place_of(scene)
        self.seed = stable_int(world, scene.id)
        palette = [hex_rgb(c) for c in scene.palette] or [(70, 80, 110), (120, 130, 150),
                                                          (200, 200, 210), (150, 120, 90)]
        while len(palette) < 4:
            palette.append(shade(palette[-1], 0.25))
        by_light = sorted(palette, key=luminance)
        self.dark, self.mid, self.light = by_light[0], by_light[len(by_light) // 2], by_light[-1]
        self.accent = palette[3 % len(palette)]
        top, low = SKY[scene.time_of_day]
        self.sky_top = mix(top, self.dark, 0.25)
        self.sky_low = mix(low, self.light, 0.3)
        self.light_level = LIGHT[scene.time_of_day]
        self.ground = shade(mix(self.mid, self.dark, 0.4), -(1 - self.light_level) * 0.5)
        if scene.weather == Weather.snow:
            self.ground = mix(self.ground, (235, 240, 248), 0.7 * self.light_level + 0.1)

    def rng(self, salt: str) -> random.Random:
        return random.Random(self.seed ^ stable_int(salt))

    # ---- layers ---------------------------------------------------------------------

    def draw(self, image: Image.Image, view: View, ground_only: bool = False) -> None:
        draw = ImageDraw.Draw(image)
        if ground_only:
            self._ground(draw, view, top=0)
        elif self.place == Place.interior:
            self._interior(draw, view)
        else:
            self._sky(draw, view)
            self._celestial(draw, view)
            self._far(draw, view)
            self._ground(draw, view, top=view.horizon)
            layer = "_sky_place" if self.place == Place.sky else f"_{self.place.value}"
            if self.place != Place.neutral:
                getattr(self, layer)(draw, view)

    def _sky(self, draw: ImageDraw.ImageDraw, view: View) -> None:
        bottom = max(int(view.horizon), 1)
        ramp = Image.linear_gradient("L").resize((1, bottom), Image.Resampling.BILINEAR)
        sky = ImageOps.colorize(ramp.point(lambda v: int(255 * (v / 255) ** 1.4)),
                                self.sky_top, self.sky_low)
        draw._image.paste(sky.resize((view.w, bottom), Image.Resampling.NEAREST),  # type: ignore[attr-defined]
                          (0, 0))
        if self.scene.time_of_day == TimeOfDay.night:
            rng = self.rng("stars")
            for _ in range(70):
                x, y = view.x(rng.uniform(-0.5, 1.5)), view.y(rng.uniform(0.05, 0.9))
                if 0 <= x < view.w and 0 <= y < view.horizon:
                    r = rng.choice((1, 1, 1.5, 2))
                    draw.ellipse([x - r, y - r, x + r, y + r], fill=(230, 235, 255))

    def _celestial(self, draw: ImageDraw.ImageDraw, view: View) -> None:
        tod = self.scene.time_of_day
        if self.scene.weather in (Weather.rain, Weather.fog):
            return
        u, v = (0.78, 0.55) if tod != TimeOfDay.dusk else (0.3, 0.12)
        r = 0.05 * view.h * min(view.zoom, 2)
        x, y = view.x(u), view.y(v)
        colour = (245, 245, 225) if tod == TimeOfDay.night else (255, 236, 180)
        glow = mix(colour, self.sky_low, 0.6)
        draw.ellipse([x - r * 2.2, y - r * 2.2, x + r * 2.2, y + r * 2.2], fill=glow)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)

    def _ridge(self, draw: ImageDraw.ImageDraw, view: View, salt: str, height: float,
               colour: RGB, roughness: int = 9, base: float = 0.0) -> None:
        rng = self.rng(salt)
        points = [(view.x(-1.0), view.y(base))]
        peaks = [rng.uniform(0.3, 1.0) for _ in range(roughness * 3 + 1)]
        for i, peak in enumerate(peaks):
            u = -1.0 + 3.0 * i / (len(peaks) - 1)
            points.append((view.x(u), view.y(base + height * peak)))
        points.append((view.x(2.0), view.y(base)))
        draw.polygon(points, fill=colour)

    def _far(self, draw: ImageDraw.ImageDraw, view: View) -> None:
        haze = mix(self.mid, self.sky_low, 0.55)
        self._ridge(draw, view, "far", 0.16, haze, roughness=6)
        self._ridge(draw, view, "near-hills", 0.07, mix(haze, self.dark, 0.35), roughness=11)

    def _ground(self, draw: ImageDraw.ImageDraw, view: View, top: float) -> None:
        draw.rectangle([0, top, view.w, view.h], fill=self.ground)
        # Perspective lines toward the vanishing point give the floor depth.
        line = shade(self.ground, -0.12)
        cx = view.x(0.5)
        for i in range(-8, 9):
            draw.line([(cx, top), (cx + i * view.w * 0.35, view.h * 1.6)], fill=line, width=1)

    def _city_gate(self, draw: ImageDraw.ImageDraw, view: View) -> None:
        stone = mix(self.mid, self.light, 0.25)
        stone = shade(stone, -(1 - self.light_level) * 0.55)
        dark = shade(stone, -0.35)
        wall_top = 0.22
        draw.rectangle([view.x(-1.5), view.y(wall_top), view.x(2.5), view.y(-0.005)], fill=stone)
        step = 0.03
        u = -1.5
        while u < 2.5:  # crenellations
            draw.rectangle([view.x(u), view.y(wall_top + 0.025), view.x(u + step / 2),
                            view.y(wall_top)], fill=stone)
            u += step
        for row in range(1, 6):  # courses of stone
            y = view.y(wall_top * row / 6)
            draw.line([(view.x(-1.5), y), (view.x(2.5), y)], fill=dark, width=1)
        for side in (0.36, 0.64):  # towers either side of the gate
            left, right = side - 0.06, side + 0.06
            draw.rectangle([view.x(left), view.y(0.36), view.x(right), view.y(0)], fill=stone)
            draw.polygon([(view.x(left - 0.03), view.y(0.36)), (view.x(side), view.y(0.46)),
                          (view.x(right + 0.03), view.y(0.36))], fill=self.accent)
            draw.rectangle([view.x(side - 0.012), view.y(0.29), view.x(side + 0.012),
                            view.y(0.25)], fill=(255, 214, 140) if self.light_level < 0.8
                           else dark)
        # the gate: an arch, dark inside, with a lit gap when it is not day
        gl, gr, top = view.x(0.45), view.x(0.55), view.y(0.13)
        draw.rectangle([gl, top, gr, view.y(0)], fill=shade(stone, -0.7))
        draw.ellipse([gl, view.y(0.17), gr, view.y(0.09)], fill=shade(stone, -0.7))
        draw.line([(view.x(0.5), view.y(0.15)), (view.x(0.5), view.y(0))], fill=self.accent,
                  width=max(2, int(3 * view.zoom)))

    def _street(self, draw: ImageDraw.ImageDraw, view: View) -> None:
        rng = self.rng("street")
        u = -1.0
        lit = self.light_level < 0.8
        while u < 2.0:
            width = rng.uniform(0.07, 0.14)
            height = rng.uniform(0.15, 0.38)
            body = shade(mix(self.mid, self.accent, rng.uniform(0, 0.4)),
                         -(1 - self.light_level) * 0.5)
            draw.rectangle([view.x(u), view.y(height), view.x(u + width - 0.006), view.y(0)],
                           fill=body)
            draw.polygon([(view.x(u - 0.01), view.y(height)),
                          (view.x(u + width / 2), view.y(height + 0.05)),
                          (view.x(u + width + 0.004), view.y(height))], fill=shade(body, -0.3))
            for wy in range(int(height / 0.07)):
                for wx in range(2):
                    x0 = u + width * (0.2 + 0.4 * wx)
                    y0 = 0.05 + wy * 0.07
                    on = lit and rng.random() < 0.6
                    draw.rectangle([view.x(x0), view.y(y0 + 0.035), view.x(x0 + width * 0.2),
                                    view.y(y0)], fill=(255, 210, 130) if on else shade(body, -0.4))
            u += width
        road = shade(self.ground, -0.15)
        draw.polygon([(view.x(0.44), view.horizon), (view.x(0.56), view.horizon),
                      (view.w * 1.2, view.h), (-view.w * 0.2, view.h)], fill=road)

    def _forest(self, draw: ImageDraw.ImageDraw, view: View) -> None:
        rng = self.rng("forest")
        for layer, depth in enumerate((0.6, 0.35, 0.0)):
            colour = shade(mix(self.dark, (60, 110, 70), 0.5), -(1 - self.light_level) * 0.5)
            colour = mix(colour, self.sky_low, depth * 0.6)
            for _ in range(26 - layer * 6):
                u = rng.uniform(-1.0, 2.0)
                height = rng.uniform(0.25, 0.5) * (1 - depth * 0.5)
                trunk = 0.006 + 0.006 * (1 - depth)
                base = -0.02 * layer
                draw.rectangle([view.x(u - trunk), view.y(base + height), view.x(u + trunk),
                                view.y(base)], fill=shade(colour, -0.3))
                r = height * 0.35
                draw.polygon([(view.x(u - r * 0.7), view.y(base + height * 0.35)),
                              (view.x(u), view.y(base + height * 1.05)),
                              (view.x(u + r * 0.7), view.y(base + height * 0.35))], fill=colour)

    def _mountains(self, draw: ImageDraw.ImageDraw, view: View) -> None:
        rock = shade(mix(self.mid, self.dark, 0.3), -(1 - self.light_level) * 0.4)
        rng = self.rng("peaks")
        for i in range(5):
            u = -0.3 + i * 0.4 + rng.uniform(-0.08, 0.08)
            height = rng.uniform(0.3, 0.55)
            half = rng.uniform(0.18, 0.28)
            draw.polygon([(view.x(u - half), view.y(0)), (view.x(u), view.y(height)),
                          (view.x(u + half), view.y(0))], fill=rock)
            cap = height * 0.3
            draw.polygon([(view.x(u - half * 0.3), view.y(height - cap)), (view.x(u),
                          view.y(height)), (view.x(u + half * 0.3), view.y(height - cap))],
                         fill=mix((240, 244, 250), self.sky_low, 0.2))

    def _shore(self, draw: ImageDraw.ImageDraw, view: View) -> None:
        sea = mix(self.sky_low, (40, 90, 130), 0.55)
        shore_y = view.y(-0.12)
        draw.rectangle([0, view.horizon, view.w, shore_y], fill=sea)
        rng = self.rng("waves")
        for i in range(14):
            y = view.horizon + (shore_y - view.horizon) * (i + 1) / 15
            x = view.x(rng.uniform(-0.5, 1.2))
            draw.line([(x, y), (x + view.w * 0.2, y)], fill=mix(sea, (255, 255, 255), 0.4),
                      width=max(1, int(view.zoom)))

    def _sky_place(self, draw: ImageDraw.ImageDraw, view: View) -> None:
        rng = self.rng("clouds")
        cloud = mix((255, 255, 255), self.sky_low, 0.3)
        for _ in range(9):
            u, v, s = rng.uniform(-0.5, 1.5), rng.uniform(-0.05, 0.5), rng.uniform(0.04, 0.09)
            for dx in (-1, 0, 1):
                r = s * view.h * view.zoom * (1.2 if dx == 0 else 0.8)
                cx, cy = view.x(u + dx * s * 0.9), view.y(v)
                draw.ellipse([cx - r * 1.6, cy - r, cx + r * 1.6, cy + r], fill=cloud)

    def _interior(self, draw: ImageDraw.ImageDraw, view: View) -> None:
        wall = shade(mix(self.mid, self.light, 0.3), -(1 - self.light_level) * 0.3)
        draw.rectangle([0, 0, view.w, view.horizon], fill=wall)
        for i in range(-12, 13):  # wooden panelling
            x = view.x(0.5 + i * 0.09)
            draw.line([(x, 0), (x, view.horizon)], fill=shade(wall, -0.08), width=2)
        self._ground(draw, view, top=view.horizon)
        wl, wr, wt, wb = view.x(0.62), view.x(0.8), view.y(0.42), view.y(0.16)
        draw.rectangle([wl, wt, wr, wb], fill=self.sky_low)  # a window on the outside
        draw.line([((wl + wr) / 2, wt), ((wl + wr) / 2, wb)], fill=shade(wall, -0.5), width=4)
        draw.rectangle([wl, wt, wr, wb], outline=shade(wall, -0.5), width=6)
        draw.rectangle([view.x(0.16), view.y(0.36), view.x(0.27), view.y(0)],
                       fill=shade(wall, -0.45))  # a door
        lx, ly, r = view.x(0.45), view.y(0.34), 0.02 * view.h * view.zoom
        draw.ellipse([lx - r * 3, ly - r * 3, lx + r * 3, ly + r * 3],
                     fill=mix(wall, (255, 220, 150), 0.35))
        draw.ellipse([lx - r, ly - r, lx + r, ly + r], fill=(255, 214, 140))


def weather(image: Image.Image, scene: SceneCard, seed: int, zoom: float) -> Image.Image:
    """Snow, rain or fog over the whole panel: the panel's seed moves the flakes."""
    kind = scene.weather
    if kind == Weather.clear:
        return image
    w, h = image.size
    rng = random.Random(seed)
    if kind == Weather.fog:
        fog = Image.new("RGB", (w, h), (215, 220, 226))
        mask = Image.linear_gradient("L").resize((w, h)).point(lambda v: 60 + v // 3)
        return Image.composite(fog, image, mask.transpose(Image.Transpose.FLIP_TOP_BOTTOM))
    draw = ImageDraw.Draw(image)
    count = int(w * h / 2600 / max(1.0, zoom))
    if kind == Weather.snow:
        for _ in range(count):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            r = rng.choice((1.2, 1.8, 2.5)) * min(zoom, 2.5) ** 0.5
            draw.ellipse([x - r, y - r, x + r, y + r], fill=(248, 250, 255))
    else:
        for _ in range(count):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            draw.line([(x, y), (x - 4, y + 18)], fill=(200, 210, 225), width=1)
    return image


def depth_of_field(image: Image.Image, zoom: float) -> Image.Image:
    """Closer shots throw the set out of focus, as a lens would (blurred small: fast)."""
    radius = min(max(0.0, (zoom - 1.2) * 1.6), 8)
    if radius <= 0.4:
        return image
    w, h = image.size
    small = image.reduce(4).filter(ImageFilter.GaussianBlur(radius / 4))
    return small.resize((w, h), Image.Resampling.BILINEAR)


def light(image: Image.Image, scene: SceneCard) -> Image.Image:
    """Tint the set with the time of day's light."""
    tint = {TimeOfDay.dawn: (255, 200, 180), TimeOfDay.dusk: (255, 150, 90),
            TimeOfDay.night: (40, 60, 130)}.get(scene.time_of_day)
    if tint is None:
        return image
    amount = 0.22 if scene.time_of_day == TimeOfDay.night else 0.12
    return Image.blend(image, Image.new("RGB", image.size, tint), amount)
