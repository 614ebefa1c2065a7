"""CBZ: a zip of page images in reading order, with ComicInfo.xml at its root.

Readers sort pages by file name, so names are zero-padded numbers (at least three
digits); the pages are the lettered rasters the export baked, stored as they are
(JPEG and WebP do not compress again). The zip's dates are fixed, so the same book
makes the same bytes.
"""

from __future__ import annotations

import io
import zipfile

from PIL import Image

from .book import Book
from .comicinfo import comic_info

EPOCH = (1980, 1, 1, 0, 0, 0)  # zip's earliest date: no build time in the bytes


def page_names(book: Book) -> list[str]:
    width = max(3, len(str(len(book.pages))))
    return [f"{index:0{width}d}.{page.ext}" for index, page in enumerate(book.pages, 1)]


def cbz(book: Book) -> bytes:
    buffer = io.BytesIO()
    sizes = []
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, page in zip(page_names(book), book.pages, strict=True):
            with open(page.image, "rb") as handle:
                data = handle.read()
            with Image.open(io.BytesIO(data)) as image:
                sizes.append((image.width, image.height, len(data)))
            archive.writestr(zipfile.ZipInfo(name, EPOCH), data, zipfile.ZIP_STORED)
        info = zipfile.ZipInfo("ComicInfo.xml", EPOCH)
        archive.writestr(info, comic_info(book, sizes).encode(), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
