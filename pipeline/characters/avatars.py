"""The seed's one-shot avatar: from one image file or URL, the assets a character needs.

The seed's rules are checked before any work, all at once: a display name of 3–50
characters; exactly one of an image file or a URL; JPEG, PNG or WebP judged by
content; at most 4.5 MB. A URL is fetched over http(s) only, streamed with the size
cap and a timeout, and kept under `.panelwright/downloads/` so later builds stay
offline. From the one image the avatar model makes a portrait, a preview still,
a looping idle preview (animated WebP: a breath and a blink) and lighting and pose
variants, written beside the character as `characters/<id>.avatar/` together with the
source image, with a record (`avatar.yaml`) carrying what the seed's response carries.
Everything is committed with the story, so a build never needs the network.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from datetime import datetime, timezone
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlparse

import yaml
from PIL import Image, ImageEnhance, ImageOps
from pydantic import BaseModel

from ..errors import Problem, ProjectError, did_you_mean
from ..format.images import MAX_IMAGE_BYTES, image_problem
from ..format.slugs import slugify
from ..runtime.cache import cache_dir
from ..source.load import ReadRefused, read_regular
from .files import write_file as write_atomic

GROUP = "panelwright.avatar_models"
NAME_RULE = "display name must be 3–50 characters"


class AvatarRecord(BaseModel):
    """What the seed's create-avatar response carries, for a file-based avatar."""

    id: str
    display_name: str
    variant_name: str
    preview_image: str
    idle_preview: str | None
    created_at: str
    updated_at: str
    organization_id: str | None = None
    versions: list[str]
    default_version: str
    model: str
    portrait: str
    variants: dict[str, str]
    source: str | None = None  # the image it was made from, kept for offline rebuilds


class ProceduralAvatarModel:
    """The default model: crops, relights and animates the image with Pillow, offline."""

    name: ClassVar[str] = "procedural"
    version: ClassVar[str] = "v1"
    gated: ClassVar[bool] = False
    access_env: ClassVar[str | None] = None

    def make(self, image: Image.Image) -> dict[str, bytes]:
        portrait = _face_square(image, 512)
        assets = {"portrait.png": _png(portrait), "preview.png": _png(portrait.resize(
            (256, 256), Image.Resampling.LANCZOS)), "idle.webp": _idle(portrait)}
        for name, image_ in _variants(portrait).items():
            assets[f"variant-{name}.png"] = _png(image_)
        return assets


class GatedAvatarModel(ProceduralAvatarModel):
    """An example of a gated model: it needs organization access, configured in the
    environment, as the seed's gated models do."""

    name: ClassVar[str] = "studio-hq"
    version: ClassVar[str] = "v2"
    gated: ClassVar[bool] = True
    access_env: ClassVar[str | None] = "PANELWRIGHT_STUDIO_HQ_TOKEN"


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _face_square(image: Image.Image, size: int) -> Image.Image:
    """A bust portrait: a square around the face found in the image (faces sit a
    little above the centre), head and shoulders in it."""
    from ..engines.procedural.faces import DEFAULT_FACE, face_box
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        backdrop = Image.new("RGB", image.size, (236, 232, 224))
        backdrop.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = backdrop
    image = image.convert("RGB")
    cx, cy, face = face_box(_png(image))
    found = (cx, cy) != (image.width * DEFAULT_FACE[0], image.height * DEFAULT_FACE[1])
    side = min(min(image.size), face * 2.6) if found else min(image.size)
    left = max(0, min(round(cx - side / 2), image.width - round(side)))
    top = max(0, min(round(cy - side * 0.42), image.height - round(side)))
    return image.crop((left, top, left + round(side), top + round(side))).resize(
        (size, size), Image.Resampling.LANCZOS)


def _luma(pixel: tuple[int, int, int]) -> float:
    return 0.299 * pixel[0] + 0.587 * pixel[1] + 0.114 * pixel[2]


def _eyes(portrait: Image.Image, box: tuple[int, int, int, int]
          ) -> tuple[list[int], list[int], float] | None:
    """(rows, columns, skin brightness) of the eyes inside `box`: the run of rows with
    a few dark spots (a fringe of hair darkens whole rows instead)."""
    x0, y0, x1, y1 = box
    px = portrait.load()
    band = sorted(_luma(px[x, y]) for x in range(x0, x1, 2) for y in range(y0, y1, 2))
    if len(band) < 16:
        return None
    skin = band[len(band) // 2]
    rows = {}
    for y in range(y0, y1):
        dark = [x for x in range(x0, x1) if _luma(px[x, y]) < skin * 0.6]
        if 0 < len(dark) < 0.5 * (x1 - x0):
            rows[y] = dark
    runs: list[list[int]] = []
    for y in sorted(rows):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    runs = [r for r in runs if 2 <= len(r) <= (y1 - y0) * 0.5]
    if not runs:
        return None
    eyes = max(runs, key=lambda r: sum(len(rows[y]) for y in r))
    return eyes, sorted({x for y in eyes for x in rows[y]}), skin


def _blink(portrait: Image.Image) -> tuple[Image.Image, Image.Image] | None:
    """(eyes half shut, eyes shut) versions of the portrait, or None when no eyes are
    found. The eyes are looked for in the upper half of the face found in the
    portrait, else in the middle of the portrait; closing them paints the eye (and
    its soft edge) with the skin beside it from the top down; a shut eye is a lid."""
    from ..engines.procedural.faces import face_box
    cx, cy, side = face_box(_png(portrait))
    w, h = portrait.size
    candidates = []
    for box in ((cx - side * .38, cy - side * .30, cx + side * .38, cy + side * .12),
                (w * .22, h * .28, w * .78, h * .58)):
        x0, y0 = max(0, round(box[0])), max(0, round(box[1]))
        x1, y1 = min(w, round(box[2])), min(h, round(box[3]))
        if x1 - x0 >= 8 and y1 - y0 >= 4 and (eyes_ := _eyes(portrait, (x0, y0, x1, y1))):
            candidates.append(eyes_)
    if not candidates:
        return None
    found = max(candidates, key=lambda c: len(c[0]) * len(c[1]))
    eyes, columns, skin = found
    px = portrait.load()
    cols = set(columns)
    near = {x for c in columns for x in range(c - 3, c + 4) if 0 <= x < w}
    shut = []
    for amount in (0.5, 1.0):
        frame = portrait.copy()
        out = frame.load()
        top = eyes[0] - 3
        bottom = eyes[0] + max(1, round(len(eyes) * amount)) + (3 if amount == 1 else 0)
        for y in range(max(0, top), min(h, bottom)):
            for x in near:
                if _luma(px[x, y]) < skin * 0.92:  # the eye and its antialiased edge
                    fill = next((px[n, y] for d in range(1, 30) for n in (x - d, x + d)
                                 if 0 <= n < w and n not in near
                                 and _luma(px[n, y]) >= skin * 0.92), None)
                    if fill:
                        out[x, y] = fill
        if amount == 1.0:
            lid_y = eyes[len(eyes) * 2 // 3]
            lid = tuple(round(c * 0.3) for c in px[min(cols) - 4 if min(cols) > 4 else 0, lid_y])
            for x in columns:
                for y in (lid_y, min(lid_y + 1, h - 1)):
                    out[x, y] = lid
        shut.append(frame)
    return shut[0], shut[1]


def _idle(portrait: Image.Image, frames: int = 16) -> bytes:
    """A short loop: the shoulders rise and fall (a breath), and the eyes blink once."""
    w, h = portrait.size
    blink = _blink(portrait)
    shots = []
    for i in range(frames):
        breath = 1 + 0.012 * math.sin(2 * math.pi * i / frames)
        base = blink[0 if i in (10, 12) else 1] if blink and i in (10, 11, 12) else portrait
        frame = base.resize((round(w * breath), round(h * breath)), Image.Resampling.BILINEAR)
        frame = frame.crop(((frame.width - w) // 2, frame.height - h,
                            (frame.width - w) // 2 + w, frame.height))
        shots.append(frame)
    out = io.BytesIO()
    shots[0].save(out, "WEBP", save_all=True, append_images=shots[1:], duration=120, loop=0,
                  quality=80, method=4)
    return out.getvalue()


def _variants(portrait: Image.Image) -> dict[str, Image.Image]:
    """Lighting and pose variants, named as the seed's variant_name is."""
    warm = Image.blend(portrait, Image.new("RGB", portrait.size, (255, 170, 90)), 0.18)
    cool = Image.blend(portrait, Image.new("RGB", portrait.size, (80, 120, 220)), 0.18)
    return {"warm-light": warm, "cool-light": cool,
            "low-light": ImageEnhance.Brightness(portrait).enhance(0.55),
            "turned": portrait.transpose(Image.Transpose.FLIP_LEFT_RIGHT)}


def models() -> dict[str, object]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


class Avatars:
    """One-shot avatars for the story repo at `root`."""

    def __init__(self, root: str | Path, timeout: float = 10.0):
        self.root = Path(root)
        self.timeout = timeout

    def create(self, name: str, image: str | Path | None = None, url: str | None = None,
               model: str | None = None, character: str | None = None) -> AvatarRecord:
        problems = self._rules(name, image, url, model, character)
        if problems:
            raise ProjectError(problems)
        chosen = models()[model or "procedural"].load()()
        if chosen.gated and not os.environ.get(chosen.access_env or ""):
            raise ProjectError([Problem(
                file="avatar", field="model",
                message=f"the model '{chosen.name}' is gated: it needs your organization's "
                        "access",
                hint=f"set the environment variable {chosen.access_env} to your access token, "
                     "or use the default model 'procedural'")])
        from ..engines.http import without_credentials
        label = str(image) if image is not None else without_credentials(str(url))
        try:
            data = (read_regular(Path(image), MAX_IMAGE_BYTES, "image") if image is not None
                    else self._fetch(str(url)))
        except ReadRefused as exc:
            raise ProjectError([Problem(file=label, message=exc.message, hint=exc.hint)]
                               ) from None
        broken = image_problem(data, label)
        if broken:
            raise ProjectError([Problem(file=label, message=broken[0], hint=broken[1])])
        with Image.open(io.BytesIO(data)) as source:
            assets = chosen.make(source)
            kind = (source.format or "png").lower().replace("jpeg", "jpg")
        assets[f"source.{kind}"] = data  # kept, so the avatar can be made again offline
        avatar_id = self.folder_id(character or slugify(name), character)
        folder = self.root / "characters" / f"{avatar_id}.avatar"
        for stale in folder.glob("source.*") if folder.is_dir() else []:
            stale.unlink()
        for file, content in assets.items():
            write_atomic(folder / file, content)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        record_path = folder / "avatar.yaml"
        created = now
        if record_path.is_file():
            created = (yaml.safe_load(record_path.read_text()) or {}).get("created_at", now)
        rel = f"{avatar_id}.avatar"
        record = AvatarRecord(
            id=avatar_id, display_name=name, variant_name="default",
            preview_image=f"{rel}/preview.png", idle_preview=f"{rel}/idle.webp",
            created_at=created, updated_at=now, versions=[chosen.version],
            default_version=chosen.version, model=chosen.name, portrait=f"{rel}/portrait.png",
            variants={f.removeprefix("variant-").removesuffix(".png"): f"{rel}/{f}"
                      for f in assets if f.startswith("variant-")},
            source=f"{rel}/source.{kind}")
        write_atomic(record_path, yaml.safe_dump(record.model_dump(), sort_keys=False,
                                                 allow_unicode=True).encode())
        if character:
            from .files import Characters
            Characters(self.root).update(character, avatar=record.portrait,
                                         idle=record.idle_preview)
        return record

    def folder_id(self, wanted: str, character: str | None = None) -> str:
        """The avatar's id, its folder `characters/<id>.avatar/`: `wanted` when nothing
        has that name yet or the folder holds `character`'s own avatar (making it again
        replaces it); else `wanted-2`, `-3`...: an avatar never replaces what it did not
        make."""
        folder = self.root / "characters"
        own: set[str] = set()
        if character:
            from .files import Characters
            current = Characters(self.root).get(character)
            own = {Path(p).parts[0] for p in (current.avatar, current.idle) if p}
        avatar_id, n = wanted, 2
        while f"{avatar_id}.avatar" not in own and (
                (folder / f"{avatar_id}.avatar").exists() or
                (folder / f"{avatar_id}.avatar").is_symlink()):
            avatar_id, n = f"{wanted}-{n}", n + 1
        return avatar_id

    def get(self, avatar_id: str) -> AvatarRecord:
        """The record of the avatar in `characters/<avatar_id>.avatar/`."""
        record = self.root / "characters" / f"{avatar_id}.avatar" / "avatar.yaml"
        if not record.is_file():
            known = self.ids()
            raise ProjectError([Problem(
                file=f"characters/{avatar_id}.avatar/avatar.yaml",
                message=f"there is no avatar '{avatar_id}'",
                hint=did_you_mean(avatar_id, known) or "make one with 'panelwright avatar "
                "create --name NAME --image FILE'")])
        return AvatarRecord.model_validate(yaml.safe_load(record.read_text(encoding="utf-8")))

    def ids(self) -> list[str]:
        """The avatars made so far, by id."""
        return sorted(p.parent.name.removesuffix(".avatar") for p in
                      (self.root / "characters").glob("*.avatar/avatar.yaml"))

    def _rules(self, name: str, image: str | Path | None, url: str | None,
               model: str | None, character: str | None = None) -> list[Problem]:
        """Every seed rule the request breaks, before any work starts."""
        problems = []
        if not 3 <= len(name) <= 50:
            problems.append(Problem(file="avatar", field="name",
                                    message=f"{NAME_RULE}, got {len(name)}: '{name}'",
                                    hint="choose a name of 3 to 50 characters"))
        if (image is None) == (url is None):
            which = "both" if image is not None else "neither"
            problems.append(Problem(file="avatar", field="image",
                                    message=f"give an image file or an image URL, not {which}",
                                    hint="use --image FILE or --url URL"))
        if image is not None and not Path(image).exists():
            problems.append(Problem(file=str(image), message="this image file does not exist"))
        elif image is not None and Path(image).stat().st_size > MAX_IMAGE_BYTES:
            size = Path(image).stat().st_size / 1e6
            problems.append(Problem(file=str(image), message=f"the image is {size:.1f} MB; "
                                    "images must be at most 4.5 MB",
                                    hint="save it smaller, e.g. as JPEG or WebP"))
        if url is not None and urlparse(url).scheme not in ("http", "https"):
            problems.append(Problem(file=url, field="url",
                                    message="only http and https URLs can be fetched",
                                    hint="download the image and use --image FILE"))
        if character is not None:
            from .files import Characters
            ids = Characters(self.root).ids()
            if character not in ids:
                problems.append(Problem(
                    file=f"characters/{character}.md", field="character",
                    message=f"there is no character '{character}' to give the avatar to",
                    hint=did_you_mean(character, ids) or "create it first with "
                    "'panelwright characters create', or leave out --character"))
        known = models()
        if model is not None and model not in known:
            problems.append(Problem(file="avatar", field="model",
                                    message=f"there is no avatar model '{model}'",
                                    hint=did_you_mean(model, known) or
                                    "the models are: " + ", ".join(sorted(known))))
        return problems

    def _fetch(self, url: str) -> bytes:
        """Fetch `url` within the time-out (for the whole transfer) and the size cap; keep
        it for offline rebuilds only when it is an image that passes the rules, so a
        refused download is fetched again once the server is fixed."""
        from ..engines.errors import EngineError
        from ..engines.http import download, without_credentials

        cached = cache_dir(self.root) / "downloads" / hashlib.sha256(url.encode()).hexdigest()
        if cached.is_file() and cached.stat().st_size <= MAX_IMAGE_BYTES and \
                image_problem(data := cached.read_bytes(), url) is None:
            return data
        shown = without_credentials(url)
        try:
            body = download(url, self.timeout, MAX_IMAGE_BYTES, "the image")
        except EngineError as exc:
            if exc.error == "too large":
                raise ProjectError([_too_large(shown, MAX_IMAGE_BYTES + 1)]) from None
            hint = "try again, or download it and use --image FILE"
            raise ProjectError([Problem(file=shown, message=exc.message, hint=hint)]) from None
        if image_problem(body, url) is None:
            write_atomic(cached, body)
        return body


def _too_large(url: str, size: int) -> Problem:
    return Problem(file=url, message=f"the image is more than 4.5 MB ({size / 1e6:.1f} MB or "
                   "more); images must be at most 4.5 MB", hint="use a smaller image")
