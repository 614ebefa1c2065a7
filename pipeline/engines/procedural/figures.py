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

HEAD = 0.16  # head diameter as a fraction of the figure's height (a stylised 6 heads)


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


@lru_cache(maxsize=64)
def _portrait_source(avatar: bytes) -> Image.Image:
    """The square, face-centred crop of an avatar, decoded once per process."""
    with Image.open(io.BytesIO(avatar)) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
    side = min(image.size)
    left = (image.width - side) // 2
    top = max(0, min((image.height - side) // 4, image.height - side))  # faces sit high
    return image.crop((left, top, left + side, top + side))


@lru_cache(maxsize=256)
def _circle_mask(size: int) -> Image.Image:
    big = Image.new("L", (size * 3, size * 3), 0)
    ImageDraw.Draw(big).ellipse([0, 0, size * 3 - 1, size * 3 - 1], fill=255)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def portrait(look: Look, size: int) -> Image.Image:
    """A round portrait `size` px wide: the avatar, or a drawn face without one."""
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


def draw_figure(image: Image.Image, look: Look, cx: float, top: float, height: float,
                facing: int, light: float, from_behind: bool = False) -> Figure:
    """Draw one standing figure whose head top is at `top`, `height` px tall."""
    draw = ImageDraw.Draw(image)
    head = height * HEAD
    outfit = shade(look.outfit, -(1 - light) * 0.45)
    dark = shade(outfit, -0.35)
    shoulders_y = top + head * 1.15
    waist_y = top + height * 0.55
    feet_y = top + height
    sw = head * 1.25  # half the shoulder width
    lean = facing * head * 0.12
    # legs / robe
    draw.polygon([(cx - sw * 0.8 + lean, waist_y), (cx + sw * 0.8 + lean, waist_y),
                  (cx + sw * 1.05, feet_y), (cx - sw * 1.05, feet_y)], fill=dark)
    # torso
    draw.polygon([(cx - sw, shoulders_y), (cx + sw, shoulders_y), (cx + sw * 0.8 + lean, waist_y),
                  (cx - sw * 0.8 + lean, waist_y)], fill=outfit)
    draw.rectangle([cx - sw * 0.82 + lean, waist_y - head * 0.25, cx + sw * 0.82 + lean,
                    waist_y], fill=look.accent)  # a sash
    # the arm on the side the figure faces reaches forward
    arm = head * 0.32
    fx = cx + facing * sw
    draw.line([(fx, shoulders_y + arm / 2), (fx + facing * head * 0.7, waist_y - head * 0.2)],
              fill=outfit, width=max(2, int(arm)))
    bx = cx - facing * sw
    draw.line([(bx, shoulders_y + arm / 2), (bx - facing * head * 0.1, waist_y + head * 0.3)],
              fill=outfit, width=max(2, int(arm)))
    # head: hair behind, then the portrait (or the back of the head)
    hx = cx + lean * 0.5
    hair = head * 1.18
    draw.ellipse([hx - hair / 2, top - head * 0.06, hx + hair / 2, top + hair - head * 0.06],
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
    mouth = (hx + facing * head * 0.08, top + head * 0.74)
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
