"""Character Card V2 and V3: the format itself, what a card holds and how it is read.

Split from `cards` (which imports and exports cards by editing the writer's character
files) so that the site, which writes every character's card, needs only this: the
character model, the problems it can report and Pillow. No character files, no YAML,
no build: nothing here can import its way back up the stages.

A card is JSON (`{"spec": "chara_card_v2"|"chara_card_v3", "spec_version", "data"}`),
or a PNG that carries it base64-encoded in a tEXt chunk: `chara` for V2, `ccv3` for
V3 (read case-insensitively, `ccv3` preferred, as SillyTavern does); an older V1
card (the fields at the top level, no `spec`) is read too.
"""

from __future__ import annotations

import base64
import io
import json
import mimetypes
import re
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from PIL import Image, PngImagePlugin

from ..errors import Problem, ProjectError
from ..format.images import MAX_PIXELS
from ..format.model import Character
from ..source.reads import CONTROL

MAX_CARD_BYTES = 16_000_000  # the 4.5 MB picture, the card twice in base64, and room
MAX_JSON_DEPTH = 64  # real cards nest a few levels (extensions, lorebook entries)

# a tuple, not a set: cards are written in this order, the same bytes on every build
MAPPED = ("name", "description", "personality", "scenario", "first_mes", "tags")
V2_DEFAULTS: dict[str, Any] = {
    "mes_example": "", "creator_notes": "", "system_prompt": "",
    "post_history_instructions": "", "alternate_greetings": [], "creator": "",
    "character_version": "", "extensions": {}}
V3_DEFAULTS: dict[str, Any] = V2_DEFAULTS | {"group_only_greetings": []}


TOP = "panelwright_top_level"  # kept card fields outside `data`, as they were
COPIES = "panelwright_top_level_copies"  # those outside `data` that copy a data field
OURS = "panelwright"  # our key in `extensions`: what a card carries of Panelwright's
ASSET = "chara-ext-asset_:"  # a PNG's embedded asset chunk; its uri is `__asset:N`
V3_ONLY = ("group_only_greetings", "assets", "nickname", "creator_notes_multilingual",
           "source", "creation_date", "modification_date")


def _as_stored(key: str, value: Any) -> Any:
    """What the character file reads back for a card field's value: text stripped (and
    the description, the file's Markdown body, with its line ends as \\n), a name cut to
    50 characters, tags as text (one text is split at commas)."""
    if key == "tags":
        if isinstance(value, str):
            return [t.strip() for t in value.split(",") if t.strip()]
        return [str(t).strip() for t in value or []]
    text = str(value if value is not None else "")
    if key == "description":
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    return text[:50].strip() if key == "name" else text


def _copy(value: Any) -> Any:
    """A deep copy as JSON holds it: a date a hand-written file holds (YAML reads
    `2024-01-01` as one) is its ISO text, as a card can only carry text."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if hasattr(
        v, "isoformat") else str(v)))


def _book(book: Any, spec: str) -> Any:
    """A lorebook in the spec's own shape: V3 entries carry `use_regex`; V2 entries do
    not, and their `id` is a number."""
    if not isinstance(book, dict) or not isinstance(book.get("entries"), list):
        return book
    entries = []
    for entry in book["entries"]:
        if isinstance(entry, dict) and spec == "v3":
            entry = entry if "use_regex" in entry else entry | {"use_regex": False}
        elif isinstance(entry, dict):
            entry = {k: v for k, v in entry.items() if k != "use_regex"}
            if isinstance(entry.get("id"), str):
                number = entry.pop("id").strip()
                if number.lstrip("-").isdigit():
                    entry["id"] = int(number)
        entries.append(entry)
    return book | {"entries": entries}


def _embedded(data: dict, files: Mapping[str, bytes], png: bool) -> dict[str, bytes]:
    """Rewrite `data.assets` whose uri names a file kept beside the character: in a PNG
    as `__asset:N` (the chunk returned, N the file's name), in JSON as a data: URI."""
    chunks: dict[str, bytes] = {}
    for asset in data.get("assets") or []:
        uri = asset.get("uri") if isinstance(asset, dict) else None
        if not isinstance(uri, str) or uri not in files:
            continue
        if png:
            number = Path(uri).stem
            asset["uri"] = f"__asset:{number}"
            chunks[f"{ASSET}{number}"] = files[uri]
        else:
            kind = mimetypes.guess_type(uri)[0] or "application/octet-stream"
            asset["uri"] = f"data:{kind};base64,{base64.b64encode(files[uri]).decode()}"
    return chunks


def card_parts(character: Character, spec: str = "v3", files: Mapping[str, bytes] = {},
               png: bool = False) -> tuple[dict, dict[str, bytes]]:
    """(the character as a card, the asset chunks a PNG card carries). The card's own
    fields come back as they were; aliases and colours ride in `extensions.panelwright`."""
    kept = _copy(character.card)
    top = kept.pop(TOP, None)
    top = top if isinstance(top, dict) else {}
    data = _copy(V3_DEFAULTS if spec == "v3" else V2_DEFAULTS)
    data |= {k: v for k, v in kept.items() if k not in MAPPED and k != COPIES}
    for key in MAPPED:
        current = getattr(character, key)
        exact = kept.get(key)  # the card's own text, unless the writer changed it
        data[key] = exact if key in kept and _as_stored(key, exact) == current \
            else (list(current) if key == "tags" else current)
    ours = {k: v for k, v in {"aliases": list(character.aliases), "colours": {
        k: v for k, v in character.colours.model_dump().items() if v}}.items() if v}
    if ours:
        extensions = data["extensions"] if isinstance(data.get("extensions"), dict) else {}
        mine = extensions.get(OURS) if isinstance(extensions.get(OURS), dict) else {}
        data["extensions"] = extensions | {OURS: mine | ours}
    if "character_book" in data:
        data["character_book"] = _book(data["character_book"], spec)
    chunks = _embedded(data, files, png)
    if spec == "v2":
        for key in V3_ONLY:
            data.pop(key, None)  # V3-only fields stay in the file, not in a V2 card
    head = {"spec": "chara_card_v3", "spec_version": "3.0"} if spec == "v3" else \
        {"spec": "chara_card_v2", "spec_version": "2.0"}
    # SillyTavern's V1 copies outside `data` follow the data they copy
    copies = kept.get(COPIES) if isinstance(kept.get(COPIES), list) else []
    outside = {k: data[k] for k in copies if isinstance(k, str) and k in data} | {
        k: v for k, v in top.items() if k not in ("spec", "spec_version", "data")}
    return outside | head | {"data": data}, chunks


def to_card(character: Character, spec: str = "v3", files: Mapping[str, bytes] = {}) -> dict:
    """The character as a JSON card (embedded assets as data: URIs)."""
    return card_parts(character, spec, files)[0]


def card_png(character: Character, avatar: bytes | None, files: Mapping[str, bytes] = {}
             ) -> bytes:
    """A PNG of the avatar with the card in it: V2 in `chara`, V3 in `ccv3` (as the V3
    spec asks, for V2 tools), and each embedded asset in its `chara-ext-asset_:N` chunk."""
    if avatar:
        with Image.open(io.BytesIO(avatar)) as source:
            image = source.convert("RGB")
    else:
        image = Image.new("RGB", (400, 600), (200, 200, 210))
    info = PngImagePlugin.PngInfo()
    chunks: dict[str, bytes] = {}
    for keyword, spec in (("chara", "v2"), ("ccv3", "v3")):
        card, chunks = card_parts(character, spec, files, png=True)
        blob = json.dumps(card, ensure_ascii=False).encode()
        info.add_text(keyword, base64.b64encode(blob).decode("ascii"))
    for keyword, blob in chunks.items():
        info.add_text(keyword, base64.b64encode(blob).decode("ascii"))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _json(data: bytes, name: str) -> Any:
    """JSON of bounded nesting. The file is at most MAX_CARD_BYTES (its reader's bound);
    the parser gives up on a deep one (RecursionError, a few microseconds in: it is
    written in C), and a parsed card deeper than MAX_JSON_DEPTH is refused before
    anything recurses over it. (A scan of the brackets in Python first would take
    seconds on a large card.)"""
    def too_deep(depth: str) -> ProjectError:
        return ProjectError([Problem(file=name, message=f"the card nests {depth} levels "
                                     f"deep; at most {MAX_JSON_DEPTH} are read",
                                     hint="this is not a card a role-play tool made: use "
                                     "another file")])
    try:
        value = json.loads(data)
    except RecursionError:
        raise too_deep("more than a thousand") from None
    level: list[Any] = [value]
    for depth in range(MAX_JSON_DEPTH + 1):  # breadth first: no recursion here either
        level = [child for item in level if isinstance(item, dict | list)
                 for child in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return value
    raise too_deep(f"more than {MAX_JSON_DEPTH}")


def _picture(data: bytes, name: str) -> tuple[dict[str, str], bytes]:
    """(the PNG's text chunks by lower-case keyword, the picture re-encoded clean); its
    size is judged from the header, before any pixel is decoded."""
    try:
        with warnings.catch_warnings():
            # judged below against MAX_PIXELS, before anything is decoded
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        with image:
            if image.width * image.height > MAX_PIXELS:
                raise ProjectError([Problem(
                    file=name, message=f"the card's picture is {image.width}×{image.height} "
                    "pixels, too large to be safe to open",
                    hint="save the card with a picture of at most a few thousand pixels a "
                    "side")])
            clean = io.BytesIO()
            image.convert("RGBA" if "A" in image.mode else "RGB").save(clean, "PNG")
            # read once the image is loaded: chunks after the pixels count too
            chunks = {(k if k.startswith(ASSET) else k.lower()): v
                      for k, v in getattr(image, "text", {}).items()}
    except ProjectError:
        raise
    except Image.DecompressionBombError:
        raise ProjectError([Problem(file=name, message="the card's picture is too large to be "
                                    "safe to open", hint="save the card with a smaller "
                                    "picture")]) from None
    except Exception as exc:  # Pillow raises many kinds for damaged files
        raise ProjectError([Problem(file=name, message=f"this card PNG is damaged or too "
                                    f"large to read ({exc})", hint="export the card again "
                                    "from the tool that made it")]) from None
    return chunks, clean.getvalue()


def read_card(data: bytes, name: str = "card") -> tuple[dict, bytes | None]:
    """(the card, the avatar image bytes if it came in a PNG) from JSON or PNG bytes."""
    card, avatar, _ = read_card_assets(data, name)
    return card, avatar


def read_card_assets(data: bytes, name: str = "card"
                     ) -> tuple[dict, bytes | None, dict[str, bytes]]:
    """(the card, its picture, its embedded assets by N of `__asset:N`) from JSON or PNG."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        chunks, clean = _picture(data, name)
        raw = chunks.get("ccv3") or chunks.get("chara")
        if raw is None:
            raise ProjectError([Problem(file=name, message="this PNG carries no character card",
                                        hint="a card PNG has a 'chara' or 'ccv3' text chunk")])
        try:
            card = _json(base64.b64decode(raw), name)
            assets = {k.removeprefix(ASSET): base64.b64decode(v) for k, v in chunks.items()
                      if k.startswith(ASSET)}
        except ValueError as exc:
            raise ProjectError([Problem(file=name, message=f"the card in this PNG is not "
                                        f"readable: {exc}")]) from None
        return _checked(card, name), clean, assets
    try:
        return _checked(_json(data, name), name), None, {}
    except ValueError as exc:
        raise ProjectError([Problem(file=name, message=f"this is not a card: {exc}",
                                    hint="use a character card JSON or PNG file")]) from None


def _texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every text in a card, keys included, without recursion."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            for key, child in item.items():
                stack += [(str(key), f"{where}.{key}"), (child, f"{where}.{key}")]
        elif isinstance(item, list):
            stack += [(child, f"{where}.{n}") for n, child in enumerate(item)]


def _field_problems(data: dict, name: str) -> list[Problem]:
    """The mapped fields a character file cannot hold: text that is not text, tags that
    are not a list of words (one text is read as comma-separated tags)."""
    problems = []
    for where, text in _texts(data, "data"):
        bad = CONTROL.search(text)
        if bad:
            problems.append(Problem(file=name, field=where, message=f"this text holds a "
                                    f"control character (U+{ord(bad.group()):04X}), which a "
                                    "character file cannot hold", hint="remove it in the tool "
                                    "that made the card, then import it again"))
            break
    for key in MAPPED:
        value = data.get(key)
        if key == "tags":
            if value is None or isinstance(value, str) or isinstance(value, list) and all(
                    isinstance(t, str | int | float) for t in value):
                continue
            problems.append(Problem(file=name, field="data.tags", message="'tags' must be a "
                                    f"list of words, not {json.dumps(value)[:60]}",
                                    hint='write it as "tags": ["sword", "magic"]'))
        elif isinstance(value, dict | list):
            problems.append(Problem(file=name, field=f"data.{key}", message=f"'{key}' must "
                                    f"be text, not {type(value).__name__}",
                                    hint=f'write it as "{key}": "..."'))
    return problems


def _checked(card: Any, name: str) -> dict:
    """The card in its V2/V3 shape (a V1 card is lifted into V2), or a ProjectError."""
    if isinstance(card, dict) and "spec" not in card and "name" in card and (
            "first_mes" in card or "description" in card):  # a V1 card: fields at the top
        return {"spec": "chara_card_v2", "spec_version": "2.0", "data": dict(card)}
    if not isinstance(card, dict) or card.get("spec") not in ("chara_card_v2", "chara_card_v3") \
            or not isinstance(card.get("data"), dict):
        raise ProjectError([Problem(file=name, message="this is not a Character Card V2 or V3",
                                    hint="its 'spec' must be chara_card_v2 or chara_card_v3")])
    return card


_MACRO = re.compile(r"\{\{\s*(char|user)\s*\}\}('s\b)?|<(BOT|USER)>('s\b)?", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(^|[.!?…][\"'”’*_)\]]*\s+|\n)[\"'“‘*_(\[]*$")


def reader_text(text: str, name: str) -> str:
    """Card text as a reader of the comic reads it: `{{char}}` (and V1's `<BOT>`) is the
    character's name; `{{user}}` (and `<USER>`) is "you" ("You" where a sentence starts),
    `{{user}}'s` is "your"."""
    def swap(match: re.Match) -> str:
        who = (match.group(1) or match.group(3)).lower()
        possessive = match.group(2) or match.group(4)
        if who in ("char", "bot"):
            return name + (possessive or "")
        word = "your" if possessive else "you"
        starts = _SENTENCE_END.search(text, 0, match.start()) is not None
        return word.capitalize() if starts else word
    return _MACRO.sub(swap, text)
