"""Stage 7, letter: balloon geometry for every panel, computed once from its words.

Text is broken into lines and sized with the lettering font so it stays inside
its shape; balloons are placed in the order they are spoken, following the
reading direction, off the faces where there is room, with tails toward the
speaker's mouth as the art stage placed it (stopping short of the face, never
across another balloon). A line the writer placed ([top_left], [over han]) goes in
that region when it fits there (`hints.py`). The site draws this geometry as SVG and
the composer bakes the same geometry into raster pages (`draw.py`). A balloon's shape
and outline are `shapes.py`'s; its candidate spots and their scores `spots.py`'s.
"""

from __future__ import annotations

import math

from ..format.model import LetteringConfig, LineKind
from ..specs import Balloon, Box, Figure, LetteredPanel, Misplaced, NodeLine, PanelArt, PanelSpec
from .fonts import LetteringFont, breaks, wrap
from .hints import Region, hinted
from .shapes import LEADING, PAD, Shape, balloon
from .spots import Panel, on_face, rate, reads_after, spots_for, stack

__all__ = ["LEADING", "letter", "letter_panel", "reads_after"]

SHOUT_SCALE = 1.15  # shouted words are lettered bigger
SFX_SHARE = 0.13  # a sound effect's letters: this share of the panel's shorter side
MAX_EMS = 19  # the widest line a balloon holds, in ems: longer lines do not read well
TALLEST = 0.9  # a placed balloon of several lines is at most this tall for its width
PULL = 1.5  # a placed balloon keeps to its corner or side over the speaker's head: per pixel


def letter_panel(spec: PanelSpec, art: PanelArt | None, font: LetteringFont,
                 config: LetteringConfig) -> LetteredPanel:
    """Balloons for one panel, in slot coordinates (page pixels)."""
    _, _, slot_w, slot_h = spec.box if spec.box[2] else (0, 0, spec.width, spec.height)
    # The art covers its slot, centred, as the page (ImageOps.fit) and the reader (CSS
    # object-fit: cover) both draw it: scaled to fill, the overflow cropped on each side.
    art_w, art_h = (art.width, art.height) if art and art.width else (spec.width, spec.height)
    scale = max(slot_w / art_w, slot_h / art_h)
    crop = ((art_w * scale - slot_w) / 2, (art_h * scale - slot_h) / 2)
    panel = Panel(slot_w, slot_h, spec.rtl,
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
                faces_ok: bool = False) -> tuple[Shape, Box] | None:
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
            shape = Shape.around(said.kind, lines, [face.getlength(t) for t in lines],
                                  config.min_size, panel.voice(said))
            found = (shape, stack(shape, [b.box for b in placed], panel))
        shape, box = found
        placed.append(balloon(said, text, shape, box, panel.speaker(said), order, face_index,
                               panel))
    return LetteredPanel(panel=spec.id, balloons=placed, overflow=overflow, misplaced=misplaced)



def _scaled(figure: Figure, scale: float, crop: tuple[float, float] = (0.0, 0.0)) -> Figure:
    """A figure from art pixels to slot pixels: scaled, then shifted by the crop."""
    x, y, w, h = figure.head
    dx, dy = crop
    return figure.model_copy(update={"head": (x * scale - dx, y * scale - dy, w * scale,
                                              h * scale),
                                     "mouth": (figure.mouth[0] * scale - dx,
                                               figure.mouth[1] * scale - dy)})



def _letter_one(said: NodeLine, text: str, order: int, count: int, font: LetteringFont,
                face_index: int, config: LetteringConfig, panel: Panel,
                placed: list[Balloon], region: Region | None = None,
                faces_ok: bool = False, broken: dict | None = None
                ) -> tuple[Shape, Box] | None:
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
    best: tuple[float, Shape, Box] | None = None
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
            shape = Shape.around(kind, lines, widths, size, panel.voice(said))
            if max(widths) > max_w + 1 or shape.w > panel.width - 2 * panel.margin or \
                    shape.h > panel.height * (0.7 if kind == LineKind.sfx else 0.6):
                continue
            spots = spots_for(shape, said, panel)
            if region is not None:
                if shape.w > region.widest() + 0.5 or shape.h > region.tallest() + 0.5 or \
                        (len(lines) > 1 and shape.h > shape.w * TALLEST):
                    continue  # squeezed into a column, the words would not read
                spots = [b for b in region.spots(shape.w, shape.h) + spots if region.holds(b)
                         and (faces_ok or not on_face(b, speaker, panel))]
            # a balloon about twice as wide as tall reads best
            aspect = abs(math.log(shape.w / shape.h / 2.0)) * 60
            if len(widths) > 1 and widths[-1] < max(widths) * 0.4:
                aspect += 120  # a lone short last line (a widow) looks lost
            for box in spots:
                scored = rate(box, shape, said, order, count, panel, placed, region is None)
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



def letter(panels: list[PanelSpec], art: dict[str, PanelArt], font: LetteringFont,
           config: LetteringConfig) -> dict[str, LetteredPanel]:
    """Every panel's balloons; art gives the speakers' positions (none when checking)."""
    return {spec.id: letter_panel(spec, art.get(spec.id), font, config) for spec in panels}
