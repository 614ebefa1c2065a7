"""PDF: each comic page as a PDF page, the art raster, the lettering vector and text.

Made with fpdf2 (pure Python; it subsets and embeds TrueType/OpenType fonts, draws
vector shapes and writes outlines). A page's art and borders are the export's bare
raster; over it the balloons are drawn from the same `Balloon` geometry the web's SVG
and the baked pages use, and the words are real text in the lettering face the letterer
chose per balloon (the main font or a fallback), so they can be searched, copied and
printed sharp at any resolution. Pages are TRIM_WIDTH mm wide (the American comic
book's 6.625 in), as tall as their aspect ratio makes them; `bleed` adds that many mm
on every side, in the page colour, with trim marks at the corners.
"""

from __future__ import annotations

import tempfile
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF, ViewerPreferences
from fpdf.enums import TextMode

from ..errors import Problem, ProjectError
from ..format.model import LineKind
from ..lettering.draw import CAPTION, INK, PAPER, SFX_FILL, STROKE, text_direction, text_stroke
from ..lettering.fonts import LetteringFont
from ..specs import Balloon
from .book import Book

TRIM_WIDTH = 168.275  # mm: 6.625 in, the American comic book page
PT = 72 / 25.4  # points per mm
MAIN = "Lettering"  # face i > 0 of the chain is "LetteringFace<i>"


def font_file(folder: Path, name: str, data: bytes) -> Path:
    """The font written where fpdf2 can read it, named by its kind (it reads the suffix)."""
    ext = {b"OTTO": ".otf", b"ttcf": ".ttc", b"wOFF": ".woff", b"wOF2": ".woff2"}.get(
        data[:4], ".ttf")
    path = folder / f"{name}{ext}"
    path.write_bytes(data)
    return path


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def _shaped(document: FPDF, line: str, centre: float, baseline: float, direction: str) -> None:
    """A line with Arabic or Hebrew in it, shaped by HarfBuzz and ordered by the bidi
    algorithm in the balloon's own direction (fpdf2 does both in cells, not in text())."""
    document.set_text_shaping(True, direction=direction)
    width = document.get_string_width(line) + 2 * document.c_margin
    # a cell of no height puts its baseline 0.3 font sizes below its top
    document.set_xy(centre - width / 2, baseline - 0.3 * document.font_size)
    document.cell(width, 0, line, align="C")
    document.set_text_shaping(False)


def _family(face: int) -> str:
    return MAIN if face == 0 else f"LetteringFace{face}"


def pdf(book: Book, font: LetteringFont, bleed: float = 0.0) -> bytes:
    document = FPDF(unit="mm")
    document.set_auto_page_break(False)
    document.set_margins(0, 0, 0)
    document.set_title(book.title)
    document.set_author(book.author)
    document.set_subject(book.summary)
    document.set_creator("Panelwright")
    document.set_lang(book.language)
    if book.date:  # the book's own date, so the same book makes the same file
        document.set_creation_date(datetime.fromisoformat(book.date).replace(
            tzinfo=timezone.utc))
    else:
        document.set_creation_date(datetime(2000, 1, 1, tzinfo=timezone.utc))
    document.viewer_preferences = ViewerPreferences(
        display_doc_title=True, direction="RTL" if book.rtl else "LTR")
    with tempfile.TemporaryDirectory(prefix="panelwright-pdf-") as folder:
        used = {0} | {b.face for page in book.pages for panel in page.lettered.values()
                      for b in panel.balloons}
        for index in sorted(used):
            face = font.faces[index]
            try:
                document.add_font(_family(index), "",
                                  font_file(Path(folder), f"face{index}", face.data))
            except Exception as exc:  # fontTools and fpdf2 raise many kinds on a bad table
                raise ProjectError([Problem(
                    file="panelwright.yaml", field="lettering.font",
                    message=f"the lettering face '{face.family}' ({face.origin}) cannot be "
                            f"embedded in a PDF ({exc})",
                    hint="use a TrueType (.ttf) or OpenType (.otf) font with outlines")]
                ) from None
        sections = {}
        for section in book.sections:
            sections.setdefault(section.page, []).append(section)
        for index, page in enumerate(book.pages):
            k = TRIM_WIDTH / page.spec.width  # mm per page pixel
            width, height = page.spec.width * k, page.spec.height * k
            document.add_page(format=(width + 2 * bleed, height + 2 * bleed))
            for section in sections.get(index, []):
                document.start_section(section.title, section.level, strict=False)
            if bleed:
                document.set_fill_color(*_hex(book.page_colour))
                document.rect(0, 0, width + 2 * bleed, height + 2 * bleed, style="F")
            document.image(page.bare, bleed, bleed, width, height)
            for panel_id, (x, y, _, _) in zip(page.spec.panels, page.spec.slots, strict=True):
                for balloon in page.lettered[panel_id].balloons:
                    _balloon(document, balloon, bleed + x * k, bleed + y * k, k, font)
            if bleed:
                _trim_marks(document, bleed, width, height)
        return bytes(document.output())


def _balloon(document: FPDF, b: Balloon, ox: float, oy: float, k: float,
             font: LetteringFont) -> None:
    def at(point):
        return ox + point[0] * k, oy + point[1] * k

    fill = CAPTION if b.kind == LineKind.caption else PAPER
    document.set_draw_color(*INK)
    document.set_fill_color(*fill)
    document.set_line_width(STROKE * k)
    if b.kind == LineKind.thought:
        for i, point in enumerate(b.tail):
            x, y = at(point)
            r = b.font_size * (0.45 - 0.12 * i) * k
            document.ellipse(x - r, y - r, 2 * r, 2 * r, style="DF")
    if b.outline:
        if b.kind == LineKind.whisper:
            document.set_dash_pattern(dash=7 * k, gap=5 * k)
        document.polygon([at(p) for p in b.outline], style="DF")
        document.set_dash_pattern()
    document.set_font(_family(b.face), size=b.font_size * k * PT)
    stroke = text_stroke(b)
    document.set_text_color(*(SFX_FILL if b.kind == LineKind.sfx else INK))
    document.set_line_width(stroke * k)
    x0, y0 = at(b.text_origin)
    bx, by, bw, bh = b.box
    centre = at((bx + bw / 2, by + bh / 2))
    # the outline under the letters, then the letters: SVG's paint-order="stroke"
    for mode in ([TextMode.STROKE] if stroke else []) + [TextMode.FILL]:
        document.text_mode = mode
        if mode == TextMode.STROKE:  # an artifact: search and copy see the words once
            document._out("/Artifact BMC")
        with document.rotation(-b.tilt, *centre) if b.tilt else _nothing():
            for i, line in enumerate(b.lines):
                shown = font.showable(line, b.face)
                baseline = y0 + i * b.line_height * k
                if _right_to_left(shown):
                    _shaped(document, shown, x0, baseline, text_direction(b.text))
                else:
                    document.text(x0 - document.get_string_width(shown) / 2, baseline, shown)
        if mode == TextMode.STROKE:
            document._out("EMC")
    document.text_mode = TextMode.FILL


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


def _trim_marks(document: FPDF, bleed: float, width: float, height: float) -> None:
    """Short lines in the bleed at each corner, on the lines the printer cuts along."""
    document.set_draw_color(0, 0, 0)
    document.set_line_width(0.25 / PT)
    reach = bleed * 0.6
    for x in (bleed, bleed + width):
        document.line(x, 0, x, reach)
        document.line(x, height + 2 * bleed - reach, x, height + 2 * bleed)
    for y in (bleed, bleed + height):
        document.line(0, y, reach, y)
        document.line(width + 2 * bleed - reach, y, width + 2 * bleed, y)
