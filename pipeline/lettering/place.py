"""Stage 7, letter: balloon geometry for every panel, computed once from its words.

Text is broken into lines and sized with the lettering font so it stays inside
its shape; balloons are placed in the order they are spoken, following the
reading direction, off the faces where there is room, with tails toward the
speaker's mouth as the art stage placed it (stopping short of the face, never
across another balloon). A line the writer placed ([top_left], [over han]) goes in
that region when it fits there (`hints.py`). The site draws this geometry as SVG and
the composer bakes the same geometry into raster pages (`balloons.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..format.model import LetteringConfig, LineKind
from ..specs import (Balloon, Box, Figure, LetteredPanel, Misplaced, NodeLine, PanelArt, PanelSpec,
                     Point)
from .fonts import LetteringFont, breaks, wrap
from .heard import CHAMFER, nearest_edge, off_tail, squared
from .hints import Region, hinted

PAD = 0.45  # room around the text inside its shape, in ems
LEADING = 1.2  # line height, in ems
SHOUT_SCALE = 1.15  # shouted words are lettered bigger
SFX_SHARE = 0.13  # a sound effect's letters: this share of the panel's shorter side
SFX_TILT = 7.0  # degrees a sound effect leans, one way or the other: it breaks the grid
MAX_EMS = 19  # the widest line a balloon holds, in ems: longer lines do not read well
# A burst's spikes and a cloud's puffs reach OUTER times its radius, its valleys INNER
# times the box's half-size: the text stays within the valleys, the shape within the box.
OUTER = {LineKind.shout: 1.2, LineKind.thought: 1.08}
INNER = {LineKind.shout: 0.95 / 1.2, LineKind.thought: 1 / 1.08}
OFF_GAP = 1.6  # a heard speaker's balloon sits this many ems from the edge its tail meets
TALLEST = 0.9  # a placed balloon of several lines is at most this tall for its width
PULL = 1.5  # a placed balloon keeps to its corner or side over the speaker's head: per pixel


@dataclass
class _Shape:
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
               voice: bool = False) -> _Shape:
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
            # the box holds the letters tilted (see `_balloon`)
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


@dataclass
class _Panel:
    """What placement needs to know about the panel: its size and who is where."""

    width: float
    height: float
    rtl: bool
    figures: dict[str, Figure]
    margin: float
    heard: frozenset[str] = frozenset()  # speakers not drawn: their tails point off panel
    voices: frozenset[str] = frozenset()  # speakers who are voices: their own balloon

    def off(self, said: NodeLine) -> bool:
        """Whether the line is heard, not seen: its tail ends on the panel's edge."""
        return bool(said.speaker) and said.kind not in (LineKind.caption, LineKind.sfx) and (
            bool(said.off) or said.speaker in self.heard)

    def speaker(self, said: NodeLine) -> Figure | None:
        """The figure the line's tail points at: none for a line heard, not seen."""
        return None if self.off(said) else self.figures.get(said.speaker or "")

    def voice(self, said: NodeLine) -> bool:
        """Whether the line is lettered in a voice's box (a voice's thought stays a cloud)."""
        return said.speaker in self.voices and said.kind not in (LineKind.sfx, LineKind.thought)

    @property
    def heads(self) -> list[Box]:
        return [f.head for f in self.figures.values()]

    @property
    def bodies(self) -> list[Box]:
        out = []
        for f in self.figures.values():
            x, y, w, h = f.head
            out.append((x - w * 0.5, y + h, w * 2, max(0.0, self.height - y - h)))
        return out


def letter_panel(spec: PanelSpec, art: PanelArt | None, font: LetteringFont,
                 config: LetteringConfig) -> LetteredPanel:
    """Balloons for one panel, in slot coordinates (page pixels)."""
    _, _, slot_w, slot_h = spec.box if spec.box[2] else (0, 0, spec.width, spec.height)
    # The art covers its slot, centred, as the page (ImageOps.fit) and the reader (CSS
    # object-fit: cover) both draw it: scaled to fill, the overflow cropped on each side.
    art_w, art_h = (art.width, art.height) if art and art.width else (spec.width, spec.height)
    scale = max(slot_w / art_w, slot_h / art_h)
    crop = ((art_w * scale - slot_w) / 2, (art_h * scale - slot_h) / 2)
    panel = _Panel(slot_w, slot_h, spec.rtl,
                   {f.character: _scaled(f, scale, crop) for f in (art.figures if art else [])},
                   min(slot_w, slot_h) * 0.025, frozenset(spec.heard), frozenset(spec.voices))
    placed: list[Balloon] = []
    overflow: list[str] = []
    misplaced: list[Misplaced] = []
    for order, said in enumerate(spec.lines):
        text = said.text.upper() if config.case == "upper" or said.kind == LineKind.sfx \
            else said.text
        face_index = font.choose(text)
        broken: dict = {}  # a hint tries several regions: the line breaks are measured once

        def fit(region: Region | None = None, taken: list[Balloon] = placed,
                faces_ok: bool = False) -> tuple[_Shape, Box] | None:
            return _letter_one(said, text, order, len(spec.lines), font,  # noqa: B023
                               face_index, config, panel, taken, region, faces_ok,  # noqa: B023
                               broken)  # noqa: B023

        found, miss = hinted(said, order, spec, panel, art is not None, fit)
        if miss is not None:
            misplaced.append(miss)
        if found is None:
            found = fit()
        if found is None:
            # drawn anyway, at the minimum size, and reported by `check`
            overflow.append(said.text)
            face = font.at(config.min_size, face_index)
            lines = wrap(text, face, max(slot_w * 0.8, config.min_size * 4))
            shape = _Shape.around(said.kind, lines, [face.getlength(t) for t in lines],
                                  config.min_size, panel.voice(said))
            found = (shape, _stack(shape, [b.box for b in placed], panel))
        shape, box = found
        placed.append(_balloon(said, text, shape, box, panel.speaker(said), order, face_index,
                               panel))
    return LetteredPanel(panel=spec.id, balloons=placed, overflow=overflow, misplaced=misplaced)


def _scaled(figure: Figure, scale: float, crop: Point = (0.0, 0.0)) -> Figure:
    """A figure from art pixels to slot pixels: scaled, then shifted by the crop."""
    x, y, w, h = figure.head
    dx, dy = crop
    return figure.model_copy(update={"head": (x * scale - dx, y * scale - dy, w * scale,
                                              h * scale),
                                     "mouth": (figure.mouth[0] * scale - dx,
                                               figure.mouth[1] * scale - dy)})


def _letter_one(said: NodeLine, text: str, order: int, count: int, font: LetteringFont,
                face_index: int, config: LetteringConfig, panel: _Panel,
                placed: list[Balloon], region: Region | None = None,
                faces_ok: bool = False, broken: dict | None = None
                ) -> tuple[_Shape, Box] | None:
    """The best shape and place for one line: the biggest size that sits clean (off
    faces, in reading order, tail clear), shrinking a little for that, more only to fit.
    In a `region` (a writer's hint) it shrinks only a little, keeps off faces and its
    tail (off the speaker's mouth), unless `faces_ok`, and may come out of reading order."""
    kind = said.kind
    if kind == LineKind.sfx:
        size = min(max(min(panel.width, panel.height) * SFX_SHARE, config.size * 1.6),
                   config.size * 4.5)
        floor = config.min_size * 1.6
    else:
        size = config.size * (SHOUT_SCALE if kind == LineKind.shout else 1.0)
        floor = float(config.min_size)
    clean_floor = max(floor, size * 0.8)
    best: tuple[float, _Shape, Box] | None = None
    speaker = panel.speaker(said)
    while size >= (clean_floor if region else floor) - 1e-6:
        face = font.at(size, face_index)
        share = 0.92 if kind in (LineKind.caption, LineKind.sfx) else 0.7
        room = panel.width * share - 2 * panel.margin
        if region is not None:
            room = min(room, region.widest())
        max_w = min(room - 2 * size * PAD, size * MAX_EMS if kind != LineKind.sfx
                    else panel.width)
        clean = False
        key = (size, round(max(max_w, size * 2), 1))
        if broken is None or key not in broken:
            found = [(lines, [face.getlength(t) for t in lines])
                     for lines in breaks(text, face, key[1])]
            if broken is None:
                broken = {}
            broken[key] = found
        for lines, widths in broken[key]:
            shape = _Shape.around(kind, lines, widths, size, panel.voice(said))
            if max(widths) > max_w + 1 or shape.w > panel.width - 2 * panel.margin or \
                    shape.h > panel.height * (0.7 if kind == LineKind.sfx else 0.6):
                continue
            spots = _spots(shape, said, panel)
            if region is not None:
                if shape.w > region.widest() + 0.5 or shape.h > region.tallest() + 0.5 or \
                        (len(lines) > 1 and shape.h > shape.w * TALLEST):
                    continue  # squeezed into a column, the words would not read
                spots = [b for b in region.spots(shape.w, shape.h) + spots if region.holds(b)
                         and (faces_ok or not _on_face(b, speaker, panel))]
            # a balloon about twice as wide as tall reads best
            aspect = abs(math.log(shape.w / shape.h / 2.0)) * 60
            if len(widths) > 1 and widths[-1] < max(widths) * 0.4:
                aspect += 120  # a lone short last line (a widow) looks lost
            for box in spots:
                scored = _score(box, shape, said, order, count, panel, placed, region is None)
                if scored is None:
                    continue
                score, bad = scored
                clean = clean or bad < 500
                if region is not None:
                    score += region.pull(box) * PULL
                score += aspect + (config.size - size) * 15  # smaller reads worse
                if best is None or score < best[0]:
                    best = (score, shape, box)
        if clean or (best is not None and size <= clean_floor):
            break
        size -= 2
    return (best[1], best[2]) if best is not None else None


def _spots(shape: _Shape, said: NodeLine, panel: _Panel) -> list[Box]:
    """Candidate boxes: a grid over the panel, and the spots beside the speaker's head."""
    w, h, m = shape.w, shape.h, panel.margin
    span_x, span_y = panel.width - 2 * m - w, panel.height - 2 * m - h
    if span_x < -0.5 or span_y < -0.5:
        return []
    cols, rows = 13, 10
    spots = [(m + span_x * c / (cols - 1), m + span_y * r / (rows - 1))
             for r in range(rows) for c in range(cols)]
    if panel.off(said):
        # heard, not seen: near an edge, with room for a tail to reach it
        gap = max(m, shape.size * OFF_GAP)
        spots += [(gap, gap), (panel.width - w - gap, gap), ((panel.width - w) / 2, gap),
                  (gap, (panel.height - h) / 3), (panel.width - w - gap, (panel.height - h) / 3)]
    speaker = panel.speaker(said)
    if speaker is not None:
        hx, hy, hw, hh = speaker.head
        gap = shape.size * 0.4
        spots += [(hx + hw / 2 - w / 2, hy - h - gap), (hx - w - gap, hy - h * 0.3),
                  (hx + hw + gap, hy - h * 0.3), (hx - w * 0.7, hy - h - gap),
                  (hx + hw - w * 0.3, hy - h - gap)]
    return [(min(max(x, m), m + max(span_x, 0)), min(max(y, m), m + max(span_y, 0)), w, h)
            for x, y in spots]


def _overlap(a: Box, b: Box) -> float:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h)


def reads_after(a: Box, b: Box, rtl: bool = False) -> bool:
    """Whether a reader meets `b` after `a`: below it, or level and further along."""
    tol = 0.25 * min(a[3], b[3])
    if b[1] >= a[1] + a[3] - tol:
        return True
    along = (b[0] + b[2] / 2 < a[0] + a[2] / 2) if rtl else (b[0] + b[2] / 2 > a[0] + a[2] / 2)
    return b[1] >= a[1] - tol and along


def _crosses(p: Point, q: Point, box: Box) -> bool:
    """Whether the segment p-q passes through `box` (Liang-Barsky clipping)."""
    x, y, w, h = box
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for edge_p, edge_q in ((-dx, p[0] - x), (dx, x + w - p[0]), (-dy, p[1] - y),
                           (dy, y + h - p[1])):
        if edge_p == 0:
            if edge_q < 0:
                return False
            continue
        t = edge_q / edge_p
        if edge_p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def _on_face(box: Box, speaker: Figure | None, panel: _Panel) -> bool:
    """Whether the box covers a fifth of a face (brows to chin, as `covered_faces` warns),
    or its ellipse the speaker's mouth, so no tail could point there."""
    x, y, w, h = box
    if speaker is not None:
        mx, my = speaker.mouth
        if ((mx - x - w / 2) / (w / 2)) ** 2 + ((my - y - h / 2) / (h / 2)) ** 2 <= 1:
            return True
    return any(_overlap(box, (hx, hy + hh * 0.25, hw, hh * 0.75)) > 0.2 * hw * hh
               for hx, hy, hw, hh in panel.heads)


def _score(box: Box, shape: _Shape, said: NodeLine, order: int, count: int, panel: _Panel,
           placed: list[Balloon], in_order: bool = True) -> tuple[float, float] | None:
    """How well a box reads (lower is better) and the part of that owed to faults
    (covering faces, out of reading order, tails crossing); None where it may not go.
    A balloon the writer placed (`in_order` false) may come before one it follows."""
    x, y, w, h = box
    gap = shape.size * 0.25
    grown = (x - gap, y - gap, w + 2 * gap, h + 2 * gap)
    if any(_overlap(grown, b.box) > 0 for b in placed):
        return None
    area = max(w * h, 1.0)
    faces = [(hx, hy + hh * 0.25, hw, hh * 0.75) for hx, hy, hw, hh in panel.heads]
    bad = 4000 * sum(_overlap(box, f) for f in faces) / area
    score = 600 * sum(_overlap(box, head) for head in panel.heads) / area
    score += 250 * sum(_overlap(box, body) for body in panel.bodies) / area
    cx, cy = x + w / 2, y + h / 2
    if shape.kind == LineKind.sfx:
        # big letters beside the action, away from the middle where the subject is
        side = min(abs(cx - panel.width * 0.28), abs(cx - panel.width * 0.72))
        return score + bad + side * 0.3 + abs(cy - panel.height * 0.5) * 0.3, bad
    score += y * 0.35  # words sit high, out of the picture's way
    spoken = [b for b in placed if b.kind != LineKind.sfx]
    if in_order and any(not reads_after(b.box, box, panel.rtl) for b in spoken):
        bad += 5000
    speaker = panel.speaker(said)
    start_x = panel.width - x - w if panel.rtl else x
    if panel.off(said):
        # a short tail to the nearest edge: the balloon keeps a little way from it
        score += abs(nearest_edge(box, panel.width)[0] - shape.size * OFF_GAP) * 3.0
    if speaker is not None:
        hx, hy, hw, hh = speaker.head
        # best just above the head, or beside it at its top (unless the writer placed it)
        dx = max(0.0, abs(cx - (hx + hw / 2)) - hw * 0.3)
        dy = abs((y + h) - (hy - gap)) if y + h <= hy + hh * 0.4 else (y + h - hy) * 2
        score += (dx * 0.9 + dy * 0.6) * in_order
        mouth = speaker.mouth
        for other in placed:
            if _crosses((cx, cy), mouth, other.box):
                bad += 3000
        for name, head in ((n, f.head) for n, f in panel.figures.items()):
            if name != said.speaker and _crosses((cx, cy), mouth, head):
                score += 400
    elif shape.kind == LineKind.caption and order == count - 1 and order > 0:
        # a closing caption: the corner where the reading ends
        end_x = x if panel.rtl else panel.width - x - w
        score += end_x * 0.8 + (panel.height - y - h) * 1.2 - y * 0.35
    else:
        score += start_x * 0.8  # opening captions and off-panel voices: where reading starts
    for other in placed:
        if len(other.tail) >= 2 and _crosses(other.tail[0], other.tail[1], box):
            bad += 3000
    return score + bad, bad


def _stack(shape: _Shape, taken: list[Box], panel: _Panel) -> Box:
    """Where a balloon goes when there is no free spot: below the last, in the panel."""
    last = taken[-1] if taken else None
    y = min(panel.height - shape.h - panel.margin,
            (last[1] + last[3] + panel.margin) if last else panel.margin)
    return ((panel.width - shape.w) / 2, max(panel.margin, y), shape.w, shape.h)


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


def _balloon(said: NodeLine, text: str, shape: _Shape, box: Box, speaker: Figure | None,
             order: int, face_index: int, panel: _Panel) -> Balloon:
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
          size: float, panel: _Panel) -> list[Point]:
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
    reach = min(reach, max(rx, ry) * 1.8, distance * 0.92)
    ux, uy = (mx - edge[0]) / distance, (my - edge[1]) / distance
    tip = (min(max(edge[0] + ux * reach, 1), panel.width - 1),
           min(max(edge[1] + uy * reach, 1), panel.height - 1))
    if kind == LineKind.thought:
        return [(round(edge[0] + (tip[0] - edge[0]) * t, 1),
                 round(edge[1] + (tip[1] - edge[1]) * t, 1)) for t in (0.3, 0.62, 0.92)]
    radius = math.hypot(edge[0] - cx, edge[1] - cy)
    spread = min(max(size * 0.5 / radius, 0.07), 0.3)
    base = [(cx + rx * math.cos(angle + s), cy + ry * math.sin(angle + s))
            for s in (-spread, spread)]
    return [(round(p[0], 1), round(p[1], 1)) for p in (base[0], tip, base[1])]


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


def letter(panels: list[PanelSpec], art: dict[str, PanelArt], font: LetteringFont,
           config: LetteringConfig) -> dict[str, LetteredPanel]:
    """Every panel's balloons; art gives the speakers' positions (none when checking)."""
    return {spec.id: letter_panel(spec, art.get(spec.id), font, config) for spec in panels}
