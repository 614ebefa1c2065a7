"""Where a balloon goes (issue #20): a line's placement hint ([top_left], [over han]) puts
its balloon in that region of the panel, in the reader's SVG and in the baked page alike,
its tail still at its speaker; when the words do not fit there the build says why at the
line. Moving a balloon re-letters its panel and redraws no art."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from pipeline.art import draw_art
from pipeline.build import build, check
from pipeline.cli.main import main
from pipeline.format.model import LetteringConfig
from pipeline.lettering.fonts import LetteringFont
from pipeline.lettering.hints import explain
from pipeline.lettering.place import letter_panel
from pipeline.lettering.stage import lettering_warnings
from pipeline.plan import plan
from pipeline.source.load import load
from pipeline.source.outline import parse_outline
from pipeline.source.resolve import resolve
from pipeline.source.validate import validate
from pipeline.specs import Figure, NodeLine, PanelArt, StoryNode
from pipeline.story.committed import node_record, outline_hash, to_node
from pipeline.story.nodes import write_nodes

VALID = Path(__file__).parent / "fixtures" / "valid"
DOC = Path(__file__).parent.parent / "docs" / "format.md"
FONT = LetteringFont()
CONFIG = LetteringConfig()
LIN = "---\nname: Lin Shuang\naliases: [林霜]\n---\nA calm swordswoman.\n"


def project(root: Path, outline: str, config: str = "") -> Path:
    shutil.copytree(VALID, root)
    (root / "characters" / "lin-shuang.md").write_text(LIN, encoding="utf-8")
    if config:
        with (root / "panelwright.yaml").open("a", encoding="utf-8") as out:
            out.write(config)
    (root / "stories" / "arrival.md").write_text(
        "---\ntitle: Arrival\nworld: frost-moon\n---\n\n" + outline, encoding="utf-8")
    return root


def in_region(place: str, box, width: float, height: float) -> bool:
    """The rule of docs/format.md: a corner's quarter, a side's half with its middle in the
    middle third, the middle ninth."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    across = {"left": x + w <= width / 2 + 1, "right": x >= width / 2 - 1}
    down = {"top": y + h <= height / 2 + 1, "bottom": y >= height / 2 - 1}
    ok_x = next((v for k, v in across.items() if place.endswith(k)),
                width / 3 - 1 <= cx <= width * 2 / 3 + 1)
    ok_y = next((v for k, v in down.items() if place.startswith(k)),
                height / 3 - 1 <= cy <= height * 2 / 3 + 1)
    return ok_x and ok_y


def lettering_of(html: str) -> dict[str, tuple[tuple[float, float], dict[str, list]]]:
    """Panel id -> (its SVG's width and height, balloon title -> polygon points)."""
    found = {}
    for m in re.finditer(r'data-panel="([^"]+)".*?<svg class="lettering" viewBox="0 0 '
                         r'([\d.]+) ([\d.]+)"(.*?)</svg>', html, re.S):
        balloons = {}
        for g in re.finditer(r"<title>(.*?)</title><polygon points=\"([^\"]+)\"", m.group(4)):
            balloons[g.group(1)] = [tuple(map(float, p.split(","))) for p in
                                    g.group(2).split()]
        found[m.group(1)] = ((float(m.group(2)), float(m.group(3))), balloons)
    return found


def bounds(points) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def white_share(page: Image.Image, box, scale: float) -> float:
    """The share of near-white pixels in a box of the baked page (page pixels * scale)."""
    x, y, w, h = (v * scale for v in box)
    crop = page.convert("L").crop((int(x + w * 0.2), int(y + h * 0.2), int(x + w * 0.8),
                                   int(y + h * 0.8)))
    pixels = crop.tobytes()
    return sum(p > 235 for p in pixels) / max(len(pixels), 1)


def mouths(found, specs) -> dict[str, dict[str, tuple[float, float]]]:
    """Each panel's speakers' mouths in its slot, as the art drew them (the art covers its
    slot, centred, as the page and the reader draw it)."""
    art = draw_art(found, specs)  # from the cache the build filled
    out = {}
    for spec in specs:
        panel_art = art[spec.id]
        _, _, sw, sh = spec.box
        scale = max(sw / panel_art.width, sh / panel_art.height)
        dx, dy = (panel_art.width * scale - sw) / 2, (panel_art.height * scale - sh) / 2
        out[spec.id] = {f.character: (f.mouth[0] * scale - dx, f.mouth[1] * scale - dy)
                        for f in panel_art.figures}
    return out


def points_at(tail, mouth, most: float = 25) -> bool:
    """Whether the tail (base, tip, base) runs from its base toward the mouth."""
    base = ((tail[0][0] + tail[2][0]) / 2, (tail[0][1] + tail[2][1]) / 2)
    along = math.atan2(tail[1][1] - base[1], tail[1][0] - base[0])
    to = math.atan2(mouth[1] - base[1], mouth[0] - base[0])
    return abs((along - to + math.pi) % (2 * math.pi) - math.pi) < math.radians(most)


STORY = """## City Gate

[medium_shot] Lin Shuang and Captain Han at the gate.

LIN SHUANG [bottom_right]: Open the gate, captain.
CAPTAIN HAN [top_left]: Who goes there at this hour?

---

[wide_shot] Snow on the gate.

CAPTION [bottom_left]: Three winters later.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("placed") / "p", STORY)
    report = build(root, jobs=1)
    found = resolve(validate(load(root)))
    [story_plan] = plan(found, write_nodes(found))
    return root, report, found, story_plan


def test_a_placed_balloon_lies_in_its_region_on_the_web_and_on_the_baked_page(built):
    root, report, found, story_plan = built
    assert not [w for w in report.warnings if "does not fit" in w.message]
    out = Path(report.out)
    speakers = {"Lin Shuang: Open the gate, captain.": ("bottom_right", "lin-shuang"),
                "Captain Han: Who goes there at this hour?": ("top_left", "captain-han"),
                "Three winters later.": ("bottom_left", None)}
    seen = 0
    drawn_mouths = mouths(found, story_plan.panels)
    for page in story_plan.pages:
        html = (out / f"stories/arrival/page-{page.number}.html").read_text()
        baked = Image.open(out / f"pages/arrival-{page.number}.jpg")
        scale = baked.width / page.width
        for panel_id, ((width, height), balloons) in lettering_of(html).items():
            spec = next(s for s in story_plan.panels if s.id == panel_id)
            for title, points in balloons.items():
                place, who = next(v for k, v in speakers.items() if title.endswith(k))
                tail, shape = (points[:3], points[3:]) if who else ([], points)
                box = bounds(shape)
                assert in_region(place, box, width, height), (title, box, width, height)
                # the baked page has the balloon's white fill at the same place
                on_page = (spec.box[0] + box[0], spec.box[1] + box[1], box[2], box[3])
                assert white_share(baked, on_page, scale) > 0.5, title
                if who:
                    assert points_at(tail, drawn_mouths[panel_id][who]), title
                seen += 1
    assert seen == 3


def test_moving_a_balloon_reletters_its_panel_and_redraws_no_art(built, tmp_path):
    root = tmp_path / "moved"
    shutil.copytree(built[0], root)
    build(root, jobs=1)
    story = root / "stories" / "arrival.md"
    story.write_text(story.read_text().replace("SHUANG [bottom_right]", "SHUANG [top_right]"))
    report = build(root, jobs=1)
    assert (report.panels_drawn, report.panels_lettered) == (0, 1)
    html = (Path(report.out) / "stories/arrival/page-1.html").read_text()
    [((width, height), balloons)] = lettering_of(html).values()
    box = bounds(balloons["Lin Shuang: Open the gate, captain."][3:])
    assert in_region("top_right", box, width, height)


def test_a_hint_is_read_after_any_speaker_in_any_script_and_on_a_cue_line():
    outline = ("## gate\n\n[wide_shot] x\n\nLIN [Top Left]: Here.\n"
               "LIN (whispering) [over han]: Psst.\nHAN [right] (V.O.): Hm.\n"
               "CAPTION [bottom]: Later.\nSFX [top-right]: BANG\n林霜 [bottom_right]：开门。\n\n"
               "LIN [centre]\n(softly)\nCome.\n\nHAN\n(V.O.)\n[over lin]\nStay.\n")
    scenes, problems = parse_outline(outline, "s.md", speakers=["林霜"])
    assert not problems
    got = [(w.speaker, w.kind.value, w.off, w.manner, w.place, w.text)
           for w in scenes[0].beats[0].lines]
    assert got == [("LIN", "speech", None, None, "top_left", "Here."),
                   ("LIN", "whisper", None, "whispering", "over han", "Psst."),
                   ("HAN", "speech", "voice_over", None, "right", "Hm."),
                   (None, "caption", None, None, "bottom", "Later."),
                   (None, "sfx", None, None, "top_right", "BANG"),
                   ("林霜", "speech", None, None, "bottom_right", "开门。"),
                   ("LIN", "whisper", None, "softly", "center", "Come."),
                   ("HAN", "speech", "voice_over", None, "over lin", "Stay.")]


def test_check_reports_an_unknown_place_and_a_stranger_at_their_lines(tmp_path):
    root = project(tmp_path / "p", "## City Gate\n\n[wide_shot] The gate.\n\n"
                                   "LIN SHUANG [bottom_rihgt]: Open.\n"
                                   "CAPTAIN HAN [over the elder]: Halt.\n")
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 1
    assert "stories/arrival.md:10: error: 'bottom_rihgt' is not a place for a balloon\n" \
           "    hint: did you mean 'bottom_right'?" in result.output
    assert "stories/arrival.md:11: error: the balloon is to go over 'the elder', who is " \
           "not a character" in result.output


def test_over_without_a_name_asks_whose_head(tmp_path):
    root = project(tmp_path / "p", "## City Gate\n\n[wide_shot] The gate.\n\n"
                                   "LIN SHUANG [over]: Open.\n")
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 1
    assert "stories/arrival.md:10: error: 'over' is not a place for a balloon\n" \
           "    hint: say whose head it goes over: [over NAME]" in result.output


def placed_panel(tmp_path: Path, outline: str, box, figures=()):
    found = resolve(validate(load(project(tmp_path / "p", "## City Gate\n\n" + outline))))
    assert not [p for p in found.problems if p.severity == "error"], found.problems
    [story_plan] = plan(found, write_nodes(found))
    spec = story_plan.panels[0].model_copy(update={"box": box, "width": box[2],
                                                   "height": box[3]})
    art = PanelArt(panel=spec.id, image="", key="k", width=box[2], height=box[3],
                   figures=[f(spec) for f in figures])
    return found, spec, letter_panel(spec, art, FONT, CONFIG)


def face(who: str):
    """A close-up's face, filling the middle of the panel."""
    return lambda spec: Figure(character=who, head=(spec.width * 0.3, spec.height * 0.15,
                                                    spec.width * 0.4, spec.height * 0.7),
                               mouth=(spec.width * 0.5, spec.height * 0.7))


LONG = "I have walked for nine days and nine nights through the snow to stand here."


def test_words_too_long_for_their_corner_are_placed_as_usual_and_the_warning_says_why(tmp_path):
    _, spec, lettered = placed_panel(tmp_path, f"[close_up] Lin Shuang.\n\nLIN SHUANG "
                                     f"[top_left]: {LONG}\n", (0, 0, 400, 600),
                                     [face("lin-shuang")])
    [miss] = lettered.misplaced
    assert (miss.why, miss.instead) == ("too_big", ["top"])
    [balloon] = lettered.balloons
    assert not in_region("top_left", balloon.box, 400, 600) and balloon.tail
    unplaced = spec.model_copy(update={"lines": [spec.lines[0].model_copy(
        update={"place": None})]})
    art = PanelArt(panel=spec.id, image="", key="k", width=400, height=600,
                   figures=[face("lin-shuang")(spec)])
    assert letter_panel(unplaced, art, FONT, CONFIG).balloons[0].box == balloon.box
    message, hint = explain(miss, spec.lines[0].text, {}, "close-up", spec.characters)
    # the doc's sample warning is this one
    sample = DOC.read_text().split("does not fit in the top left of this close-up", 1)
    assert f"warning: {message}\n    hint: {hint}" in "warning: " + sample[0].rsplit(
        "warning: ", 1)[1] + "does not fit in the top left of this close-up" + sample[1]


def test_a_balloon_placed_across_the_panel_has_its_tail_end_at_its_speaker(tmp_path):
    # Lin on the left, Han on the right; Lin's line goes in the bottom right corner, so the
    # way from it to her mouth runs past Han: a tail cut short would end on him
    def standing(who: str, x: float):
        return lambda spec: Figure(character=who, head=(x, 150, 60, 70), mouth=(x + 30, 205))

    _, spec, lettered = placed_panel(
        tmp_path, "[wide_shot] Lin Shuang and Captain Han at the gate.\n\n"
                  "LIN SHUANG [bottom_right]: Open the gate.\n", (0, 0, 900, 500),
        [standing("lin-shuang", 150), standing("captain-han", 520)])
    [balloon] = lettered.balloons
    assert in_region("bottom_right", balloon.box, 900, 500)
    tip = balloon.tail[1]
    to_lin, to_han = math.dist(tip, (180, 205)), math.dist(tip, (550, 205))
    assert to_lin < to_han, (tip, to_lin, to_han)
    assert not 490 <= tip[0] <= 610, tip  # not on Han, nor on the body below his head


def test_the_build_warns_at_the_line_when_a_hint_cannot_be_honoured(tmp_path):
    root = project(tmp_path / "p", "## City Gate\n\n--- tall_split\n\n"
                                   "[close_up] Lin Shuang at the gate.\n\n"
                                   "CAPTAIN HAN [over Captain Han]: Halt.\n"
                                   "LIN SHUANG [over Lin Shuang]: I am here.\n\n"
                                   "[medium_shot] Lin Shuang and Captain Han.\n\n"
                                   f"LIN SHUANG [top_left]: {LONG} {LONG} {LONG}\n")
    report = build(root, jobs=1)
    found = {(w.line, w.message.split(":")[0]) for w in report.warnings}
    assert (12, "Captain Han is heard, not drawn, in this panel") in found
    assert any(line == 17 and "does not fit in the top left of this medium shot" in message
               or line == 17 and "in the top left of this medium shot would cover" in message
               for line, message in ((w.line, w.message) for w in report.warnings))
    assert all(w.line != 13 for w in report.warnings)  # over her own head: honoured


def test_build_explain_says_for_each_hint_at_its_line_whether_it_was_honoured(tmp_path):
    root = project(tmp_path / "p", "## City Gate\n\n[close_up] Lin Shuang at the gate.\n\n"
                                   "CAPTAIN HAN [over Captain Han]: Halt.\n"
                                   "LIN SHUANG [over Lin Shuang]: I am here.\n"
                                   "LIN SHUANG: Let me in.\n")
    result = CliRunner().invoke(main, ["build", str(root), "--explain", "--jobs", "1"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("balloon ")]
    assert notes == [
        "balloon stories/arrival.md:10: [over captain-han] in arrival--city-gate-01: not "
        "honoured, placed as usual: Captain Han is heard, not drawn, in this panel: there is "
        "no head to put 'Halt.' over",
        "balloon stories/arrival.md:11: [over lin-shuang] in arrival--city-gate-01: honoured"]
    quiet = CliRunner().invoke(main, ["build", str(root), "--jobs", "1"])
    assert not [line for line in quiet.output.splitlines() if line.startswith("balloon ")]


def test_a_character_not_drawn_in_the_panel_is_a_warning_naming_those_drawn(tmp_path):
    found, spec, lettered = placed_panel(
        tmp_path, "[close_up] Lin Shuang.\n\nLIN SHUANG [over Captain Han]: Go.\n",
        (0, 0, 600, 400))
    assert spec.characters == ["lin-shuang"]
    [miss] = lettered.misplaced
    assert lettered.balloons  # placed as usual
    names = {cid: c.name for cid, c in found.characters.items()}
    message, hint = explain(miss, "Go.", names, "close-up", spec.characters)
    assert message == "Captain Han is not drawn in this panel, so 'Go.' cannot go over " \
                      "their head" and hint == "drawn here: Lin Shuang"


def test_a_balloon_over_a_voice_says_a_voice_is_never_drawn(tmp_path):
    root = project(tmp_path / "p", "## City Gate\n\n[wide_shot] Lin Shuang at the gate.\n\n"
                                   "HALCYON: Welcome home.\n"
                                   "LIN SHUANG [over Halcyon]: Who speaks?\n")
    (root / "characters" / "halcyon.md").write_text(
        "---\nname: Halcyon\nkind: voice\n---\nThe voice of the city.\n", encoding="utf-8")
    [warning] = [p for p in check(root) if "Halcyon" in p.message]
    assert (warning.line, warning.severity) == (11, "warning")
    assert warning.message == "Halcyon is a voice, never drawn: there is no head to put " \
                              "'Who speaks?' over"
    assert "name Halcyon in the paragraph" not in warning.hint  # naming would not draw it
    assert "[top_left]" in warning.hint


@pytest.mark.parametrize("config,place", [("reading_direction: rtl\n", "top_left"),
                                          ("format: vertical\n", "bottom_right")])
def test_rtl_and_vertical_pages_honour_the_hint_as_the_reader_sees_the_panel(
        tmp_path, config, place):
    root = project(tmp_path / "p", "## City Gate\n\n[medium_shot] Lin Shuang and Captain "
                                   f"Han.\n\nLIN SHUANG [{place}]: Open it.\nCAPTAIN HAN: Who?\n",
                   config)
    report = build(root, jobs=1)
    assert not [w for w in report.warnings if "fit" in w.message]
    html = (Path(report.out) / "stories/arrival/page-1.html").read_text()
    [((width, height), balloons)] = lettering_of(html).values()
    assert in_region(place, bounds(balloons["Lin Shuang: Open it."][3:]), width, height)


def test_a_line_in_chinese_goes_where_its_hint_says(tmp_path):
    """(Lettered without a build: a build would subset a Chinese web font, for seconds.)"""
    _, spec, lettered = placed_panel(tmp_path, "[medium_shot] Lin Shuang and Captain Han."
                                     "\n\n林霜 [bottom_right]：开门，让我进去。\n林霜：快！\n",
                                     (0, 0, 600, 800))
    first, second = lettered.balloons
    assert not lettered.misplaced and first.text == "开门，让我进去。"
    assert in_region("bottom_right", first.box, 600, 800)
    assert not in_region("bottom_right", second.box, 600, 800)  # unplaced: as usual, high


def test_a_hint_survives_committed_story_nodes():
    node = StoryNode(id="gate-01", scene="city-gate", description="The gate.",
                     lines=[NodeLine(kind="speech", text="Halt.", speaker="captain-han",
                                     place="over lin-shuang")])
    record = node_record(node)
    assert record["lines"][0]["place"] == "over lin-shuang"
    assert to_node(record).lines[0].place == "over lin-shuang"


def test_nodes_committed_before_hints_stay_fresh_and_a_new_hint_makes_them_stale(tmp_path):
    from pipeline.source.resolve import ResolvedBeat, ResolvedLine
    line = ResolvedLine(kind="speech", text="Halt.", speaker="captain-han", line=9)
    beat = ResolvedBeat(line=7, scene="city-gate", description="The gate.", lines=[line])
    before = outline_hash([beat])
    old = beat.model_dump(mode="json")
    del old["lines"][0]["place"]  # as a beat was before lines had a place
    assert outline_hash([ResolvedBeat.model_validate(old)]) == before
    placed = beat.model_copy(update={"lines": [line.model_copy(update={"place": "top"})]})
    assert outline_hash([placed]) != before


EXAMPLE = re.compile(r"```balloon\n(?P<outline>.*?)```\nreads as: (?P<reading>[^\n]+)", re.S)


def doc_examples() -> list[tuple[str, str]]:
    return [(m.group("outline"), m.group("reading")) for m in EXAMPLE.finditer(DOC.read_text())]


def test_the_docs_show_where_a_balloon_goes():
    text = DOC.read_text()
    assert text.index("### Where a balloon goes") < text.index("### Who is in a panel")
    assert len(doc_examples()) >= 5


@pytest.mark.parametrize("outline,reading", doc_examples())
def test_each_placement_example_in_the_docs_reads_as_it_says(tmp_path, outline, reading):
    root = project(tmp_path / "p", "## City Gate\n\n" + outline)
    found = resolve(validate(load(root)))
    errors = [p for p in found.problems if p.severity == "error"]
    kind, _, detail = reading.partition(" — ")
    if kind == "an error":
        message, _, hint = detail.partition("; ")
        assert len(errors) == 1 and message in errors[0].message and hint in errors[0].hint
        return
    assert not errors, errors
    # the build's stages for one panel: plan, art, lettering, the lettering's warnings
    [story_plan] = plan(found, write_nodes(found))
    [spec] = story_plan.panels
    art = draw_art(found, [spec])
    lettered = {spec.id: letter_panel(spec, art[spec.id], FONT, CONFIG)}
    if kind == "a warning":
        message, _, hint = detail.partition("; ")
        warnings = lettering_warnings(found, [story_plan], lettered, FONT, art)
        assert any(message in w.message and hint in (w.hint or "") for w in warnings)
        return
    [balloon] = lettered[spec.id].balloons
    _, _, width, height = spec.box
    names = {c.name: cid for cid, c in found.characters.items()}
    whose, place = re.fullmatch(r"(.+?)'s (?:balloon|box) (?:in the |over )(.+)", kind).groups()
    assert balloon.speaker == names.get(whose)
    if place in names:
        figure = next(f for f in art[spec.id].figures if f.character == names[place])
        scale = max(width / art[spec.id].width, height / art[spec.id].height)
        dx = (art[spec.id].width * scale - width) / 2
        dy = (art[spec.id].height * scale - height) / 2
        hx, hy, hw, hh = (figure.head[0] * scale - dx, figure.head[1] * scale - dy,
                          figure.head[2] * scale, figure.head[3] * scale)
        x, y, w, h = balloon.box
        assert hx <= x + w / 2 <= hx + hw and y + h <= hy + hh * 0.25 + 1
    else:
        assert in_region(place.replace(" ", "_"), balloon.box, width, height)


def test_a_hint_round_trips_through_the_nodes_file_and_a_hand_edit_moves_the_balloon(tmp_path):
    root = project(tmp_path / "p", "## City Gate\n\n[medium_shot] Lin Shuang and Captain Han."
                                   "\n\nLIN SHUANG [top_left]: Open it.\n")
    result = CliRunner().invoke(main, ["generate", "arrival", "-p", str(root)])
    assert result.exit_code == 0, result.output
    nodes = root / "stories" / "arrival.nodes.yaml"
    assert "place: top_left" in nodes.read_text()
    nodes.write_text(nodes.read_text().replace("place: top_left", "place: bottom_right"))
    report = build(root, jobs=1)
    html = (Path(report.out) / "stories/arrival/page-1.html").read_text()
    [((width, height), balloons)] = lettering_of(html).values()
    assert in_region("bottom_right", bounds(balloons["Lin Shuang: Open it."][3:]), width, height)


def test_the_docs_syntax_block_reads_a_place_on_every_line():
    section = DOC.read_text().split("### Where a balloon goes", 1)[1]
    block = section.split("```\n", 2)[1]
    scenes, problems = parse_outline("## gate\n\n[wide_shot] x\n\n" + block, "s.md",
                                     speakers=["林霜"])
    assert not problems
    lines = scenes[0].beats[0].lines
    assert len(lines) == 7 and all(w.place for w in lines)
    assert [w.text for w in lines][-1] == "Lin Shuang, of the northern pass."
