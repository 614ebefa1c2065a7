"""ComicInfo.xml: a book's metadata as comic servers and taggers read it.

The Anansi Project schema (v2.0, with v2.1's draft read by Kavita) is a sequence:
elements must come in the schema's order, pages are `<Page>` attributes. Komga,
Kavita, YACReader and `comicapi` (the taggers' library) read it from the archive's
root. Only fields the comic has are written; empty ones are left out.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from .book import Book

# the schema's order (v2.0), of the elements a Panelwright book can fill
ORDER = ("Title", "Series", "Number", "Count", "Summary", "Notes", "Year", "Month", "Day",
         "Writer", "Letterer", "Web", "PageCount", "LanguageISO", "Format", "Manga",
         "Characters", "Locations")


def comic_info(book: Book, sizes: list[tuple[int, int, int]]) -> str:
    """The XML for `book`, whose page files have these (width, height, bytes)."""
    fields: dict[str, str | int] = {
        "Title": book.title, "Series": book.series, "Number": book.number,
        "Count": book.count, "Summary": book.summary, "Notes": "Made with Panelwright.",
        "Writer": book.author, "Web": book.web, "PageCount": len(sizes),
        "LanguageISO": book.language, "Format": "Web Comic",
        # "No" says it is known to read left to right; readers then do not guess
        "Manga": "YesAndRightToLeft" if book.rtl else "No",
        "Characters": ", ".join(book.characters), "Locations": ", ".join(book.locations),
    }
    if book.date:
        year, month, day = (int(part) for part in book.date.split("-"))
        fields |= {"Year": year, "Month": month, "Day": day}
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<ComicInfo xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
             'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">']
    for name in ORDER:
        value = fields.get(name)
        if value not in (None, ""):
            lines.append(f"  <{name}>{escape(str(value))}</{name}>")
    lines.append("  <Pages>")
    for index, (width, height, size) in enumerate(sizes):
        kind = "FrontCover" if index == 0 else "Story"
        lines.append(f"    <Page Image={quoteattr(str(index))} Type={quoteattr(kind)} "
                     f'ImageSize="{size}" ImageWidth="{width}" ImageHeight="{height}"/>')
    lines += ["  </Pages>", "</ComicInfo>", ""]
    return "\n".join(lines)
