"""The default image engine: storyboard art drawn with Pillow, offline and deterministic.

One panel is drawn in layers: the scene's set seen through the camera (horizon
from the angle, zoom from the shot, focus falling off in close shots), the cast
placed in reading order and facing each other, the weather, the time of day's
light, then the style's palette and treatment. Same request, same pixels.
"""

from __future__ import annotations

import math
import random
from typing import ClassVar

from PIL import Image

from ...camera import FIGURE_HEIGHT, Angle, Shot
from ...specs import Figure
from .. import DrawRequest, Drawing, EngineSettings
from .figures import HEAD, Look, close_up, draw_figure, draw_from_above
from .palette import shade, stable_int
from .props import draw_prop
from .scenery import Set, View, depth_of_field, light, weather
from .treatments import apply_style, frame

ZOOM = {Shot.extreme_wide_shot: 0.7, Shot.wide_shot: 1.0, Shot.full_shot: 1.3,
        Shot.medium_shot: 1.9, Shot.medium_close_up: 2.4, Shot.close_up: 3.0,
        Shot.extreme_close_up: 4.0, Shot.over_the_shoulder: 2.0, Shot.insert: 4.5}
HORIZON = {Angle.eye_level: 0.6, Angle.high_angle: 0.3, Angle.low_angle: 0.86,
           Angle.birds_eye: 0.0, Angle.worms_eye: 1.0, Angle.dutch: 0.6}
FIGURE_SCALE = {Angle.high_angle: 0.85, Angle.low_angle: 1.12, Angle.worms_eye: 1.25}
CLOSE = {Shot.close_up, Shot.extreme_close_up}
CLOSE_ZOOM = {Shot.close_up: 1.45, Shot.extreme_close_up: 0.8}  # face-heights in the frame
DUTCH_DEGREES = 9.0


class ProceduralSettings(EngineSettings):
    pass


def positions(count: int, rtl: bool) -> list[float]:
    if count == 1:
        spots = [0.5]
    elif count == 2:
        spots = [0.3, 0.7]
    else:
        spots = [0.15 + 0.7 * i / (count - 1) for i in range(count)]
    return [1 - x for x in spots] if rtl else spots


class ProceduralImageEngine:
    name: ClassVar[str] = "procedural"
    version: ClassVar[str] = "1"
    Settings: ClassVar[type[EngineSettings]] = ProceduralSettings

    def __init__(self, settings: ProceduralSettings | None = None):
        self.settings = settings or ProceduralSettings()

    def draw(self, request: DrawRequest) -> Drawing:
        spec = request.spec
        w, h = spec.width, spec.height
        shot, angle = spec.camera.shot, spec.camera.angle
        stage = Set(spec.world, request.scene)
        zoom = ZOOM[shot]
        pan = 0.0
        if shot in CLOSE or shot == Shot.insert:
            # Close shots look at a part of the set picked by the panel, not always the gate.
            pan = (stable_int(spec.seed) % 100 / 100 - 0.5) * 0.3
        view = View(w, h, HORIZON[angle], zoom, pan)
        image = Image.new("RGB", (w, h))
        stage.draw(image, view, ground_only=angle == Angle.birds_eye)
        image = depth_of_field(image, zoom)

        looks = [Look(c, request.references.get(c.avatar_path or "")) for c in request.characters]
        figures = self._cast(image, looks, spec, view, stage.light_level)
        if shot == Shot.insert:
            draw_prop(image, spec.description, stage.accent, random.Random(spec.seed))
        image = light(image, request.scene)
        anchors = tuple(request.references[p] for p in (request.style.anchor_paths
                                                        if request.style else [])
                        if p in request.references)
        image = apply_style(image, request.style, anchors, spec.seed)
        # weather falls in front of everything, after the treatment, so flakes stay crisp
        image = weather(image, request.scene, spec.seed, zoom)
        if angle == Angle.dutch:
            image, figures = _dutch(image, figures, spec.seed)
        return Drawing(image=frame(image), figures=figures)

    def _cast(self, image: Image.Image, looks: list[Look], spec, view: View,
              light_level: float) -> list[Figure]:
        shot, angle = spec.camera.shot, spec.camera.angle
        w, h = image.size
        rtl = spec.rtl
        if not looks or shot == Shot.insert:
            return []
        if angle == Angle.birds_eye:
            size = 0.06 * h * ZOOM[shot]
            return [draw_from_above(image, look, x * w, h * (0.45 + 0.1 * (i % 2)), size)
                    for i, (look, x) in enumerate(zip(looks, positions(len(looks), rtl)))]
        toward = -1 if rtl else 1
        if shot == Shot.over_the_shoulder and len(looks) >= 2:
            front, back = looks[0], looks[1]
            near = 0.14 if not rtl else 0.86
            far = 0.66 if not rtl else 0.34
            shown = [draw_figure(image, front, far * w, h * 0.16, h * 1.5, -toward, light_level)]
            shown.append(draw_figure(image, back, near * w, h * 0.42, h * 2.6, toward,
                                     light_level, from_behind=True))
            return shown
        if shot in CLOSE:
            # a close-up is the face of the first to speak: their portrait, filling the frame
            return [close_up(image, looks[0], CLOSE_ZOOM[shot], 1)]
        height = FIGURE_HEIGHT[shot] * h * FIGURE_SCALE.get(angle, 1.0)
        if height < 0.85 * h:
            feet = min(h * 0.97, view.horizon + (h - view.horizon) * 0.72)
            if angle == Angle.worms_eye:
                feet = h * 1.02
            top = feet - height
        else:
            top = h * (0.12 if shot != Shot.extreme_close_up else 0.05)
        spots = positions(len(looks), rtl)
        if len(looks) > 1:
            # side by side, shoulders must not cross: a narrow panel gets smaller figures
            gap = abs(spots[1] - spots[0]) * w
            widest = gap / (HEAD * 1.9 * 1.1)
            if height > widest:
                top += (height - widest) * 0.25
                height = widest
        figures = []
        for look, x in zip(looks, spots):
            facing = toward if len(looks) == 1 else (1 if x < 0.5 else -1 if x > 0.5 else toward)
            figures.append(draw_figure(image, look, x * w, top, height, facing, light_level))
        return figures


def _dutch(image: Image.Image, figures: list[Figure], seed: int
           ) -> tuple[Image.Image, list[Figure]]:
    """Tilt the camera; scale up so no empty corners show, and move the figures too."""
    degrees = DUTCH_DEGREES if seed % 2 else -DUTCH_DEGREES
    w, h = image.size
    theta = math.radians(degrees)
    scale = abs(math.cos(theta)) + abs(math.sin(theta)) * max(w / h, h / w)
    tilted = image.rotate(degrees, resample=Image.Resampling.BICUBIC,
                          fillcolor=shade((128, 128, 128), 0))
    big = tilted.resize((round(w * scale), round(h * scale)), Image.Resampling.BICUBIC)
    left, top = (big.width - w) // 2, (big.height - h) // 2
    out = big.crop((left, top, left + w, top + h))
    cx, cy = w / 2, h / 2

    def move(x: float, y: float) -> tuple[float, float]:
        dx, dy = x - cx, y - cy
        rx = dx * math.cos(theta) + dy * math.sin(theta)
        ry = -dx * math.sin(theta) + dy * math.cos(theta)
        return cx + rx * scale, cy + ry * scale

    moved = []
    for f in figures:
        hx, hy = move(f.head[0] + f.head[2] / 2, f.head[1] + f.head[3] / 2)
        size = f.head[2] * scale
        moved.append(f.model_copy(update={"head": (hx - size / 2, hy - size / 2, size, size),
                                          "mouth": move(*f.mouth)}))
    return out, moved
