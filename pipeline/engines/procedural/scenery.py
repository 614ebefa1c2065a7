"""The set: a scene card drawn as layered shapes seen through the panel's camera.

Everything that makes a place recognisable (its skyline, its gate, its trees) is
seeded by the scene's id, never the panel's, so the same scene is the same place
in every panel; the camera only moves the horizon and tilts the verticals
(angle), zooms (shot) and pans a little (close shots). Far layers are hazier and
move less than near ones, as in a real view. The places themselves are in
`places.py`; this module holds the camera, the sky, the ground and the air.
"""

from __future__ import annotations

import random

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from ...format.model import SceneCard, TimeOfDay, Weather
from .palette import RGB, from_name, hex_rgb, luminance, mix, shade, stable_int
from .setting import setting_of

SKY = {  # top, horizon colours of the sky by time of day
    TimeOfDay.dawn: ((86, 104, 168), (252, 196, 164)),
    TimeOfDay.day: ((92, 150, 220), (214, 232, 246)),
    TimeOfDay.dusk: ((48, 42, 100), (250, 150, 88)),
    TimeOfDay.night: ((8, 12, 34), (44, 58, 104)),
}
LIGHT = {TimeOfDay.dawn: 0.85, TimeOfDay.day: 1.0, TimeOfDay.dusk: 0.7, TimeOfDay.night: 0.42}
LAMP = (255, 208, 120)

class View:
    """Maps set coordinates to panel pixels: u across (0..1, 0.5 is the centre),
    v up from the horizon in panel heights; `zoom` grows with closer shots.

    `keystone` tilts verticals: > 0 (looking up) narrows what is high, < 0 (looking
    down) narrows what is low, so a tower leans in or out as in a real lens.
    """

    def __init__(self, width: int, height: int, horizon: float, zoom: float, pan: float = 0.0,
                 keystone: float = 0.0):
        self.w, self.h = width, height
        self.horizon = horizon * height
        self.zoom = zoom
        self.pan = pan
        self.keystone = keystone

    def far(self, depth: float) -> View:
        """The same camera for a layer further away: it moves and grows less."""
        zoom = self.zoom ** (1 - 0.8 * depth)
        return View(self.w, self.h, self.horizon / self.h, zoom, self.pan * (1 - depth),
                    self.keystone * (1 - depth))

    def x(self, u: float) -> float:
        return self.w / 2 + (u - 0.5 - self.pan) * self.w * self.zoom

    def y(self, v: float) -> float:
        return self.horizon - v * self.h * self.zoom

    def pt(self, u: float, v: float) -> tuple[float, float]:
        squeeze = min(max(1 - self.keystone * v * self.zoom, 0.25), 2.0)
        return self.w / 2 + (self.x(u) - self.w / 2) * squeeze, self.y(v)

    def quad(self, draw: ImageDraw.ImageDraw, u0: float, v0: float, u1: float, v1: float,
             fill: RGB, outline: RGB | None = None, width: int = 1) -> None:
        """A rectangle of the set (a trapezoid once the keystone tilts it)."""
        draw.polygon([self.pt(u0, v0), self.pt(u1, v0), self.pt(u1, v1), self.pt(u0, v1)],
                     fill=fill, outline=outline, width=width)

    def poly(self, draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], fill: RGB,
             outline: RGB | None = None, width: int = 1) -> None:
        draw.polygon([self.pt(u, v) for u, v in points], fill=fill, outline=outline, width=width)


def vertical_gradient(size: tuple[int, int], top: RGB, bottom: RGB, gamma: float = 1.0
                      ) -> Image.Image:
    """A smooth top-to-bottom ramp (one column stretched: fast, no banding)."""
    w, h = size
    ramp = Image.linear_gradient("L").resize((1, max(h, 1)), Image.Resampling.BILINEAR)
    if gamma != 1.0:
        ramp = ramp.point(lambda v: int(255 * (v / 255) ** gamma))
    return ImageOps.colorize(ramp, top, bottom).resize((w, max(h, 1)), Image.Resampling.NEAREST)


class Set:
    """Colours and shapes of one scene, fixed for every panel that shows it."""

    def __init__(self, world: str, scene: SceneCard, description: str = "",
                 world_description: str = ""):
        self.scene = scene
        self.setting = setting_of(scene, world_description)
        self.place, self.era = self.setting.place, self.setting.era
        self.seed = stable_int(world, scene.id)
        self.words = f"{scene.id} {scene.name} {scene.description}".lower()
        self.description = description.lower()
        # a card with no palette gets one of its own, so two such scenes never look alike
        own = from_name(scene.id, 0.45, 0.6)
        palette = [hex_rgb(c) for c in scene.palette] or [
            shade(own, -0.45), own, mix(own, (226, 226, 232), 0.7), from_name(scene.name, 0.5)]
        while len(palette) < 4:
            palette.append(shade(palette[-1], 0.25))
        by_light = sorted(palette, key=luminance)
        self.dark, self.mid, self.light = by_light[0], by_light[len(by_light) // 2], by_light[-1]
        self.accent = palette[3 % len(palette)]
        tod = scene.time_of_day
        top, low = SKY[tod]
        self.sky_top = mix(top, self.dark, 0.25)
        self.sky_low = mix(low, self.light, 0.25)
        if self.setting.storm:  # a low, dark sky
            self.sky_top, self.sky_low = mix(self.sky_top, (40, 44, 52), 0.7), \
                mix(self.sky_low, (90, 96, 104), 0.6)
        self.light_level = LIGHT[tod]
        self.lit = tod in (TimeOfDay.dusk, TimeOfDay.night)  # windows and lanterns glow
        self.haze = mix(self.sky_low, self.mid, 0.25)
        ground = shade(mix(self.mid, self.dark, 0.35), -(1 - self.light_level) * 0.45)
        if scene.weather == Weather.snow:
            ground = mix(ground, (236, 240, 248), 0.55 * self.light_level + 0.2)
        self.ground_near = ground
        self.ground_far = mix(ground, self.haze, 0.5)

    def rng(self, salt: str) -> random.Random:
        return random.Random(self.seed ^ stable_int(salt))

    def dim(self, colour: RGB, amount: float = 0.5) -> RGB:
        """A colour under the scene's light."""
        return shade(colour, -(1 - self.light_level) * amount)

    def aerial(self, colour: RGB, depth: float) -> RGB:
        """Aerial perspective: far things take the colour of the air."""
        return mix(colour, self.haze, min(depth, 1.0) * 0.75)

    # ---- layers ---------------------------------------------------------------------

    def sky(self, image: Image.Image, draw: ImageDraw.ImageDraw, view: View) -> None:
        bottom = max(int(view.horizon), 1)
        image.paste(vertical_gradient((view.w, bottom), self.sky_top, self.sky_low, 1.4), (0, 0))
        if self.scene.time_of_day == TimeOfDay.night and self.scene.weather == Weather.clear:
            rng, far = self.rng("stars"), view.far(1.0)
            for _ in range(90):
                x, y = far.x(rng.uniform(-0.5, 1.5)), far.y(rng.uniform(0.08, 0.9))
                if 0 <= x < view.w and 0 <= y < view.horizon:
                    r = rng.choice((0.8, 1, 1, 1.6))
                    draw.ellipse([x - r, y - r, x + r, y + r], fill=(226, 232, 255))

    def sun(self, view: View) -> tuple[float, float, float]:
        """Where the sun or moon hangs: x, y, radius in pixels."""
        tod = self.scene.time_of_day
        u, v = {TimeOfDay.dawn: (0.22, 0.1), TimeOfDay.dusk: (0.74, 0.08)}.get(tod, (0.72, 0.3))
        return view.x(u), view.y(v), 0.045 * view.h * view.zoom

    def celestial(self, draw: ImageDraw.ImageDraw, view: View) -> None:
        if self.scene.weather in (Weather.rain, Weather.fog):
            return
        x, y, r = self.sun(view)
        night = self.scene.time_of_day == TimeOfDay.night
        colour = (246, 244, 226) if night else (255, 236, 184)
        for k, t in ((3.2, 0.85), (2.0, 0.65)):  # glow
            draw.ellipse([x - r * k, y - r * k, x + r * k, y + r * k],
                         fill=mix(colour, self.sky_low, t))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
        if night:  # a few shadows on the moon's face
            for dx, dy, s in ((-0.3, -0.2, 0.22), (0.25, 0.2, 0.16), (0.1, -0.45, 0.1)):
                draw.ellipse([x + dx * r - s * r, y + dy * r - s * r, x + dx * r + s * r,
                              y + dy * r + s * r], fill=mix(colour, (200, 200, 190), 0.6))

    def ridge(self, draw: ImageDraw.ImageDraw, view: View, salt: str, height: float,
              colour: RGB, roughness: int = 9, base: float = 0.0, sharp: bool = False) -> None:
        """A line of hills or peaks across the whole set."""
        rng = self.rng(salt)
        points = [(-1.5, base - 0.05)]
        count = roughness * 4
        for i in range(count + 1):
            peak = rng.uniform(0.25, 1.0) if sharp or i % 2 == 0 else rng.uniform(0.15, 0.5)
            points.append((-1.5 + 4.0 * i / count, base + height * peak))
        points.append((2.5, base - 0.05))
        view.poly(draw, points, colour)

    def ground(self, image: Image.Image, view: View, top: float | None = None) -> None:
        top = view.horizon if top is None else top
        if top < view.h:
            image.paste(vertical_gradient((view.w, int(view.h - top) + 1), self.ground_far,
                                          self.ground_near, 0.7), (0, int(top)))


def weather(image: Image.Image, scene: SceneCard, seed: int, zoom: float) -> Image.Image:
    """Snow, rain or fog over the whole panel: the panel's seed moves the flakes.

    Nearer flakes are bigger and fewer; a close shot sees a few large ones.
    """
    kind = scene.weather
    if kind == Weather.clear:
        return image
    w, h = image.size
    rng = random.Random(seed)
    if kind == Weather.fog:
        fog = Image.new("RGB", (w, h), (212, 218, 224))
        mask = Image.linear_gradient("L").resize((1, h)).point(lambda v: 40 + v * 2 // 5)
        mask = mask.transpose(Image.Transpose.FLIP_TOP_BOTTOM).resize((w, h))
        return Image.composite(fog, image, mask)
    draw = ImageDraw.Draw(image)
    count = int(w * h / 2200 / max(1.0, zoom) ** 0.7)
    if kind == Weather.snow:
        for _ in range(count):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            r = rng.choice((1.0, 1.5, 1.5, 2.2, 3.4)) * min(zoom, 3.0) ** 0.5 * w / 1024
            draw.ellipse([x - r, y - r, x + r, y + r], fill=(246, 248, 255))
    else:
        darker = Image.blend(image, Image.new("RGB", image.size, (60, 70, 90)), 0.18)
        draw = ImageDraw.Draw(darker)
        length = h * 0.035
        for _ in range(count):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            draw.line([(x, y), (x - length * 0.25, y + length)], fill=(196, 206, 222), width=1)
        image = darker
    return image


def depth_of_field(image: Image.Image, zoom: float) -> Image.Image:
    """Closer shots throw the set out of focus, as a lens would (blurred small: fast)."""
    radius = min(max(0.0, (zoom - 1.2) * 1.6), 8)
    if radius <= 0.4:
        return image
    w, h = image.size
    small = image.reduce(4).filter(ImageFilter.BoxBlur(radius / 4))
    return small.resize((w, h), Image.Resampling.BILINEAR)


def light(image: Image.Image, scene: SceneCard) -> Image.Image:
    """Tint the whole picture with the time of day's light."""
    tint = {TimeOfDay.dawn: (255, 196, 176), TimeOfDay.dusk: (255, 150, 90),
            TimeOfDay.night: (40, 60, 130)}.get(scene.time_of_day)
    if tint is None:
        return image
    amount = 0.2 if scene.time_of_day == TimeOfDay.night else 0.12
    return Image.blend(image, Image.new("RGB", image.size, tint), amount)
