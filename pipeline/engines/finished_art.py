"""What every finished-art engine shares: reading the picture a service returns, and
where the cast probably stands in it (the letterer aims tails there)."""

from __future__ import annotations

import base64
import io
import warnings

from PIL import Image, ImageOps

from ..format.camera import FIGURE_HEIGHT, Shot
from ..format.images import MAX_PIXELS
from ..specs import Figure, PanelSpec
from .errors import EngineError

HEAD = 0.155


def picture(data: bytes | str, spec: PanelSpec) -> Image.Image:
    """The returned image (bytes or base64) at exactly the panel's size; its pixels are
    counted from the header before anything is decoded, so a huge reply is refused
    instead of filling the memory."""
    try:
        raw = base64.b64decode(data) if isinstance(data, str) else data
        with warnings.catch_warnings():  # the size is judged here, with our own limit
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(raw))
        with opened as image:
            if image.width * image.height > MAX_PIXELS:
                raise EngineError(
                    f"the service returned a {image.width}×{image.height} image, more than "
                    f"the {MAX_PIXELS / 1e6:g} million pixels a picture may have; it was "
                    "refused unread", None, "image too large", panel=spec.id)
            image = image.convert("RGB")
    except EngineError:
        raise
    except Exception as exc:  # a broken image is the service's error, not ours
        raise EngineError(f"the service returned an image that cannot be read ({exc})",
                          None, "bad image", panel=spec.id) from None
    if image.size != (spec.width, spec.height):
        image = image.resize((spec.width, spec.height), Image.Resampling.LANCZOS)
    return image


def sketch_of(request) -> bytes | None:
    """The writer's sketch for this panel (`[sketch=FILE]`), when it names one: the
    picture an image-to-image engine starts from (a DrawRequest's references hold it)."""
    sketch = request.spec.sketch
    return request.references.get(sketch) if sketch else None


def opaque(image: Image.Image, paper: str | tuple[int, int, int] = "white") -> Image.Image:
    """A writer's picture upright (as its EXIF says) and in RGB; what is transparent in
    it lies on `paper`, as a drawing on a transparent layer is meant to be seen
    (converted as it is, its clear background would turn black)."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        drawing = image.convert("RGBA")
        backdrop = Image.new("RGB", drawing.size, paper)
        backdrop.paste(drawing, mask=drawing.getchannel("A"))
        return backdrop
    return image.convert("RGB")


def fitted(data: bytes, spec: PanelSpec) -> Image.Image:
    """A picture of the project scaled to cover the panel and centred, its edges cropped."""
    with Image.open(io.BytesIO(data)) as image:
        return ImageOps.fit(opaque(image), (spec.width, spec.height), Image.Resampling.LANCZOS)


def likely_figures(spec: PanelSpec) -> list[Figure]:
    """Where a model, asked for this framing, usually puts the cast, in reading order."""
    cast = spec.characters[:1] if spec.camera.shot in (Shot.close_up,
                                                       Shot.extreme_close_up) else spec.characters
    if not cast or spec.camera.shot == Shot.insert:
        return []
    w, h = spec.width, spec.height
    head = min(0.9 * h, FIGURE_HEIGHT[spec.camera.shot] * h * HEAD)
    spots = [0.5] if len(cast) == 1 else [0.2 + 0.6 * i / (len(cast) - 1)
                                          for i in range(len(cast))]
    if spec.rtl:
        spots = [1 - x for x in spots]
    top = 0.12 * h if head > 0.2 * h else 0.3 * h
    return [Figure(character=c, head=(x * w - head / 2, top, head, head),
                   mouth=(x * w, top + head * 0.75), facing=1 if x <= 0.5 else -1)
            for c, x in zip(cast, spots)]
