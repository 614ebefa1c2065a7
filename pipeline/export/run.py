"""The export command's work: the build's stages, full-size pages, one file per book.

`export` runs the build's own stages (plan, art, lettering: every one from the cache
when a build made it already), bakes each page at full size (cached like the build's
pages), and writes one file per book with its format's writer. A book whose inputs
did not change since the last export into the same folder is not written again: each
file's key (a digest of the format, its options, the export code, the book's metadata,
pages, art and lettering keys, style and fonts) is kept in `.panelwright-export.json`
beside it. Every file is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from ..art import default_jobs, draw_art
from ..build import Progress, build_warnings, ready
from ..errors import Problem, ProjectError, unknown_reference
from ..lettering.fonts import LetteringFont
from ..lettering.stage import letter_cached, lettering_font
from ..plan import plan
from ..runtime import parallel
from ..runtime.cache import Cache, digest, project_lock, write_atomic
from ..runtime.code import code_digest
from ..runtime.outdir import check_out, mark
from ..runtime.parallel import ticker
from ..site.pages import page_image
from ..source.resolve import ResolvedProject
from ..specs import LetteredPanel, PageSpec, PanelArt
from ..story.nodes import write_nodes
from .book import Book, books

FORMATS = ("cbz", "pdf", "epub")
RECORD = ".panelwright-export.json"  # file name -> the key of the inputs it was made from
JPEG_QUALITY = 90  # pages in a CBZ, and the art under a PDF's or EPUB's lettering
WEBP_QUALITY = 90  # a CBZ's pages when the story's style draws WebP


class ExportReport(BaseModel):
    out: str
    format: str
    files: list[str]  # every file of this export, in the project's order
    written: list[str]  # those written anew (the rest were up to date)
    pages: int
    seconds: float
    warnings: list[Problem] = []


class PageJob(BaseModel):
    key: str
    style: str | None
    page: PageSpec
    art: dict[str, PanelArt]
    lettered: dict[str, LetteredPanel]
    ext: str


def _bake(job: PageJob, common: tuple[ResolvedProject, LetteringFont]) -> bytes:
    project, font = common
    image = page_image(project, job.style, job.page, job.art, job.lettered, font)
    buffer = io.BytesIO()
    if job.ext == "webp":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def _export_code(fmt: str) -> str:
    """The writers' own code and the page baker's: improving them re-exports."""
    from ..lettering import draw, fonts
    from ..site import pages
    from . import book, cbz, comicinfo, epub, pdf
    writer = {"cbz": (cbz.__name__, comicinfo.__name__), "pdf": (pdf.__name__,),
              "epub": (epub.__name__,)}[fmt]
    return code_digest(__name__, book.__name__, pages.__name__, draw.__name__,
                       fonts.__name__, *writer)


def _chosen(project: ResolvedProject, story: str | None) -> list[str]:
    ids = [s.id for s in project.stories]
    if story is None:
        return ids
    if story not in ids:
        raise ProjectError([Problem(file="stories", field="--story",
                                    message=f"there is no story '{story}'",
                                    hint=unknown_reference("stories", story, ids))])
    return [story]


def export(root: str | Path, fmt: str, story: str | None = None,
           out: str | Path | None = None, jobs: int | None = None,
           progress: Progress | None = None, bleed: float = 0.0,
           waiting: Callable[[], None] | None = None) -> ExportReport:
    """Export the project's stories (or one) as `fmt` files into `out`
    (PROJECT/_export by default); returns what was written."""
    started = time.perf_counter()
    if fmt not in FORMATS:
        raise ProjectError([Problem(file="--format",
                                    message=f"'{fmt}' is not an export format",
                                    hint=f"use one of {', '.join(FORMATS)}")])
    if not 0 <= bleed <= 25:
        raise ProjectError([Problem(file="--bleed",
                                    message=f"a bleed of {bleed:g} mm is out of range",
                                    hint="printers ask for 3 to 5 mm; give 0 to 25")])
    root = Path(root)
    project = ready(root)
    chosen = _chosen(project, story)
    target = check_out(root, Path(out) if out else root / "_export",
                       [root / path for path in project.assets])
    with project_lock(root, waiting):
        plans = [p for p in plan(project, write_nodes(project)) if p.story in chosen]
        panels = [p for sp in plans for p in sp.panels]
        workers = jobs or default_jobs()
        art = draw_art(project, panels, workers, ticker(progress, "drawing", len(panels)))
        font = lettering_font(project, plans)
        font_digest = font.digest()
        lettered, _, letter_keys = letter_cached(project, panels, art, font, font_digest,
                                                 workers)
        target.mkdir(parents=True, exist_ok=True)
        mark(target)
        record = _read_record(target)
        styles = {s.id: s.style for s in project.stories}
        code = _export_code(fmt)
        todo: list[tuple[Book, str, str]] = []  # book, file name, key
        files = []
        for book in books(project, plans, lettered, by_chapter=fmt == "cbz"):
            story_id = book.pages[0].spec.story if book.pages else book.stem
            style = styles[story_id]
            key = digest("export", fmt, code, bleed, book.metadata(),
                         [p.spec.model_dump(mode="json") for p in book.pages],
                         [[art[i].key for i in p.spec.panels] for p in book.pages],
                         [[letter_keys[i] for i in p.spec.panels] for p in book.pages],
                         project.styles[style].model_dump(mode="json", exclude={"source"})
                         if style else None, font_digest)
            name = f"{book.stem}.{fmt}"
            files.append(name)
            if record.get(name) != key or not (target / name).is_file():
                todo.append((book, name, key))
        _bake_pages(project, [b for b, _, _ in todo], art, styles, font, font_digest,
                    letter_keys, fmt, workers, progress)
        if story is None:  # a whole export: files of stories or chapters no longer there go
            for name in [n for n in record if n.endswith(f".{fmt}") and n not in files]:
                (target / name).unlink(missing_ok=True)
                del record[name]
                write_atomic(target / RECORD, json.dumps(record, indent=1,
                                                         sort_keys=True).encode())
        tick = ticker(progress, "writing", len(todo))
        for book, name, key in todo:
            write_atomic(target / name, _write(fmt, book, font, bleed))
            record[name] = key
            write_atomic(target / RECORD, json.dumps(record, indent=1, sort_keys=True).encode())
            tick(1)
    return ExportReport(
        out=str(target), format=fmt, files=files, written=[n for _, n, _ in todo],
        pages=sum(len(p.pages) for p in plans), seconds=round(time.perf_counter() - started, 3),
        warnings=build_warnings(project, plans, lettered, font))


def _read_record(folder: Path) -> dict[str, str]:
    try:
        record = json.loads((folder / RECORD).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _bake_pages(project: ResolvedProject, todo: list[Book], art: dict[str, PanelArt],
                styles: dict[str, str | None], font: LetteringFont, font_digest: str,
                letter_keys: dict[str, str], fmt: str, workers: int,
                progress: Progress | None) -> None:
    """Fill in each page's image files: lettered for a CBZ, bare for PDF and EPUB
    (they letter the page themselves), baked at full size or taken from the cache."""
    cache = Cache(project.root)
    bare = fmt != "cbz"
    light = project.model_copy(update={"assets": {}, "stories": [], "characters": {}})
    jobs: list[tuple[object, PageJob]] = []
    for book in todo:
        for page in book.pages:
            style = styles[page.spec.story]
            ext = "webp" if not bare and style and project.styles[style].format == "webp" \
                else "jpg"
            page.ext = ext
            key = digest("export-page", _baker_code(), bare, ext, JPEG_QUALITY, WEBP_QUALITY,
                         page.spec.model_dump(mode="json"),
                         [art[p].key for p in page.spec.panels],
                         None if bare else [letter_keys[p] for p in page.spec.panels],
                         project.styles[style].model_dump(mode="json", exclude={"source"})
                         if style else None, font_digest)
            hit = cache.get(key, ext)
            if hit is not None:
                _set(page, bare, str(hit[0]))
                continue
            balloons = {p: LetteredPanel(panel=p) if bare else page.lettered[p]
                        for p in page.spec.panels}
            jobs.append((page, PageJob(key=key, style=style, page=page.spec,
                                       art={p: art[p] for p in page.spec.panels},
                                       lettered=balloons, ext=ext)))
    tick = ticker(progress, "baking pages", len(jobs))
    for (page, job), data in zip(jobs, parallel.run(_bake, [j for _, j in jobs], workers,
                                                    common=(light, font))):
        _set(page, bare, str(cache.put(job.key, job.ext, data)))
        tick(1)
    cache.save()


def _set(page, bare: bool, path: str) -> None:
    if bare:
        page.bare = path
    else:
        page.image = path


def _baker_code() -> str:
    from ..lettering import draw, fonts
    from ..site import pages
    return code_digest(pages.__name__, draw.__name__, fonts.__name__)


def _write(fmt: str, book: Book, font: LetteringFont, bleed: float) -> bytes:
    if fmt == "cbz":
        from .cbz import cbz
        return cbz(book)
    if fmt == "pdf":
        from .pdf import pdf
        return pdf(book, font, bleed)
    from .epub import epub
    return epub(book, font)
