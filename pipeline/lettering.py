"""Stage 7, letter: balloon geometry for every panel, computed once from its words.

Text is broken into lines and sized with the lettering font so it stays inside
its shape; balloons are placed in the order they are spoken, following the
reading direction, off the faces where there is room, with tails toward the
speaker's mouth as the art stage placed it. The site draws this geometry as SVG
and the composer bakes the same geometry into raster pages.
"""

from __future__ import annotations

import math

from .fonts import LetteringFont
from .model import LetteringConfig, LineKind
from .specs import Balloon, Box, Figure, LetteredPanel, PanelArt, PanelSpec, Point

PAD = 0.35  # padding inside a balloon, in ems
SFX_SCALE = 2.0


def _unspaced(text: str) -> bool:
    """Scripts written without spaces (Chinese, Japanese) break between characters."""
    return " " not in text.strip() and any(ord(c) >= 0x2E80 for c in text)


def wrap(text: str, font, width: float) -> list[str]:
    """Greedy line breaks at spaces (or between characters for unspaced scripts)."""
    words = list(text.strip()) if _unspaced(text) else text.split()
    joiner = "" if _unspaced(text) else " "
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current}{joiner}{word}" if current else word
        if current and font.getlength(trial) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines or [""]


def _fit_text(text: str, font: LetteringFont, size: float, max_w: float, fallback: bool
              ) -> tuple[list[str], float]:
    """Lines broken for a pleasing balloon: try widths, prefer a shape ~2:1 wide."""
    face = font.at(size, fallback)
    full = face.getlength(text)
    best: tuple[float, list[str], float] | None = None
    for fraction in (0.35, 0.45, 0.55, 0.7, 0.85, 1.0):
        width = max(size * 4, min(max_w, full * fraction + 1, max_w))
        lines = wrap(text, face, width)
        widest = max(face.getlength(line) for line in lines)
        height = len(lines) * size * 1.2
        score = abs(math.log((widest + 1) / (height + 1) / 2.2)) + (
            10 if widest > max_w else 0)
        if best is None or score < best[0]:
            best = (score, lines, widest)
    return best[1], best[2]


def _ellipse(cx: float, cy: float, rx: float, ry: float, points: int = 48) -> list[Point]:
    return [(round(cx + rx * math.cos(2 * math.pi * i / points), 1),
             round(cy + ry * math.sin(2 * math.pi * i / points), 1)) for i in range(points)]


def _burst(cx: float, cy: float, rx: float, ry: float) -> list[Point]:
    out = []
    spikes = 18
    for i in range(spikes * 2):
        a = math.pi * i / spikes
        k = 1.18 if i % 2 == 0 else 0.96
        out.append((round(cx + rx * k * math.cos(a), 1), round(cy + ry * k * math.sin(a), 1)))
    return out


def _cloud(cx: float, cy: float, rx: float, ry: float) -> list[Point]:
    out = []
    for i in range(96):
        a = 2 * math.pi * i / 96
        k = 1.0 + 0.07 * abs(math.sin(a * 7))
        out.append((round(cx + rx * k * math.cos(a), 1), round(cy + ry * k * math.sin(a), 1)))
    return out


def _overlap(a: Box, b: Box) -> float:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h)


class _Shape:
    def __init__(self, kind: LineKind, lines: list[str], widest: float, size: float):
        self.kind, self.lines, self.size = kind, lines, size
        self.line_height = size * 1.2
        text_h = len(lines) * self.line_height
        pad = size * PAD
        if kind == LineKind.caption:
            self.w, self.h = widest + 2 * pad + size * 0.4, text_h + 2 * pad
        elif kind == LineKind.sfx:
            self.w, self.h = widest + pad, text_h + pad
        else:
            # the ellipse that holds the text block: its box is the block times sqrt(2)
            self.w = (widest + 2 * pad) * 1.3 + size * 0.6
            self.h = (text_h + 2 * pad) * 1.3 + size * 0.3


def letter_panel(spec: PanelSpec, art: PanelArt | None, font: LetteringFont,
                 config: LetteringConfig) -> LetteredPanel:
    """Balloons for one panel, in slot coordinates."""
    _, _, slot_w, slot_h = spec.box if spec.box[2] else (0, 0, spec.width, spec.height)
    scale = slot_w / spec.width
    figures = {f.character: _scaled(f, scale) for f in (art.figures if art else [])}
    faces = [f.head for f in figures.values()]
    margin = min(slot_w, slot_h) * 0.03
    placed: list[Balloon] = []
    overflow: list[str] = []
    for order, said in enumerate(spec.lines):
        text = said.text.upper() if config.case == "upper" or said.kind == LineKind.sfx \
            else said.text
        fallback = bool(font.choose(text))
        shape, box = None, None
        size = float(config.size) * (SFX_SCALE if said.kind == LineKind.sfx else 1.0)
        floor = config.min_size * (SFX_SCALE if said.kind == LineKind.sfx else 1.0)
        speaker = figures.get(said.speaker or "")
        taken = [b.box for b in placed]
        while size >= floor:
            max_w = slot_w * (0.9 if said.kind == LineKind.caption else 0.62) - 2 * size
            lines, widest = _fit_text(text, font, size, max_w, fallback)
            candidate = _Shape(said.kind, lines, widest, size)
            if candidate.w <= slot_w - 2 * margin and candidate.h <= slot_h * 0.6 and \
                    widest <= max_w + 1:
                # it fits the panel; does it fit beside the balloons already placed?
                box = _place(candidate, said.kind, speaker, faces, taken, slot_w, slot_h,
                             margin, spec.rtl, order)
                if box is not None:
                    shape = candidate
                    break
            size -= 2
        if shape is None or box is None:
            # drawn anyway, at the minimum size, and reported by `check`
            overflow.append(said.text)
            shape = candidate
            box = _stack(shape, taken, slot_w, slot_h, margin)
        placed.append(_balloon(said, text, shape, box, figures.get(said.speaker or ""), order,
                               fallback))
    return LetteredPanel(panel=spec.id, balloons=placed, overflow=overflow)


def _scaled(figure: Figure, scale: float) -> Figure:
    x, y, w, h = figure.head
    return figure.model_copy(update={"head": (x * scale, y * scale, w * scale, h * scale),
                                     "mouth": (figure.mouth[0] * scale,
                                               figure.mouth[1] * scale)})


def _place(shape: _Shape, kind: LineKind, speaker: Figure | None, faces: list[Box],
           taken: list[Box], width: float, height: float, margin: float, rtl: bool,
           order: int) -> Box | None:
    """The best free spot: reading order first, near its speaker, off faces."""
    w, h = shape.w, shape.h
    best: tuple[float, Box] | None = None
    steps = 9
    last = taken[-1] if taken else None
    for row in range(steps):
        for col in range(steps):
            x = margin + (width - 2 * margin - w) * col / (steps - 1)
            y = margin + (height - 2 * margin - h) * row / (steps - 1)
            if width - 2 * margin < w:
                x = (width - w) / 2
            box = (x, y, w, h)
            if any(_overlap(box, other) > 0 for other in taken):
                continue
            reading_x = (width - x - w) if rtl else x  # distance from where the eye starts
            score = y * 1.2 + reading_x * 0.5
            score += sum(_overlap(box, face) for face in faces) / max(w * h, 1) * width * 3
            if kind == LineKind.sfx:
                score = -y * 0.2 + sum(_overlap(box, f) for f in faces) / max(w * h, 1) * width
            if speaker is not None:
                sx = speaker.head[0] + speaker.head[2] / 2
                score += abs(x + w / 2 - sx) * 0.8
            if last is not None and kind != LineKind.sfx:
                # later balloons read after earlier ones: below, or across in reading order
                after = (y >= last[1] + last[3] * 0.5) or (
                    (x >= last[0] + last[2] * 0.6) if not rtl else (x + w <= last[0] + last[2] * 0.4))
                score += 0 if after else width * 2
            if best is None or score < best[0]:
                best = (score, box)
    return best[1] if best is not None else None


def _stack(shape: _Shape, taken: list[Box], width: float, height: float,
           margin: float) -> Box:
    """Where a balloon goes when there is no free spot: below the last, in the panel."""
    last = taken[-1] if taken else None
    y = min(height - shape.h - margin, (last[1] + last[3] + margin) if last else margin)
    return ((width - shape.w) / 2, max(margin, y), shape.w, shape.h)


def _balloon(said, text: str, shape: _Shape, box: Box, speaker: Figure | None, order: int,
             fallback: bool) -> Balloon:
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    text_h = len(shape.lines) * shape.line_height
    first_baseline = cy - text_h / 2 + shape.size * 0.95
    kind = shape.kind
    if kind == LineKind.caption:
        outline = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    elif kind == LineKind.sfx:
        outline = []
    elif kind == LineKind.shout:
        outline = _burst(cx, cy, w / 2, h / 2)
    elif kind == LineKind.thought:
        outline = _cloud(cx, cy, w / 2, h / 2)
    else:
        outline = _ellipse(cx, cy, w / 2, h / 2)
    tail = _tail(kind, cx, cy, w / 2, h / 2, speaker) if speaker else []
    if tail and kind != LineKind.thought:
        outline = _splice(outline, cx, cy, tail)
    return Balloon(kind=kind, text=text, speaker=said.speaker, box=box,
                   outline=[(round(a, 1), round(b, 1)) for a, b in outline],
                   lines=shape.lines, font_size=shape.size, line_height=shape.line_height,
                   text_origin=(round(cx, 1), round(first_baseline, 1)),
                   tail=tail, order=order, fallback=fallback)


TAIL_SPREAD = 0.2  # half the tail's base, in radians around the balloon


def _tail(kind: LineKind, cx: float, cy: float, rx: float, ry: float, speaker: Figure
          ) -> list[Point]:
    """Base, tip, base of a tail toward the speaker's mouth (bubbles for a thought)."""
    if kind in (LineKind.caption, LineKind.sfx):
        return []
    mx, my = speaker.mouth
    angle = math.atan2((my - cy) / ry, (mx - cx) / rx)
    edge = (cx + rx * math.cos(angle), cy + ry * math.sin(angle))
    toward = math.atan2(my - edge[1], mx - edge[0])
    distance = math.hypot(mx - edge[0], my - edge[1])
    reach = max(min(distance * 0.7, max(rx, ry) * 1.3), min(rx, ry) * 0.5)
    tip = (edge[0] + math.cos(toward) * reach, edge[1] + math.sin(toward) * reach)
    if kind == LineKind.thought:
        return [(round(edge[0] + (tip[0] - edge[0]) * t, 1),
                 round(edge[1] + (tip[1] - edge[1]) * t, 1)) for t in (0.3, 0.6, 0.9)]
    base = [(cx + rx * math.cos(angle + s), cy + ry * math.sin(angle + s))
            for s in (-TAIL_SPREAD, TAIL_SPREAD)]
    return [(round(p[0], 1), round(p[1], 1)) for p in (base[0], tip, base[1])]


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
    return {spec.id: letter_panel(spec, art.get(spec.id), font, config) for spec in panels}
