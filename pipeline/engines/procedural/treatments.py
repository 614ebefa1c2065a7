"""Style DNA applied: the anchors' palette and tonal range, then the style's treatment.

The anchors are read once per style: their colour histograms, channel by channel.
Each panel's own histograms are matched to them (a colour transfer: the panel
takes the anchors' palette and their range of darks and lights); `guidance` sets
how hard the anchors pull. Then the treatment: flat cel shading, ink lines,
halftone screentone, watercolour wash or noir, each a few whole-image operations
so that a panel is styled in milliseconds.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from ...format.model import StyleDNA, Treatment
from .palette import RGB, luminance, mix

STRENGTH = {"low": 0.35, "high": 0.7}
PAPER = (250, 246, 236)


@lru_cache(maxsize=32)
def anchor_tones(anchors: tuple[bytes, ...]) -> tuple[tuple[int, ...], tuple[RGB, ...]]:
    """The anchors' tonal range (a histogram of grey levels) and their palette as a
    ramp: the colour the anchors use at each grey level, darkest to lightest."""
    grey = [0] * 256
    sums = [[0, 0, 0, 0] for _ in range(256)]  # r, g, b, count per grey level
    for data in anchors:
        with Image.open(io.BytesIO(data)) as image:
            thumb = image.convert("RGB").resize((96, 72), Image.Resampling.BOX)
        raw = thumb.tobytes()
        for r, g, b in zip(raw[0::3], raw[1::3], raw[2::3]):
            level = (r * 299 + g * 587 + b * 114) // 1000
            grey[level] += 1
            cell = sums[level]
            cell[0] += r
            cell[1] += g
            cell[2] += b
            cell[3] += 1
    ramp = []
    for level in range(256):
        # the colour around this level, weighted by how much the anchors use it: a
        # smooth ramp, so that a sky does not turn into stripes of the anchors' colours
        near = [sums[i] for i in range(max(0, level - 24), min(256, level + 25)) if sums[i][3]]
        count = sum(c[3] for c in near)
        if count:
            r, g, b = (sum(c[k] for c in near) / count for k in range(3))
            ramp.append(mix((level, level, level), (round(r), round(g), round(b)),
                            min(1.0, count / 40)))
        else:
            ramp.append((level, level, level))
    return tuple(grey), tuple(ramp)


@lru_cache(maxsize=32)
def anchor_palette(anchors: tuple[bytes, ...], colours: int = 6) -> tuple[RGB, ...]:
    """The anchors' main colours, darkest first."""
    if not anchors:
        return ()
    thumbs = []
    for data in anchors:
        with Image.open(io.BytesIO(data)) as image:
            thumbs.append(image.convert("RGB").resize((48, 48), Image.Resampling.BILINEAR))
    sheet = Image.new("RGB", (48 * len(thumbs), 48))
    for i, thumb in enumerate(thumbs):
        sheet.paste(thumb, (48 * i, 0))
    quantized = sheet.quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
    flat = quantized.getpalette()[: colours * 3]
    found = [tuple(flat[i:i + 3]) for i in range(0, len(flat), 3)]
    return tuple(sorted(found, key=luminance))  # type: ignore[arg-type]


def _cdf(counts: list[int] | tuple[int, ...]) -> list[float]:
    total = sum(counts) or 1
    running, out = 0, []
    for c in counts:
        running += c
        out.append(running / total)
    return out


def _smooth(values: list[float], radius: int) -> list[float]:
    out = []
    for i in range(len(values)):
        window = values[max(0, i - radius):i + radius + 1]
        out.append(sum(window) / len(window))
    return out


def match_lut(source: list[int], target: tuple[int, ...], strength: float) -> list[int]:
    """A lookup table moving the grey levels of `source` toward `target`'s histogram.

    Both histograms are smoothed first and so is the curve: anchors drawn in a few
    flat tones must not turn a smooth sky into bands.
    """
    have = _cdf(_smooth(list(source), 8))
    want = _cdf(_smooth([c + 1 for c in target], 12))
    curve, j = [], 0
    for v in range(256):
        while j < 255 and want[j] < have[v]:
            j += 1
        curve.append(v + (j - v) * strength)
    return [min(255, max(0, round(c))) for c in _smooth(curve, 10)]


def transfer(image: Image.Image, anchors: tuple[bytes, ...], strength: float) -> Image.Image:
    """The anchors' tonal range, then their palette, applied to the panel.

    Tones: the panel's grey levels are matched to the anchors' (the same curve on
    every channel, so hues hold). Palette: each grey level is repainted in the
    colour the anchors use at that level, mixed in by `strength`.
    """
    if not anchors or strength <= 0:
        return image
    grey_levels, ramp = anchor_tones(anchors)
    curve = match_lut(ImageOps.grayscale(image.reduce(8)).histogram(), grey_levels, strength)
    toned = image.point(curve * 3)
    grey = ImageOps.grayscale(toned)
    mapped = Image.merge("RGB", [grey.point([c[i] for c in ramp]) for i in range(3)])
    return Image.blend(toned, mapped, strength)


def apply_style(image: Image.Image, style: StyleDNA | None, anchors: tuple[bytes, ...],
                seed: int) -> Image.Image:
    """The style's look: the anchors' colours and tones, then its treatment."""
    if style is None:
        return image
    image = transfer(image, anchors, STRENGTH[style.guidance])
    palette = anchor_palette(anchors)
    treatment = style.treatment
    if treatment == Treatment.flat:
        return _flat(image)
    if treatment == Treatment.ink:
        return _ink(image)
    if treatment == Treatment.halftone:
        return _halftone(image)
    if treatment == Treatment.watercolour:
        return _watercolour(image)
    return _noir(image, palette)


def _lines(image: Image.Image, threshold: int = 40, thick: bool = False) -> Image.Image:
    """Dark outlines where the picture has edges (L: 0 on a line, 255 elsewhere)."""
    edges = ImageOps.grayscale(image).filter(ImageFilter.FIND_EDGES)
    lines = edges.point(lambda v: 0 if v > threshold else 255)
    return lines.filter(ImageFilter.MinFilter(3)) if thick else lines


def _flat(image: Image.Image) -> Image.Image:
    """Cel shading: colours in a few flat steps, outlined."""
    steps = image.point(lambda v: min(255, (v + 24) // 48 * 48 + 8))
    return ImageChops.multiply(steps, _lines(image, 48).convert("RGB"))


@lru_cache(maxsize=8)
def _hatching(size: tuple[int, int], spacing: int) -> Image.Image:
    """Diagonal pen strokes over the whole panel (L: 0 on a stroke)."""
    w, h = size
    hatch = Image.new("L", size, 255)
    draw = ImageDraw.Draw(hatch)
    for x in range(-h, w, spacing):
        draw.line([(x, h), (x + h, 0)], fill=0, width=1)
    return hatch


def _ink(image: Image.Image) -> Image.Image:
    """Ink lines and hatched shadows over light flat colour, as on a printed page."""
    flat = Image.blend(image, Image.new("RGB", image.size, PAPER), 0.3)
    gray = ImageOps.grayscale(image)
    shadow = gray.point(lambda v: 255 if v < 70 else 0)
    strokes = ImageChops.lighter(_hatching(image.size, max(5, image.width // 150)),
                                 ImageChops.invert(shadow))
    inked = ImageChops.multiply(flat, _lines(image, 30, thick=True).convert("RGB"))
    return ImageChops.multiply(inked, strokes.convert("RGB"))


@lru_cache(maxsize=16)
def _screen(size: tuple[int, int], cell: int) -> Image.Image:
    """A halftone threshold screen: radial dots on a `cell` px grid."""
    tile = Image.radial_gradient("L").resize((cell, cell), Image.Resampling.BILINEAR)
    row = Image.new("L", (size[0], cell))
    for x in range(0, size[0], cell):
        row.paste(tile, (x, 0))
    screen = Image.new("L", size)
    for y in range(0, size[1], cell):
        screen.paste(row, (0, y))
    return screen


def _halftone(image: Image.Image) -> Image.Image:
    """Screentone: tones become dots (bigger where darker), flat colour under them."""
    cell = max(6, image.width // 140)
    gray = ImageOps.grayscale(image)
    dots = ImageChops.subtract(_screen(image.size, cell), gray).point(lambda v: 0 if v > 0
                                                                    else 255)
    lightened = Image.blend(image, Image.new("RGB", image.size, PAPER), 0.45)
    toned = ImageChops.multiply(lightened, dots.convert("RGB"))
    return ImageChops.multiply(toned, _lines(image, 36).convert("RGB"))


def _watercolour(image: Image.Image) -> Image.Image:
    """Soft transparent washes, pigment pooling along the edges, and the pencil
    drawing showing faintly through. (No paper grain: noise would make every panel
    several times slower to encode and larger to download.)"""
    w, h = image.size
    wash = image.reduce(4).filter(ImageFilter.BoxBlur(1)).resize((w, h),
                                                                Image.Resampling.BILINEAR)
    wash = Image.blend(wash, Image.new("RGB", (w, h), PAPER), 0.22)
    pencil = ImageOps.grayscale(image).filter(ImageFilter.FIND_EDGES).point(
        lambda v: 255 - min(v, 90))
    return ImageChops.multiply(wash, pencil.convert("RGB"))


def _noir(image: Image.Image, palette: tuple[RGB, ...]) -> Image.Image:
    """Hard black and white; only what glows keeps a spot of colour."""
    gray = ImageOps.autocontrast(ImageOps.grayscale(image), cutoff=4)
    crushed = gray.point(lambda v: 0 if v < 80 else (118 if v < 160 else 236))
    noir = ImageOps.colorize(crushed, black=(8, 8, 10), white=(240, 238, 232),
                             mid=(110, 110, 116))
    warm = [c for c in palette if c[0] - c[2] > 40]
    spot = max(warm, key=luminance) if warm else (232, 178, 80)
    r, g, b = image.split()
    glowing = ImageChops.subtract(r, b).point(lambda v: 255 if v > 70 else 0)
    glowing = ImageChops.multiply(glowing, gray.point(lambda v: 255 if v > 150 else 0))
    return Image.composite(Image.new("RGB", image.size, spot), noir, glowing)


def frame(image: Image.Image) -> Image.Image:
    """A hairline keyline: keeps the panel's edge crisp on any page colour."""
    ImageDraw.Draw(image).rectangle([0, 0, image.width - 1, image.height - 1],
                                    outline=(20, 20, 20), width=1)
    return image
