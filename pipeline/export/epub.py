"""EPUB 3 fixed layout: each comic page an XHTML page, the art under the lettering as text.

The format Apple Books, Kobo and Calibre read comics in. Written by hand with
`zipfile` (the format is a zip with rules, and every rule is kept here): `mimetype`
first and stored, the package pre-paginated with no spreads, the spine's
page-progression-direction from the reading direction, a navigation document by
story, chapter and scene, the first page as the cover. Each page is the bare art
with, over every panel, the same SVG lettering the web reader lays over it
(`lettering.draw.to_svg`), so readers can search, select and read aloud the words;
the lettering fonts are embedded, cut down to the characters the book uses.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from html import escape

from ..errors import Problem, ProjectError
from ..lettering.draw import to_svg
from ..lettering.fonts import LetteringFont
from .book import Book, Section
from .cbz import EPOCH

MAIN_FAMILY = "PanelwrightLettering"  # face i > 0 of the chain is "PanelwrightFace<i>"
XHTML = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
CONTAINER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             '<rootfiles><rootfile full-path="OEBPS/package.opf" '
             'media-type="application/oebps-package+xml"/></rootfiles></container>\n')
FONT_FACE = '@font-face { font-family: "%s"; src: url("fonts/%s.%s"); }\n'
STYLE = """html, body { margin: 0; padding: 0; }
.page { position: relative; overflow: hidden; }
.page img { position: absolute; left: 0; top: 0; width: 100%%; height: 100%%; }
.slot { position: absolute; }
.slot svg { position: absolute; left: 0; top: 0; width: 100%%; height: 100%%; overflow: visible; }
"""


def _font_kind(data: bytes) -> tuple[str, str]:
    """(file extension, media type) of a font file."""
    return ("otf", "font/otf") if data[:4] == b"OTTO" else ("ttf", "font/ttf")


def subset_font(data: bytes, text: str) -> bytes:
    """The font cut down to the characters of `text` (a CJK face is megabytes whole)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(io.BytesIO(data), lazy=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text or " ")
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def book_id(book: Book) -> str:
    """A stable identifier: the same story exported again is the same book to a reader."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'panelwright:{book.series}:{book.stem}')}"


def _family(face: int) -> str:
    return MAIN_FAMILY if face == 0 else f"PanelwrightFace{face}"


def page_xhtml(book: Book, index: int, faces: int = 1) -> str:
    page = book.pages[index]
    spec = page.spec
    slots = []
    for panel_id, (x, y, w, h) in zip(spec.panels, spec.slots, strict=True):
        svg = to_svg(page.lettered[panel_id].balloons, w, h, MAIN_FAMILY,
                     [_family(i) for i in range(faces)], names=book.names)
        slots.append(f'<div class="slot" style="left:{x}px;top:{y}px;width:{w}px;'
                     f'height:{h}px">{svg}</div>')
    title = escape(f"{book.title}, page {index + 1}")
    lang = escape(book.language)
    return (f'{XHTML}<html xmlns="http://www.w3.org/1999/xhtml" '
            f'xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="{lang}" lang="{lang}">\n'
            f'<head><meta charset="UTF-8"/><title>{title}</title>'
            f'<meta name="viewport" content="width={spec.width}, height={spec.height}"/>'
            '<link rel="stylesheet" type="text/css" href="style.css"/></head>\n'
            f'<body><div class="page" style="width:{spec.width}px;height:{spec.height}px">'
            f'<img src="images/page-{index + 1:03d}.jpg" alt="{title}"/>'
            f'{"".join(slots)}</div></body></html>\n')


def _nav_list(book: Book, sections: list[Section]) -> str:
    """Nested <ol> of the sections, each level under the one above it."""
    out, depth = [], 0
    for i, section in enumerate(sections):
        level = section.level + 1
        if level > depth:
            out.append("<ol>" * (level - depth))
        elif level < depth:
            out.append("</li></ol>" * (depth - level) + "</li>")
        elif i:
            out.append("</li>")
        depth = level
        out.append(f'<li><a href="page-{section.page + 1:03d}.xhtml">'
                   f'{escape(section.title)}</a>')
    out.append("</li></ol>" * depth)
    return "".join(out)


def nav_xhtml(book: Book) -> str:
    lang = escape(book.language)
    return (f'{XHTML}<html xmlns="http://www.w3.org/1999/xhtml" '
            f'xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="{lang}" lang="{lang}">\n'
            f'<head><meta charset="UTF-8"/><title>{escape(book.title)}</title></head>\n'
            f'<body><nav epub:type="toc" id="toc"><h1>{escape(book.title)}</h1>'
            f'{_nav_list(book, book.sections)}</nav>'
            '<nav epub:type="landmarks" hidden=""><ol><li><a epub:type="cover" '
            'href="page-001.xhtml">Cover</a></li></ol></nav></body></html>\n')


def package_opf(book: Book, fonts: dict[str, str]) -> str:
    modified = f"{book.date or '2000-01-01'}T00:00:00Z"
    meta = [f'<dc:identifier id="book-id">{book_id(book)}</dc:identifier>',
            f"<dc:title>{escape(book.title)}</dc:title>",
            f"<dc:language>{escape(book.language)}</dc:language>",
            f'<meta property="dcterms:modified">{modified}</meta>',
            '<meta property="rendition:layout">pre-paginated</meta>',
            '<meta property="rendition:spread">none</meta>',
            '<meta property="rendition:orientation">auto</meta>',
            '<meta name="cover" content="image-001"/>']
    if book.author:
        meta.append(f"<dc:creator>{escape(book.author)}</dc:creator>")
    if book.summary:
        meta.append(f"<dc:description>{escape(book.summary)}</dc:description>")
    if book.date:
        meta.append(f"<dc:date>{book.date}</dc:date>")
    meta.append(f'<meta property="belongs-to-collection" id="series">'
                f'{escape(book.series)}</meta>'
                '<meta refines="#series" property="collection-type">series</meta>'
                f'<meta refines="#series" property="group-position">{book.number}</meta>')
    items = ['<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" '
             'properties="nav"/>',
             '<item id="style" href="style.css" media-type="text/css"/>']
    items += [f'<item id="font-{name}" href="fonts/{name}.{ext}" media-type="{kind}"/>'
              for name, (ext, kind) in fonts.items()]
    spine = []
    for n in range(1, len(book.pages) + 1):
        svg = ' properties="svg"'
        items.append(f'<item id="page-{n:03d}" href="page-{n:03d}.xhtml" '
                     f'media-type="application/xhtml+xml"{svg}/>')
        cover = ' properties="cover-image"' if n == 1 else ""
        items.append(f'<item id="image-{n:03d}" href="images/page-{n:03d}.jpg" '
                     f'media-type="image/jpeg"{cover}/>')
        spine.append(f'<itemref idref="page-{n:03d}"/>')
    direction = "rtl" if book.rtl else "ltr"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
            f'unique-identifier="book-id" xml:lang="{escape(book.language)}" '
            'prefix="rendition: http://www.idpf.org/vocab/rendition/#">\n'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            + "".join(meta) + "</metadata>\n<manifest>" + "".join(items)
            + f'</manifest>\n<spine page-progression-direction="{direction}">'
            + "".join(spine) + "</spine>\n</package>\n")


def epub(book: Book, font: LetteringFont) -> bytes:
    words = "".join(b.text + "".join(b.lines) for page in book.pages
                    for panel in page.lettered.values() for b in panel.balloons)
    balloons = [b for page in book.pages for panel in page.lettered.values()
                for b in panel.balloons]
    used = {0} | {b.face for b in balloons}
    fonts, files, style = {}, {}, ""
    for index in sorted(used):
        face = font.faces[index]
        name = "lettering" if index == 0 else f"face{index}"
        ext, kind = _font_kind(face.data)
        fonts[name] = (ext, kind)
        try:
            files[f"OEBPS/fonts/{name}.{ext}"] = subset_font(face.data, words)
        except Exception as exc:  # fontTools raises many kinds on a bad table
            raise ProjectError([Problem(
                file="panelwright.yaml", field="lettering.font",
                message=f"the lettering face '{face.family}' ({face.origin}) cannot be "
                        f"embedded in an EPUB ({exc})",
                hint="use a TrueType (.ttf) or OpenType (.otf) font with outlines")]) from None
        style += FONT_FACE % (_family(index), name, ext)
    style += STYLE
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        def put(name: str, data: bytes | str, stored: bool = False) -> None:
            archive.writestr(zipfile.ZipInfo(name, EPOCH), data,
                             zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)

        put("mimetype", b"application/epub+zip", stored=True)  # first, uncompressed
        put("META-INF/container.xml", CONTAINER)
        put("OEBPS/package.opf", package_opf(book, fonts))
        put("OEBPS/nav.xhtml", nav_xhtml(book))
        put("OEBPS/style.css", style)
        for name, data in files.items():
            put(name, data)
        for index, page in enumerate(book.pages):
            put(f"OEBPS/page-{index + 1:03d}.xhtml",
                page_xhtml(book, index, len(font.faces)))
            with open(page.bare, "rb") as handle:
                put(f"OEBPS/images/page-{index + 1:03d}.jpg", handle.read(), stored=True)
    return buffer.getvalue()
