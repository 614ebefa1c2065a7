"""Character Card V2 and V3, the files role-play tools share: import and export.

A card is JSON (`{"spec": "chara_card_v2"|"chara_card_v3", "spec_version", "data"}`),
or a PNG that carries it base64-encoded in a tEXt chunk: `chara` for V2, `ccv3` for
V3 (read case-insensitively, `ccv3` preferred, as SillyTavern does); an older V1
card (the fields at the top level, no `spec`) is read too. Fields the project does
not use are kept in the character file's `card:` field and written back on export,
and so is the exact text of a field the file cannot hold as it was (surrounding
blank lines, a name longer than 50 characters) until the writer changes that field:
a round trip loses nothing.
"""

from __future__ import annotations

import base64
import io
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

from PIL import Image, PngImagePlugin

from ..runtime.cache import write_atomic
from .files import Characters, write_file
from ..errors import Problem, ProjectError
from ..format.images import MAX_PIXELS, image_problem
from ..source.load import ReadRefused, read_regular
from ..format.model import Character
from ..runtime.outdir import check_out_file

MAX_CARD_BYTES = 16_000_000  # the 4.5 MB picture, the card twice in base64, and room
MAX_JSON_DEPTH = 64  # real cards nest a few levels (extensions, lorebook entries)

# a tuple, not a set: cards are written in this order, the same bytes on every build
MAPPED = ("name", "description", "personality", "scenario", "first_mes", "tags")
V2_DEFAULTS: dict[str, Any] = {
    "mes_example": "", "creator_notes": "", "system_prompt": "",
    "post_history_instructions": "", "alternate_greetings": [], "creator": "",
    "character_version": "", "extensions": {}}
V3_DEFAULTS: dict[str, Any] = V2_DEFAULTS | {"group_only_greetings": []}


def _as_stored(key: str, value: Any) -> Any:
    """What a character file holds for a card field's value (text is stripped, a name
    cut to 50 characters, tags are text; tags given as one text are split at commas)."""
    if key == "tags":
        if isinstance(value, str):
            return [t.strip() for t in value.split(",") if t.strip()]
        return [str(t).strip() for t in value or []]
    text = str(value if value is not None else "").strip()
    return text[:50].strip() if key == "name" else text


def to_card(character: Character, spec: str = "v3") -> dict:
    """The character as a card; its kept fields come back as they were."""
    data = (V3_DEFAULTS if spec == "v3" else V2_DEFAULTS) | {}
    data = {k: (v.copy() if isinstance(v, dict | list) else v) for k, v in data.items()}
    data |= {k: v for k, v in character.card.items() if k not in MAPPED}
    for key in MAPPED:
        current = getattr(character, key)
        exact = character.card.get(key)  # the card's own text, unless the writer changed it
        data[key] = exact if key in character.card and _as_stored(key, exact) == current \
            else (list(current) if key == "tags" else current)
    if spec == "v3":
        return {"spec": "chara_card_v3", "spec_version": "3.0", "data": data}
    for key in ("group_only_greetings", "assets", "nickname", "creator_notes_multilingual",
                "source", "creation_date", "modification_date"):
        data.pop(key, None)  # V3-only fields stay in the file, not in a V2 card
    return {"spec": "chara_card_v2", "spec_version": "2.0", "data": data}


def card_png(character: Character, avatar: bytes | None) -> bytes:
    """A PNG of the avatar with the card in it, V2 in `chara` and V3 in `ccv3`."""
    if avatar:
        with Image.open(io.BytesIO(avatar)) as source:
            image = source.convert("RGB")
    else:
        image = Image.new("RGB", (400, 600), (200, 200, 210))
    info = PngImagePlugin.PngInfo()
    for keyword, spec in (("chara", "v2"), ("ccv3", "v3")):
        blob = json.dumps(to_card(character, spec), ensure_ascii=False).encode()
        info.add_text(keyword, base64.b64encode(blob).decode("ascii"))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _json(data: bytes, name: str) -> Any:
    """JSON of bounded nesting. The file is at most MAX_CARD_BYTES; the parser gives up
    on a deep one (RecursionError, a few microseconds in: it is written in C), and
    a parsed card deeper than MAX_JSON_DEPTH is refused before anything recurses over it.
    (A scan of the brackets in Python first would take seconds on a large card.)"""
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
            chunks = {k.lower(): v for k, v in getattr(image, "text", {}).items()}
            clean = io.BytesIO()
            image.convert("RGBA" if "A" in image.mode else "RGB").save(clean, "PNG")
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
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        chunks, clean = _picture(data, name)
        raw = chunks.get("ccv3") or chunks.get("chara")
        if raw is None:
            raise ProjectError([Problem(file=name, message="this PNG carries no character card",
                                        hint="a card PNG has a 'chara' or 'ccv3' text chunk")])
        try:
            card = _json(base64.b64decode(raw), name)
        except ValueError as exc:
            raise ProjectError([Problem(file=name, message=f"the card in this PNG is not "
                                        f"readable: {exc}")]) from None
        return _checked(card, name), clean
    try:
        return _checked(_json(data, name), name), None
    except ValueError as exc:
        raise ProjectError([Problem(file=name, message=f"this is not a card: {exc}",
                                    hint="use a character card JSON or PNG file")]) from None


def _field_problems(data: dict, name: str) -> list[Problem]:
    """The mapped fields a character file cannot hold: text that is not text, tags that
    are not a list of words (one text is read as comma-separated tags)."""
    problems = []
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
    if isinstance(card, dict) and "spec" not in card and "name" in card and (
            "first_mes" in card or "description" in card):  # a V1 card: fields at the top
        return {"spec": "chara_card_v2", "spec_version": "2.0", "data": dict(card)}
    if not isinstance(card, dict) or card.get("spec") not in ("chara_card_v2", "chara_card_v3") \
            or not isinstance(card.get("data"), dict):
        raise ProjectError([Problem(file=name, message="this is not a Character Card V2 or V3",
                                    hint="its 'spec' must be chara_card_v2 or chara_card_v3")])
    return card


def import_card(root: str | Path, path: str | Path) -> Character:
    """Make a character file (and its avatar, from a PNG card) from one card."""
    path = Path(path)
    card, avatar = read_card(_card_bytes(path), str(path))
    data = card["data"]
    problems = _field_problems(data, str(path))
    broken = image_problem(avatar, f"{path} (its picture)") if avatar else None
    if broken:
        problems.append(Problem(file=str(path), message=broken[0], hint=broken[1]))
    if problems:  # judged before anything is written
        raise ProjectError(problems)
    # defaults are written again on export, so only what differs from them is kept;
    # so is a mapped field's exact text when the file cannot hold it as it was
    kept = {k: v for k, v in data.items() if k not in MAPPED and V3_DEFAULTS.get(k, ...) != v}
    kept |= {k: data[k] for k in MAPPED if k in data and _as_stored(k, data[k]) != data[k]}
    name = _as_stored("name", data.get("name")) or path.stem
    store = Characters(root)
    character = store.create(
        name=name, description=_as_stored("description", data.get("description")),
        personality=_as_stored("personality", data.get("personality")),
        first_mes=_as_stored("first_mes", data.get("first_mes")),
        scenario=_as_stored("scenario", data.get("scenario")),
        tags=_as_stored("tags", data.get("tags")), card=kept)
    if avatar:
        character = _give_avatar(Path(root), character, avatar)
    return character


def _card_bytes(path: Path) -> bytes:
    """The card file's bytes: a regular file of at most MAX_CARD_BYTES, judged before
    it is read (a FIFO or a device would never end)."""
    try:
        return read_regular(path, MAX_CARD_BYTES, "card")
    except ReadRefused as exc:
        raise ProjectError([Problem(file=str(path), message=exc.message, hint=exc.hint)]
                           ) from None


def _give_avatar(root: Path, character: Character, image: bytes) -> Character:
    """The card's picture as the character's one-shot avatar (portrait, idle preview,
    variants, and the picture itself kept as its source); when it breaks an avatar
    rule, the picture as a plain avatar image."""
    from .avatars import Avatars
    with tempfile.TemporaryDirectory() as folder:
        picture = Path(folder) / "card.png"
        picture.write_bytes(image)
        try:
            Avatars(root).create(name=character.name.ljust(3, "."), image=picture,
                                 character=character.id)
        except ProjectError:
            write_file(root / "characters" / f"{character.id}.png", image)
            return Characters(root).update(character.id, avatar=f"{character.id}.png")
    return Characters(root).get(character.id)


def _avatar_picture(root: Path, character: Character) -> bytes | None:
    """The picture a card carries: the avatar's source image when the avatar was made
    by `avatar create` (the whole picture, not the square portrait), else the avatar."""
    if not character.avatar:
        return None
    avatar = root / "characters" / character.avatar
    sources = sorted(avatar.parent.glob("source.*")) if avatar.parent.name.endswith(
        ".avatar") else []
    for file in [*sources, avatar]:
        if file.is_file():
            return file.read_bytes()
    return None


def _is_card(path: Path) -> bool:
    """True for an existing card file (one an earlier export wrote, say): replacing it
    with a new export loses nothing of the writer's."""
    try:
        read_card(_card_bytes(path), str(path))
    except ProjectError:
        return False
    return True


def export_card(root: str | Path, character_id: str, out: str | Path, spec: str = "v3",
                fmt: str | None = None) -> Path:
    """Write the character's card as JSON or as a PNG with the card inside; never
    into the project's sources or over a file that is not a card."""
    character = Characters(root).get(character_id)
    out = Path(out)
    check_out_file(root, out, looks_ours=_is_card(out))
    fmt = fmt or ("png" if out.suffix.lower() == ".png" else "json")
    if fmt == "png":
        write_atomic(out, card_png(character, _avatar_picture(Path(root), character)))
    else:
        write_atomic(out, json.dumps(to_card(character, spec), ensure_ascii=False,
                                     indent=2).encode())
    return out
