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
import os
from datetime import datetime, timezone
from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import urlparse

import yaml
from PIL import Image
from pydantic import BaseModel, ValidationError

from ..errors import Problem, ProjectError, did_you_mean
from ..format.images import MAX_IMAGE_BYTES, image_problem
from ..format.slugs import fold, slugify
from ..runtime.cache import cache_dir
from ..source.reads import ReadRefused, read_regular
from .avatar_models import GatedAvatarModel, ProceduralAvatarModel
from .files import write_file as write_atomic

__all__ = ["AvatarRecord", "AvatarVersion", "Avatars", "GatedAvatarModel",
           "ProceduralAvatarModel", "models"]

GROUP = "panelwright.avatar_models"
NAME_RULE = "display name must be 3–50 characters"
VARIANTS = ("default", "warm-light", "cool-light", "low-light", "turned")


class AvatarVersion(BaseModel):
    """One making of an avatar: its model and every asset it wrote (a later making of
    the same avatar is a new version beside it, never written over it)."""

    model: str
    model_version: str
    variant_name: str
    created_at: str
    portrait: str
    preview_image: str
    idle_preview: str | None
    variants: dict[str, str]
    source: str | None = None


class AvatarRecord(BaseModel):
    """What the seed's create-avatar response carries, for a file-based avatar: the
    newest version's assets, and every version (`versions`, `version_assets`)."""

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
    version_assets: dict[str, AvatarVersion] = {}


def models() -> dict[str, object]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


class Avatars:
    """One-shot avatars for the story repo at `root`."""

    def __init__(self, root: str | Path, timeout: float = 10.0):
        self.root = Path(root)
        self.timeout = timeout

    def create(self, name: str, image: str | Path | None = None, url: str | None = None,
               model: str | None = None, character: str | None = None,
               variant: str | None = None) -> AvatarRecord:
        """Make an avatar, or a new version of one: an avatar of the same display name
        (or `character`'s own avatar) gets the next version beside its others."""
        name = name.strip()  # the seed's 3–50 characters are the name's own
        problems = self._rules(name, image, url, model, character, variant)
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
        avatar_id = self.folder_id(character or slugify(name), character, name)
        folder = self.root / "characters" / f"{avatar_id}.avatar"
        earlier = self.get(avatar_id) if (folder / "avatar.yaml").is_file() else None
        number = 1 + max((int(v[1:]) for v in (earlier.version_assets if earlier else {})
                          if v[1:].isdigit()), default=0)
        version = f"v{number}"
        # the first version at the top of the folder (as avatars always were), later
        # ones in their own folder beside it: nothing made before is written over
        rel = f"{avatar_id}.avatar" + ("" if number == 1 else f"/{version}")
        for file, content in assets.items():
            write_atomic(self.root / "characters" / rel / file, content)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        variants = {f.removeprefix("variant-").removesuffix(".png"): f"{rel}/{f}"
                    for f in assets if f.startswith("variant-")}
        made = AvatarVersion(
            model=chosen.name, model_version=chosen.version, variant_name=variant or "default",
            created_at=now, portrait=f"{rel}/portrait.png",
            preview_image=variants[variant] if variant and variant != "default"
            else f"{rel}/preview.png", idle_preview=f"{rel}/idle.webp", variants=variants,
            source=f"{rel}/source.{kind}")
        every = (earlier.version_assets if earlier else {}) | {version: made}
        record = AvatarRecord(
            id=avatar_id, display_name=name, variant_name=made.variant_name,
            preview_image=made.preview_image, idle_preview=made.idle_preview,
            created_at=earlier.created_at if earlier else now, updated_at=now,
            versions=list(every), default_version=version, model=chosen.name,
            portrait=made.portrait, variants=variants, source=made.source,
            version_assets=every)
        write_atomic(folder / "avatar.yaml", yaml.safe_dump(
            record.model_dump(), sort_keys=False, allow_unicode=True).encode())
        if character:
            from .files import Characters
            avatar = variants[variant] if variant and variant != "default" else made.portrait
            Characters(self.root).update(character, avatar=avatar, idle=made.idle_preview)
        return record

    def folder_id(self, wanted: str, character: str | None = None, name: str | None = None
                  ) -> str:
        """The avatar's id, its folder `characters/<id>.avatar/`: `wanted` when nothing
        has that name yet, or the folder holds `character`'s own avatar or (no character
        given) an avatar of the same display name: it gets a new version; else
        `wanted-2`, `-3`...: an avatar never writes into what it did not make."""
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
            if not character and name is not None and self._named(avatar_id, name):
                break
            avatar_id, n = f"{wanted}-{n}", n + 1
        return avatar_id

    def _named(self, avatar_id: str, name: str) -> bool:
        """Is `avatar_id` an avatar (a real folder with its record) of this display name?"""
        folder = self.root / "characters" / f"{avatar_id}.avatar"
        if folder.is_symlink() or not (folder / "avatar.yaml").is_file():
            return False
        try:
            return fold(self.get(avatar_id).display_name) == fold(name)
        except ProjectError:
            return False

    def list(self) -> list[AvatarRecord]:
        """Every avatar, each with every version it has (`versions`, `version_assets`)."""
        return [self.get(avatar_id) for avatar_id in self.ids()]

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
        try:
            data = yaml.safe_load(record.read_text(encoding="utf-8"))
            if isinstance(data, dict) and not data.get("version_assets"):
                # written before versions were kept: its one version is the record itself
                data["version_assets"] = {data.get("default_version", "v1"): data | {
                    "model_version": data.get("default_version", "v1")}}
                data["versions"] = list(data["version_assets"])
            return AvatarRecord.model_validate(data)
        except (yaml.YAMLError, ValidationError, UnicodeDecodeError) as exc:
            raise ProjectError([Problem(
                file=f"characters/{avatar_id}.avatar/avatar.yaml",
                message=f"this avatar record cannot be read ({str(exc).splitlines()[0]})",
                hint="restore it from git, or move the folder aside and make the avatar "
                     "again")]) from None

    def ids(self) -> list[str]:
        """The avatars made so far, by id."""
        return sorted(p.parent.name.removesuffix(".avatar") for p in
                      (self.root / "characters").glob("*.avatar/avatar.yaml"))

    def _rules(self, name: str, image: str | Path | None, url: str | None,
               model: str | None, character: str | None = None,
               variant: str | None = None) -> list[Problem]:
        """Every seed rule the request breaks, before any work starts."""
        problems = []
        if variant is not None and variant not in VARIANTS:
            problems.append(Problem(file="avatar", field="variant",
                                    message=f"there is no variant '{variant}'",
                                    hint=did_you_mean(variant, VARIANTS) or
                                    "the variants are: " + ", ".join(VARIANTS)))
        if not 3 <= len(name) <= 50:
            problems.append(Problem(file="avatar", field="name",
                                    message=f"{NAME_RULE} (spaces around it do not count), "
                                    f"got {len(name)}: '{name}'",
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
