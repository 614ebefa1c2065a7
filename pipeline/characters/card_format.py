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
import warnings
from typing import Any

from PIL import Image, PngImagePlugin

from ..errors import Problem, ProjectError
from ..format.images import MAX_PIXELS
from ..format.model import Character

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
    """JSON of bounded nesting. The file is at most MAX_CARD_BYTES (its reader's bound); the parser gives up
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
    """The card in its V2/V3 shape (a V1 card is lifted into V2), or a ProjectError."""
    if isinstance(card, dict) and "spec" not in card and "name" in card and (
            "first_mes" in card or "description" in card):  # a V1 card: fields at the top
        return {"spec": "chara_card_v2", "spec_version": "2.0", "data": dict(card)}
    if not isinstance(card, dict) or card.get("spec") not in ("chara_card_v2", "chara_card_v3") \
            or not isinstance(card.get("data"), dict):
        raise ProjectError([Problem(file=name, message="this is not a Character Card V2 or V3",
                                    hint="its 'spec' must be chara_card_v2 or chara_card_v3")])
    return card
