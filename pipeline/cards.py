"""Character Card V2 and V3, the files role-play tools share: import and export.

A card is JSON (`{"spec": "chara_card_v2"|"chara_card_v3", "spec_version", "data"}`),
or a PNG that carries it base64-encoded in a tEXt chunk: `chara` for V2, `ccv3` for
V3 (read case-insensitively, `ccv3` preferred, as SillyTavern does). Fields the
project does not use are kept in the character file's `card:` field and written
back on export, so a round trip loses nothing.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

from PIL import Image, PngImagePlugin

from .cache import write_atomic
from .characters import Characters
from .errors import Problem, ProjectError
from .model import Character

MAPPED = {"name", "description", "personality", "scenario", "first_mes", "tags"}
V2_DEFAULTS: dict[str, Any] = {
    "mes_example": "", "creator_notes": "", "system_prompt": "",
    "post_history_instructions": "", "alternate_greetings": [], "creator": "",
    "character_version": "", "extensions": {}}
V3_DEFAULTS: dict[str, Any] = V2_DEFAULTS | {"group_only_greetings": []}


def to_card(character: Character, spec: str = "v3") -> dict:
    """The character as a card; its kept fields come back as they were."""
    data = (V3_DEFAULTS if spec == "v3" else V2_DEFAULTS) | {}
    data = {k: (v.copy() if isinstance(v, dict | list) else v) for k, v in data.items()}
    data |= {k: v for k, v in character.card.items()}
    data |= {"name": character.name, "description": character.description,
             "personality": character.personality, "scenario": character.scenario,
             "first_mes": character.first_mes, "tags": list(character.tags)}
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


def read_card(data: bytes, name: str = "card") -> tuple[dict, bytes | None]:
    """(the card, the avatar image bytes if it came in a PNG) from JSON or PNG bytes."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        with Image.open(io.BytesIO(data)) as image:
            chunks = {k.lower(): v for k, v in getattr(image, "text", {}).items()}
            clean = io.BytesIO()
            image.convert("RGBA" if "A" in image.mode else "RGB").save(clean, "PNG")
        raw = chunks.get("ccv3") or chunks.get("chara")
        if raw is None:
            raise ProjectError([Problem(file=name, message="this PNG carries no character card",
                                        hint="a card PNG has a 'chara' or 'ccv3' text chunk")])
        try:
            card = json.loads(base64.b64decode(raw))
        except ValueError as exc:
            raise ProjectError([Problem(file=name, message=f"the card in this PNG is not "
                                        f"readable: {exc}")]) from None
        return _checked(card, name), clean.getvalue()
    try:
        return _checked(json.loads(data), name), None
    except ValueError as exc:
        raise ProjectError([Problem(file=name, message=f"this is not a card: {exc}",
                                    hint="use a character card JSON or PNG file")]) from None


def _checked(card: Any, name: str) -> dict:
    if not isinstance(card, dict) or card.get("spec") not in ("chara_card_v2", "chara_card_v3") \
            or not isinstance(card.get("data"), dict):
        raise ProjectError([Problem(file=name, message="this is not a Character Card V2 or V3",
                                    hint="its 'spec' must be chara_card_v2 or chara_card_v3")])
    return card


def import_card(root: str | Path, path: str | Path) -> Character:
    """Make a character file (and its avatar, from a PNG card) from one card."""
    path = Path(path)
    card, avatar = read_card(path.read_bytes(), str(path))
    data = card["data"]
    # defaults are written again on export, so only what differs from them is kept
    kept = {k: v for k, v in data.items() if k not in MAPPED and V3_DEFAULTS.get(k, ...) != v}
    fields = {"scenario": data.get("scenario", ""), "tags": list(data.get("tags") or []),
              "card": kept}
    store = Characters(root)
    character = store.create(name=str(data.get("name") or path.stem),
                             description=str(data.get("description", "")),
                             personality=str(data.get("personality", "")),
                             first_mes=str(data.get("first_mes", "")), **fields)
    if avatar:
        write_atomic(Path(root) / "characters" / f"{character.id}.png", avatar)
        character = store.update(character.id, avatar=f"{character.id}.png")
    return character


def export_card(root: str | Path, character_id: str, out: str | Path, spec: str = "v3",
                fmt: str | None = None) -> Path:
    """Write the character's card as JSON or as a PNG with the card inside."""
    character = Characters(root).get(character_id)
    out = Path(out)
    fmt = fmt or ("png" if out.suffix.lower() == ".png" else "json")
    if fmt == "png":
        avatar = None
        if character.avatar:
            avatar_file = Path(root) / "characters" / character.avatar
            avatar = avatar_file.read_bytes() if avatar_file.is_file() else None
        write_atomic(out, card_png(character, avatar))
    else:
        write_atomic(out, json.dumps(to_card(character, spec), ensure_ascii=False,
                                     indent=2).encode())
    return out
