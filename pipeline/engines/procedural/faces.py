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


def _crop_square(avatar: bytes, skin: RGB | None) -> tuple[int, int, int]:
    image = decode(avatar)
    cx, cy, side = face_box(avatar, skin)
    side = min(side * 1.15, *image.size)
    left = min(max(0.0, cx - side / 2), image.width - side)
    top = min(max(0.0, cy - side * 0.54), image.height - side)
    return round(left), round(top), round(side)


@lru_cache(maxsize=128)
def face_crop(avatar: bytes, skin: RGB | None) -> Image.Image:
    """The square around the face, a little hair and chin included, cropped once."""
    left, top, side = _crop_square(avatar, skin)
    return decode(avatar).crop((left, top, left + side, top + side))


def features_in_avatar(avatar: bytes, skin: RGB | None) -> list[tuple[float, float]]:
    """The eyes and the mouth in avatar pixels."""
    left, top, side = _crop_square(avatar, skin)
    return [(left + fx * side, top + fy * side) for fx, fy in crop_features(avatar, skin)]


def features_in_head(avatar: bytes, skin: RGB | None, width: int, height: int,
                     facing: int) -> list[tuple[float, float]]:
    """The eyes and the mouth as fractions of a head box cut by `head_image`."""
    keep = width / height  # the middle `keep` of the square crop's width is shown
    out = []
    for fx, fy in crop_features(avatar, skin):
        x = (fx - (1 - keep) / 2) / keep
        out.append((1 - x if facing < 0 else x, fy))
    return out


@lru_cache(maxsize=128)
def crop_features(avatar: bytes, skin: RGB | None) -> tuple[tuple[float, float], ...]:
    """Where the eyes and the mouth are in `face_crop`, as fractions of its side: the
    darkest spot in each half of the eye band and in the mouth band (eyes, brows
    and lips are darker than skin in nearly every portrait)."""
    crop = face_crop(avatar, skin).convert("L").resize((40, 40), Image.Resampling.BOX)
    px = crop.load()

    def darkest(x0: int, x1: int, y0: int, y1: int) -> tuple[float, float]:
        best = min(((px[x, y] + px[x + 1, y] + px[x, y + 1] + px[x + 1, y + 1], x, y)
                    for y in range(y0, y1) for x in range(x0, x1)))
        return (best[1] + 1) / 40, (best[2] + 1) / 40

    return darkest(8, 19, 15, 25), darkest(21, 32, 15, 25), darkest(14, 25, 26, 34)


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


def drawn_face(skin: RGB, hair: RGB, width: int, height: int, facing: int,
               fringe: bool = True) -> Image.Image:
    """A plain face for a character without an avatar: skin, fringe and a nose; the
    eyes, brows and mouth are the expression's (heads.draw_expression)."""
    face = Image.new("RGB", (width, height), skin)
    d = ImageDraw.Draw(face)
    w, h = width, height
    if fringe:
        d.chord([-w * 0.1, -h * 0.25, w * 1.1, h * 0.42], 180, 360, fill=hair)
    shift = facing * w * 0.04
    d.line([(w * 0.5 + shift, h * 0.55), (w * 0.47 + shift + facing * w * 0.04, h * 0.64)],
           fill=_contrasting_line(skin), width=max(1, w // 40))
    return face


def _contrasting_line(skin: RGB) -> RGB:
    r, g, b = skin
    return (70, 40, 36) if (0.299 * r + 0.587 * g + 0.114 * b) > 110 else (200, 160, 140)


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
                tilt: float = 0.0) -> tuple[Image.Image, Box, tuple[float, float],
                                            list[tuple[float, float]]]:
    """The avatar filling a `size` frame, centred on the face, `faces_high` faces tall.

    `tilt` > 0 looks up at the face (a low angle: the chin nearer, the brow further),
    < 0 looks down at it. Returns the picture, the face box, the mouth in it and the
    eyes and mouth found in the avatar (crop_features).
    """
    w, h = size
    source = decode(avatar)
    cx, cy, side = face_box(avatar, skin)
    # `faces_high` counts along the frame's shorter side, so that a tall narrow panel
    # still holds the whole face; there the avatar's edges run on to fill the frame
    crop_h = side * faces_high * max(1.0, h / w)
    pad = 0
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
    features = [((x + pad - left) * scale, (y + pad - top) * scale)
                for x, y in features_in_avatar(avatar, skin)]
    return picture, face, ((mx - left) * scale, (my - top) * scale), features
