"""Drawing balloons twice from the same geometry: as SVG for the reader, as pixels for exports.

Both renderers take the `Balloon`s the letterer computed and draw the same
shapes, in the same order, with the text on the same baselines, so what a reader
sees on the web and in an exported page is one lettering job.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from html import escape

from PIL import Image, ImageDraw

from ..format.model import LineKind
from ..specs import Balloon
from .fonts import LetteringFont
from .heard import CHAMFER

INK = (17, 17, 17)
PAPER = (255, 255, 255)
CAPTION = (255, 243, 196)
SFX_FILL = (255, 214, 64)
STROKE = 2.5  # page pixels
# A voice without a body (`kind: voice`): a squared box, pale and cool, outlined twice in
# a signal blue, so a machine's or a radio's words are told apart at a glance.
VOICE_FILL = (232, 244, 250)
VOICE_INK = (22, 96, 150)
VOICE_INSET = 4.0  # page pixels between the outer and the inner line


def _fill(balloon: Balloon) -> tuple[int, int, int]:
    if balloon.voice:
        return VOICE_FILL
    return CAPTION if balloon.kind == LineKind.caption else PAPER


def _ink(balloon: Balloon) -> tuple[int, int, int]:
    """The colour of the balloon's outline."""
    return VOICE_INK if balloon.voice else INK


def _inset(balloon: Balloon) -> list[tuple[float, float]]:
    """A voice's inner line: its box's outline (without the tail) drawn inside it."""
    x, y, w, h = balloon.box
    d = VOICE_INSET
    c = max(0.0, min(w, h) * CHAMFER - d * 0.6)
    x, y, w, h = x + d, y + d, w - 2 * d, h - 2 * d
    return [(x + c, y), (x + w - c, y), (x + w, y + c), (x + w, y + h - c),
            (x + w - c, y + h), (x + c, y + h), (x, y + h - c), (x, y + c)]


def _hex(colour: tuple[int, int, int]) -> str:
    return "#%02x%02x%02x" % colour


def _points(points) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def text_stroke(balloon: Balloon) -> float:
    """The ink outline round the letters, in page pixels: heavy for a sound effect,
    a touch for shouted words (bold without a bold face, the same on the web and in
    pixels); none for the rest."""
    if balloon.kind == LineKind.sfx:
        return round(balloon.font_size / 9, 1)
    if balloon.kind == LineKind.shout:
        return round(balloon.font_size / 32, 1)
    return 0.0


def text_direction(text: str) -> str:
    """'rtl' or 'ltr': the direction of `text` by its first strong letter, as the
    Unicode bidirectional algorithm (and HTML's dir="auto") decides a paragraph's;
    'ltr' when it has none. The reading direction of the comic plays no part."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _spaced(text: str, before: str, after: str) -> bool:
    """Whether the writer's `text` has a space where the letterer broke it between the
    lines `before` and `after`: not inside a hyphenated word, nor between CJK characters."""
    last, first = before.split()[-1:], after.split()[:1]
    if not last or not first:
        return False
    return f"{last[0]} {first[0]}".casefold() in " ".join(text.split()).casefold()


def to_svg(balloons: list[Balloon], width: float, height: float, font_family: str,
           families: Sequence[str] | str = (), names: Mapping[str, str] | None = None) -> str:
    """An <svg> to lay over a panel whose slot is `width` x `height` page pixels.

    Words the letterer measured with a fallback face name its family (`families[i]` for
    face i; `font_family` is the main one's) first, so the browser draws and breaks them
    with the face the geometry was measured with (one family name as `families` stands for
    every face after the main one). Each balloon's text runs
    in its own direction (`text_direction`), whatever the page's; its lines are
    one text with a space at each break, so find and copy see a phrase across
    them; its label names the speaker as `names` does (id -> display name)."""
    parts = [f'<svg class="lettering" viewBox="0 0 {width:g} {height:g}" '
             f'xmlns="http://www.w3.org/2000/svg" role="group">']
    for b in balloons:
        fill, ink = _hex(_fill(b)), _hex(_ink(b))
        speaker = (names or {}).get(b.speaker, b.speaker) if b.speaker else None
        label = f"{speaker}: {b.text}" if speaker else b.text
        marks = (" voice" if b.voice else "") + (" off-panel" if b.off_panel else "")
        # role="img" with a <title> names the balloon in every screen reader; aria-label
        # on a plain <g> is read by few
        parts.append(f'<g class="balloon {b.kind.value}{marks}" role="img"><title>'
                     f'{escape(label)}</title>')
        dash = ' stroke-dasharray="7 5"' if b.kind == LineKind.whisper else ""
        if b.kind == LineKind.thought:
            for i, (x, y) in enumerate(b.tail):
                r = b.font_size * (0.45 - 0.12 * i)
                parts.append(f'<circle cx="{x:g}" cy="{y:g}" r="{r:g}" fill="{fill}" '
                             f'stroke="{ink}" stroke-width="{STROKE}"/>')
        if b.outline:
            parts.append(f'<polygon points="{_points(b.outline)}" fill="{fill}" stroke="{ink}" '
                         f'stroke-width="{STROKE}" stroke-linejoin="round"{dash}/>')
        if b.voice and b.outline:
            parts.append(f'<polygon points="{_points(_inset(b))}" fill="none" stroke="{ink}" '
                         f'stroke-width="{STROKE / 2:g}"{dash}/>')
        family = f"{font_family}, sans-serif"
        if b.face and isinstance(families, str):
            family = f"{families}, {family}"
        elif b.face and b.face < len(families):
            family = f"'{families[b.face]}', {family}"
        colour = _hex(SFX_FILL) if b.kind == LineKind.sfx else _hex(INK)
        stroke = text_stroke(b)
        outlined = (f' stroke="{_hex(INK)}" stroke-width="{stroke:g}" paint-order="stroke" '
                    f'stroke-linejoin="round"' if stroke else "")
        x, y, w, h = b.box
        turned = f' transform="rotate({b.tilt:g} {x + w / 2:g} {y + h / 2:g})"' if b.tilt else ""
        parts.append(f'<text x="{b.text_origin[0]:g}" y="{b.text_origin[1]:g}" '
                     f'font-family="{escape(family)}" font-size="{b.font_size:g}" '
                     f'text-anchor="middle" direction="{text_direction(b.text)}" '
                     f'unicode-bidi="isolate" fill="{colour}"{outlined}{turned}>')
        for i, line in enumerate(b.lines):
            dy = 0 if i == 0 else b.line_height
            # the space of a line break sits between the lines, outside both: it is in
            # the text the browser finds and copies, and each line keeps its place
            gap = " " if i and _spaced(b.text, b.lines[i - 1], line) else ""
            parts.append(f'{gap}<tspan x="{b.text_origin[0]:g}" dy="{dy:g}">'
                         f'{escape(line)}</tspan>')
        parts.append("</text></g>")
    parts.append("</svg>")
    return "".join(parts)


def to_raster(image: Image.Image, balloons: list[Balloon], origin: tuple[float, float],
              scale: float, font: LetteringFont) -> None:
    """Bake balloons into `image`; the panel's slot starts at `origin`, `scale` px per unit."""
    draw = ImageDraw.Draw(image)
    ox, oy = origin
    stroke = max(1, round(STROKE * scale))

    def at(points):
        return [(ox + x * scale, oy + y * scale) for x, y in points]

    for b in balloons:
        fill, ink = _fill(b), _ink(b)
        if b.kind == LineKind.thought:
            for i, (x, y) in enumerate(at(b.tail)):
                r = b.font_size * (0.45 - 0.12 * i) * scale
                draw.ellipse([x - r, y - r, x + r, y + r], fill=fill, outline=ink, width=stroke)
        if b.outline:
            if b.kind == LineKind.whisper:
                draw.polygon(at(b.outline), fill=fill)
                _dashed(draw, at(b.outline + b.outline[:1]), stroke, 7 * scale, 5 * scale, ink)
            else:
                draw.polygon(at(b.outline), fill=fill, outline=ink, width=stroke)
            if b.voice:
                inner = at(_inset(b))
                thin = max(1, round(stroke / 2))
                if b.kind == LineKind.whisper:
                    _dashed(draw, inner + inner[:1], thin, 7 * scale, 5 * scale, ink)
                else:
                    draw.polygon(inner, outline=ink, width=thin)
        face = font.at(b.font_size * scale, b.face)
        x0, y0 = at([b.text_origin])[0]
        # Pillow's stroke grows the letters by its width on every side, as SVG's
        # centred stroke does by half of it: the same look at any scale.
        stroke_px = text_stroke(b) * scale / 2
        width = round(stroke_px) if stroke_px >= 0.75 else 0
        colour = SFX_FILL if b.kind == LineKind.sfx else INK
        if b.tilt:
            _tilted(image, b, at, face, font, colour, width, scale)
            continue
        for i, line in enumerate(b.lines):
            y = y0 + i * b.line_height * scale
            draw.text((x0, y), font.showable(line, b.face), font=face, anchor="ms",
                      fill=colour, stroke_width=width, stroke_fill=INK)


def _tilted(image: Image.Image, b: Balloon, at, face, font: LetteringFont, colour,
            stroke: int, scale: float) -> None:
    """Letters drawn level on a layer the size of the box, turned about its centre as
    SVG's rotate() turns them, and laid on the image."""
    x, y, w, h = b.box
    (left, top), = at([(x, y)])
    size = (max(1, math.ceil(w * scale)), max(1, math.ceil(h * scale)))
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    tx, ty = at([b.text_origin])[0]
    for i, line in enumerate(b.lines):
        draw.text((tx - left, ty - top + i * b.line_height * scale),
                  font.showable(line, b.face), font=face, anchor="ms", fill=(*colour, 255),
                  stroke_width=stroke, stroke_fill=(*INK, 255))
    # PIL turns counter-clockwise, SVG (y down) clockwise
    layer = layer.rotate(-b.tilt, resample=Image.Resampling.BICUBIC,
                         center=(w * scale / 2, h * scale / 2))
    image.paste(layer, (round(left), round(top)), layer)


def _dashed(draw: ImageDraw.ImageDraw, points, width: int, on: float, off: float,
            ink: tuple[int, int, int] = INK) -> None:
    carry = 0.0
    drawing = True
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        pos = 0.0
        while pos < length:
            step = min((on if drawing else off) - carry, length - pos)
            if drawing:
                t0, t1 = pos / length, (pos + step) / length
                draw.line([(x0 + (x1 - x0) * t0, y0 + (y1 - y0) * t0),
                           (x0 + (x1 - x0) * t1, y0 + (y1 - y0) * t1)], fill=ink, width=width)
            pos += step
            carry += step
            if carry >= (on if drawing else off) - 1e-6:
                carry, drawing = 0.0, not drawing
