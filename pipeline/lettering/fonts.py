"""The lettering faces: measured here for line breaks, served by the site, baked into exports.

The default face is the hand-lettered Intuitive from the `font-intuitive` package (SIL
Open Font License), with the Aileron face inside Pillow as a last resort; neither is a
file of ours. A project can name its own TTF/OTF and a fallback font. When these cannot
draw a character the story uses, `with_fallbacks` finds faces that can, in a fixed order:
the project's fallback, fonts of installed Python packages (`panelwright[cjk]`), the
machine's fonts (runtime/machine_fonts.py). Each balloon is then lettered with the first
face of that chain that draws all of its characters, measured, drawn and served with that
one face; what no font on the machine has is found by `missing_glyphs` so `check` can
report it instead of drawing empty boxes.
Line breaking lives here too, since it is measuring: at spaces, between the
characters of Chinese and Japanese (no line starting with closing punctuation),
hyphenating only a word too long for any line.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from PIL import ImageFont

from ..runtime import machine_fonts

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
        ImageFont.truetype(io.BytesIO(data), 24).getmask("A")
    except Exception as exc:  # FreeType says OSError; damaged tables raise others
        return (f"'{name}' is not a font file FreeType can read ({exc})",
                "name a TrueType (.ttf) or OpenType (.otf) font file")
    return None


def default_font_licence() -> str:
    try:
        return (resources.files("font_intuitive") / "files" / "OFL.txt").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        return ""


@dataclass(eq=False)
class Face:
    """One font face: a project's file (its bytes) or a font found on the machine (its path)."""

    family: str  # the font's own family name
    digest: str  # of its bytes: what it is, wherever it lies
    origin: str  # where it came from, in words: "lettering.font", "the package X", a path
    data_: bytes | None = field(default=None, repr=False)
    path: str | None = None
    index: int = 0  # the face inside a collection
    licence_file: str | None = None  # the package's licence file, when it came with one
    ranges: list | None = field(default=None, repr=False)  # a found font's cmap, as ranges
    starts: list[int] = field(default_factory=list, repr=False)

    def __hash__(self) -> int:
        return hash(self.digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Face) and other.digest == self.digest

    @classmethod
    def of_bytes(cls, data: bytes, origin: str, licence_file: str | None = None) -> Face:
        return cls(family=_family(data) or Path(origin).stem,
                   digest=hashlib.sha256(data).hexdigest(), origin=origin, data_=data,
                   licence_file=licence_file)

    @classmethod
    def found(cls, face: machine_fonts.FoundFace) -> Face:
        origin = f"the package {face.package}" if face.package else face.path
        return cls(family=face.family, digest=face.digest, origin=origin, path=face.path,
                   index=face.index, licence_file=face.licence, ranges=face.ranges,
                   starts=face.starts)

    @property
    def data(self) -> bytes:
        if self.data_ is None:
            self.data_ = _read(self.path or "", self.index)
        return self.data_

    def covers(self, char: str) -> bool:
        if self.ranges is not None:
            return machine_fonts.covered(self.ranges, self.starts, char)
        return _has_glyph(self, char)  # a project's font: FreeType draws it or not

    def __getstate__(self) -> dict:
        # sent to every worker: a machine font travels as its path, not its megabytes
        state = dict(self.__dict__)
        if self.path:
            state["data_"] = None
        return state


@lru_cache(maxsize=8)
def _family(data: bytes) -> str:
    """A project font's family name, as FreeType reads it. What such a font covers is asked
    of FreeType glyph by glyph (`_has_glyph`): reading its character map would need
    fontTools, whose import alone costs every rebuild a tenth of a second."""
    return ImageFont.truetype(io.BytesIO(data), 24).getname()[0] or ""


def default_licence_file() -> str | None:
    try:
        path = resources.files("font_intuitive") / "files" / "OFL.txt"
        return str(path) if path.is_file() else None
    except ModuleNotFoundError:
        return None


@lru_cache(maxsize=8)
def _read(path: str, index: int) -> bytes:
    return Path(path).read_bytes()


@lru_cache(maxsize=256)
def _font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    if face.path and face.data_ is None:
        return ImageFont.truetype(face.path, size, index=face.index)
    return ImageFont.truetype(io.BytesIO(face.data), size, index=face.index)


def _drawable(char: str) -> bool:
    return not char.isspace() and char.isprintable()


class LetteringFont:
    """The chain of faces lettering may use, at any size: the main face first."""

    def __init__(self, data: bytes | None = None, fallback: bytes | None = None,
                 name: str = DEFAULT_NAME, faces: list[Face] | None = None):
        if faces is None:
            faces = [Face.of_bytes(data, "lettering.font") if data else
                     Face.of_bytes(default_font_bytes(), "the package font-intuitive",
                                   default_licence_file())]
            if fallback:
                faces.append(Face.of_bytes(fallback, "lettering.fallback_font"))
        self.faces = faces
        self.name = name

    @property
    def data(self) -> bytes:
        return self.faces[0].data

    @property
    def fallback(self) -> bytes | None:
        """The first face after the main one, for callers that know a single fallback."""
        return self.faces[1].data if len(self.faces) > 1 else None

    def digest(self) -> str:
        """What the lettering depends on: every face of the chain, in order."""
        return hashlib.sha256(" ".join(f.digest for f in self.faces).encode()).hexdigest()

    def at(self, size: float, face: int = 0) -> ImageFont.FreeTypeFont:
        return _font(self.faces[face], max(1, round(size)))

    def covers(self, text: str, face: int = 0) -> bool:
        return not _missing(self.faces[face], text)

    def lacking(self, text: str, face: int = 0) -> str:
        """The characters of `text` the face cannot draw."""
        return _missing(self.faces[face], text)

    def showable(self, text: str, face: int = 0) -> str:
        """`text` with characters the face cannot show replaced by '?', never tofu boxes."""
        missing = _missing(self.faces[face], text)
        return "".join("?" if c in missing else c for c in text) if missing else text

    def choose(self, text: str) -> int:
        """The face to letter `text` with: the first that draws all of it, else the one
        that draws the most (the rest shows as '?', and `check` says so)."""
        best, fewest = 0, None
        for i, face in enumerate(self.faces):
            lacking = len(_missing(face, text))
            if lacking == 0:
                return i
            if fewest is None or lacking < fewest:
                best, fewest = i, lacking
        return best


@lru_cache(maxsize=65536)
def _missing(face: Face, text: str) -> str:
    """The characters of `text` the face has no glyph for."""
    return "".join(c for c in dict.fromkeys(text) if _drawable(c) and not face.covers(c))


@lru_cache(maxsize=65536)
def _has_glyph(face: Face, char: str) -> bool:
    font = _font(face, 24)
    mask = font.getmask(char)
    return mask.size != (0, 0) and bytes(mask) != bytes(font.getmask("\U0010fffd"))


def missing_glyphs(font: LetteringFont, text: str) -> str:
    """The characters of `text` no face of the chain can draw."""
    return "".join(c for c in dict.fromkeys(text)
                   if _drawable(c) and not any(f.covers(c) for f in font.faces))


def with_fallbacks(font: LetteringFont, texts: Iterable[str],
                   found: Iterable[machine_fonts.FoundFace] | None = None) -> LetteringFont:
    """`font` with the faces it needs to draw every one of `texts` appended, each text
    drawn whole by one face where a font can: the first in `machine_fonts.candidates`
    order. The machine is searched only when the chain lacks something."""
    faces = list(font.faces)
    pending = sorted({t for t in texts if not any(not _missing(f, t) for f in faces)})
    if not pending:
        return font
    pool = list(found if found is not None else machine_fonts.candidates())

    def add(face: machine_fonts.FoundFace) -> None:
        if all(f.digest != face.digest for f in faces):
            faces.append(Face.found(face))

    for text in pending:
        if any(not _missing(f, text) for f in faces):
            continue
        needed = [c for c in dict.fromkeys(text) if _drawable(c)]
        whole = next((c for c in pool if all(c.covers(ch) for ch in needed)), None)
        if whole is not None:
            add(whole)
            continue
        # No one font has all of it: the line is lettered with the face that has the most
        # (`check` warns), and the rest is found too, so only what no font has is an error.
        lacking = [ch for ch in needed if not any(f.covers(ch) for f in faces)]
        while lacking:
            best = max(pool, default=None, key=lambda c: (sum(map(c.covers, needed)),
                                                          sum(map(c.covers, lacking)),
                                                          -pool.index(c)))
            if best is None or not any(best.covers(ch) for ch in lacking):
                best = next((c for c in pool if any(c.covers(ch) for ch in lacking)), None)
            if best is None:
                break
            add(best)
            lacking = [ch for ch in lacking if not best.covers(ch)]
    return LetteringFont(faces=faces, name=font.name)


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
    # a long text gives max_w for most tries: wrapping it again would give the same lines
    # (a 1,500-word line took a minute to check)
    wrapped: dict[float, list[str]] = {}
    for count in range(1, 8):
        for factor in (1.0, 1.08, 1.18, 1.3, 1.5):
            width = min(max_w, full / count * factor + 1)
            if width not in wrapped:
                wrapped[width] = wrap(text, face, width, max_w)
            lines = wrapped[width]
            if len(lines) <= count:
                break
        if lines not in found:
            found.append(lines)
        if full / count < min(longest, max_w):
            break
    return found
