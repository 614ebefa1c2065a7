"""The lettering font: measured here for line breaks, served by the site, baked into exports.

The default is the hand-lettered Intuitive face from the `font-intuitive` package
(SIL Open Font License), with the Aileron face inside Pillow as a last resort;
neither is a file of ours. A project can name its own TTF/OTF, and a fallback font for
scripts the main one cannot show (Chinese, say); text neither can show is found
by `missing_glyphs` so `check` can report it instead of drawing empty boxes.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from PIL import ImageFont

DEFAULT_NAME = "Intuitive"


@lru_cache(maxsize=1)
def default_font_bytes() -> bytes:
    try:
        return (resources.files("font_intuitive") / "files" / "Intuitive.ttf").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        return ImageFont.load_default(12).font_bytes  # type: ignore[union-attr]


def default_font_licence() -> str:
    try:
        return (resources.files("font_intuitive") / "files" / "OFL.txt").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        return ""


@lru_cache(maxsize=256)
def _font(data: bytes, size: int) -> ImageFont.FreeTypeFont:
    import io
    return ImageFont.truetype(io.BytesIO(data), size)


class LetteringFont:
    """A font (and an optional fallback) at any size, from bytes."""

    def __init__(self, data: bytes | None = None, fallback: bytes | None = None,
                 name: str = DEFAULT_NAME):
        self.data = data or default_font_bytes()
        self.fallback = fallback
        self.name = name

    def at(self, size: float, fallback: bool = False) -> ImageFont.FreeTypeFont:
        data = self.fallback if fallback and self.fallback else self.data
        return _font(data, max(1, round(size)))

    def covers(self, text: str, fallback: bool = False) -> bool:
        return not _missing(self.fallback if fallback and self.fallback else self.data, text)

    def showable(self, text: str, fallback: bool = False) -> str:
        """`text` with characters the font cannot show replaced by '?', never tofu boxes."""
        data = self.fallback if fallback and self.fallback else self.data
        missing = _missing(data, text)
        return "".join("?" if c in missing else c for c in text) if missing else text

    def choose(self, text: str) -> bool | None:
        """False: main font; True: fallback; None: neither can show `text`."""
        if self.covers(text):
            return False
        if self.fallback and self.covers(text, fallback=True):
            return True
        return None


def _missing(data: bytes, text: str) -> str:
    """The characters of `text` the font has no glyph for."""
    return "".join(c for c in dict.fromkeys(text)
                   if not c.isspace() and c.isprintable() and not _has_glyph(data, c))


@lru_cache(maxsize=65536)
def _has_glyph(data: bytes, char: str) -> bool:
    # One check per character and font: texts repeat characters far more than texts.
    font = _font(data, 24)
    mask = font.getmask(char)
    return mask.size != (0, 0) and bytes(mask) != _notdef(data)


@lru_cache(maxsize=16)
def _notdef(data: bytes) -> bytes:
    return bytes(_font(data, 24).getmask("\U0010fffd"))


def missing_glyphs(font: LetteringFont, text: str) -> str:
    chars = _missing(font.data, text)
    if font.fallback and chars:
        chars = _missing(font.fallback, chars)
    return chars
