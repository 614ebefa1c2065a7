"""Character Card V2/V3: import from JSON and PNG made by other tools, export that other
tools read, and nothing lost on a round trip."""

from __future__ import annotations

import base64
import io
import json

from click.testing import CliRunner
from PIL import Image, PngImagePlugin

from pipeline.build import build
from pipeline.characters.cards import export_card, import_card, read_card
from pipeline.characters.files import Characters
from pipeline.cli.main import main

V2 = {"spec": "chara_card_v2", "spec_version": "2.0", "data": {
    "name": "Seraphina", "description": "A guardian of the forest glade.",
    "personality": "Caring, protective", "scenario": "You wake in her glade.",
    "first_mes": "*She smiles.* You're safe now.", "mes_example": "<START>\n{{char}}: Rest.",
    "creator_notes": "Made for testing.", "system_prompt": "", "post_history_instructions": "",
    "alternate_greetings": ["Hello, traveller."], "tags": ["fantasy", "guardian"],
    "creator": "someone", "character_version": "1.2",
    "character_book": {"name": "Glade lore", "extensions": {}, "entries": [
        {"keys": ["glade"], "content": "The glade is warded.", "extensions": {},
         "enabled": True, "insertion_order": 0}]},
    "extensions": {"talkativeness": "0.5", "depth_prompt": {"prompt": "x", "depth": 4}},
}}


# a V3 lorebook: its entries carry `use_regex` (V2 ones do not)
V3_BOOK = V2["data"]["character_book"] | {"entries": [
    V2["data"]["character_book"]["entries"][0] | {"use_regex": False, "id": 1}]}


def png_with(chunks: dict[str, dict]) -> bytes:
    info = PngImagePlugin.PngInfo()
    for keyword, card in chunks.items():
        info.add_text(keyword, base64.b64encode(json.dumps(card).encode()).decode())
    out = io.BytesIO()
    Image.new("RGB", (64, 96), (90, 140, 90)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def test_v2_json_round_trip_keeps_every_field(copy_project, tmp_path):
    root = copy_project("valid")
    source = tmp_path / "seraphina.json"
    source.write_text(json.dumps(V2))
    character = import_card(root, source)
    assert character.id == "seraphina" and character.tags == ["fantasy", "guardian"]
    assert (root / "characters/seraphina.md").read_text().count("character_book") == 1
    out = export_card(root, "seraphina", tmp_path / "out.json", spec="v2")
    exported = json.loads(out.read_text())
    assert exported["spec"] == "chara_card_v2"
    for key, value in V2["data"].items():
        assert exported["data"][key] == value, key


def test_png_cards_prefer_ccv3_and_match_keywords_case_insensitively(copy_project, tmp_path):
    v3 = {"spec": "chara_card_v3", "spec_version": "3.0",
          "data": V2["data"] | {"name": "Seraphina V3", "group_only_greetings": [],
                                "nickname": "Sera", "creation_date": 1700000000,
                                "character_book": V3_BOOK}}
    card, avatar = read_card(png_with({"Chara": V2, "CCV3": v3}))
    assert card["data"]["name"] == "Seraphina V3" and avatar[:4] == b"\x89PNG"
    card, _ = read_card(png_with({"chara": V2}))
    assert card["data"]["name"] == "Seraphina"
    root = copy_project("valid")
    source = tmp_path / "sera.png"
    source.write_bytes(png_with({"ccv3": v3}))
    character = import_card(root, source)
    # the card's picture becomes a one-shot avatar: portrait, idle preview, source kept
    assert character.avatar == "seraphina-v3.avatar/portrait.png"
    assert character.idle == "seraphina-v3.avatar/idle.webp"
    assert (root / "characters/seraphina-v3.avatar/source.png").is_file()
    exported = json.loads(export_card(root, character.id, tmp_path / "v3.json").read_text())
    assert exported["data"]["nickname"] == "Sera"
    assert exported["data"]["creation_date"] == 1700000000
    again, picture = read_card(export_card(root, character.id, tmp_path / "v3.png").read_bytes())
    with Image.open(io.BytesIO(picture)) as image:
        assert image.size == (64, 96)  # the card's whole picture, not the square portrait
    for key, value in v3["data"].items():
        assert again["data"][key] == value, key


def test_exported_png_is_read_by_a_reader_of_the_format(copy_project, tmp_path):
    root = copy_project("valid")
    out = export_card(root, "lin-shuang", tmp_path / "lin.png")
    with Image.open(out) as image:
        chunks = image.text
        assert image.size == (64, 64)  # the avatar itself
    v2 = json.loads(base64.b64decode(chunks["chara"]))
    v3 = json.loads(base64.b64decode(chunks["ccv3"]))
    assert v2["spec"] == "chara_card_v2" and v3["spec"] == "chara_card_v3"
    assert v2["data"]["name"] == v3["data"]["name"] == "Lin Shuang"
    assert v3["data"]["group_only_greetings"] == []
    # her colours (and aliases, when she has some) ride in extensions.panelwright
    assert v2["data"]["extensions"] == {"panelwright": {"colours": {
        "hair": "#e6ebf2", "outfit": "#9fb4cf"}}}
    assert "group_only_greetings" not in v2["data"]


def test_every_character_page_offers_its_card(copy_project):
    root = copy_project("valid")
    build(root, jobs=1)
    page = (root / "_site/characters/captain-han.html").read_text()
    assert "../cards/captain-han.png" in page and "../cards/captain-han.json" in page
    card, _ = read_card((root / "_site/cards/captain-han.png").read_bytes())
    assert card["data"]["personality"] == "Stern"


def test_not_a_card_is_a_clear_error(tmp_path):
    import pytest

    from pipeline.errors import ProjectError
    with pytest.raises(ProjectError, match="not a Character Card V2 or V3"):
        read_card(b'{"name": "x"}', "x.json")
    with pytest.raises(ProjectError, match="carries no character card"):
        read_card(png_with({}), "plain.png")


def test_v1_cards_exact_text_and_long_names_survive_a_round_trip(copy_project, tmp_path):
    root = copy_project("valid")
    v1 = {"name": "Sir Aldric of the Very Long Name Who Guards the Northern Bridge",
          "description": "\nA knight.\n\n", "personality": " stoic ", "scenario": "",
          "first_mes": "*He bows.*\n\nWelcome.\n", "mes_example": "{{char}}: Halt."}
    source = tmp_path / "aldric.json"
    source.write_text(json.dumps(v1))
    character = import_card(root, source)
    assert len(character.name) <= 50 and character.first_mes == "*He bows.*\n\nWelcome."
    text = (root / "characters" / f"{character.id}.md").read_text()
    assert "first_mes: |-\n  *He bows.*\n\n  Welcome.\n" in text  # readable, diffs by line
    exported = json.loads(export_card(root, character.id, tmp_path / "out.json").read_text())
    for key, value in v1.items():
        assert exported["data"][key] == value, key
    # a field the writer changes is exported as the writer wrote it
    Characters(root).update(character.id, personality="Stoic, loyal")
    exported = json.loads(export_card(root, character.id, tmp_path / "out.json").read_text())
    assert exported["data"]["personality"] == "Stoic, loyal"
    assert exported["data"]["first_mes"] == v1["first_mes"]


def test_command_line_import_and_export(copy_project, tmp_path):
    root = copy_project("valid")
    source = tmp_path / "seraphina.png"
    source.write_bytes(png_with({"chara": V2}))
    run = CliRunner().invoke
    result = run(main, ["card", "import", str(source), "-p", str(root)])
    assert result.exit_code == 0, result.output
    assert "characters/seraphina.md" in result.output
    result = run(main, ["card", "export", "seraphina", "--out", str(tmp_path / "s.json"),
                        "--spec", "v2", "-p", str(root)])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "s.json").read_text())["data"]["character_book"] == \
        V2["data"]["character_book"]
    refused = run(main, ["card", "import", str(tmp_path / "s.json"), "-p", str(root)])
    assert refused.exit_code == 0 and "characters/seraphina-2.md" in refused.output


def test_a_hand_written_file_reads_the_same_in_card_export_and_the_build(copy_project,
                                                                        tmp_path):
    """YAML's implicit types are read by one reader: `card export` and the site's card
    agree, whatever the file holds (an unquoted `yes` is true in both)."""
    from pipeline.characters.card_format import to_card
    from pipeline.source.load import load
    from pipeline.source.validate import validate
    root = copy_project("valid")
    (root / "characters/mira.md").write_text(
        "---\nname: Mira\ncard:\n  alternate_greetings: [yes, \"no\", ~]\n"
        "  extensions: {when: 2024-01-01, odd: 1e3, n: 1.5e+3}\n---\nA mapmaker.\n")
    exported = json.loads(export_card(root, "mira", tmp_path / "m.json").read_text())
    built = {c.id: c for c in validate(load(root)).characters}["mira"]
    assert exported == to_card(built)
    assert exported["data"]["alternate_greetings"] == [True, "no", None]
    assert exported["data"]["extensions"] == {"when": "2024-01-01", "odd": "1e3", "n": 1500.0}
