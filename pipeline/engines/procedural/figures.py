"""The cast: each character drawn from their avatar and colours, framed by the shot.

A figure is a stylised body in the character's colours carrying a round portrait
cut from the avatar, so a reader knows who is who in every panel. The portrait is
the same crop of the same image everywhere, which keeps characters consistent.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageOps

from ...model import Character
from ...specs import Figure
from .palette import RGB, from_name, hex_rgb, luminance, mix, shade

HEAD = 0.155  # head diameter as a fraction of the figure's height (a stylised 6.5 heads)


class Look(object):
    """A character's colours and portrait, resolved once per engine call."""

    def __init__(self, character: Character, avatar: bytes | None):
        colours = character.colours
        self.id = character.id
        self.outfit: RGB = hex_rgb(colours.outfit) if colours.outfit else from_name(character.id)
        self.hair: RGB = hex_rgb(colours.hair) if colours.hair else shade(self.outfit, -0.55)
        self.skin: RGB = hex_rgb(colours.skin) if colours.skin else (238, 204, 176)
        self.accent: RGB = hex_rgb(colours.accent) if colours.accent else shade(self.outfit, 0.35)
        self.avatar = avatar


FACE_CENTRE = (0.5, 0.47)  # where a bust portrait's face sits, as a fraction of the image
FACE_SIZE = 0.62  # the square around the face and hair, as a fraction of the shorter side
MOUTH = (0.5, 0.6)  # the mouth in the avatar image


@lru_cache(maxsize=64)
def _avatar(avatar: bytes) -> Image.Image:
    with Image.open(io.BytesIO(avatar)) as image:
        return ImageOps.exif_transpose(image).convert("RGB")


def _face_box(image: Image.Image) -> tuple[float, float, float]:
    side = min(image.size) * FACE_SIZE
    return image.width * FACE_CENTRE[0], image.height * FACE_CENTRE[1], side


@lru_cache(maxsize=64)
def _portrait_source(avatar: bytes) -> Image.Image:
    """The square around the face of an avatar, decoded and cropped once per process."""
    image = _avatar(avatar)
    cx, cy, side = _face_box(image)
    left = min(max(0, cx - side / 2), image.width - side)
    top = min(max(0, cy - side / 2), image.height - side)
    return image.crop((round(left), round(top), round(left + side), round(top + side)))


@lru_cache(maxsize=256)
def _circle_mask(size: int) -> Image.Image:
    big = Image.new("L", (size * 3, size * 3), 0)
    ImageDraw.Draw(big).ellipse([0, 0, size * 3 - 1, size * 3 - 1], fill=255)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def portrait(look: Look, size: int) -> Image.Image:
    """A round portrait `size` px wide: the avatar's face, or a drawn face without one."""
    size = max(size, 4)
    if look.avatar:
        face = _portrait_source(look.avatar).resize((size, size), Image.Resampling.BILINEAR)
    else:
        face = Image.new("RGB", (size, size), look.hair)
        d = ImageDraw.Draw(face)
        d.ellipse([size * 0.14, size * 0.2, size * 0.86, size * 1.02], fill=look.skin)
        for ex in (0.36, 0.64):
            d.ellipse([size * (ex - 0.05), size * 0.52, size * (ex + 0.05), size * 0.62],
                      fill=(40, 30, 30))
        d.arc([size * 0.38, size * 0.66, size * 0.62, size * 0.8], 20, 160, fill=(120, 60, 60),
              width=max(1, size // 40))
    out = Image.new("RGBA", (size, size))
    out.paste(face, (0, 0), _circle_mask(size))
    return out


def close_up(image: Image.Image, look: Look, zoom: float, facing: int) -> Figure:
    """A close shot is the avatar itself, framed on the face and filling the panel.

    `zoom` is how many face-heights the panel's height holds (smaller is closer).
    """
    w, h = image.size
    if not look.avatar:
        size = int(h / zoom * 1.3)
        face = portrait(look, size)
        x, y = (w - size) // 2, int(h * 0.08)
        image.paste(face, (x, y), face)
        return Figure(character=look.id, head=(x, y, size, size),
                      mouth=(x + size * 0.5, y + size * 0.72), facing=facing)
    source = _avatar(look.avatar)
    cx, cy, side = _face_box(source)
    crop_h = min(side * zoom, source.height)
    crop_w = min(crop_h * w / h, source.width)
    crop_h = crop_w * h / w
    left = min(max(0.0, cx - crop_w / 2), source.width - crop_w)
    top = min(max(0.0, cy - crop_h * 0.45), source.height - crop_h)
    framed = source.resize((w, h), Image.Resampling.BILINEAR,
                           box=(left, top, left + crop_w, top + crop_h))
    if facing < 0:
        framed = framed.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    image.paste(framed, (0, 0))
    scale = w / crop_w

    def to_panel(x: float, y: float) -> tuple[float, float]:
        px = (x - left) * scale
        return (w - px if facing < 0 else px), (y - top) * scale

    hx, hy = to_panel(cx - side / 2, cy - side / 2)
    head_w = side * scale
    head_x = hx - head_w if facing < 0 else hx
    mouth = to_panel(source.width * MOUTH[0], source.height * MOUTH[1])
    return Figure(character=look.id, head=(head_x, hy, head_w, head_w), mouth=mouth,
                  facing=facing)


def _limb(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], width: float,
          colour) -> None:
    """A limb as a thick line with rounded joints."""
    width = max(2, int(width))
    draw.line(points, fill=colour, width=width, joint="curve")
    r = width / 2
    for x, y in points:
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)


def draw_figure(image: Image.Image, look: Look, cx: float, top: float, height: float,
                facing: int, light: float, from_behind: bool = False) -> Figure:
    """Draw one standing figure whose head top is at `top`, `height` px tall."""
    draw = ImageDraw.Draw(image)
    head = height * HEAD
    outfit = shade(look.outfit, -(1 - light) * 0.45)
    dark = shade(outfit, -0.3)
    sleeve = shade(outfit, 0.08)
    skin = shade(look.skin, -(1 - light) * 0.35)
    neck_y = top + head * 0.95
    shoulder_y = top + head * 1.2
    hip_y = top + height * 0.52
    feet_y = top + height
    half = head * 0.95  # half the shoulder width
    lean = facing * head * 0.08
    # robe / legs: a long garment flaring to the feet, with a parting line for the stride
    draw.polygon([(cx - half * 0.72 + lean, hip_y), (cx + half * 0.72 + lean, hip_y),
                  (cx + half * 1.0, feet_y), (cx - half * 1.0, feet_y)], fill=dark)
    draw.line([(cx + lean, hip_y), (cx + facing * half * 0.2, feet_y)],
              fill=shade(dark, -0.35), width=max(1, int(head * 0.05)))
    draw.rectangle([cx - half * 0.9, feet_y - head * 0.12, cx + half * 0.9, feet_y],
                   fill=shade(dark, -0.5))  # boots
    # back arm, behind the torso
    back = cx - facing * half * 0.8
    _limb(draw, [(back, shoulder_y + head * 0.15), (back - facing * head * 0.15, hip_y - head * 0.3),
                 (back - facing * head * 0.05, hip_y + head * 0.35)], head * 0.32, shade(sleeve, -0.15))
    # torso, tapering to the waist, and a sash in the accent colour
    draw.polygon([(cx - half, shoulder_y), (cx + half, shoulder_y),
                  (cx + half * 0.72 + lean, hip_y), (cx - half * 0.72 + lean, hip_y)], fill=outfit)
    draw.polygon([(cx - half * 0.35, shoulder_y), (cx, shoulder_y + head * 0.7),
                  (cx + half * 0.35, shoulder_y)], fill=shade(outfit, 0.25))  # collar
    draw.rectangle([cx - half * 0.74 + lean, hip_y - head * 0.3, cx + half * 0.74 + lean, hip_y],
                   fill=look.accent)
    # front arm: reaching a little toward whoever the figure faces
    front = cx + facing * half * 0.85
    elbow = (front + facing * head * 0.35, hip_y - head * 0.55)
    hand = (front + facing * head * 0.75, hip_y - head * 0.75)
    _limb(draw, [(front, shoulder_y + head * 0.15), elbow, hand], head * 0.32, sleeve)
    r = head * 0.16
    draw.ellipse([hand[0] - r, hand[1] - r, hand[0] + r, hand[1] + r], fill=skin)
    draw.rectangle([cx - head * 0.17, neck_y, cx + head * 0.17, shoulder_y + head * 0.1],
                   fill=skin)
    # head: hair behind, then the portrait (or the back of the head)
    hx = cx + lean * 0.5
    hair = head * 1.12
    draw.ellipse([hx - hair / 2, top - head * 0.05, hx + hair / 2, top + hair - head * 0.05],
                 fill=look.hair)
    if from_behind:
        draw.ellipse([hx - head / 2, top, hx + head / 2, top + head], fill=look.hair)
    else:
        face = portrait(look, int(head))
        image.paste(face, (int(hx - head / 2), int(top)), face)
        ring = shade(look.hair, -0.3) if luminance(look.hair) > 0.3 else mix(look.hair,
                                                                           look.accent, 0.5)
        draw.ellipse([hx - head / 2, top, hx + head / 2, top + head], outline=ring,
                     width=max(1, int(head / 30)))
    head_box = (hx - head / 2, top, head, head)
    mouth = (hx + facing * head * 0.05, top + head * 0.74)
    return Figure(character=look.id, head=head_box, mouth=mouth, facing=facing)


def draw_from_above(image: Image.Image, look: Look, cx: float, cy: float, size: float) -> Figure:
    """A figure seen from a bird's eye: shoulders and the crown of the head."""
    draw = ImageDraw.Draw(image)
    draw.ellipse([cx - size, cy - size * 0.55, cx + size, cy + size * 0.55], fill=look.outfit)
    r = size * 0.45
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=look.hair)
    shadow = shade(look.outfit, -0.5)
    draw.arc([cx - size, cy - size * 0.55, cx + size, cy + size * 0.55], 0, 180, fill=shadow,
             width=max(1, int(size / 10)))
    return Figure(character=look.id, head=(cx - r, cy - r, 2 * r, 2 * r), mouth=(cx, cy + r * 0.5))
