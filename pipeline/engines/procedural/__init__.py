"""The default image engine: storyboard art drawn with Pillow, offline and deterministic.

One panel is drawn in layers: the scene's set seen through the camera (horizon
and tilt from the angle, zoom from the shot, focus falling off in close shots),
the cast placed in reading order and facing each other, the time of day's light,
the style's palette and treatment, then the weather. Same request, same pixels.
This module is the camera: where the horizon sits, how big people are, who
stands where; the other modules draw what it frames.
"""

from __future__ import annotations

import math
import random
from typing import ClassVar

from PIL import Image, ImageDraw

from ...format.camera import FIGURE_HEIGHT, Angle, Shot
from ...format.model import Character, Treatment
from ...format.slugs import without_names
from ...specs import Figure, PanelSpec
from .. import Drawing, DrawRequest, Engine, EngineSettings
from ..finished_art import fitted, likely_figures, sketch_of
from . import acting
from .appearance import era_of
from .figures import HEADS, Look, draw_back, draw_close, draw_figure, draw_from_above, rim_light
from .palette import stable_int
from .places import SPACE
from .places import draw as draw_set
from .props import draw_prop
from .readable import close_on, held_weapon, readable_faces
from .scenery import Set, View, depth_of_field, light, weather
from .treatments import apply_style, frame

ZOOM = {Shot.extreme_wide_shot: 0.7, Shot.wide_shot: 1.0, Shot.full_shot: 1.3,
        Shot.medium_shot: 1.9, Shot.medium_close_up: 2.4, Shot.close_up: 3.0,
        Shot.extreme_close_up: 4.0, Shot.over_the_shoulder: 2.0, Shot.insert: 4.5}
HORIZON = {Angle.eye_level: 0.58, Angle.high_angle: 0.24, Angle.low_angle: 0.84,
           Angle.birds_eye: 0.0, Angle.worms_eye: 0.97, Angle.dutch: 0.58}
KEYSTONE = {Angle.high_angle: -0.9, Angle.low_angle: 0.6, Angle.worms_eye: 1.4}
LOOMING = {Angle.high_angle: -0.35, Angle.low_angle: 0.3, Angle.worms_eye: 0.6}
FIGURE_SCALE = {Angle.high_angle: 0.8, Angle.low_angle: 1.12, Angle.worms_eye: 1.3}
CLOSE = {Shot.close_up: 1.75, Shot.extreme_close_up: 0.95}  # face-heights in the frame
CLOSE_TILT = {Angle.low_angle: 0.1, Angle.worms_eye: 0.2, Angle.high_angle: -0.1,
              Angle.birds_eye: -0.2}
DUTCH_DEGREES = 10.0
REROLL_PAN = (0.04, 0.09)  # how far a rerolled wider shot's camera moves along the set
# poses wider than a standing body: two such figures need the panel's width between them
OUTSTRETCHED = {acting.Pose.draw_weapon, acting.Pose.point, acting.Pose.reach,
                acting.Pose.float, acting.Pose.fall}
SILHOUETTE = Look(Character(id="someone", name="someone",
                            colours={"hair": "#1c1a20", "skin": "#3a3032", "outfit": "#2a2830",
                                     "accent": "#2a2830"}), None)


class ProceduralSettings(EngineSettings):
    pass


def positions(count: int, rtl: bool) -> list[float]:
    """Where figures stand across the panel, the first speaker where reading starts."""
    if count == 1:
        spots = [0.5]
    elif count == 2:
        spots = [0.3, 0.7]
    else:
        spots = [0.16 + 0.68 * i / (count - 1) for i in range(count)]
    return [1 - x for x in spots] if rtl else spots


def _without_names(description: str, request: DrawRequest) -> str:
    """The description with the cast's names taken out: "Moon Elder" is not a moon."""
    return without_names(description, [name for character in request.characters
                                       for name in (character.name, *character.aliases)])


class ProceduralImageEngine(Engine):
    name: ClassVar[str] = "procedural"
    version: ClassVar[str] = "2"
    Settings: ClassVar[type[EngineSettings]] = ProceduralSettings
    settings: ProceduralSettings

    def draw(self, request: DrawRequest) -> Drawing:
        spec = request.spec
        sketch = sketch_of(request)
        if sketch is not None:  # the writer's sketch is used as it is: nothing to start from
            return Drawing(image=fitted(sketch, spec), figures=likely_figures(spec))
        w, h = spec.width, spec.height
        shot, angle = spec.camera.shot, spec.camera.angle
        stage = Set(spec.world, request.scene, spec.description, request.world_description)
        zoom = ZOOM[shot] * (1.6 if angle == Angle.worms_eye else 1.0)  # what looms, close
        pan = 0.0
        if shot in CLOSE or shot == Shot.insert:
            # Close shots look at a part of the set picked by the panel, not always the gate.
            pan = (stable_int(spec.seed) % 100 / 100 - 0.5) * 0.3
        elif spec.reroll:
            # A wider shot keeps the scene's one view from panel to panel, unless the writer
            # asks for another draw of it ([seed=N]): then the camera moves along the set,
            # to one side or the other, far enough to see even where no weather falls.
            turn = stable_int(spec.seed) % 100
            pan = (1 if turn % 2 else -1) * (REROLL_PAN[0] + (REROLL_PAN[1] - REROLL_PAN[0])
                                             * (turn // 2) / 49)
        view = View(w, h, HORIZON[angle], zoom, pan, KEYSTONE.get(angle, 0.0))
        image = Image.new("RGB", (w, h))
        era = era_of(request.scene, spec.description, request.characters)
        looks = [Look(c, request.references.get(c.avatar_path or ""), era)
                 for c in request.characters]
        subject = acting.close_subject(_without_names(spec.description, request)) \
            if shot == Shot.extreme_close_up else None
        if not (shot in CLOSE and looks and looks[0].avatar and subject is None) \
                and subject != "eyes":  # else a face (or two eyes) fills the frame
            draw_set(stage, image, view, from_above=angle == Angle.birds_eye)
            image = depth_of_field(image, zoom)
        if _backlit(request) and shot not in CLOSE:
            # noir crushes the tones to three: a dark coat against dark hills would be one
            # shape, so the cast is drawn apart and lit from behind
            cast = Image.new("RGBA", image.size, (0, 0, 0, 0))
            figures = self._cast(cast, looks, spec, view, stage.light_level, request)
            image = rim_light(image, cast)
        elif subject is not None:
            figures = close_on(image, subject, looks, spec, request, stage.accent)
        else:
            figures = self._cast(image, looks, spec, view, stage.light_level, request)
        if shot == Shot.insert:
            draw_prop(image, _without_names(spec.description, request), stage.accent,
                      random.Random(spec.seed))
        image = light(image, request.scene)
        anchors = tuple(request.references[p] for p in (request.style.anchor_paths
                                                        if request.style else [])
                        if p in request.references)
        image = apply_style(image, request.style, anchors, spec.seed)
        # weather falls in front of everything, after the treatment, so flakes stay crisp;
        # indoors it stays outside the windows, and space has none
        if not stage.setting.inside and stage.place not in SPACE:
            image = weather(image, request.scene, spec.seed, zoom)
        # whatever the treatment and the weather did, a face keeps its eyes and mouth
        readable_faces(image, figures)
        if angle == Angle.dutch:
            image, figures = _dutch(image, figures, spec.seed)
        return Drawing(image=frame(image), figures=figures)

    def _cast(self, image: Image.Image, looks: list[Look], spec: PanelSpec, view: View,
              light_level: float, request: DrawRequest) -> list[Figure]:
        shot, angle = spec.camera.shot, spec.camera.angle
        w, h = image.size
        rtl = spec.rtl
        toward = -1 if rtl else 1  # the way reading goes
        if not looks or shot == Shot.insert:
            return []
        description = spec.description
        poses = acting.poses(description, request.characters)
        feelings = acting.expressions(description, spec.lines, request.characters)
        held = held_weapon(_without_names(spec.description, request))
        spots = positions(len(looks), rtl)
        acts = {poses[look.id] for look in looks}
        if len(looks) == 2 and acts & OUTSTRETCHED:
            spots = [0.2, 0.8] if not rtl else [0.8, 0.2]  # room for outstretched arms
        elif len(looks) == 2 and acting.Pose.embrace in acts:
            spots = [0.4, 0.6] if not rtl else [0.6, 0.4]
            size = 0.075 * min(w, h) * ZOOM[shot]
            if request_snow(spec):
                _footprints(image, [x * w for x in spots], h * 0.5, size)
            return [draw_from_above(image, look, x * w, h * (0.5 + 0.08 * (i % 2)), size,
                                    1 if x < 0.5 else -1, poses[look.id], feelings[look.id])
                    for i, (look, x) in enumerate(zip(looks, spots))]
        if shot in CLOSE:
            # a close shot is the face of the first to speak: their avatar, filling the frame
            first = looks[0].id
            return [draw_close(image, looks[0], CLOSE[shot], 1, CLOSE_TILT.get(angle, 0.0),
                               feelings[first], poses[first])]
        if shot == Shot.over_the_shoulder:
            return self._over_the_shoulder(image, looks, toward, light_level, poses, feelings)
        height = FIGURE_HEIGHT[shot] * h * FIGURE_SCALE.get(angle, 1.0)
        if height < 0.85 * h:
            # looking down, people stand low in the frame with the ground behind them;
            # looking up, their feet are at the bottom edge and they rise into the sky
            feet = {Angle.high_angle: h * 0.94, Angle.low_angle: h * 0.97,
                    Angle.worms_eye: h * 1.03}.get(
                angle, min(h * 0.97, view.horizon + (h - view.horizon) * 0.72))
            top = feet - height
        else:
            top = h * {Angle.high_angle: 0.06, Angle.low_angle: 0.14}.get(angle, 0.1)
        if len(looks) > 1:
            # side by side, shoulders must not cross: a narrow panel gets smaller figures
            gap = abs(spots[1] - spots[0]) * w
            widest = gap / (1.7 / HEADS * 1.15)
            if acts & OUTSTRETCHED:
                widest = min(widest, gap * 1.25)  # arms (and guns) out: they must not cross
            if height > widest:
                # smaller, but standing where they stood (or, when cut by the frame's
                # bottom, keeping their heads where they were)
                top += (height - widest) * (1.0 if top + height < h else 0.25)
                height = widest
        figures = []
        for i, (look, x) in enumerate(zip(looks, spots)):
            if len(looks) == 1:
                facing = toward
            elif abs(x - 0.5) < 0.01:
                facing = -toward  # the one in the middle turns to the first speaker
            else:
                facing = 1 if x < 0.5 else -1
            figures.append(draw_figure(image, look, x * w, top, height, facing, light_level,
                                       gesture=i == 0 and len(looks) > 1,
                                       looming=LOOMING.get(angle, 0.0), pose=poses[look.id],
                                       expression=feelings[look.id], held=held))
        return figures

    def _over_the_shoulder(self, image: Image.Image, looks: list[Look], toward: int,
                           light_level: float, poses: dict, feelings: dict) -> list[Figure]:
        """The speaker faces us across the frame; the listener's back fills the near side."""
        w, h = image.size
        speaker_x = 0.5 - toward * 0.16
        near_x = 0.5 + toward * 0.3
        shown = [draw_figure(image, looks[0], speaker_x * w, h * 0.14, h * 1.6, toward,
                             light_level, gesture=True, expression=feelings[looks[0].id])]
        if len(looks) >= 2:
            shown.append(draw_back(image, looks[1], near_x * w, h * 0.3, h * 0.42, -toward,
                                   light_level))
        else:  # nobody named listens: an unnamed shoulder, dark against the light
            draw_back(image, SILHOUETTE, near_x * w, h * 0.3, h * 0.42, -toward, 0.3)
        return shown


def _backlit(request: DrawRequest) -> bool:
    return request.style is not None and request.style.treatment == Treatment.noir


def request_snow(spec: PanelSpec) -> bool:
    return "footprint" in spec.description.lower() or "snow" in spec.description.lower()


def _footprints(image: Image.Image, xs: list[float], y: float, size: float) -> None:
    """A trail behind each walker, down to the bottom edge of a bird's-eye view."""
    draw = ImageDraw.Draw(image)
    step, r = size * 0.55, size * 0.12
    for x in xs:
        k, py = 0, y + size
        while py < image.height:
            px = x + (k % 2 * 2 - 1) * size * 0.22
            draw.ellipse([px - r, py - r * 1.6, px + r, py + r * 1.6], fill=(150, 158, 176))
            k, py = k + 1, py + step


def _dutch(image: Image.Image, figures: list[Figure], seed: int
           ) -> tuple[Image.Image, list[Figure]]:
    """Tilt the camera; zoom in so no empty corners show, and move the figures too.

    One affine pass does the rotation and the zoom together.
    """
    degrees = DUTCH_DEGREES if seed % 2 else -DUTCH_DEGREES
    w, h = image.size
    theta = math.radians(degrees)
    cos, sin = math.cos(theta), math.sin(theta)
    scale = cos + abs(sin) * max(w / h, h / w)
    cx, cy = w / 2, h / 2
    matrix = (cos / scale, sin / scale, cx - (cos * cx + sin * cy) / scale,
              -sin / scale, cos / scale, cy - (-sin * cx + cos * cy) / scale)
    out = image.transform((w, h), Image.Transform.AFFINE, matrix, Image.Resampling.BILINEAR)

    def move(x: float, y: float) -> tuple[float, float]:
        dx, dy = x - cx, y - cy
        return cx + scale * (cos * dx - sin * dy), cy + scale * (sin * dx + cos * dy)

    moved = []
    for f in figures:
        hx, hy = move(f.head[0] + f.head[2] / 2, f.head[1] + f.head[3] / 2)
        fw, fh = f.head[2] * scale, f.head[3] * scale
        moved.append(f.model_copy(update={"head": (hx - fw / 2, hy - fh / 2, fw, fh),
                                          "mouth": move(*f.mouth),
                                          "eyes": [move(*e) for e in f.eyes]}))
    return out, moved
