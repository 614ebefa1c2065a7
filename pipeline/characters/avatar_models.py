"""The avatar models: what a one-shot avatar's assets look like, made from one image.

`procedural` (the default) crops the image to a bust framed on the face and animates it
with Pillow, offline; `studio-hq` is a gated model (it needs organization access, as the
seed's gated models do) that renders a larger, sharper, graded portrait. Models are
plugins (entry points `panelwright.avatar_models`); `avatars` runs them.
"""

from __future__ import annotations

import io
import math
from typing import ClassVar

from PIL import Image, ImageEnhance, ImageFilter, ImageOps


class ProceduralAvatarModel:
    """The default model: crops, relights and animates the image with Pillow, offline."""

    name: ClassVar[str] = "procedural"
    version: ClassVar[str] = "v1"
    gated: ClassVar[bool] = False
    access_env: ClassVar[str | None] = None

    def make(self, image: Image.Image) -> dict[str, bytes]:
        portrait = _face_square(image, 512)
        assets = {"portrait.png": _png(portrait), "preview.png": _png(portrait.resize(
            (256, 256), Image.Resampling.LANCZOS)), "idle.webp": _idle(portrait)}
        for name, image_ in _variants(portrait).items():
            assets[f"variant-{name}.png"] = _png(image_)
        return assets


class GatedAvatarModel(ProceduralAvatarModel):
    """An example of a gated model: it needs organization access, configured in the
    environment, as the seed's gated models do."""

    name: ClassVar[str] = "studio-hq"
    version: ClassVar[str] = "v2"
    gated: ClassVar[bool] = True
    access_env: ClassVar[str | None] = "PANELWRIGHT_STUDIO_HQ_TOKEN"

    def make(self, image: Image.Image) -> dict[str, bytes]:
        """A studio rendering: a 768 px portrait (more of the source's detail), its
        tones spread and its edges sharpened, colours a little richer, a softer
        studio light from the upper left."""
        portrait = _face_square(image, 768)
        portrait = ImageOps.autocontrast(portrait, cutoff=1)
        portrait = portrait.filter(ImageFilter.UnsharpMask(radius=2.5, percent=140,
                                                           threshold=2))
        portrait = ImageEnhance.Color(portrait).enhance(1.15)
        down = Image.linear_gradient("L")  # 0 at the top, 255 at the bottom
        light = ImageOps.invert(Image.blend(down, down.transpose(Image.Transpose.TRANSPOSE),
                                            0.5)).resize(portrait.size)
        portrait = Image.composite(ImageEnhance.Brightness(portrait).enhance(1.08),
                                   ImageEnhance.Brightness(portrait).enhance(0.92), light)
        assets = {"portrait.png": _png(portrait), "preview.png": _png(portrait.resize(
            (256, 256), Image.Resampling.LANCZOS)), "idle.webp": _idle(portrait)}
        for name, image_ in _variants(portrait).items():
            assets[f"variant-{name}.png"] = _png(image_)
        return assets


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _face_square(image: Image.Image, size: int) -> Image.Image:
    """A bust portrait: a square around the face found in the image (faces sit a
    little above the centre), head and shoulders in it."""
    from ..engines.finished_art import opaque
    from ..engines.procedural.faces import DEFAULT_FACE, face_box
    image = opaque(image, paper=(236, 232, 224))
    cx, cy, face = face_box(_png(image))
    found = (cx, cy) != (image.width * DEFAULT_FACE[0], image.height * DEFAULT_FACE[1])
    side = min(min(image.size), face * 2.6) if found else min(image.size)
    left = max(0, min(round(cx - side / 2), image.width - round(side)))
    top = max(0, min(round(cy - side * 0.42), image.height - round(side)))
    return image.crop((left, top, left + round(side), top + round(side))).resize(
        (size, size), Image.Resampling.LANCZOS)


def _luma(pixel: tuple[int, int, int]) -> float:
    return 0.299 * pixel[0] + 0.587 * pixel[1] + 0.114 * pixel[2]


def _eyes(portrait: Image.Image, box: tuple[int, int, int, int]
          ) -> tuple[list[int], list[int], float] | None:
    """(rows, columns, skin brightness) of the eyes inside `box`: the run of rows with
    a few dark spots (a fringe of hair darkens whole rows instead)."""
    x0, y0, x1, y1 = box
    px = portrait.load()
    band = sorted(_luma(px[x, y]) for x in range(x0, x1, 2) for y in range(y0, y1, 2))
    if len(band) < 16:
        return None
    skin = band[len(band) // 2]
    rows = {}
    for y in range(y0, y1):
        dark = [x for x in range(x0, x1) if _luma(px[x, y]) < skin * 0.6]
        if 0 < len(dark) < 0.5 * (x1 - x0):
            rows[y] = dark
    runs: list[list[int]] = []
    for y in sorted(rows):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    runs = [r for r in runs if 2 <= len(r) <= (y1 - y0) * 0.5]
    if not runs:
        return None
    eyes = max(runs, key=lambda r: sum(len(rows[y]) for y in r))
    return eyes, sorted({x for y in eyes for x in rows[y]}), skin


def _blink(portrait: Image.Image) -> tuple[Image.Image, Image.Image] | None:
    """(eyes half shut, eyes shut) versions of the portrait, or None when no eyes are
    found. The eyes are looked for in the upper half of the face found in the
    portrait, else in the middle of the portrait; closing them paints the eye (and
    its soft edge) with the skin beside it from the top down; a shut eye is a lid."""
    from ..engines.procedural.faces import face_box
    cx, cy, side = face_box(_png(portrait))
    w, h = portrait.size
    candidates = []
    for box in ((cx - side * .38, cy - side * .30, cx + side * .38, cy + side * .12),
                (w * .22, h * .28, w * .78, h * .58)):
        x0, y0 = max(0, round(box[0])), max(0, round(box[1]))
        x1, y1 = min(w, round(box[2])), min(h, round(box[3]))
        if x1 - x0 >= 8 and y1 - y0 >= 4 and (eyes_ := _eyes(portrait, (x0, y0, x1, y1))):
            candidates.append(eyes_)
    if not candidates:
        return None
    found = max(candidates, key=lambda c: len(c[0]) * len(c[1]))
    eyes, columns, skin = found
    px = portrait.load()
    cols = set(columns)
    near = {x for c in columns for x in range(c - 3, c + 4) if 0 <= x < w}
    shut = []
    for amount in (0.5, 1.0):
        frame = portrait.copy()
        out = frame.load()
        top = eyes[0] - 3
        bottom = eyes[0] + max(1, round(len(eyes) * amount)) + (3 if amount == 1 else 0)
        for y in range(max(0, top), min(h, bottom)):
            for x in near:
                if _luma(px[x, y]) < skin * 0.92:  # the eye and its antialiased edge
                    fill = next((px[n, y] for d in range(1, 30) for n in (x - d, x + d)
                                 if 0 <= n < w and n not in near
                                 and _luma(px[n, y]) >= skin * 0.92), None)
                    if fill:
                        out[x, y] = fill
        if amount == 1.0:
            lid_y = eyes[len(eyes) * 2 // 3]
            lid = tuple(round(c * 0.3) for c in px[min(cols) - 4 if min(cols) > 4 else 0, lid_y])
            for x in columns:
                for y in (lid_y, min(lid_y + 1, h - 1)):
                    out[x, y] = lid
        shut.append(frame)
    return shut[0], shut[1]


def _idle(portrait: Image.Image, frames: int = 16) -> bytes:
    """A short loop: the shoulders rise and fall (a breath), and the eyes blink once."""
    w, h = portrait.size
    blink = _blink(portrait)
    shots = []
    for i in range(frames):
        # never below 1: a frame smaller than the portrait would leave a black band
        breath = 1 + 0.012 * (1 + math.sin(2 * math.pi * i / frames))
        base = blink[0 if i in (10, 12) else 1] if blink and i in (10, 11, 12) else portrait
        frame = base.resize((round(w * breath), round(h * breath)), Image.Resampling.BILINEAR)
        frame = frame.crop(((frame.width - w) // 2, frame.height - h,
                            (frame.width - w) // 2 + w, frame.height))
        shots.append(frame)
    out = io.BytesIO()
    shots[0].save(out, "WEBP", save_all=True, append_images=shots[1:], duration=120, loop=0,
                  quality=80, method=4)
    return out.getvalue()


def _variants(portrait: Image.Image) -> dict[str, Image.Image]:
    """Lighting and pose variants, named as the seed's variant_name is."""
    warm = Image.blend(portrait, Image.new("RGB", portrait.size, (255, 170, 90)), 0.18)
    cool = Image.blend(portrait, Image.new("RGB", portrait.size, (80, 120, 220)), 0.18)
    return {"warm-light": warm, "cool-light": cool,
            "low-light": ImageEnhance.Brightness(portrait).enhance(0.55),
            "turned": portrait.transpose(Image.Transpose.FLIP_LEFT_RIGHT)}
