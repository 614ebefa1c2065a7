"""Who is in a panel (issue #15): the paragraph's subjects are drawn first; a speaker it
does not name is drawn only when the shot has room; a (V.O.)/(O.S.) line and a voice
(`kind: voice`) are heard, not drawn, their tails ending on the panel's edge; a voice
has a balloon of its own. And the screenplay extensions and parentheticals that say so."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from pipeline.art import request_for
from pipeline.cli.main import main
from pipeline.format.model import LetteringConfig, LineKind
from pipeline.lettering.draw import VOICE_INK, to_raster, to_svg
from pipeline.lettering.fonts import LetteringFont
from pipeline.lettering.place import letter_panel
from pipeline.plan import plan
from pipeline.source.load import load
from pipeline.source.outline import parse_outline
from pipeline.source.resolve import resolve
from pipeline.source.validate import validate
from pipeline.specs import Figure, NodeLine, PanelArt, StoryNode
from pipeline.story.committed import node_record, to_node
from pipeline.story.nodes import write_nodes

VALID = Path(__file__).parent / "fixtures" / "valid"
CAST = {
    "zoe-okafor.md": "---\nname: Zoë Okafor\naliases: [Zoë]\n---\nAn engineer.\n",
    "ines-varga.md": "---\nname: Ines Varga\n---\nThe station's doctor.\n",
    "halcyon.md": "---\nname: Halcyon\nkind: voice\n---\nThe station's AI.\n",
}
OPENING = "## City Gate\n\n"
FONT = LetteringFont()
CONFIG = LetteringConfig()


def project(tmp_path: Path, outline: str) -> Path:
    root = tmp_path / "p"
    shutil.copytree(VALID, root)
    for file, text in CAST.items():
        (root / "characters" / file).write_text(text, encoding="utf-8")
    (root / "stories" / "arrival.md").write_text(
        "---\ntitle: Arrival\nworld: frost-moon\n---\n\n" + outline, encoding="utf-8")
    return root


def resolved(tmp_path: Path, outline: str):
    found = resolve(validate(load(project(tmp_path, outline))))
    errors = [str(p) for p in found.problems if p.severity == "error"]
    assert not errors, errors
    return found


def panels(tmp_path: Path, outline: str):
    found = resolved(tmp_path, outline)
    [story_plan] = plan(found, write_nodes(found))
    return found, story_plan.panels


def lettered(spec, figures=()):
    art = PanelArt(panel=spec.id, image="", key="k", width=spec.width, height=spec.height,
                   figures=list(figures))
    return letter_panel(spec, art, FONT, CONFIG)


def face_of(who: str, spec) -> Figure:
    """A close-up's face, filling the middle of the art, as the procedural engine draws it."""
    w, h = spec.width, spec.height
    return Figure(character=who, head=(w * 0.3, h * 0.15, w * 0.4, h * 0.7),
                  mouth=(w * 0.5, h * 0.7))


def on_edge(point, spec) -> bool:
    _, _, width, height = spec.box
    x, y = point
    return min(abs(x), abs(x - width), abs(y)) < 0.5 and -0.5 <= x <= width + 0.5 \
        and -0.5 <= y <= height + 0.5


def test_a_close_up_shows_its_subject_and_a_voice_is_heard_off_panel(tmp_path):
    project_, [spec] = panels(tmp_path, OPENING + "[extreme_close_up] Zoë's eyes, wide in the "
                                                  "dark.\n\nHALCYON: Oxygen at nine percent.\n")
    assert spec.characters == ["zoe-okafor"]
    assert spec.heard == ["halcyon"] and spec.voices == ["halcyon"]
    # the image engine is sent Zoë alone: the AI is never drawn, its avatar never a head
    assert [c.id for c in request_for(project_, spec).characters] == ["zoe-okafor"]
    [balloon] = lettered(spec, [face_of("zoe-okafor", spec)]).balloons
    assert balloon.voice and balloon.off_panel
    base, tip, _ = balloon.tail
    assert on_edge(tip, spec), (tip, spec.box)


def test_a_voice_balloon_is_squared_and_drawn_in_its_own_ink(tmp_path):
    _, [spec] = panels(tmp_path, OPENING + "[medium_shot] Zoë waits by the hatch.\n\n"
                                           "HALCYON: Oxygen at nine percent.\n"
                                           "ZOË: Then open it.\n")
    voice, person = lettered(spec, [face_of("zoe-okafor", spec)]).balloons
    assert voice.voice and not person.voice
    x, y, w, h = voice.box
    # a squared box: most of its outline runs along the box's sides; an ellipse's does not
    def along_sides(b):
        bx, by, bw, bh = b.box
        return sum(1 for px, py in b.outline
                   if min(abs(px - bx), abs(px - bx - bw), abs(py - by), abs(py - by - bh)) < 1)
    assert along_sides(voice) > len(voice.outline) * 0.5
    assert along_sides(person) < len(person.outline) * 0.2
    svg = to_svg([voice, person], *spec.box[2:], "Lettering")
    assert 'class="balloon speech voice off-panel"' in svg
    assert "#%02x%02x%02x" % VOICE_INK in svg
    page = Image.new("RGB", (int(spec.box[2]), int(spec.box[3])), (90, 90, 90))
    to_raster(page, [voice], (0, 0), 1.0, FONT)
    # the box's own outline, in the voice's blue, at the middle of its bottom side (a
    # tail leaves by a side or the top, never the bottom)
    column = [page.getpixel((int(x + w / 2), int(y + h) + dy)) for dy in range(-3, 4)]
    assert VOICE_INK in column, column


def test_a_voice_over_line_is_heard_and_not_drawn(tmp_path):
    _, [spec] = panels(tmp_path, OPENING + "[wide_shot] The gate at dusk.\n\n"
                                           "INES VARGA (V.O.): I remember this gate.\n")
    assert spec.characters == [] and spec.heard == ["ines-varga"]
    assert spec.casting["ines-varga"] == "V.O."
    [balloon] = lettered(spec).balloons
    assert balloon.off_panel and not balloon.voice and on_edge(balloon.tail[1], spec)


def test_a_subject_who_speaks_in_voice_over_is_still_drawn(tmp_path):
    _, [spec] = panels(tmp_path, OPENING + "[close_up] Ines Varga stares at the gate.\n\n"
                                           "INES VARGA (V.O.): I remember this gate.\n")
    assert spec.characters == ["ines-varga"] and spec.heard == []
    [balloon] = lettered(spec, [face_of("ines-varga", spec)]).balloons
    assert balloon.off_panel and on_edge(balloon.tail[1], spec)  # not at her mouth


def test_the_subject_comes_before_the_speaker(tmp_path):
    _, [spec] = panels(tmp_path, OPENING + "[medium_shot] Ines Varga listens, arms folded.\n\n"
                                           "CAPTAIN HAN: The gate stays shut.\n")
    assert spec.characters == ["ines-varga", "captain-han"]
    assert spec.casting == {"ines-varga": "named in the paragraph",
                            "captain-han": "speaks; room in a medium shot"}


def test_rtl_mirrors_a_heard_balloon(tmp_path):
    _, [spec] = panels(tmp_path, OPENING + "[wide_shot] The gate at dusk.\n\n"
                                           "HALCYON: Doors closing.\n")
    [ltr] = lettered(spec).balloons
    [rtl] = lettered(spec.model_copy(update={"rtl": True})).balloons
    width = spec.box[2]
    assert ltr.box[0] < width / 2 < rtl.box[0] + rtl.box[2]
    assert on_edge(ltr.tail[1], spec) and on_edge(rtl.tail[1], spec)


def test_cont_d_is_read_and_ignored(tmp_path):
    found = resolved(tmp_path, OPENING + "[wide_shot] The gate.\n\n"
                                         "CAPTAIN HAN: Halt.\nCAPTAIN HAN (CONT’D): I said halt.\n")
    [beat] = found.stories[0].beats
    assert [(w.speaker, w.text, w.kind, w.off, w.manner) for w in beat.lines] == [
        ("captain-han", "Halt.", LineKind.speech, None, None),
        ("captain-han", "I said halt.", LineKind.speech, None, None)]


def test_committed_nodes_carry_how_a_line_is_heard_and_said():
    node = StoryNode(id="gate-01", scene="gate", description="The gate.", lines=[
        NodeLine(kind=LineKind.whisper, text="Over here.", speaker="zoe", off="off_screen",
                 manner="softly"),
        NodeLine(kind=LineKind.speech, text="Halt.", speaker="han")])
    record = node_record(node)
    assert dict(record["lines"][0]) == {"kind": "whisper", "speaker": "zoe",
                                        "off": "off_screen", "manner": "softly",
                                        "text": "Over here."}
    assert "off" not in record["lines"][1] and "manner" not in record["lines"][1]
    assert to_node(record).lines == [w.model_copy(update={"line": None}) for w in node.lines]


def test_check_explain_says_who_is_in_each_panel_and_why(tmp_path):
    root = project(tmp_path, OPENING + "[extreme_close_up] Zoë's eyes.\n\n"
                                       "HALCYON: Oxygen at nine percent.\n\n"
                                       "[close_up] Ines Varga checks the seal.\n\n"
                                       "CAPTAIN HAN: Is it holding?\n")
    here = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["check", ".", "--explain"], catch_exceptions=False)
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    assert "page 1 panel 1, line 8, extreme close-up: drawn: Zoë Okafor (named in the " \
           "paragraph); heard: Halcyon (voice)" in result.stdout
    assert "page 1 panel 2, line 12, close-up: drawn: Ines Varga (named in the paragraph); " \
           "heard: Captain Han (close-up of Ines Varga)" in result.stdout


def test_a_voice_needs_a_known_kind(tmp_path):
    root = project(tmp_path, OPENING + "[wide_shot] The gate.\n")
    (root / "characters" / "halcyon.md").write_text("---\nname: Halcyon\nkind: robot\n---\n")
    problems = validate(load(root)).problems
    assert any(p.file == "characters/halcyon.md" and "kind" in (p.field or "") and
               "voice" in p.message for p in problems), [str(p) for p in problems]


# ---- the grammar of extensions and parentheticals, for any cast name -------------------

EXTENSIONS = {"V.O.": "voice_over", "VO": "voice_over", "O.S.": "off_screen",
              "O.C.": "off_screen", "CONT'D": None, "CONT’D": None, "cont.": None}
MANNERS = {"whispering": LineKind.whisper, "softly": LineKind.whisper,
           "quietly": LineKind.whisper, "shouting": LineKind.shout, "yelling": LineKind.shout,
           "angrily": LineKind.shout, "thinking": LineKind.thought,
           "to herself": LineKind.thought, "sarcastic": LineKind.speech,
           "beat": LineKind.speech}
CASES = st.sampled_from([str.upper, str.lower, str.title, lambda s: s])
NAMES = ["Zoë Okafor", "Zoë", "Ines Varga", "Captain Han", "Lin Shuang", "Halcyon", "林霜"]


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(NAMES), name_case=CASES,
       extensions=st.lists(st.sampled_from(sorted(EXTENSIONS)), max_size=2),
       manner=st.one_of(st.none(), st.sampled_from(sorted(MANNERS))), manner_case=CASES,
       ext_case=CASES, form=st.sampled_from(["own", "together", "after colon", "cue"]),
       words=st.text(st.characters(whitelist_categories=("Ll", "Lu", "Lo", "Nd")),
                     min_size=1, max_size=20))
def test_extensions_and_parentheticals_never_make_a_panel(name, name_case, extensions, manner,
                                                          manner_case, ext_case, form, words):
    written = name_case(name)
    marks = [ext_case(e) for e in extensions]
    note = manner_case(manner) if manner else None
    if form == "cue":
        if written != written.upper() and not written == "林霜":
            written = written.upper()  # a screenplay cue stands alone in capitals
        cue = written + "".join(f" ({m})" for m in marks)
        line = cue + (f"\n({note})" if note else "") + f"\n{words}"
    elif form == "together":
        inside = ", ".join(marks + ([note] if note else []))
        line = written + (f" ({inside})" if inside else "") + f": {words}"
    elif form == "after colon":
        line = written + "".join(f" ({m})" for m in marks) + ": " + \
            (f"({note}) " if note else "") + words
    else:
        line = written + "".join(f" ({m})" for m in marks + ([note] if note else [])) + \
            f": {words}"
    if form == "cue" and written == "林霜":
        return  # a cue on its own line is a name in capitals or an @id; 林霜 has no case
    scenes, problems = parse_outline(f"## gate\n\n[wide_shot] x\n\n{line}\n", "s.md",
                                     speakers=NAMES)
    assert not problems
    [beat] = scenes[0].beats  # never a new panel
    [said] = beat.lines
    offs = [EXTENSIONS[e] for e in extensions if EXTENSIONS[e]]
    assert (said.speaker, said.text) == (written, words)
    assert said.off == (offs[-1] if offs else None)
    assert said.kind == (MANNERS[manner] if manner else LineKind.speech)
    assert said.manner == note


# ---- the examples in docs/format.md, run as written -------------------------------------

DOC = Path(__file__).parent.parent / "docs" / "format.md"
EXAMPLE = re.compile(r"```(?P<fence>script|panel)\n(?P<outline>.*?)```\nreads as: "
                     r"(?P<reading>[^\n]+)", re.S)
OFF = {"voice-over": "voice_over", "off screen": "off_screen"}


def doc_examples(fence: str) -> list[tuple[str, str]]:
    return [(m.group("outline"), m.group("reading")) for m in EXAMPLE.finditer(DOC.read_text())
            if m.group("fence") == fence]


def test_the_docs_show_the_extensions_and_the_casting_rules():
    assert len(doc_examples("script")) >= 4 and len(doc_examples("panel")) >= 3


@pytest.mark.parametrize("outline,reading", doc_examples("script"))
def test_each_extension_example_in_the_docs_reads_as_it_says(tmp_path, outline, reading):
    found = resolved(tmp_path, OPENING + "[wide_shot] The gate.\n\n" + outline)
    [beat] = found.stories[0].beats
    [said] = beat.lines
    who, text, marks = re.fullmatch(r'(.+?): "(.*)" \((.*)\)', reading).groups()
    assert found.characters[said.speaker].name == who and said.text == text
    seen, *rest = marks.split("; ")
    assert said.off == (OFF[seen.removeprefix("heard: ")] if seen != "seen" else None)
    kind = rest[0] if rest else "speech"
    assert said.kind.value == kind
    assert said.manner == (rest[1].removeprefix("manner: ") if len(rest) > 1 else None)


@pytest.mark.parametrize("outline,reading", doc_examples("panel"))
def test_each_casting_example_in_the_docs_reads_as_it_says(tmp_path, outline, reading):
    found, [spec] = panels(tmp_path, OPENING + outline)
    names = {cid: c.name for cid, c in found.characters.items()}
    drawn = ", ".join(names[c] for c in spec.characters) or "nobody"
    heard = ", ".join(f"{names[c]} ({spec.casting[c]})" for c in spec.heard)
    assert f"drawn: {drawn}" + (f"; heard: {heard}" if heard else "") == reading


def test_the_studio_never_draws_a_voice_named_in_a_description(tmp_path):
    from pipeline.studio.api import Studio

    studio = Studio(project(tmp_path, OPENING + "[wide_shot] The gate.\n"))
    [panel] = studio.generate.comic(story_id="arrival", scene_id="city-gate", panels=[
        {"description": "Halcyon's lights dim as Ines Varga walks in.", "camera": "full_shot"}])
    assert panel.characters == ["ines-varga"]


def test_the_planner_frames_no_one_for_a_voice_alone(tmp_path):
    """A later panel where only the station's AI speaks shows the place, not a close shot
    of nobody."""
    _, specs = panels(tmp_path, OPENING + "[wide_shot] The gate.\n\nZOË: Anyone?\n\n"
                                          "The lights flicker.\n\nHALCYON: I am here.\n")
    assert specs[1].camera.chosen_by == "planner"
    assert specs[1].camera.shot.value == "wide_shot" and specs[1].characters == []
