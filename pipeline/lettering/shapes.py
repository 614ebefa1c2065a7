"""A balloon's shape around its words, and its outline and tail once it has a place.

`place.py` chooses where each balloon goes; this module says how big a balloon is
for its lines (`Shape.around`: an ellipse, a caption's box, a burst, a cloud, a
voice's squared box, a sound effect's tilted letters) and draws its outline, with the
tail toward the speaker's mouth spliced in (`balloon`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..format.model import LineKind
from ..specs import Balloon, Box, Figure, NodeLine, Point
from .heard import CHAMFER, off_tail, squared
from .spots import Panel

PAD = 0.45  # room around the text inside its shape, in ems
LEADING = 1.2  # line height, in ems
SFX_TILT = 7.0  # degrees a sound effect leans, one way or the other: it breaks the grid
# A burst's spikes and a cloud's puffs reach OUTER times its radius, its valleys INNER
# times the box's half-size: the text stays within the valleys, the shape within the box.
OUTER = {LineKind.shout: 1.2, LineKind.thought: 1.08}
INNER = {LineKind.shout: 0.95 / 1.2, LineKind.thought: 1 / 1.08}


@dataclass
class Shape:
    """A balloon's size around its text, before it has a place."""

    kind: LineKind
    lines: list[str]
    size: float
    w: float
    h: float
    line_height: float
    voice: bool = False  # a bodiless voice's squared box

    @classmethod
    def around(cls, kind: LineKind, lines: list[str], widths: list[float], size: float,
               voice: bool = False) -> Shape:
        line_h = size * LEADING
        text_w, text_h = max(widths), len(lines) * line_h
        pad = size * PAD
        if kind == LineKind.caption:
            return cls(kind, lines, size, text_w + 2 * pad, text_h + 1.6 * pad, line_h)
        if voice:
            # room for the cut corners (CHAMFER of the box's shorter side) to clear the text
            w, h = text_w + 2.4 * pad, text_h + 2 * pad
            return cls(kind, lines, size, w + h * CHAMFER, h + pad * 0.4, line_h, True)
        if kind == LineKind.sfx:
            # the box holds the letters tilted (see `balloon`)
            w, h = text_w + size * 0.3, text_h + size * 0.2
            cos, sin = math.cos(math.radians(SFX_TILT)), math.sin(math.radians(SFX_TILT))
            return cls(kind, lines, size, w * cos + h * sin, w * sin + h * cos, line_h)
        # the smallest ellipse (of the block's proportions) holding every line's corners
        rx0, ry0 = text_w / 2 + pad, text_h / 2 + pad * 0.8
        k = 1.0
        for i, width in enumerate(widths):
            top = -text_h / 2 + i * line_h
            y = max(abs(top), abs(top + line_h)) + pad * 0.5
            k = max(k, math.hypot((width / 2 + pad) / rx0, y / ry0))
        inner = INNER.get(kind, 1.0)
        return cls(kind, lines, size, 2 * rx0 * k / inner, 2 * ry0 * k / inner, line_h)



def _ellipse(cx: float, cy: float, rx: float, ry: float, points: int = 56) -> list[Point]:
    return [(cx + rx * math.cos(2 * math.pi * i / points),
             cy + ry * math.sin(2 * math.pi * i / points)) for i in range(points)]


def _burst(cx: float, cy: float, rx: float, ry: float) -> list[Point]:
    spikes = 16
    return [(cx + rx * k * math.cos(a), cy + ry * k * math.sin(a))
            for i in range(spikes * 2)
            for a, k in [(math.pi * (i + 0.5) / spikes, 1.2 if i % 2 == 0 else 0.95)]]


def _cloud(cx: float, cy: float, rx: float, ry: float) -> list[Point]:
    return [(cx + rx * k * math.cos(a), cy + ry * k * math.sin(a))
            for i in range(96) for a in [2 * math.pi * i / 96]
            for k in [1.0 + 0.08 * abs(math.sin(a * 6))]]


def balloon(said: NodeLine, text: str, shape: Shape, box: Box, speaker: Figure | None,
            order: int, face_index: int, panel: Panel) -> Balloon:
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    text_h = len(shape.lines) * shape.line_height
    first_baseline = cy - text_h / 2 + shape.size * 0.95
    kind = shape.kind
    voice = shape.voice
    if kind == LineKind.caption:
        outline = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    elif kind == LineKind.sfx:
        outline = []
    elif voice:
        outline = squared(x, y, w, h)
    else:
        draw = {LineKind.shout: _burst, LineKind.thought: _cloud}.get(kind, _ellipse)
        reach = OUTER.get(kind, 1.0)  # spikes and puffs stay inside the box
        outline = draw(cx, cy, w / 2 / reach, h / 2 / reach)
    off = panel.off(said)
    if off:
        tail = off_tail(kind, box, outline if voice else None, shape.size, panel.width,
                        panel.rtl)
    else:
        tail = _tail(kind, cx, cy, w / 2, h / 2, speaker, shape.size, panel) if speaker else []
    if tail and kind != LineKind.thought:
        outline = _splice(outline, cx, cy, tail)
    return Balloon(kind=kind, text=text, speaker=said.speaker, voice=voice, off_panel=off,
                   box=(round(x, 1), round(y, 1), round(w, 1), round(h, 1)),
                   outline=[(round(a, 1), round(b, 1)) for a, b in outline],
                   lines=shape.lines, font_size=shape.size, line_height=shape.line_height,
                   text_origin=(round(cx, 1), round(first_baseline, 1)),
                   tail=tail, order=order, face=face_index,
                   tilt=(-SFX_TILT if order % 2 == 0 else SFX_TILT) if kind == LineKind.sfx
                   else 0.0)


def _tail(kind: LineKind, cx: float, cy: float, rx: float, ry: float, speaker: Figure,
          size: float, panel: Panel) -> list[Point]:
    """Base, tip, base of a tail aimed at the speaker's mouth, stopping short of the
    face; a trail of three bubbles for a thought."""
    if kind in (LineKind.caption, LineKind.sfx):
        return []
    mx, my = speaker.mouth
    if ((mx - cx) / rx) ** 2 + ((my - cy) / ry) ** 2 <= 1:
        return []  # the balloon covers the mouth: no tail can point at it
    angle = math.atan2((my - cy) / ry, (mx - cx) / rx)
    edge = (cx + rx * math.cos(angle), cy + ry * math.sin(angle))
    distance = math.hypot(mx - edge[0], my - edge[1])
    hx, hy, hw, hh = speaker.head
    pad = size * 0.35
    clear = distance * _entry(edge, (mx, my), (hx - pad, hy - pad, hw + 2 * pad, hh + 2 * pad))
    touch = distance * _entry(edge, (mx, my), (hx, hy, hw, hh))
    # long enough to see, but never into the face: at most to the head's edge
    reach = max(clear, min(size * 1.1, touch), size * 0.4)
    ux, uy = (mx - edge[0]) / distance, (my - edge[1]) / distance

    def tip_at(reach: float) -> Point:
        reach = min(reach, distance * 0.92)
        return (min(max(edge[0] + ux * reach, 1), panel.width - 1),
                min(max(edge[1] + uy * reach, 1), panel.height - 1))

    tip = tip_at(min(reach, max(rx, ry) * 1.8))
    if _on_someone_else(tip, speaker, panel):
        # a balloon placed far from its speaker ([bottom_right] across the panel): a tail
        # cut short would end on the wrong person, so it runs on to the speaker's head
        tip = tip_at(max(reach, clear))
    if kind == LineKind.thought:
        return [(round(edge[0] + (tip[0] - edge[0]) * t, 1),
                 round(edge[1] + (tip[1] - edge[1]) * t, 1)) for t in (0.3, 0.62, 0.92)]
    radius = math.hypot(edge[0] - cx, edge[1] - cy)
    spread = min(max(size * 0.5 / radius, 0.07), 0.3)
    base = [(cx + rx * math.cos(angle + s), cy + ry * math.sin(angle + s))
            for s in (-spread, spread)]
    return [(round(p[0], 1), round(p[1], 1)) for p in (base[0], tip, base[1])]


def _on_someone_else(point: Point, speaker: Figure, panel: Panel) -> bool:
    """Does `point` lie on another figure of the panel (their head, or the body below it)?"""
    x, y = point
    others = [f.head for name, f in panel.figures.items() if name != speaker.character]
    for hx, hy, hw, hh in others:
        if hx - hw * 0.5 <= x <= hx + hw * 1.5 and hy <= y <= panel.height:
            return True
    return False


def _entry(p: Point, q: Point, box: Box) -> float:
    """How far along p-q (0..1) the segment stays outside `box`; 1 if it never enters."""
    for step in range(81):
        t = step / 80
        x, y = p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t
        if box[0] <= x <= box[0] + box[2] and box[1] <= y <= box[1] + box[3]:
            return max(0.0, (step - 1) / 80)
    return 1.0


def _splice(outline: list[Point], cx: float, cy: float, tail: list[Point]) -> list[Point]:
    """The balloon's outline with the tail joined in, as one shape."""
    def angle_of(p: Point) -> float:
        return math.atan2(p[1] - cy, p[0] - cx)

    start, end = angle_of(tail[0]), angle_of(tail[2])
    span = (end - start) % (2 * math.pi)
    kept = [p for p in outline if (angle_of(p) - start) % (2 * math.pi) > span]
    # rotate the kept points so they run from just after the tail round to just before it
    after = min(range(len(kept)), key=lambda i: (angle_of(kept[i]) - end) % (2 * math.pi))
    return tail + kept[after:] + kept[:after]

