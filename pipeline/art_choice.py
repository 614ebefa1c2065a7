"""The art the writer chose for a panel instead of an engine's: pinned art, or their own.

Called once per panel by `art.draw_art` before any engine is asked: a panel with a pin
(`stories/<id>.pins.yaml`) or an `[art=FILE]` tag gets that picture, fitted to the
panel, and is lettered like any other. The pinned file is used byte for byte when it
already has the panel's size, so the site serves exactly the art that was pinned.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageOps

from .engines import finished_art
from .engines.finished_art import likely_figures, opaque
from .pins import pins_file
from .runtime.cache import Cache, digest
from .runtime.code import code_digest
from .source.resolve import ResolvedProject
from .specs import Figure, PanelArt, PanelSpec

KEPT_FORMATS = {"PNG": "png", "WEBP": "webp"}


def fitted(data: bytes, width: int, height: int) -> tuple[bytes, str, bool]:
    """The picture at the panel's size: as it is when it has that size and is a PNG or
    WebP; else scaled to cover the panel and centred (the edges cropped), as PNG.
    Also says whether it was kept as it was."""
    with Image.open(io.BytesIO(data)) as image:
        if image.size == (width, height) and image.format in KEPT_FORMATS:
            return data, KEPT_FORMATS[image.format], True
        picture = ImageOps.fit(opaque(image), (width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue(), "png", False


def chosen_art(project: ResolvedProject, spec: PanelSpec, cache: Cache) -> PanelArt | None:
    """The panel's pinned or own art, through the cache; None when an engine draws it."""
    path = spec.pin or spec.art
    if path is None:
        return None
    source = project.assets[path].data or b""
    key = digest("chosen art", hashlib.sha256(source).hexdigest(), spec.width, spec.height,
                 code_digest(__name__, finished_art.__name__))
    kept = (f"pinned in {pins_file(spec.source)} ({path})" if spec.pin
            else f"your own art, {path}")
    hit = next((found for fmt in KEPT_FORMATS.values()
                if (found := cache.get(key, fmt)) is not None), None)
    if hit is not None:
        image, meta = hit
        fmt = image.suffix.lstrip(".")
        same = bool(meta.get("same"))
    else:
        data, fmt, same = fitted(source, spec.width, spec.height)
        image = cache.put(key, fmt, data, {"panel": spec.id, "same": same})
    # where the cast stands: as recorded when pinned, when the art is as it was drawn
    figures: list[Figure] = spec.pin_figures if spec.pin and same else likely_figures(spec)
    return PanelArt(panel=spec.id, image=str(image), key=key, width=spec.width,
                    height=spec.height, format=fmt, figures=figures, cached=True,
                    inputs={"art": digest(hashlib.sha256(source).hexdigest())}, kept=kept)
