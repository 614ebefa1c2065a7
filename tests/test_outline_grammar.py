"""The outline grammar (issue #15): a speaker in any script and case, a speech over
wrapped lines, any time of day after a scene heading's dash — and a line shaped like
dialogue whose name matches nobody is an error, never a silent panel."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipeline.cli.main import main
from pipeline.format.slugs import fold
from pipeline.source.load import load
from pipeline.source.outline import parse_outline, scene_name
from pipeline.source.resolve import resolve
from pipeline.source.validate import validate

VALID = Path(__file__).parent / "fixtures" / "valid"

CAST = {
    "zoe-okafor.md": "---\nname: Zoë Okafor\naliases: [Zoë]\n---\nAn engineer.\n",
    "ines-varga.md": "---\nname: Ines Varga\n---\nThe station's doctor.\n",
    "lin-shuang.md": None,  # the fixture's own
    "lin-frost.md": "---\nname: 林霜\n---\nA pilot.\n",
    "layla.md": "---\nname: ليلى\n---\nA navigator.\n",
}


def project(tmp_path: Path, outline: str) -> Path:
    root = tmp_path / "p"
    shutil.copytree(VALID, root)
    for file, text in CAST.items():
        if text is not None:
            (root / "characters" / file).write_text(text, encoding="utf-8")
    (root / "stories" / "arrival.md").write_text(
        "---\ntitle: Arrival\nworld: frost-moon\n---\n\n" + outline, encoding="utf-8")
    return root


def beats(tmp_path: Path, outline: str):
    resolved = resolve(validate(load(project(tmp_path, outline))))
    errors = [p for p in resolved.problems if p.severity == "error"]
    assert not errors, [str(p) for p in errors]
    return resolved.stories[0].beats


def check(root: Path):
    here = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, ["check", "."], catch_exceptions=False)
    finally:
        os.chdir(here)


def said(beat) -> list[tuple[str | None, str]]:
    return [(line.speaker, line.text) for line in beat.lines]


def test_speakers_in_capitals_with_accents_and_by_alias(tmp_path):
    found = beats(tmp_path, "## City Gate\n\n[wide_shot] The gate.\n\n"
                            "ZOË OKAFOR: Halcyon, tell me something boring.\n"
                            "ZOË: Anything.\n")
    assert len(found) == 1
    assert said(found[0]) == [("zoe-okafor", "Halcyon, tell me something boring."),
                              ("zoe-okafor", "Anything.")]


def test_a_known_name_in_the_writers_own_case_is_a_speaker(tmp_path):
    found = beats(tmp_path, "## City Gate\n\n[wide_shot] The gate.\n\n"
                            "Ines Varga: Breathe slowly.\nzoë okafor: I am.\n")
    assert len(found) == 1
    assert said(found[0]) == [("ines-varga", "Breathe slowly."), ("zoe-okafor", "I am.")]


def test_names_in_scripts_without_case_are_speakers(tmp_path):
    found = beats(tmp_path, "## City Gate\n\n[wide_shot] The gate.\n\n"
                            "林霜：开门。\nليلى: افتح البوابة\n")
    assert len(found) == 1
    assert said(found[0]) == [("lin-frost", "开门。"), ("layla", "افتح البوابة")]


def test_prose_with_a_colon_in_mixed_case_stays_a_panel(tmp_path):
    found = beats(tmp_path, "## City Gate\n\n[wide_shot] The gate.\n\n"
                            "Note: the gate is shut for the night.\n")
    assert len(found) == 2
    assert found[1].description == "Note: the gate is shut for the night."
    assert found[1].lines == []


def test_a_speaker_in_capitals_who_is_nobody_is_an_error_with_did_you_mean(tmp_path):
    result = check(project(tmp_path, "## City Gate\n\n[wide_shot] The gate.\n\n"
                                     "ZOË OKAFRO: Halcyon?\n"))
    assert result.exit_code == 1
    assert "stories/arrival.md:10: error: 'ZOË OKAFRO' speaks here but is not a character" \
        in result.stderr
    assert "did you mean 'ZOË OKAFOR'?" in result.stderr


def test_a_speech_continues_over_wrapped_lines(tmp_path):
    found = beats(tmp_path, "## City Gate\n\n[wide_shot] The gate.\n\n"
                            "CAPTAIN HAN: Halt! The gate is closed\n"
                            "until the morning bell.\n"
                            "LIN SHUANG: I carry a letter\nfor the elder.\n\n"
                            "[close_up] Lin Shuang waits.\n")
    assert len(found) == 2
    assert said(found[0]) == [
        ("captain-han", "Halt! The gate is closed until the morning bell."),
        ("lin-shuang", "I carry a letter for the elder.")]
    assert found[1].description == "Lin Shuang waits."


def test_scene_headings_take_any_time_or_transition(tmp_path):
    outline = "".join(f"## {heading}\n\n[wide_shot] The gate.\n\n" for heading in (
        "EXT. City Gate - AFTERNOON", "EXT. City Gate - NOON", "EXT. City Gate - MIDNIGHT",
        "EXT. City Gate - MOMENTS LATER", "INT. Moon Hall (FLASHBACK)",
        "INT. Moon Hall - NIGHT (FLASHBACK)", "EXT. City Gate - dusk"))
    found = beats(tmp_path, outline)
    assert [b.scene for b in found] == ["city-gate"] * 4 + ["hall"] * 2 + ["city-gate"]


def test_scene_name_keeps_a_place_with_a_dash():
    assert scene_name("INT. Class 2-B - AFTERNOON") == "Class 2-B"
    assert scene_name("EXT. Main Street - North Side - NOON") == "Main Street - North Side"


NAME = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Lo")), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(first=NAME, last=NAME, words=st.text(st.characters(
    whitelist_categories=("Ll", "Lu", "Lo", "Zs"), blacklist_characters="\n\r\x85\u2028\u2029"),
    min_size=1, max_size=30).filter(str.strip))
def test_any_cast_name_in_any_case_is_its_speaker(first, last, words):
    name = f"{first} {last}"
    # Case maps that lose a letter (Turkish dotless ı: 'ı'.upper() is 'I') name someone else.
    assume(fold(name) == fold(name.upper()) == fold(name.lower()))
    for written in (name, name.upper(), name.lower()):
        scenes, problems = parse_outline(f"## gate\n\n[wide_shot] x\n\n{written}: {words}\n",
                                         "s.md", speakers=[name])
        assert not problems
        [beat] = scenes[0].beats
        assert [(line.speaker, line.text) for line in beat.lines] == [(written, words.strip())]


DOC = Path(__file__).parent.parent / "docs" / "format.md"
EXAMPLE = re.compile(r"```outline\n(?P<outline>.*?)```\nreads as: (?P<reading>[^\n]+)", re.S)


def doc_examples() -> list[tuple[str, str]]:
    return [(m.group("outline"), m.group("reading")) for m in EXAMPLE.finditer(DOC.read_text())]


def test_the_docs_state_each_rule_with_an_example():
    readings = " ".join(reading for _, reading in doc_examples())
    for kind in ("dialogue", "an error", "a panel", "the scene card"):
        assert kind in readings


@pytest.mark.parametrize("outline,reading", doc_examples())
def test_each_outline_example_in_the_docs_reads_as_it_says(tmp_path, outline, reading):
    if not outline.startswith("## "):
        outline = "## City Gate\n\n[wide_shot] The gate.\n\n" + outline
    root = project(tmp_path, outline)
    resolved = resolve(validate(load(root)))
    errors = [str(p) for p in resolved.problems if p.severity == "error"]
    kind, _, detail = reading.partition(" — ")
    if kind.startswith("an error"):
        message, _, hint = detail.partition("; ")
        assert len(errors) == 1 and message in errors[0] and hint in errors[0], errors
        return
    assert not errors, errors
    story = resolved.stories[0]
    names = {cid: c.name for cid, c in resolved.characters.items()}
    if kind.startswith("the scene card"):
        card = kind.removeprefix("the scene card ")
        assert [resolved.scene(story.world, b.scene).name for b in story.beats] == [card]
    elif kind == "a panel":
        assert len(story.beats) == 2
        assert story.beats[1].description == detail.strip('"')
    else:
        assert kind == "dialogue"
        assert len(story.beats) == 1
        spoken = [f'{names[line.speaker]}: "{line.text}"' for line in story.beats[0].lines]
        assert "; ".join(spoken) == detail


def test_a_misspelt_speaker_in_the_writers_case_is_an_error_with_did_you_mean(tmp_path):
    result = check(project(tmp_path, "## City Gate\n\n[wide_shot] The gate.\n\n"
                                     "Ines Vraga: Breathe slowly.\n\n"
                                     "Note: the gate is shut for the night.\n"))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "stories/arrival.md:10: error: 'Ines Vraga' looks like a speaker but is not a character\n"
        "    hint: did you mean 'Ines Varga'?")
    assert "Note" not in result.stderr
