"""The seed's image rules, judged by content: JPEG, PNG or WebP, at most 4.5 MB, safe to open.

One function serves `check` (avatars and anchors in the story repo) and the one-shot
avatar command, so both refuse the same images with the same words.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

MAX_IMAGE_BYTES = 4_500_000  # the seed's 4.5 MB
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000  # beyond this an image is treated as a decompression bomb


def image_problem(data: bytes, name: str) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) for image bytes that break a rule, else None."""
    if len(data) > MAX_IMAGE_BYTES:
        return (f"the image '{name}' is {len(data) / 1e6:.1f} MB; images must be at most "
                "4.5 MB", "save it smaller, e.g. as JPEG or WebP")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                if image.width * image.height > MAX_PIXELS:
                    return (f"the image '{name}' is {image.width}×{image.height} pixels, too "
                            "large to be safe to open",
                            "use an image of at most a few thousand pixels a side")
                if kind in IMAGE_FORMATS:  # other formats are refused without decoding them
                    image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return (f"the image '{name}' is too large to be safe to open (a decompression bomb)",
                "use an image of a normal size")
    except Image.UnidentifiedImageError:
        return (f"'{name}' is not an image: its content is not JPEG, PNG or WebP",
                "use a JPEG, PNG or WebP file (the name's extension does not matter)")
    except Exception as exc:  # Pillow raises many kinds for damaged files
        return (f"the image '{name}' is damaged or truncated ({exc})",
                "export it again from your image editor")
    if kind not in IMAGE_FORMATS:
        return (f"'{name}' is a {kind} image; images must be JPEG, PNG or WebP",
                "convert it to PNG")
    return None
