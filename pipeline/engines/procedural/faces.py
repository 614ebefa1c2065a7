"""A character's face, cut from their avatar: the one picture that makes them recognisable.

The face is found once per avatar (the largest patch of the character's skin
colour away from the image's edges), so the same crop of the same image is the
head of the character in every panel, at every size, and a close shot frames the
avatar on that face rather than on the image's centre.
"""

from __future__ import annotations

import io
from collections import deque
from functools import lru_cache

from PIL import Image, ImageDraw, ImageOps

from .palette import RGB

Box = tuple[float, float, float, float]  # x, y, width, height in avatar pixels
GRID = 64  # the face is searched for on a GRID × GRID thumbnail
DEFAULT_FACE = (0.5, 0.46, 0.36)  # centre x, centre y, side: fractions, for no skin found


@lru_cache(maxsize=64)
def decode(avatar: bytes) -> Image.Image:
    with Image.open(io.BytesIO(avatar)) as image:
        return ImageOps.exif_transpose(image).convert("RGB")


def _is_skin(pixel: RGB, skin: RGB | None) -> bool:
    r, g, b = pixel
    if skin is not None:
        return abs(r - skin[0]) + abs(g - skin[1]) + abs(b - skin[2]) < 60
    return r > 95 and g > 40 and b > 20 and r > g > b and r - b > 30 and r - g < 90


def _components(mask: list[bool]) -> list[list[int]]:
    seen = [False] * len(mask)
    found = []
    for start, on in enumerate(mask):
        if not on or seen[start]:
            continue
        seen[start] = True
        queue, cells = deque([start]), []
        while queue:
            i = queue.popleft()
            cells.append(i)
            x, y = i % GRID, i // GRID
            for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                j = ny * GRID + nx
                if 0 <= nx < GRID and 0 <= ny < GRID and mask[j] and not seen[j]:
                    seen[j] = True
                    queue.append(j)
        found.append(cells)
    return found


@lru_cache(maxsize=64)
def face_box(avatar: bytes, skin: RGB | None = None) -> tuple[float, float, float]:
    """The face in an avatar: centre x, centre y and side of a square around it, in px.

    The face is the widest part of the largest skin-coloured patch that does not
    touch the top or the sides of the image (a backdrop may be skin-coloured; a
    neck may run off the bottom). The neck, narrower than the face, is left out.
    """
    image = decode(avatar)
    thumb = image.resize((GRID, GRID), Image.Resampling.BOX)
    raw = thumb.tobytes()
    pixels = list(zip(raw[0::3], raw[1::3], raw[2::3]))
    mask = [_is_skin(p, skin) for p in pixels]
    patches = [c for c in _components(mask) if GRID * GRID // 200 <= len(c) <= GRID * GRID // 4]
    inside = [c for c in patches if not any(i < GRID or i % GRID in (0, GRID - 1) for i in c)]
    patches = inside or patches
    sx, sy = image.width / GRID, image.height / GRID
    if not patches:
        fx, fy, side = DEFAULT_FACE
        return image.width * fx, image.height * fy, min(image.size) * side
    patch = max(patches, key=len)
    rows: dict[int, list[int]] = {}
    for i in patch:
        rows.setdefault(i // GRID, []).append(i % GRID)
    widest = max(len(xs) for xs in rows.values())
    face_rows = [y for y, xs in rows.items() if len(xs) >= 0.55 * widest]
    top, bottom = min(face_rows), max(face_rows) + 1
    xs = [x for y in face_rows for x in rows[y]]
    left, right = min(xs), max(xs) + 1
    side = max(right - left, (bottom - top) * 1.05) * 1.08
    return (left + right) / 2 * sx, (top + bottom) / 2 * sy, side * sx


def mouth_in_face(cx: float, cy: float, side: float) -> tuple[float, float]:
    """Where the mouth sits in a face box: centred, a quarter of the way up from the chin."""
    return cx, cy + side * 0.24


@lru_cache(maxsize=128)
def face_crop(avatar: bytes, skin: RGB | None) -> Image.Image:
    """The square around the face, a little hair and chin included, cropped once."""
    image = decode(avatar)
    cx, cy, side = face_box(avatar, skin)
    side = min(side * 1.15, *image.size)
    left = min(max(0.0, cx - side / 2), image.width - side)
    top = min(max(0.0, cy - side * 0.54), image.height - side)
    return image.crop((round(left), round(top), round(left + side), round(top + side)))


@lru_cache(maxsize=256)
def head_mask(width: int, height: int) -> Image.Image:
    """An egg-shaped head, wider at the brow than the chin, antialiased."""
    big = Image.new("L", (width * 3, height * 3), 0)
    d = ImageDraw.Draw(big)
    w, h = width * 3, height * 3
    d.ellipse([0, 0, w - 1, h * 0.8], fill=255)
    d.ellipse([w * 0.12, h * 0.3, w * 0.88, h - 1], fill=255)
    return big.resize((width, height), Image.Resampling.BOX)


def head_image(avatar: bytes | None, skin: RGB, hair: RGB, width: int, height: int,
               facing: int) -> tuple[Image.Image, Image.Image]:
    """The head of a figure: the avatar's face filling an egg shape (or a drawn face)."""
    width, height = max(width, 4), max(height, 4)
    if avatar:
        face = face_crop(avatar, skin)
        # the crop is square; the head is a little taller than wide: take the middle
        cut = face.width * (1 - width / height) / 2
        face = face.resize((width, height), Image.Resampling.BILINEAR,
                           box=(cut, 0, face.width - cut, face.height))
        if facing < 0:
            face = face.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    else:
        face = drawn_face(skin, hair, width, height, facing)
    return face, head_mask(width, height)


def drawn_face(skin: RGB, hair: RGB, width: int, height: int, facing: int) -> Image.Image:
    """A simple face for a character without an avatar: eyes, brows, mouth, fringe."""
    face = Image.new("RGB", (width, height), skin)
    d = ImageDraw.Draw(face)
    w, h = width, height
    d.chord([-w * 0.1, -h * 0.25, w * 1.1, h * 0.42], 180, 360, fill=hair)  # fringe
    shift = facing * w * 0.04
    for ex in (0.32, 0.68):
        x = w * ex + shift
        d.ellipse([x - w * 0.06, h * 0.44, x + w * 0.06, h * 0.56], fill=(40, 30, 34))
        d.line([(x - w * 0.1, h * 0.37), (x + w * 0.1, h * 0.37)], fill=hair,
               width=max(1, w // 22))
    d.line([(w * 0.5 + shift, h * 0.55), (w * 0.47 + shift, h * 0.66)], fill=(170, 110, 95),
           width=max(1, w // 40))
    d.arc([w * 0.38 + shift, h * 0.66, w * 0.62 + shift, h * 0.8], 20, 160,
          fill=(140, 60, 60), width=max(1, w // 30))
    return face


def _extended(source: Image.Image, pad: int) -> Image.Image:
    """The avatar with `pad` pixels more on each side, its edge pixels drawn out (so
    shoulders go on down and a background has no seam)."""
    wide = Image.new(source.mode, (source.width + 2 * pad, source.height + 2 * pad))
    wide.paste(source, (pad, pad))
    for box, edge in (((0, pad, pad, pad + source.height), (0, 0, 1, source.height)),
                      ((pad + source.width, pad, wide.width, pad + source.height),
                       (source.width - 1, 0, source.width, source.height))):
        strip = source.crop(edge).resize((box[2] - box[0], box[3] - box[1]))
        wide.paste(strip, box[:2])
    top = wide.crop((0, pad, wide.width, pad + 1)).resize((wide.width, pad))
    bottom = wide.crop((0, pad + source.height - 1, wide.width, pad + source.height)).resize(
        (wide.width, pad))
    wide.paste(top, (0, 0))
    wide.paste(bottom, (0, pad + source.height))
    return wide


def framed_face(avatar: bytes, skin: RGB | None, size: tuple[int, int], faces_high: float,
                tilt: float = 0.0) -> tuple[Image.Image, Box, tuple[float, float]]:
    """The avatar filling a `size` frame, centred on the face, `faces_high` faces tall.

    `tilt` > 0 looks up at the face (a low angle: the chin nearer, the brow further),
    < 0 looks down at it. Returns the picture, the face box and the mouth in it.
    """
    w, h = size
    source = decode(avatar)
    cx, cy, side = face_box(avatar, skin)
    # `faces_high` counts along the frame's shorter side, so that a tall narrow panel
    # still holds the whole face; there the avatar's edges run on to fill the frame
    crop_h = side * faces_high * max(1.0, h / w)
    if h > w and (crop_h > source.height or crop_h * w / h > source.width):
        pad = int(max(crop_h - source.height, crop_h * w / h - source.width) / 2) + 1
        source, cx, cy = _extended(source, pad), cx + pad, cy + pad
    crop_h = min(crop_h, source.height)
    crop_w = min(crop_h * w / h, source.width)
    crop_h = crop_w * h / w
    left = min(max(0.0, cx - crop_w / 2), source.width - crop_w)
    top = min(max(0.0, cy - crop_h * 0.46), source.height - crop_h)
    right, bottom = left + crop_w, top + crop_h
    if tilt:
        # a keystone: the far edge of the frame takes in more of the avatar than the near
        # one, so that edge shrinks in the picture
        squeeze = crop_w * abs(tilt)
        if tilt > 0:  # low angle: the top is far
            quad = (left - squeeze, top, left + squeeze, bottom, right - squeeze, bottom,
                    right + squeeze, top)
        else:
            quad = (left, top, left - squeeze, bottom, right + squeeze, bottom, right, top)
        picture = source.transform((w, h), Image.Transform.QUAD, quad,
                                   Image.Resampling.BILINEAR, fillcolor=source.getpixel((0, 0)))
    else:
        picture = source.resize((w, h), Image.Resampling.BILINEAR, box=(left, top, right, bottom))
    scale = w / crop_w
    face = ((cx - side / 2 - left) * scale, (cy - side / 2 - top) * scale, side * scale,
            side * scale)
    mx, my = mouth_in_face(cx, cy, side)
    return picture, face, ((mx - left) * scale, (my - top) * scale)
