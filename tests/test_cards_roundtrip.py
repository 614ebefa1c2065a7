"""Property: any card, however adversarial its text, goes import → character file → the
build's reading → export and comes back the same, field by field, types included.

The text is built from pieces that once broke the round trip (front-matter fences, words
YAML 1.1 reads as something else, CR/LF, tabs, trailing newlines, line separators, a BOM)
and characters from every Unicode plane; not surrogates, nor the control characters a
character file refuses (a card holding one is refused on import, naming the field).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.characters.card_format import to_card
from pipeline.characters.cards import export_card, import_card
from pipeline.source.load import load
from pipeline.source.validate import validate

TRICKY = ["---", "\n---\n", "...", "\n...\n", "yes", "No", "on", "~", "null", "1e3", "0x1F",
          "2024-01-01", "12:30", "\r\n", "\r", "\n", "\n\n", "\t", " ", "# ", ": ", "- ", "|",
          ">", "'", '"', "\\", "{{char}}", "*acts*", "&a", "!tag", "%", "@", "`", "\u2028",
          "\u2029", "\x85", "\ufeff", "\ufffe", "\u00a0"]
PLANES = [chr(plane * 0x10000 + 0x4E01) for plane in range(17)]  # one from every plane
CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="".join(
    map(chr, [*range(0, 9), 11, 12, *range(14, 32), 127])))
TEXT = st.lists(st.one_of(st.sampled_from(TRICKY + PLANES), st.text(CHARS, max_size=6)),
                max_size=8).map("".join)
NAME = st.tuples(st.text(CHARS, min_size=1, max_size=3).filter(str.strip), TEXT).map("".join)
JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**53, 2**53) | TEXT
                    | st.floats(allow_nan=False, allow_infinity=False),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8)


@st.composite
def cards(draw: st.DrawFn) -> dict:
    v3 = draw(st.booleans())
    data = {key: draw(TEXT) for key in (
        "description", "personality", "scenario", "first_mes", "mes_example", "creator_notes",
        "system_prompt", "post_history_instructions", "creator", "character_version")}
    data |= {"name": draw(NAME), "alternate_greetings": draw(st.lists(TEXT, max_size=3)),
             "tags": draw(st.lists(TEXT, max_size=3)),
             "extensions": draw(st.dictionaries(TEXT, JSON, max_size=3))}
    entry = {"keys": draw(st.lists(TEXT, max_size=2)), "content": draw(TEXT),
             "extensions": draw(st.dictionaries(TEXT, JSON, max_size=2)), "enabled": True,
             "insertion_order": draw(st.integers(0, 100)), "id": draw(st.integers(0, 9))}
    if v3:
        entry |= {"use_regex": draw(st.booleans())}
        data |= {"group_only_greetings": draw(st.lists(TEXT, max_size=2)),
                 "nickname": draw(TEXT), "creation_date": draw(st.integers(0, 2**31))}
    data["character_book"] = {"name": draw(TEXT), "extensions": {}, "entries": [entry]}
    data[draw(TEXT.filter(lambda k: k not in data))] = draw(JSON)  # an unknown field
    return {"spec": f"chara_card_v{3 if v3 else 2}", "spec_version": "3.0" if v3 else "2.0",
            "data": data}


# found by the property: in a [flow list] PyYAML ends a plain word at '?' (or ':')
FLOW_BREAKERS = {"spec": "chara_card_v3", "spec_version": "3.0", "data": {
    "name": "Flow", "description": "", "personality": "", "scenario": "", "first_mes": "",
    "mes_example": "", "creator_notes": "", "system_prompt": "",
    "post_history_instructions": "", "creator": "", "character_version": "",
    "alternate_greetings": [], "tags": ["k:v", "a?b"], "extensions": {},
    "group_only_greetings": ["qĆ½?𭟯s"], "nickname": "", "creation_date": 0,
    "character_book": {"name": "", "extensions": {}, "entries": [
        {"keys": ["x?"], "content": "", "extensions": {}, "enabled": True,
         "insertion_order": 0, "id": 0, "use_regex": False}]}}}


def exact(value: object) -> str:
    """JSON that tells `true` from "yes", 1 from 1.0 and key order aside."""
    return json.dumps(value, sort_keys=True, ensure_ascii=True)


@st.composite
def v1_cards(draw: st.DrawFn) -> dict:
    """A V1 card: its fields at the top level, no `spec`."""
    return {"name": draw(NAME)} | {key: draw(TEXT) for key in (
        "description", "personality", "scenario", "first_mes", "mes_example")}


def project(folder: str, card: dict) -> tuple[Path, Path]:
    root = Path(folder) / "project"
    (root / "characters").mkdir(parents=True)
    (root / "panelwright.yaml").write_text("title: Cards\n")
    source = Path(folder) / "card.json"
    source.write_text(json.dumps(card))
    return root, source


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v1_cards())
def test_a_v1_card_comes_back_as_the_v2_card_it_is(card):
    with tempfile.TemporaryDirectory() as folder:
        root, source = project(folder, card)
        character = import_card(root, source)
        out = export_card(root, character.id, Path(folder) / "out.json", spec="v2")
        data = json.loads(out.read_text())["data"]
        assert exact({k: data[k] for k in card}) == exact(card)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards())
@example(FLOW_BREAKERS)
def test_any_card_comes_back_as_it_went_in(card):
    spec = card["spec"][-2:]
    with tempfile.TemporaryDirectory() as folder:
        root, source = project(folder, card)
        character = import_card(root, source)
        # the build's reading of the file (the site writes its cards from this)
        loaded = load(root)
        built = validate(loaded)
        assert [p for p in [*loaded.problems, *built.problems] if p.severity == "error"] == []
        assert exact(to_card(built.characters[0], spec)) == exact(card)
        # `card export` reads the file the same way
        out = export_card(root, character.id, Path(folder) / "out.json", spec=spec)
        assert exact(json.loads(out.read_text())) == exact(card)
