"""Character Card V2 and V3, the files role-play tools share: import and export.

Importing a card writes a character file (and its avatar); exporting one reads the
character's file. The card format itself (what a card holds, how a JSON or PNG card is
read and written) is in `card_format`, which the site uses without this editing API.
Fields the project does not use are kept in the character file's `card:` field and
written back on export, and so is the exact text of a field the file cannot hold as it
was (surrounding blank lines, a name longer than 50 characters) until the writer changes
that field: a round trip loses nothing.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from pydantic import ValidationError

from ..errors import Problem, ProjectError
from ..format.images import image_problem
from ..format.model import Character, CharacterColours
from ..runtime.cache import write_atomic
from ..runtime.outdir import check_out_file
from ..source.reads import ReadRefused, read_regular
from .card_format import (COPIES, MAPPED, MAX_CARD_BYTES, OURS, TOP, V2_DEFAULTS, V3_DEFAULTS,
                          _as_stored, _field_problems, card_png, read_card, read_card_assets,
                          to_card)
from .files import Characters, write_file

# the format's names stay importable from here (and from pipeline.cards), as before the split
__all__ = ["MAPPED", "MAX_CARD_BYTES", "V2_DEFAULTS", "V3_DEFAULTS", "card_png",
           "export_card", "import_card", "read_card", "to_card"]


def import_card(root: str | Path, path: str | Path) -> Character:
    """Make a character file (its avatar from a PNG card's picture, its embedded assets
    beside it in `characters/<id>.assets/`) from one card; exporting it gives the card
    back, field by field."""
    path = Path(path)
    card, avatar, assets = read_card_assets(_card_bytes(path), str(path))
    data = card["data"]
    problems = _field_problems(data, str(path))
    outside = {k: v for k, v in card.items() if k not in ("spec", "spec_version", "data")}
    problems += _field_problems({TOP: outside}, str(path))[:1] if outside else []
    broken = image_problem(avatar, f"{path} (its picture)") if avatar else None
    if broken:
        problems.append(Problem(file=str(path), message=broken[0], hint=broken[1]))
    if problems:  # judged before anything is written
        raise ProjectError(problems)
    # defaults are written again on export, so only what differs from them is kept;
    # so is a mapped field's exact text when the file cannot hold it as it was
    kept = {k: v for k, v in data.items() if k not in MAPPED and V3_DEFAULTS.get(k, ...) != v}
    kept |= {k: data[k] for k in MAPPED if k in data and _as_stored(k, data[k]) != data[k]}
    copies = [k for k, v in outside.items() if k in data and data[k] == v]
    if copies:  # SillyTavern's V1 copies: export writes the data's current value
        kept[COPIES] = copies
    if any(k not in copies for k in outside):
        kept[TOP] = {k: v for k, v in outside.items() if k not in copies}
    fields = _panelwright_fields(kept)
    name = _as_stored("name", data.get("name")) or path.stem
    store = Characters(root)
    character_id = store.new_id(name)
    files = _asset_files(character_id, kept, assets)
    character = store.create(
        name=name, description=_as_stored("description", data.get("description")),
        personality=_as_stored("personality", data.get("personality")),
        first_mes=_as_stored("first_mes", data.get("first_mes")),
        scenario=_as_stored("scenario", data.get("scenario")),
        tags=_as_stored("tags", data.get("tags")), card=kept, **fields)
    for rel, blob in files.items():
        write_file(Path(root) / "characters" / rel, blob)
    if avatar:
        character = _give_avatar(Path(root), character, avatar)
    return character


def _panelwright_fields(kept: dict) -> dict:
    """The aliases and colours a card carries in `extensions.panelwright` (a card this
    tool exported), taken out of the kept extensions: export puts them back."""
    extensions = kept.get("extensions")
    ours = extensions.get(OURS) if isinstance(extensions, dict) else None
    if not isinstance(ours, dict):
        return {}
    fields, rest = {}, dict(ours)
    aliases = ours.get("aliases")
    if isinstance(aliases, list) and aliases and all(
            isinstance(a, str) and a.strip() == a and a for a in aliases):
        fields["aliases"] = rest.pop("aliases")
    colours = ours.get("colours")
    if isinstance(colours, dict) and colours:
        try:
            made = CharacterColours.model_validate(colours).model_dump(exclude_none=True)
        except ValidationError:
            made = None
        if made == colours:
            fields["colours"] = rest.pop("colours")
    if fields:
        kept["extensions"] = {k: v for k, v in extensions.items() if k != OURS} | (
            {OURS: rest} if rest else {})
        if not kept["extensions"]:
            del kept["extensions"]
    return fields


def _asset_files(character_id: str, kept: dict, assets: dict[str, bytes]) -> dict[str, bytes]:
    """The PNG card's embedded assets as files `<id>.assets/<N>.<ext>` beside the
    character; the kept `assets[].uri` (`__asset:N`) is rewritten to name the file, and
    export embeds it again (as `__asset:N` in a PNG, a data: URI in JSON)."""
    files = {}
    for asset in kept.get("assets") or [] if isinstance(kept.get("assets"), list) else []:
        uri = asset.get("uri") if isinstance(asset, dict) else None
        number = uri.removeprefix("__asset:") if isinstance(uri, str) else None
        if not uri or number == uri or number not in assets or not number.isdigit():
            continue
        ext = asset.get("ext") if isinstance(asset.get("ext"), str) else ""
        ext = ext if ext.isalnum() and len(ext) <= 8 else "bin"
        rel = f"{character_id}.assets/{number}.{ext.lower()}"
        asset["uri"] = rel
        files[rel] = assets[number]
    return files


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


def card_files(root: Path, character: Character) -> dict[str, bytes]:
    """The files the character's card embeds (`assets[].uri` naming a file beside it)."""
    files = {}
    for asset in character.card.get("assets") or []:
        uri = asset.get("uri") if isinstance(asset, dict) else None
        if isinstance(uri, str) and ":" not in uri and (root / "characters" / uri).is_file():
            files[uri] = (root / "characters" / uri).read_bytes()
    return files


def export_card(root: str | Path, character_id: str, out: str | Path, spec: str = "v3",
                fmt: str | None = None) -> Path:
    """Write the character's card as JSON or as a PNG with the card inside; never
    into the project's sources or over a file that is not a card."""
    character = Characters(root).get(character_id)
    out = Path(out)
    check_out_file(root, out, looks_ours=_is_card(out))
    fmt = fmt or ("png" if out.suffix.lower() == ".png" else "json")
    files = card_files(Path(root), character)
    if fmt == "png":
        write_atomic(out, card_png(character, _avatar_picture(Path(root), character), files))
    else:
        write_atomic(out, json.dumps(to_card(character, spec, files), ensure_ascii=False,
                                     indent=2).encode())
    return out
