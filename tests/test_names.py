"""Names in panel text are matched by one rule everywhere: whole words, any case, any
accent (in scripts written without spaces, such as Chinese, next to any letter). The cast a panel gets and the words the procedural engine draws a prop from
agree, so "Al" is never cut out of "alley" and "Zoe" written for "Zoë" is a name."""

from __future__ import annotations

import pytest

from pipeline.art import request_for
from pipeline.engines import procedural
from pipeline.engines.procedural import ProceduralImageEngine
from pipeline.format.camera import Shot
from pipeline.format.slugs import mentioned, without_names
from pipeline.plan import plan
from pipeline.project import prepare
from pipeline.story.nodes import write_nodes

CAST = {"al": ["Al"], "zoe": ["Zoë"], "han": ["Captain Han", "Han"]}


def test_a_short_name_is_not_cut_out_of_a_longer_word():
    assert without_names("Zoe waits in the alley", ["Al"]) == "Zoe waits in the alley"
    assert without_names("Han holds out his hand", ["Han"]) == "  holds out his hand"
    assert mentioned("Zoë waits in the alley", CAST) == ["zoe"]
    assert mentioned("His hand shakes", CAST) == []


@pytest.mark.parametrize("written", ["Zoe", "Zoë", "ZOË", "ZOE", "zoe\u0308"])
def test_a_name_is_matched_whatever_its_case_and_accents(written):
    assert mentioned(f"{written} waits at the gate.", CAST) == ["zoe"]
    assert without_names(f"{written} waits at the gate.", ["Zoë"]) == "  waits at the gate."


def test_an_arabic_or_hebrew_name_is_found_behind_the_letters_joined_to_it():
    cast = {"layla": ["ليلى"], "karim": ["كريم"], "ghost": ["الشبح"], "walid": ["وليد"],
            "sara": ["שרה"]}
    # "Layla and Karim and the ghost": and (و) is written joined to the next word
    assert mentioned("ليلى وكريم والشبح في القبو.", cast) == ["layla", "karim", "ghost"]
    assert mentioned("ושרה הולכת", cast) == ["sara"]  # "and Sara walks"
    assert mentioned("وليد ينتظر", cast) == ["walid"]  # a name that starts with و is whole
    assert mentioned("كريمة تنتظر", cast) == []  # Karima is not Karim
    assert without_names("ليلى وكريم في الممر", ["ليلى", "كريم"]) == "  و  في الممر"


def test_the_rest_of_the_text_keeps_the_writers_spelling():
    assert without_names("Élodie hands Zoë the CAFÉ key", ["Zoë"]) == "Élodie hands   the CAFÉ key"


ASIAN = {"mei": ["林美"], "jun": ["王军"], "aiko": ["愛子"], "somchai": ["สมชาย"],
         "minji": ["민지"], "mi": ["미"]}


@pytest.mark.parametrize("text, named", [
    ("林美坐在窗边，看着樱花。", ["mei"]),  # Chinese puts no space after a name
    ("王军和林美站在天台上。", ["jun", "mei"]),
    ("愛子は窓の外を見る。", ["aiko"]),  # nor Japanese, before its particle
    ("สมชายเดินไปที่ประตู", ["somchai"]),  # nor Thai
    ("민지가 웃는다.", ["minji"]),  # Korean writes the particle onto the name
    ("민수가 웃는다.", []),  # but 미 is not the first half of the syllable 민
    ("美国的林", []),
])
def test_a_name_in_a_script_without_spaces_is_found(text, named):
    assert mentioned(text, ASIAN) == named


def test_a_chinese_paragraph_draws_the_characters_it_names(copy_project):
    root = copy_project("valid")
    (root / "characters" / "mei.md").write_text("---\nname: 林美\n---\nA student.\n")
    (root / "characters" / "jun.md").write_text("---\nname: 王军\n---\nA student.\n")
    story = root / "stories" / "arrival.md"
    story.write_text(story.read_text(encoding="utf-8")
                     + "\n[wide_shot] 王军和林美站在城门下。\n\n王军：走吧。\n",
                     encoding="utf-8")
    beat = prepare(root).stories[0].beats[-1]
    assert beat.characters[:2] == ["jun", "mei"]  # both drawn, not only the speaker


def test_cast_and_what_the_engine_draws_from_agree(copy_project, monkeypatch):
    root = copy_project("valid")
    (root / "characters" / "al.md").write_text("---\nname: Al\n---\nA porter.\n")
    (root / "characters" / "zoe.md").write_text("---\nname: Zoë\n---\nA courier.\n")
    story = root / "stories" / "arrival.md"
    story.write_text(story.read_text(encoding="utf-8")
                     + "\n[insert] ZOE drops the lantern in the alley.\n"
                     + "\n[insert] A lantern lights the alley.\n\nAL: Over here.\n",
                     encoding="utf-8")
    project = prepare(root)
    inserts = [b for b in project.stories[0].beats if b.shot == Shot.insert]
    # Al is not in the alley; Zoe is Zoë; Al speaks in the second
    assert [b.characters for b in inserts] == [["zoe"], ["al"]]

    panels = plan(project, write_nodes(project))[0].panels
    read: list[str] = []
    monkeypatch.setattr(procedural, "draw_prop",
                        lambda image, text, accent, rng: read.append(text))
    for spec in (p for p in panels if p.camera.shot == Shot.insert):
        ProceduralImageEngine().draw(request_for(project, spec))
    assert read == ["  drops the lantern in the alley.", "A lantern lights the alley."]
