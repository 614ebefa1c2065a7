"""Style DNA applied: the anchors' palette and tonal range, then the style's treatment.

The anchors are reduced to a handful of colours once per style; each panel is
gradient-mapped toward them (how hard depends on `guidance`) and finished with
the treatment: flat cel shading, ink lines, halftone screentone, watercolour
wash or noir.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from ...model import StyleDNA, Treatment
from .palette import RGB, luminance

STRENGTH = {"low": 0.3, "high": 0.6}


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


@lru_cache(maxsize=64)
def _palette_image(palette: tuple[RGB, ...]) -> Image.Image:
    image = Image.new("P", (1, 1))
    flat = [v for colour in palette for v in colour]
    image.putpalette(flat + flat[-3:] * (256 - len(palette)))
    return image


@lru_cache(maxsize=16)
def _screen(size: tuple[int, int], cell: int) -> Image.Image:
    """A halftone threshold screen: radial dots on a `cell` px grid."""
    tile = Image.radial_gradient("L").resize((cell, cell), Image.Resampling.BILINEAR)
    screen = Image.new("L", size)
    for y in range(0, size[1], cell):
        for x in range(0, size[0], cell):
            screen.paste(tile, (x, y))
    return screen


def apply_style(image: Image.Image, style: StyleDNA | None, anchors: tuple[bytes, ...],
                seed: int) -> Image.Image:
    if style is None:
        return image
    palette = anchor_palette(anchors)
    if palette:
        gray = ImageOps.grayscale(image)
        mapped = ImageOps.colorize(gray, black=palette[0], white=palette[-1],
                                   mid=palette[len(palette) // 2])
        image = Image.blend(image, mapped, STRENGTH[style.guidance])
    treatment = style.treatment
    if treatment == Treatment.flat:
        return _flat(image, palette)
    if treatment == Treatment.ink:
        return _ink(_flat(image, palette))
    if treatment == Treatment.halftone:
        return _halftone(image)
    if treatment == Treatment.watercolour:
        return _watercolour(image, seed)
    return _noir(image, palette)


def _flat(image: Image.Image, palette: tuple[RGB, ...]) -> Image.Image:
    posterized = ImageOps.posterize(image, 3)
    if len(palette) >= 4:
        pal = _palette_image(palette)
        snapped = image.quantize(palette=pal, dither=Image.Dither.NONE).convert("RGB")
        return Image.blend(posterized, snapped, 0.35)
    return posterized


def _lines(image: Image.Image, threshold: int = 28) -> Image.Image:
    """Dark outlines where the picture has edges (L: 0 on a line, 255 elsewhere)."""
    edges = ImageOps.grayscale(image).filter(ImageFilter.FIND_EDGES)
    return edges.point(lambda v: 0 if v > threshold else 255).filter(ImageFilter.MinFilter(3))


def _ink(image: Image.Image) -> Image.Image:
    return ImageChops.multiply(image, _lines(image).convert("RGB"))


def _halftone(image: Image.Image) -> Image.Image:
    cell = max(6, image.width // 140)
    gray = ImageOps.grayscale(image)
    screen = _screen(image.size, cell)
    dots = ImageChops.subtract(screen, gray).point(lambda v: 0 if v > 0 else 255)
    flat = ImageOps.posterize(image, 2)
    lightened = Image.blend(flat, Image.new("RGB", image.size, (250, 246, 236)), 0.45)
    toned = ImageChops.multiply(lightened, dots.convert("RGB"))
    return ImageChops.multiply(toned, _lines(image, 36).convert("RGB"))


def _watercolour(image: Image.Image, seed: int) -> Image.Image:
    """Soft washes that pool darker at their edges."""
    w, h = image.size
    wash = image.reduce(3).filter(ImageFilter.GaussianBlur(1.5))
    wash = wash.resize((w, h), Image.Resampling.BILINEAR)
    edges = ImageOps.grayscale(image).filter(ImageFilter.FIND_EDGES).point(
        lambda v: 255 - min(v * 2, 110))
    return ImageChops.multiply(wash, edges.convert("RGB"))


def _noir(image: Image.Image, palette: tuple[RGB, ...]) -> Image.Image:
    gray = ImageOps.autocontrast(ImageOps.grayscale(image), cutoff=4)
    crushed = gray.point(lambda v: 0 if v < 70 else (120 if v < 150 else 235))
    accent = palette[-2] if len(palette) >= 2 else (200, 40, 40)
    return ImageOps.colorize(crushed, black=(8, 8, 10), white=(240, 238, 232),
                             mid=tuple(v // 2 for v in accent))


def frame(image: Image.Image) -> Image.Image:
    """A hairline keyline: keeps the panel's edge crisp on any page colour."""
    ImageDraw.Draw(image).rectangle([0, 0, image.width - 1, image.height - 1],
                                    outline=(20, 20, 20), width=1)
    return image
