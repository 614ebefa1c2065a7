"""The lettering font: measured here for line breaks, served by the site, baked into exports.

The default is the hand-lettered Intuitive face from the `font-intuitive` package
(SIL Open Font License), with the Aileron face inside Pillow as a last resort;
neither is a file of ours. A project can name its own TTF/OTF, and a fallback font for
scripts the main one cannot show (Chinese, say); text neither can show is found
by `missing_glyphs` so `check` can report it instead of drawing empty boxes.
Line breaking lives here too, since it is measuring: at spaces, between the
characters of Chinese and Japanese (no line starting with closing punctuation),
hyphenating only a word too long for any line.
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


def font_problem(data: bytes, name: str) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) when `data` is not a font FreeType can use, else None."""
    try:
        _font(data, 24).getmask("A")
    except Exception as exc:  # FreeType says OSError; damaged tables raise others
        return (f"'{name}' is not a font file FreeType can read ({exc})",
                "name a TrueType (.ttf) or OpenType (.otf) font file")
    return None


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


# No line of Chinese or Japanese starts with closing punctuation (kinsoku).
CLOSING = set("。，、！？；：）」』》〉】〕…‥・ー!?,.;:)]}%")
OPENING = set("（「『《〈【〔([{")


def _cjk(char: str) -> bool:
    """Chinese, Japanese and their punctuation: written without spaces between words."""
    return ord(char) >= 0x2E80


def _units(word: str) -> list[str]:
    """A run written without spaces, cut where a line may break: between CJK
    characters, never before closing punctuation nor after an opening bracket."""
    units: list[str] = []
    hold = ""  # an opening bracket waits for what it opens
    for char in word:
        if char in CLOSING and units:
            units[-1] += char
        elif char in OPENING:
            hold += char
        elif units and not _cjk(char) and not _cjk(units[-1][-1]) and not hold:
            units[-1] += char  # Latin letters inside a CJK run stay together
        else:
            units.append(hold + char)
            hold = ""
    if hold:
        units.append(hold)
    return units


def _tokens(text: str) -> list[tuple[str, str]]:
    """The units a line may break between, each with what joins it to the one before."""
    tokens: list[tuple[str, str]] = []
    for word in text.split():
        glue = " " if tokens else ""
        for unit in (_units(word) if any(_cjk(c) for c in word) else [word]):
            tokens.append((unit, glue))
            glue = ""
    return tokens


def _hyphenate(word: str, font, width: float) -> list[str]:
    """A word wider than the balloon, broken with hyphens (at least 2 letters a piece)."""
    pieces, rest = [], word
    while font.getlength(rest) > width and len(rest) > 3:
        cut = 2
        while cut < len(rest) - 2 and font.getlength(rest[:cut + 1] + "-") <= width:
            cut += 1
        pieces.append(rest[:cut] + "-")
        rest = rest[cut:]
    return pieces + [rest]


def wrap(text: str, font, width: float, limit: float | None = None) -> list[str]:
    """Greedy line breaks at spaces (between characters for Chinese and Japanese);
    a word longer than `limit` (the widest a line may be; `width` unless given) is
    hyphenated."""
    limit = max(limit or width, width)
    tokens: list[tuple[str, str]] = []
    for token, glue in _tokens(text):
        if font.getlength(token) > limit and not any(_cjk(c) for c in token):
            pieces = _hyphenate(token, font, limit)
            tokens += [(piece, glue if i == 0 else "") for i, piece in enumerate(pieces)]
        else:
            tokens.append((token, glue))
    lines: list[str] = []
    current = ""
    for token, glue in tokens:
        trial = f"{current}{glue}{token}" if current else token
        if current and font.getlength(trial) > width:
            lines.append(current)
            current = token
        else:
            current = trial
    if current:
        lines.append(current)
    return lines or [""]


def breaks(text: str, face, max_w: float) -> list[list[str]]:
    """The ways to break `text` within `max_w` into one line, two, three... each as
    even as greedy breaking allows (the narrowest width that still gives that many)."""
    full = face.getlength(text)
    longest = max((face.getlength(t) for t, _ in _tokens(text)), default=0.0)
    found: list[list[str]] = []
    for count in range(1, 8):
        for factor in (1.0, 1.08, 1.18, 1.3, 1.5):
            lines = wrap(text, face, min(max_w, full / count * factor + 1), max_w)
            if len(lines) <= count:
                break
        if lines not in found:
            found.append(lines)
        if full / count < min(longest, max_w):
            break
    return found
