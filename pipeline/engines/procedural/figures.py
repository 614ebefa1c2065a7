"""The cast: each character drawn from their avatar and colours, framed by the shot.

A figure is a slim stylised person (about six and a half heads tall) in the
character's colours whose face is cut from their avatar, so a reader knows who is
who in every panel; close shots show the avatar itself, framed on the face. The
face is the same crop of the same image everywhere, which keeps characters
consistent from panel to panel.
"""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter

from ...format.model import Character
from ...specs import Figure
from .faces import drawn_face, framed_face, head_image, head_mask
from .palette import RGB, from_name, hex_rgb, luminance, mix, shade

HEADS = 6.6  # a figure's height in head-heights
HEAD_WIDTH = 0.84  # a head's width over its height
INK = (28, 24, 30)


class Look(object):
    """A character's colours and avatar, resolved once per engine call."""

    def __init__(self, character: Character, avatar: bytes | None):
        colours = character.colours
        self.id = character.id
        self.outfit: RGB = hex_rgb(colours.outfit) if colours.outfit else from_name(character.id)
        self.hair: RGB = hex_rgb(colours.hair) if colours.hair else shade(self.outfit, -0.55)
        self.skin: RGB = hex_rgb(colours.skin) if colours.skin else (238, 204, 176)
        self.accent: RGB = hex_rgb(colours.accent) if colours.accent else shade(self.outfit, 0.35)
        self.skin_known = colours.skin is not None
        self.avatar = avatar

    def lit(self, light: float) -> tuple[RGB, RGB, RGB, RGB]:
        """Outfit, its shadow side, skin and hair under the scene's light."""
        dim = (1 - light) * 0.45
        outfit = shade(self.outfit, -dim)
        return outfit, shade(outfit, -0.22), shade(self.skin, -dim * 0.7), shade(self.hair, -dim)


def _line_width(unit: float) -> int:
    return max(1, round(unit * 0.035))


def _limb(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], width: float,
          colour: RGB, outline: RGB) -> None:
    """A limb: a thick line with rounded joints, outlined so it reads against the body."""
    width = max(2, int(width))
    edge = max(1, width // 8)
    draw.line(points, fill=outline, width=width + 2 * edge, joint="curve")
    draw.line(points, fill=colour, width=width, joint="curve")
    r = width / 2
    for x, y in points[1:]:
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)


class _Skew:
    """Draws through a lens that widens what is near the camera: a figure seen from
    below has broad feet and narrow shoulders (`k` > 0); from above, the reverse."""

    def __init__(self, draw: ImageDraw.ImageDraw, cx: float, top: float, height: float,
                 k: float):
        self.draw, self.cx, self.top, self.height, self.k = draw, cx, top, height, k

    def _f(self, y: float) -> float:
        return 1 + self.k * ((y - self.top) / self.height - 0.5)

    def p(self, x: float, y: float) -> tuple[float, float]:
        return self.cx + (x - self.cx) * self._f(y), y

    def polygon(self, points, **kw) -> None:
        self.draw.polygon([self.p(*q) for q in points], **kw)

    def line(self, points, **kw) -> None:
        self.draw.line([self.p(*q) for q in points], **kw)

    def rectangle(self, box, **kw) -> None:
        x0, y0, x1, y1 = box
        self.polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], **kw)

    def ellipse(self, box, **kw) -> None:
        x0, y0, x1, y1 = box
        f = self._f((y0 + y1) / 2)
        mx = self.p((x0 + x1) / 2, (y0 + y1) / 2)[0]
        half = (x1 - x0) / 2 * f
        self.draw.ellipse([mx - half, y0, mx + half, y1], **kw)


def _paste_head(image: Image.Image, look: Look, x: float, y: float, width: float,
                height: float, facing: int, hair: RGB) -> None:
    draw = ImageDraw.Draw(image)
    # hair behind the face: a little wider and higher than the head
    draw.ellipse([x - width * 0.08, y - height * 0.1, x + width * 1.08, y + height * 0.8],
                 fill=hair, outline=INK, width=_line_width(height * 2))
    skin = look.skin if look.skin_known else None
    face, mask = head_image(look.avatar, skin or look.skin, look.hair, round(width),
                            round(height), facing)
    image.paste(face, (round(x), round(y)), mask)
    draw.arc([x, y, x + width, y + height], 0, 180, fill=INK, width=_line_width(height * 2))


def draw_figure(image: Image.Image, look: Look, cx: float, top: float, height: float,
                facing: int, light: float, gesture: bool = False, looming: float = 0.0
                ) -> Figure:
    """Draw one standing figure whose head top is at `top`, `height` px tall.

    `gesture`: the front arm reaches toward whoever the figure faces, as in talk.
    `looming` > 0 is seen from below (feet broad, head small), < 0 from above.
    """
    draw = _Skew(ImageDraw.Draw(image), cx, top, height, looming)
    u = height / HEADS  # one head
    outfit, shadow, skin, hair = look.lit(light)
    dark = shade(outfit, -0.35)
    line = _line_width(u * 2)
    f = facing
    sy = top + u * 1.22  # shoulders
    waist, hip, hem, feet = top + u * 2.95, top + u * 3.35, top + u * 4.55, top + u * HEADS
    # legs, the far one darker, then boots toed the way the figure faces
    for side, colour in ((-f, shade(dark, -0.15)), (f, dark)):
        lx = cx + side * u * 0.2
        draw.polygon([(lx - u * 0.17, hip), (lx + u * 0.17, hip), (lx + u * 0.12, feet - u * 0.3),
                      (lx - u * 0.12, feet - u * 0.3)], fill=colour, outline=INK, width=line)
        draw.polygon([(lx - u * 0.14, feet - u * 0.34), (lx + u * 0.14, feet - u * 0.34),
                      (lx + u * 0.14 + f * u * 0.14, feet), (lx - u * 0.14, feet)],
                     fill=shade(dark, -0.5), outline=INK, width=line)
    # the back arm hangs behind the body
    back = cx - f * u * 0.62
    _limb(draw, [(back, sy + u * 0.2), (back - f * u * 0.08, waist - u * 0.2),
                 (back - f * u * 0.02, hip + u * 0.25)], u * 0.24, shade(shadow, -0.1), INK)
    # tunic: shoulders to a belted waist, then a skirt to the knee, lit from one side
    body = [(cx - u * 0.78, sy + u * 0.12), (cx - u * 0.6, sy - u * 0.04),
            (cx + u * 0.6, sy - u * 0.04), (cx + u * 0.78, sy + u * 0.12),
            (cx + u * 0.5, waist), (cx + u * 0.72, hem), (cx - u * 0.72, hem),
            (cx - u * 0.5, waist)]
    draw.polygon(body, fill=outfit, outline=INK, width=line)
    draw.polygon([(cx + f * u * 0.05, sy), (cx + f * u * 0.6, sy), (cx + f * u * 0.76, sy + u * 0.14),
                  (cx + f * u * 0.5, waist), (cx + f * u * 0.7, hem - line), (cx + f * u * 0.18, hem - line)],
                 fill=shadow)
    draw.line([(cx - f * u * 0.1, waist), (cx - f * u * 0.05, hem)], fill=shade(outfit, -0.3),
              width=line)
    draw.polygon([(cx - u * 0.3, sy - u * 0.04), (cx, sy + u * 0.55), (cx + u * 0.3, sy - u * 0.04)],
                 fill=shade(outfit, 0.3), outline=INK, width=line)  # collar
    draw.rectangle([cx - u * 0.52, waist - u * 0.16, cx + u * 0.52, waist + u * 0.04],
                   fill=look.accent, outline=INK, width=line)  # belt
    # neck, then the front arm (reaching out in talk) and hands
    draw.rectangle([cx - u * 0.14, top + u * 0.85, cx + u * 0.14, sy + u * 0.05], fill=skin)
    front = cx + f * u * 0.62
    if gesture:
        arm = [(front, sy + u * 0.2), (front + f * u * 0.25, waist - u * 0.35),
               (front + f * u * 0.7, waist - u * 0.6)]
    else:
        arm = [(front, sy + u * 0.2), (front + f * u * 0.1, waist - u * 0.2),
               (front + f * u * 0.05, hip + u * 0.25)]
    _limb(draw, arm, u * 0.24, outfit, INK)
    for hx, hy in (arm[-1], (back - f * u * 0.02, hip + u * 0.25)):
        r = u * 0.12
        draw.ellipse([hx - r, hy - r, hx + r, hy + r], fill=skin, outline=INK, width=line)
    hw = u * HEAD_WIDTH
    hx = cx - hw / 2 + f * u * 0.04
    if looming:  # the head, furthest from (or nearest to) the camera, shrinks (or grows)
        k = 1 - looming * 0.5
        hx, top, hw, u = cx - (cx - hx) * k, top + u * (1 - k), hw * k, u * k
    _paste_head(image, look, hx, top, hw, u, facing, hair)
    return Figure(character=look.id, head=(hx, top, hw, u),
                  mouth=(hx + hw / 2 + f * u * 0.03, top + u * 0.75), facing=facing)


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
               tilt: float) -> Figure:
    """A close shot is the avatar itself, full-bleed, framed on the face.

    `faces_high`: how many face-heights the panel's height holds (smaller is closer).
    """
    w, h = image.size
    if look.avatar:
        skin = look.skin if look.skin_known else None
        picture, (fx, fy, fw, fh), (mx, my) = framed_face(look.avatar, skin, (w, h),
                                                         faces_high, tilt)
        if facing < 0:
            picture = picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            fx, mx = w - fx - fw, w - mx
        image.paste(picture, (0, 0))
        return Figure(character=look.id, head=(fx, fy, fw, fh), mouth=(mx, my), facing=facing)
    # no avatar: a drawn head and shoulders, just as large
    fh = h / faces_high
    fw = fh * HEAD_WIDTH
    fx, fy = (w - fw) / 2, h * 0.46 - fh / 2
    outfit, shadow, skin, hair = look.lit(1.0)
    draw = ImageDraw.Draw(image)
    draw.ellipse([w / 2 - fw * 1.4, fy + fh * 1.05, w / 2 + fw * 1.4, fy + fh * 3.2], fill=outfit,
                 outline=INK, width=_line_width(fh))
    draw.rectangle([w / 2 - fw * 0.18, fy + fh * 0.8, w / 2 + fw * 0.18, fy + fh * 1.2], fill=skin)
    draw.ellipse([fx - fw * 0.08, fy - fh * 0.1, fx + fw * 1.08, fy + fh * 0.8], fill=hair)
    face = drawn_face(skin, hair, round(fw), round(fh), facing)
    image.paste(face, (round(fx), round(fy)), head_mask(round(fw), round(fh)))
    return Figure(character=look.id, head=(fx, fy, fw, fh), mouth=(w / 2, fy + fh * 0.74),
                  facing=facing)


def draw_from_above(image: Image.Image, look: Look, cx: float, cy: float, size: float,
                    facing: int) -> Figure:
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
                  mouth=(cx, cy + r * 0.5), facing=facing)


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
