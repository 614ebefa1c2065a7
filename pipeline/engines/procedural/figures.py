"""The cast: each character drawn from their file, avatar and colours, framed by the shot.

`Look` gathers once per panel what identifies a character (colours, avatar, the
traits read from their words, the era's outfit); `draw_figure` puts them in the
pose the paragraph asks (bodies.py, or creatures.py for an animal); close shots
show the avatar itself, framed on the face, with the expression drawn over it. The
face is the same crop of the same image everywhere, which keeps characters
consistent from panel to panel.
"""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter

from ...format.model import Character
from ...specs import Figure
from .acting import Pose
from .appearance import described_hair, described_skin, traits
from .bodies import draw_body
from .creatures import draw_animal
from .faces import drawn_face, framed_face, head_mask
from .heads import EYES, MOUTH, draw_expression
from .palette import RGB, from_name, hex_rgb, luminance, mix, shade

HEADS = 6.6  # a figure's height in head-heights
HEAD_WIDTH = 0.84  # a head's width over its height
INK = (28, 24, 30)


class Look(object):
    """A character's colours and avatar, resolved once per engine call."""

    def __init__(self, character: Character, avatar: bytes | None, era: str = "modern"):
        colours = character.colours
        self.traits = traits(character)
        self.words = (character.description + " " + " ".join(character.tags)).lower()
        self.era = era
        self.id = character.id
        self.outfit: RGB = hex_rgb(colours.outfit) if colours.outfit else from_name(character.id)
        self.hair: RGB = hex_rgb(colours.hair) if colours.hair else \
            described_hair(character) or shade(self.outfit, -0.55)
        self.skin: RGB = hex_rgb(colours.skin) if colours.skin else \
            described_skin(character) or (238, 204, 176)
        self.accent: RGB = hex_rgb(colours.accent) if colours.accent else shade(self.outfit, 0.35)
        self.skin_known = colours.skin is not None  # exact: it finds the face in an avatar
        self.avatar = avatar

    def lit(self, light: float) -> tuple[RGB, RGB, RGB, RGB]:
        """Outfit, its shadow side, skin and hair under the scene's light."""
        dim = (1 - light) * 0.45
        outfit = shade(self.outfit, -dim)
        return outfit, shade(outfit, -0.22), shade(self.skin, -dim * 0.7), shade(self.hair, -dim)


def _line_width(unit: float) -> int:
    return max(1, round(unit * 0.035))


def draw_figure(image: Image.Image, look: Look, cx: float, top: float, height: float,
                facing: int, light: float, gesture: bool = False, looming: float = 0.0,
                pose: str = Pose.stand, expression: str = "calm", held: str | None = None
                ) -> Figure:
    """Draw one figure whose head top is at `top` when standing, `height` px tall.

    `pose` and `expression` are what the paragraph and the lines ask (acting.py);
    `gesture`: a standing figure's front arm reaches toward whoever it faces, as in
    talk. `looming` > 0 is seen from below (feet broad, head small), < 0 from above.
    """
    if look.traits.kind == "animal":
        return draw_animal(image, look, look.words, cx, top, height, facing, light, pose)
    return draw_body(image, look, cx, top, height, facing, light, pose=pose,
                     expression=expression, looming=looming, held=held,
                     gesture=gesture)


def draw_back(image: Image.Image, look: Look, cx: float, top: float, size: float,
              facing: int, light: float) -> Figure:
    """A listener seen from behind, big in the foreground: back of the head and shoulders.

    `size` is the head's height; the shoulders run off the bottom of the frame.
    """
    draw = ImageDraw.Draw(image)
    outfit, shadow, skin, hair = look.lit(light * 0.8)
    u, f, line = size, facing, _line_width(size * 2)
    sy = top + u * 1.15
    draw.rectangle([cx - u * 0.2, top + u * 0.7, cx + u * 0.2, sy + u * 0.3], fill=skin,
                   outline=INK, width=line)
    draw.polygon([(cx - u * 1.6, image.height + u), (cx - u * 1.3, sy + u * 0.25),
                  (cx - u * 0.7, sy), (cx + u * 0.7, sy), (cx + u * 1.3, sy + u * 0.25),
                  (cx + u * 1.6, image.height + u)], fill=shadow, outline=INK, width=line)
    draw.polygon([(cx + f * u * 0.1, sy + line), (cx + f * u * 0.7, sy + line),
                  (cx + f * u * 1.28, sy + u * 0.3), (cx + f * u * 1.55, image.height + u)],
                 fill=outfit)  # the shoulder turned toward the light
    draw.line([(cx, sy + u * 0.2), (cx + f * u * 0.1, image.height)], fill=shade(shadow, -0.3),
              width=line)
    w = u * 0.9
    draw.ellipse([cx - w / 2, top, cx + w / 2, top + u], fill=hair, outline=INK, width=line)
    draw.arc([cx - w / 2, top, cx + w / 2, top + u], 200 if f > 0 else 250,
             290 if f > 0 else 340, fill=shade(hair, 0.35 if luminance(hair) < 0.7 else -0.2),
             width=max(2, int(u * 0.08)))  # a highlight on the hair
    ear = cx + f * w * 0.47
    draw.ellipse([ear - u * 0.08, top + u * 0.42, ear + u * 0.08, top + u * 0.62], fill=skin,
                 outline=INK, width=line)
    return Figure(character=look.id, head=(cx - w / 2, top, w, u),
                  mouth=(cx + f * w * 0.35, top + u * 0.7), facing=facing)


def draw_close(image: Image.Image, look: Look, faces_high: float, facing: int,
               tilt: float, expression: str = "calm", pose: str = Pose.stand) -> Figure:
    """A close shot is the avatar itself, full-bleed, framed on the face.

    `faces_high`: how many face-heights the panel's height holds (smaller is closer).
    The expression is drawn over the avatar's own brows and mouth when it is not calm.
    """
    w, h = image.size
    if look.avatar and look.traits.kind == "human":
        skin = look.skin if look.skin_known else None
        picture, (fx, fy, fw, fh), (mx, my), found = framed_face(look.avatar, skin, (w, h),
                                                                faces_high, tilt)
        if facing < 0:
            picture = picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            fx, mx = w - fx - fw, w - mx
            found = [(w - x, y) for x, y in found]
        if expression != "calm":
            box = (round(fx), round(fy), round(fx + fw), round(fy + fh))
            face = picture.crop(box)
            draw_expression(face, expression, look.hair, facing, eyes=False)
            picture.paste(face, box[:2])
            # the expression's mouth replaces the avatar's
            found[2] = (fx + fw * (MOUTH[0] + facing * 0.04), fy + fh * MOUTH[1])
        image.paste(picture, (0, 0))
        return Figure(character=look.id, head=(fx, fy, fw, fh), mouth=found[2], facing=facing,
                      pose=str(pose), expression=str(expression), eyes=found[:2])
    # no avatar: a drawn head and shoulders, just as large
    fh = h / faces_high
    fw = fh * HEAD_WIDTH
    fx, fy = (w - fw) / 2, h * 0.46 - fh / 2
    outfit, shadow, skin, hair = look.lit(1.0)
    draw = ImageDraw.Draw(image)
    draw.ellipse([w / 2 - fw * 1.4, fy + fh * 1.05, w / 2 + fw * 1.4, fy + fh * 3.2], fill=outfit,
                 outline=INK, width=_line_width(fh))
    draw.rectangle([w / 2 - fw * 0.18, fy + fh * 0.8, w / 2 + fw * 0.18, fy + fh * 1.2], fill=skin)
    if look.traits.hair == "long":
        draw.rounded_rectangle([fx - fw * 0.12, fy - fh * 0.08, fx + fw * 1.12, fy + fh * 1.7],
                               radius=fw * 0.4, fill=hair, outline=INK, width=_line_width(fh))
    elif look.traits.hair != "bald":
        draw.ellipse([fx - fw * 0.08, fy - fh * 0.1, fx + fw * 1.08, fy + fh * 0.8], fill=hair)
    face = drawn_face(skin, hair, round(fw), round(fh), facing, fringe=look.traits.hair != "bald")
    draw_expression(face, expression, hair, facing, eyes=True,
                    gaze={"look_up": -1.0, "look_down": 1.0}.get(str(pose), 0.0))
    image.paste(face, (round(fx), round(fy)), head_mask(round(fw), round(fh)))
    return Figure(character=look.id, head=(fx, fy, fw, fh), mouth=(w / 2, fy + fh * 0.74),
                  facing=facing, pose=str(pose), expression=str(expression),
                  eyes=_eyes((fx, fy, fw, fh)))


def _eyes(box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    x, y, w, h = box
    return [(x + w * ex, y + h * ey) for ex, ey in EYES]


def draw_from_above(image: Image.Image, look: Look, cx: float, cy: float, size: float,
                    facing: int, pose: str = Pose.stand, expression: str = "calm") -> Figure:
    """A figure seen from a bird's eye: a shadow, shoulders, arms and the crown of the head."""
    draw = ImageDraw.Draw(image)
    outfit, shadow, skin, hair = look.lit(1.0)
    line = _line_width(size)
    dx = size * 0.5
    draw.ellipse([cx - size + dx, cy - size * 0.5 + dx, cx + size + dx, cy + size * 0.5 + dx],
                 fill=shade(mix(outfit, (60, 60, 70), 0.7), -0.5))  # its shadow
    for side in (-1, 1):  # arms
        ax = cx + side * size * 0.95
        draw.ellipse([ax - size * 0.22, cy - size * 0.2, ax + size * 0.22,
                      cy + size * 0.45], fill=shadow, outline=INK, width=line)
    draw.ellipse([cx - size, cy - size * 0.48, cx + size, cy + size * 0.48], fill=outfit,
                 outline=INK, width=line)
    r = size * 0.4
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=hair, outline=INK, width=line)
    draw.arc([cx - r * 0.7, cy - r * 0.7, cx + r * 0.7, cy + r * 0.7], 200, 290,
             fill=shade(hair, 0.3 if luminance(hair) < 0.7 else -0.15), width=max(1, line * 2))
    return Figure(character=look.id, head=(cx - r, cy - r, 2 * r, 2 * r),
                  mouth=(cx, cy + r * 0.5), facing=facing, pose=str(pose),
                  expression=str(expression))


RIM = (236, 234, 226)


def rim_light(image: Image.Image, cast: Image.Image) -> Image.Image:
    """`cast` (figures on a transparent layer) over `image` with a thin bright edge
    around every silhouette, as a light behind them would give: the figures stay
    apart from the set whatever the tones. The edge is found at half size (cheaper,
    and as smooth)."""
    shape = cast.getchannel("A")
    width = max(2, round(min(image.size) / 160))
    small = shape.reduce(2).filter(ImageFilter.MaxFilter(2 * (width // 2) + 1))
    edge = small.resize(image.size, Image.Resampling.BILINEAR)
    lit = image.copy()
    lit.paste(RIM, (0, 0, *image.size), edge)
    lit.paste(cast, (0, 0), shape)
    return lit
