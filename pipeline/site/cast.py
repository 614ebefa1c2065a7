"""The characters' part of the site: who appears where, their avatars and their cards.

Every character page shows the stories a character is in (the page they first appear
on, how many pages show them) and offers the character's card as role-play tools read
it. The cards' PNGs are kept between renders in this process: `serve` renders the site
again on every save.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

from ..runtime.cache import digest
from ..source.resolve import ResolvedProject
from ..specs import StoryPlan
from .output import SiteFiles


def image_size(data: bytes) -> tuple[int, int]:
    """An image's width and height, for its <img> (the browser keeps its place before it
    loads: no layout shift); a square when Pillow cannot read it."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return (1, 1)


# again on every save, and encoding each avatar anew took a third of a render.
_CARDS: dict[str, bytes] = {}


def _card_png(character: Any, avatar: bytes | None, embedded: dict[str, bytes]) -> bytes:
    from ..characters.card_format import card_png  # the format only: no character files

    key = digest(character.model_dump(mode="json"), hashlib.sha256(avatar or b"").hexdigest(),
                 {uri: hashlib.sha256(data).hexdigest() for uri, data in embedded.items()})
    if key not in _CARDS:
        if len(_CARDS) > 256:  # a long session with many characters edited: start again
            _CARDS.clear()
        _CARDS[key] = card_png(character, avatar, embedded)
    return _CARDS[key]


def appearances(project: ResolvedProject, plans: list[StoryPlan]
                ) -> tuple[dict[str, list[str]], dict[str, list[dict[str, Any]]]]:
    """Per character: the stories they are in, and per such story the page they first
    appear on and how many pages show them (in the panel or speaking in it)."""
    characters = project.characters
    stories: dict[str, list[str]] = {cid: [] for cid in characters}
    roles: dict[str, list[dict[str, Any]]] = {cid: [] for cid in characters}
    for story_plan in plans:
        specs = {p.id: p for p in story_plan.panels}
        on_pages: dict[str, list[int]] = {}
        for page in story_plan.pages:
            for panel_id in page.panels:
                spec = specs[panel_id]
                for cid in [*spec.characters, *(ln.speaker for ln in spec.lines if ln.speaker)]:
                    if cid in characters and page.number not in on_pages.setdefault(cid, []):
                        on_pages[cid].append(page.number)
        for cid in characters:
            if cid in on_pages:
                stories[cid].append(story_plan.story)
                roles[cid].append(dict(story=story_plan.story, first=min(on_pages[cid]),
                                       pages=len(on_pages[cid])))
    return stories, roles


def cast_files(project: ResolvedProject, files: SiteFiles
               ) -> tuple[dict[str, str], dict[str, str], dict[str, tuple[int, int]]]:
    """Put every character's avatar, idle loop and cards in `files`; returns the site
    paths of the avatars and of the idle loops by character, and every image's size."""
    from ..characters.card_format import to_card  # the format only: no character files

    avatars, idles, sizes = {}, {}, {}
    for cid, character in project.characters.items():
        avatar = project.assets[character.avatar_path].data if character.avatar_path else None
        if avatar:
            ext = Path(character.avatar_path or "").suffix.lower() or ".png"
            avatars[cid] = f"avatars/{cid}{ext}"
            files.data[avatars[cid]] = avatar
            sizes[avatars[cid]] = image_size(avatar)
        if character.idle_path and project.assets[character.idle_path].data:
            idles[cid] = f"avatars/{cid}-idle.webp"
            files.data[idles[cid]] = project.assets[character.idle_path].data or b""
            sizes[idles[cid]] = image_size(files.data[idles[cid]])
        # every character page offers its card, as role-play tools read it: a PNG with
        # both (V2 in `chara`, V3 in `ccv3`), V3 JSON, and V2 JSON beside it for V2 tools
        embedded = {a["uri"]: project.assets[f"characters/{a['uri']}"].data or b""
                    for a in character.card.get("assets") or [] if isinstance(a, dict)
                    and f"characters/{a.get('uri')}" in project.assets}
        files.data[f"cards/{cid}.png"] = _card_png(character, avatar, embedded)
        for name, spec in ((f"cards/{cid}.json", "v3"), (f"cards/{cid}.v2.json", "v2")):
            files.text[name] = json.dumps(to_card(character, spec, embedded),
                                          ensure_ascii=False, indent=2)
    return avatars, idles, sizes
