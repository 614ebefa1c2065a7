"""Cards the site and `card export` write are valid by the specs, read by V2 tools and V3
tools alike, and a third-party card goes through import, build and export unchanged.

The validators here follow the specs field by field, with strict types (a `true` where
text is due fails, as it fails `character-card-utils`, the V2 validator role-play tools
use). When `CHARACTER_CARD_UTILS` names a `node_modules` folder holding that npm package
(`npm install character-card-utils`), the V2 cards are also checked by it, with node.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
from typing import Any, Literal

import pytest
from PIL import Image, PngImagePlugin
from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr

from pipeline.build import build, check
from pipeline.characters.cards import export_card, import_card
from pipeline.source.load import split_front_matter

Number = StrictInt | float


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class EntryV2(_Closed):
    keys: list[StrictStr]
    content: StrictStr
    extensions: dict[str, Any]
    enabled: StrictBool
    insertion_order: Number
    case_sensitive: StrictBool | None = None
    name: StrictStr | None = None
    priority: Number | None = None
    id: Number | None = None
    comment: StrictStr | None = None
    selective: StrictBool | None = None
    secondary_keys: list[StrictStr] | None = None
    constant: StrictBool | None = None
    position: Literal["before_char", "after_char"] | None = None


class EntryV3(EntryV2):
    use_regex: StrictBool
    id: Number | StrictStr | None = None
    position: Literal["before_char", "after_char"] | StrictStr | None = None


class BookV2(_Closed):
    name: StrictStr | None = None
    description: StrictStr | None = None
    scan_depth: Number | None = None
    token_budget: Number | None = None
    recursive_scanning: StrictBool | None = None
    extensions: dict[str, Any]
    entries: list[EntryV2]


class BookV3(BookV2):
    entries: list[EntryV3]  # type: ignore[assignment]


class DataV2(_Open):
    name: StrictStr
    description: StrictStr
    personality: StrictStr
    scenario: StrictStr
    first_mes: StrictStr
    mes_example: StrictStr
    creator_notes: StrictStr
    system_prompt: StrictStr
    post_history_instructions: StrictStr
    alternate_greetings: list[StrictStr]
    character_book: BookV2 | None = None
    tags: list[StrictStr]
    creator: StrictStr
    character_version: StrictStr
    extensions: dict[str, Any]


class Asset(_Closed):
    type: StrictStr
    uri: StrictStr
    name: StrictStr
    ext: StrictStr


class DataV3(DataV2):
    character_book: BookV3 | None = None  # type: ignore[assignment]
    group_only_greetings: list[StrictStr]
    assets: list[Asset] | None = None
    nickname: StrictStr | None = None
    creator_notes_multilingual: dict[str, StrictStr] | None = None
    source: list[StrictStr] | None = None
    creation_date: Number | None = None
    modification_date: Number | None = None


class CardV2(_Open):
    spec: Literal["chara_card_v2"]
    spec_version: Literal["2.0"]
    data: DataV2


class CardV3(_Open):
    spec: Literal["chara_card_v3"]
    spec_version: Literal["3.0"]
    data: DataV3


def valid_v2(card: dict) -> None:
    CardV2.model_validate(card)
    for entry in (card["data"].get("character_book") or {}).get("entries", []):
        assert "use_regex" not in entry  # V3-only


def valid_v3(card: dict) -> None:
    CardV3.model_validate(card)


def character_card_utils(cards: list[dict]) -> None:
    """Each card through character-card-utils' V2 schema (skipped when not installed)."""
    modules = os.environ.get("CHARACTER_CARD_UTILS")
    if not modules or not shutil.which("node"):
        return
    script = ("const u=require('character-card-utils');let out=[];"
              "for(const c of JSON.parse(require('fs').readFileSync(0,'utf8'))){"
              "const r=u.v2.safeParse(c);out.push(r.success?'ok':JSON.stringify(r.error.issues))}"
              "console.log(JSON.stringify(out))")
    done = subprocess.run(["node", "-e", script], input=json.dumps(cards), text=True,
                          capture_output=True, env=os.environ | {"NODE_PATH": modules},
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["ok"] * len(cards)


# A card as RisuAI writes one: V3 in `ccv3` with an embedded asset, a V3 lorebook (string
# ids, use_regex), group-only greetings, CJK text, CRLF, a `---` rule and a `yes` greeting;
# and the V2 copy SillyTavern puts in `chara`, with the V1 fields copied at the top.
ICON = io.BytesIO()
Image.new("RGB", (8, 8), (200, 30, 30)).save(ICON, "PNG")
V3_CARD = {"spec": "chara_card_v3", "spec_version": "3.0", "data": {
    "name": "Hoshino Aki", "nickname": "Aki",
    "description": "星野アキ。\r\n---\r\nA courier of the night *market*.\r\n",
    "personality": "Quick, kind", "scenario": "{{user}} meets {{char}} at the gate.",
    "first_mes": "\"*Aki waves.* You made it, {{user}}!\"", "mes_example": "",
    "creator_notes": "", "system_prompt": "", "post_history_instructions": "",
    "alternate_greetings": ["Hi.", "yes", "~"], "group_only_greetings": ["Hello, all."],
    "tags": ["courier"], "creator": "risu", "character_version": "3",
    "extensions": {"risuai": {"utilityBot": False}},
    "assets": [{"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"},
               {"type": "emotion", "uri": "__asset:0", "name": "smile", "ext": "png"}],
    "character_book": {"name": "Market", "extensions": {}, "entries": [
        {"keys": ["market"], "content": "Open at night.", "extensions": {}, "enabled": True,
         "insertion_order": 1, "use_regex": True, "id": "m1"},
        {"keys": ["gate"], "content": "Guarded.", "extensions": {}, "enabled": True,
         "insertion_order": 2, "use_regex": False, "id": "7"}]},
    "creation_date": 1700000000, "modification_date": 1700000500}}


def risu_png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("ccv3", base64.b64encode(json.dumps(V3_CARD).encode()).decode())
    info.add_text("chara-ext-asset_:0", base64.b64encode(ICON.getvalue()).decode())
    out = io.BytesIO()
    Image.new("RGB", (64, 96), (40, 40, 90)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def png_chunks(data: bytes) -> dict[str, str]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return dict(image.text)


def test_a_v3_png_with_assets_survives_import_build_and_export(copy_project, tmp_path):
    root = copy_project("valid")
    (tmp_path / "aki.png").write_bytes(risu_png())
    aki = import_card(root, tmp_path / "aki.png")
    # the embedded asset is kept beside the character, and the file names it
    kept = root / f"characters/{aki.id}.assets/0.png"
    assert kept.read_bytes() == ICON.getvalue()
    # the exported PNG gives the card back as it came, the asset embedded again
    png = export_card(root, aki.id, tmp_path / "out.png").read_bytes()
    chunks = png_chunks(png)
    assert json.loads(base64.b64decode(chunks["ccv3"])) == V3_CARD
    assert base64.b64decode(chunks["chara-ext-asset_:0"]) == ICON.getvalue()
    v2 = json.loads(base64.b64decode(chunks["chara"]))
    valid_v2(v2)
    assert [e.get("id") for e in v2["data"]["character_book"]["entries"]] == [None, 7]
    # the site reads the file as `card export` does: the same card, both specs
    build(root, jobs=1)
    site = root / "_site/cards"
    v3 = json.loads((site / f"{aki.id}.json").read_text())
    v2_json = json.loads((site / f"{aki.id}.v2.json").read_text())
    valid_v3(v3)
    valid_v2(v2_json)
    assert v3["data"]["assets"][1]["uri"].startswith("data:image/png;base64,")
    assert v3["data"] | {"assets": V3_CARD["data"]["assets"]} == V3_CARD["data"]
    site_png = png_chunks((site / f"{aki.id}.png").read_bytes())
    assert json.loads(base64.b64decode(site_png["ccv3"])) == V3_CARD
    character_card_utils([v2, v2_json, json.loads(base64.b64decode(site_png["chara"]))])
    # the page reads as a reader expects: no raw macros, actions in italics, no extra quotes
    page = (root / f"_site/characters/{aki.id}.html").read_text()
    assert "<em>Aki waves.</em> You made it, you!" in page
    assert "You meets Hoshino Aki at the gate." in page  # "You" where a sentence starts
    assert "<hr />" in page and "<h2>星野アキ。</h2>" not in page  # a rule, not a heading
    assert "{{" not in page and "<em>market</em>" in page and "“\"" not in page
    assert f"../cards/{aki.id}.v2.json" in page


def test_a_sillytavern_v2_card_survives_and_keeps_lin_s_aliases(copy_project, tmp_path):
    """A V2 card with V1 copies at the top, a `---` rule, CRLF, and the `yes` greeting
    that once came back as `true`; a character exported with aliases keeps them."""
    root = copy_project("valid")
    data = {"name": "Mira", "description": "Intro\r\n---\r\n*Rule* above.\r\n",
            "personality": "sly", "scenario": "", "first_mes": "Hi\r\n", "mes_example": "",
            "creator_notes": "", "system_prompt": "", "post_history_instructions": "",
            "alternate_greetings": ["yes", "null", "1e3", "\tTabbed\n"], "tags": ["a"],
            "creator": "", "character_version": "", "extensions": {"fav": True},
            "character_book": {"extensions": {}, "entries": [
                {"keys": ["k"], "content": "c", "extensions": {}, "enabled": True,
                 "insertion_order": 0, "id": 3}]}}
    card = {"name": "Mira", "description": data["description"], "creatorcomment": "",
            "talkativeness": "0.5", "spec": "chara_card_v2", "spec_version": "2.0",
            "data": data}
    (tmp_path / "mira.json").write_text(json.dumps(card))
    mira = import_card(root, tmp_path / "mira.json")
    text = (root / f"characters/{mira.id}.md").read_text()
    # the front matter ends at its own fence: the description's `---` stays in the body
    assert split_front_matter(text)[2] == "Intro\n---\n*Rule* above.\n"
    out = json.loads(export_card(root, mira.id, tmp_path / "o.json", spec="v2").read_text())
    assert out == card
    valid_v2(out)
    # Lin's aliases go out in extensions.panelwright and come back on import
    from pipeline.characters.files import Characters
    Characters(root).update("lin-shuang", aliases=["Lin"])
    export_card(root, "lin-shuang", tmp_path / "lin.json")
    again = import_card(root, tmp_path / "lin.json")
    assert again.aliases == ["Lin"] and again.colours.hair == "#e6ebf2"
    exported = json.loads((tmp_path / "lin.json").read_text())
    assert exported["data"]["extensions"] == {"panelwright": {
        "aliases": ["Lin"], "colours": {"hair": "#e6ebf2", "outfit": "#9fb4cf"}}}
    # with only the card left of her, `LIN:` still finds her
    for extra in ("lin-shuang.md", f"{again.id}.md", f"{mira.id}.md"):
        (root / "characters" / extra).unlink()
    back = import_card(root, tmp_path / "lin.json")
    story = root / "stories/arrival.md"
    story.write_text(story.read_text().replace("LIN SHUANG:", "LIN:"))
    assert [p.message for p in check(root) if p.severity == "error"] == []
    assert back.aliases == ["Lin"]


def test_the_validators_refuse_what_v2_tools_refuse():
    good = {"spec": "chara_card_v2", "spec_version": "2.0", "data": {
        k: "" for k in ("name", "description", "personality", "scenario", "first_mes",
                        "mes_example", "creator_notes", "system_prompt",
                        "post_history_instructions", "creator", "character_version")}
        | {"alternate_greetings": [], "tags": [], "extensions": {}}}
    valid_v2(good)
    with pytest.raises(ValueError):
        valid_v2(good | {"data": good["data"] | {"alternate_greetings": [True]}})
    with pytest.raises(ValueError):
        valid_v2(good | {"spec": "chara_card_v3"})
    book = {"extensions": {}, "entries": [{"keys": [], "content": "", "extensions": {},
                                           "enabled": True, "insertion_order": 0, "id": "1"}]}
    with pytest.raises(ValueError):
        valid_v2(good | {"data": good["data"] | {"character_book": book}})

