"""Art served at the sizes it is shown: WebP (and AVIF) variants for `srcset`.

A panel drawn 1,488 px wide is shown about 360 CSS px wide on a phone and 875 on a
desktop; sent whole it is a quarter of a megabyte of PNG. Each image the site shows
gets smaller copies at the widths its places on the page need (`SHOWN`, which mirrors
the theme's stylesheet), in WebP beside the original, and the theme's one macro
(`templates/_picture.html`) offers them with `srcset` and `sizes` so the browser takes
the smallest that is sharp on its screen.

Encoding costs time, so every variant is kept in the cache under a key of the source
image's own key (its content digest, or the key that made it) and the encoder's
settings: a rebuild encodes only images it has never seen. The same input gives the
same bytes, so two builds make the same site. A build makes the copies of the art it
draws and the pages it bakes as soon as each exists (`Copies`, run by `flow.py` beside
the drawing); the site render then finds them in the cache, and makes only the rest
(portraits, avatars, art the cache held from before).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..runtime.cache import Cache, digest
from ..runtime.parallel import run
from ..specs import Box, PageSpec, PanelArt

# Where each kind of image is shown, in CSS px: (on a phone 390 px wide, on a desktop),
# measured from templates/assets/style.css; `sizes` tells the browser the same.
# Panels are a fraction of the comic page, which is 380.4 px wide on a phone (390 less
# the reader's padding) and at most 941.6 px (720 for the vertical format) on a desktop.
PHONE_PAGE, PHONE_PADDING, DESKTOP_PADDING = 380.4, 9.6, 38.4
DESKTOP_PAGE = {"vertical": 720.0}  # by layout; 941.6 for the others
SHOWN: dict[str, tuple[float, float, str]] = {
    # kind: (phone, desktop, sizes)
    "cover": (338, 260, "(max-width: 640px) calc(100vw - 52px), 260px"),  # index story card
    "thumb": (177, 164, "(max-width: 640px) calc(50vw - 18px), 165px"),  # contents page
    "portrait": (371, 300, "(max-width: 640px) calc(100vw - 19px), 300px"),  # character
    "avatar": (152, 175, "(max-width: 640px) calc(50vw - 43px), 175px"),  # cast gallery
}
PHONE_DPR, DESKTOP_DPR = (2, 3), (1, 2)
MERGE = 1.25  # a width within this ratio of the last one kept adds little: skipped
WHOLE = 0.85  # a width this close to the original's is served by the original's

# The formats written beside the original, best first (`_formats`); their settings are
# part of every variant's key.
WEBP = dict(quality=80, method=2)
AVIF = dict(quality=55, speed=8)
# AVIF encodes 2-3 times slower than WebP for no fewer bytes at these settings
# (benchmarks/README.md "Images"); off unless that changes.
AVIF_ENABLED = False
VERSION = 3  # bump when the way variants are made changes in a way settings do not say


def _formats() -> tuple[tuple[str, str, dict], ...]:
    """(extension, MIME type, save settings) of each format to write, best first."""
    from PIL import features

    found = []
    if AVIF_ENABLED and features.check("avif"):
        found.append(("avif", "image/avif", AVIF))
    if features.check("webp"):
        found.append(("webp", "image/webp", WEBP))
    return tuple(found)


@dataclass(frozen=True)
class Wanted:
    """An image the site shows: where it is in the site, where its bytes are, the key
    they were made under, and where it is shown (a kind of SHOWN, or a panel)."""

    path: str  # site path of the original, e.g. art/<key>.png
    source: str | bytes  # a file (the cache's) or the bytes themselves
    key: str  # the source's content digest, or the cache key that made it
    kind: str  # a key of SHOWN, or "panel"
    fraction: float = 1.0  # a panel's width over its page's
    layout: str = ""  # a panel's page layout (the vertical format's page is narrower)


def panel_wanted(art: PanelArt, page: PageSpec, box: Box) -> Wanted:
    """A panel's art as the site shows it: in its slot (`box`) of `page`."""
    return Wanted(f"art/{art.key}.{art.format}", art.image, art.key, "panel",
                  box[2] / page.width, page.layout)


def page_wanted(story: str, page: PageSpec, source: str) -> list[Wanted]:
    """A baked page (`source`, the cache's file named by its key) as the site shows it:
    every story's first page is its cover, and every page a thumbnail of the contents."""
    return [Wanted(f"pages/{story}-{page.number}.jpg", source, Path(source).stem, kind)
            for kind in (("cover", "thumb") if page.number == 1 else ("thumb",))]


def shown(want: Wanted) -> tuple[float, float, str]:
    """(phone, desktop) CSS widths where `want` is shown, and its `sizes` attribute."""
    if want.kind != "panel":
        return SHOWN[want.kind]
    f = want.fraction
    page = DESKTOP_PAGE.get(want.layout, 941.6)
    return (PHONE_PAGE * f, page * f,
            f"(max-width: 640px) calc((100vw - {PHONE_PADDING}px) * {f:.4f}), "
            f"(max-width: {page + DESKTOP_PADDING:.0f}px) calc((100vw - {DESKTOP_PADDING}px) "
            f"* {f:.4f}), {page * f:.1f}px")


def widths(original: int, phone: float, desktop: float) -> list[int]:
    """The widths to make for an image `original` px wide shown at `phone` and `desktop`
    CSS px: one for each screen density that needs fewer pixels than the original, near
    ones merged; and the original's own width when a screen needs that many (a thumbnail
    never does: its largest variant serves every screen)."""
    kept: list[int] = []
    for target in sorted([phone * d for d in PHONE_DPR] + [desktop * d for d in DESKTOP_DPR]):
        if target >= WHOLE * original:
            return [*kept, original]
        if not kept or target >= MERGE * kept[-1]:
            kept.append(math.ceil(target))  # never below the density it is for
    return kept


def _encode(job: tuple[str | bytes, float, float, tuple]) -> dict[str, Any]:
    """Decode one image and write its variants: {'size': (w, h), 'variants':
    [(ext, width, height, bytes), ...]}. A variant no smaller than the original's file
    (flat art that PNG holds in few bytes) is not kept: ('original', w, h, b'') stands in
    its place, and in place of every wider one. No variants for an animated or
    unreadable image: it is served as it is."""
    from PIL import Image, UnidentifiedImageError

    source, phone, desktop, formats = job
    whole = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
            size = image.size
            if getattr(image, "n_frames", 1) > 1:
                return dict(size=size, variants=[])
            image.load()
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA" if "A" in image.getbands() or
                                      "transparency" in image.info else "RGB")
            image.info.pop("exif", None)
            out: list[tuple[str, int, int, bytes]] = []
            for ext, _, settings in formats:
                for width in widths(size[0], phone, desktop):
                    height = max(1, round(size[1] * width / size[0]))
                    # bicubic: a third less CPU than Lanczos at these ratios (0.4-0.8),
                    # as sharp to the eye at the sizes shown
                    scaled = image if width == size[0] else image.resize(
                        (width, height), Image.Resampling.BICUBIC)
                    buffer = io.BytesIO()
                    scaled.save(buffer, ext.upper(), **settings)
                    if buffer.tell() >= whole:
                        out.append((ext, size[0], size[1], b""))  # the original itself
                        break
                    out.append((ext, width, height, buffer.getvalue()))
            return dict(size=size, variants=out)
    except (UnidentifiedImageError, OSError, ValueError):
        return dict(size=(1, 1), variants=[])


class _Store(Cache):
    """The cache's entries for pictures, in a folder and index of their own
    (`.panelwright/pictures/`): only a build that renders the site reads them, so a
    no-op rebuild reads the same cache index as before there were any."""

    def __init__(self, project_root: str | Path):
        super().__init__(project_root)
        self.root = self.root.parent / "pictures"


class Pictures:
    """The variants of every image a site shows, made (or found in the cache) at once,
    and looked up by templates through `picture(path, kind)`."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], dict[str, Any]] = {}

    def __call__(self, path: str, kind: str = "") -> dict[str, Any]:
        """What the `picture` macro needs: the original's size, `sizes` and one source
        per format with its srcset, as site paths. An image not prepared is served as
        it is (a theme override's own picture)."""
        found = self._found.get((path, kind)) or next(
            (v for (p, _), v in self._found.items() if p == path), None)
        return found or dict(width=0, height=0, sizes="", sources=[])

    def prepare(self, root: str | Path, wanted: Iterable[Wanted], files: Any,
                jobs: int = 1, defer: list[Wanted] | None = None) -> None:
        """Make or find the variants of `wanted` and add them to the site's `files`
        (a SiteFiles: copies of the cache's files). With `defer` (`serve`), an image
        whose variants are not in the cache is not encoded but added to `defer`, and
        shown as its original alone until a later `prepare` of it has made them."""
        formats = _formats()
        cache = _Store(root)
        todo: dict[str, tuple] = {}  # plan key -> the job that makes its variants
        plans: dict[Wanted, str] = {}
        for want in wanted:
            plan_key = plans[want] = _plan_key(want, formats)
            if plan_key not in todo and _recall(cache, plan_key) is None:
                if defer is not None:
                    defer.append(want)
                    continue
                todo[plan_key] = _job(want, want.source, formats)
        keys = list(todo)
        for plan_key, made in zip(keys, run(_encode, [todo[k] for k in keys], jobs),
                                  strict=True):
            _keep(cache, plan_key, made)
        cache.save()
        mime = {ext: kind for ext, kind, _ in formats}
        for want, plan_key in plans.items():
            plan = _recall(cache, plan_key) or dict(size=_size(want.source), variants=[])
            stem, _, _ = want.path.rpartition(".")
            sources: dict[str, list[dict[str, Any]]] = {}
            for ext, width, _, key in plan["variants"]:
                path = f"{stem}-{width}.{ext}" if key else want.path
                if key:
                    files.copies[path] = str(cache.path(key, ext))
                sources.setdefault(ext, []).append(dict(path=path, width=width))
            self._found[(want.path, want.kind)] = dict(
                width=plan["size"][0], height=plan["size"][1], sizes=shown(want)[2],
                sources=[dict(type=mime.get(ext, f"image/{ext}"), widths=items)
                         for ext, items in sources.items()])



class Copies:
    """The copies of the pictures a build has just made (a panel's art drawn, a page
    baked), to be made while other panels are still being drawn (`flow.py` runs the
    jobs on its workers) and stored the moment they arrive, so the site render finds
    them in the cache. Only new pictures are asked for: a rebuild that makes nothing
    does not read the pictures' cache (the render looks up the rest)."""

    def __init__(self, project_root: str | Path):
        self.root = project_root
        self.formats = _formats()
        self._cache: _Store | None = None
        self._asked: set[str] = set()

    @property
    def cache(self) -> _Store:
        if self._cache is None:
            self._cache = _Store(self.root)
        return self._cache

    def jobs(self, wanted: Iterable[Wanted], data: bytes | None = None
             ) -> list[tuple[str, tuple]]:
        """(plan key, `copies_job` item) for each of `wanted` not made or asked for
        yet; `data`, the picture's bytes, travels instead of its file's path when the
        workers do not share this machine's files."""
        out = []
        for want in wanted:
            plan_key = _plan_key(want, self.formats)
            if plan_key in self._asked:
                continue
            self._asked.add(plan_key)
            if _recall(self.cache, plan_key) is None:
                out.append((plan_key, _job(want, want.source if data is None else data,
                                           self.formats)))
        return out

    def keep(self, plan_key: str, made: dict[str, Any]) -> None:
        """A job's copies, put in the pictures' cache at once."""
        _keep(self.cache, plan_key, made)

    def save(self) -> None:
        if self._cache is not None:
            self._cache.save()


def copies_job(job: tuple, common: None = None) -> dict[str, Any]:
    """One picture's copies encoded, as a `Workers` job (see `_encode`)."""
    return _encode(job)


def _plan_key(want: Wanted, formats: tuple) -> str:
    """The key of a picture's copies: its source's key, where it is shown, the
    encoders' settings and version."""
    phone, desktop, _ = shown(want)
    settings = [(ext, opts) for ext, _, opts in formats]
    return digest("picture", VERSION, want.key, round(phone, 1), round(desktop, 1), settings,
                  _pillow())


def _job(want: Wanted, source: str | bytes, formats: tuple) -> tuple:
    phone, desktop, _ = shown(want)
    return (source, phone, desktop, formats)


def _keep(cache: _Store, plan_key: str, made: dict[str, Any]) -> None:
    variants = []
    for ext, width, height, data in made["variants"]:
        key = digest(plan_key, ext, width) if data else ""
        if data:
            cache.put(key, ext, data)
        variants.append([ext, width, height, key])
    cache.put_json(plan_key, dict(size=list(made["size"]), variants=variants))


def _recall(cache: _Store, plan_key: str) -> dict[str, Any] | None:
    """A plan made before whose every variant is still in the cache."""
    plan = cache.get_json(plan_key)
    if not isinstance(plan, Mapping):
        return None
    for ext, _, _, key in plan.get("variants", []):
        if key and cache.get(key, ext) is None:
            return None
    return dict(plan)


def _size(source: str | bytes) -> list[int]:
    """An image's width and height from its header, [0, 0] when unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
            return list(image.size)
    except (UnidentifiedImageError, OSError, ValueError):
        return [0, 0]


def _pillow() -> str:
    """Pillow's version: a new encoder may write other bytes, so it keys the variants."""
    import PIL

    return PIL.__version__
