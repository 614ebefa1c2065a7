"""Lettering covers every script a story uses without the writer naming a font: a story in
Chinese, Japanese, Korean, Greek, Russian, Arabic and Hebrew, with no fallback font set,
is lettered with fonts found on the machine; each balloon's words are drawn whole inside
it, web and baked alike, the site serves each face as a WOFF2 subset with its licence,
and only a character no font on the machine has makes `check` fail."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from pipeline.art import draw_art
from pipeline.build import build, check, ready
from pipeline.lettering import fonts as lettering_fonts
from pipeline.lettering.fonts import LetteringFont, missing_glyphs, with_fallbacks
from pipeline.lettering.stage import letter_cached, lettering_font
from pipeline.plan import plan
from pipeline.runtime import machine_fonts
from pipeline.site import webfonts
from pipeline.site.pages import PAGE_SCALE, page_image
from pipeline.story.nodes import write_nodes

SPEECH = {
    "mei": ("Mei", "你好！我们在码头等船。"),
    "yuki": ("Yuki", "こんにちは、船はまだですか？"),
    "minji": ("Minji", "안녕하세요! 배가 늦네요."),
    "eleni": ("Eleni", "Καλημέρα! Το πλοίο αργεί."),
    "ivan": ("Ivan", "Здравствуйте! Корабль опаздывает."),
    "layla": ("Layla", "مرحبا! السفينة متأخرة اليوم."),
    "noa": ("Noa", "שלום! הספינה מאחרת היום."),
}


def write_project(root: Path, extra: str = "") -> Path:
    """A story in seven scripts, written from docs/format.md alone, no fonts named."""
    for folder in ("characters", "stories", "worlds", "styles"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "panelwright.yaml").write_text("title: Seven Scripts\nlanguage: en\nstyle: plain\n")
    (root / "styles" / "plain.yaml").write_text("name: Plain\ntreatment: flat\n")
    (root / "worlds" / "port.yaml").write_text(
        "name: Harbour\ndescription: A busy port.\nscenes:\n  - id: dock\n    name: Dock\n"
        "    description: A wooden dock by the sea.\n    time_of_day: day\n")
    for cid, (name, _) in SPEECH.items():
        (root / "characters" / f"{cid}.md").write_text(
            f"---\nname: {name}\npersonality: Friendly\n---\nA traveller.\n")
    pairs = [("mei", "yuki"), ("minji", "eleni"), ("ivan", "layla"), ("noa",)]
    panels = []
    for pair in pairs:
        who = " and ".join(SPEECH[c][0] for c in pair)
        lines = "\n".join(f"{SPEECH[c][0].upper()}: {SPEECH[c][1]}" for c in pair)
        panels.append(f"[medium_shot] {who} wait on the dock.\n\n{lines}")
    (root / "stories" / "meeting.md").write_text(
        "---\ntitle: Meeting\nworld: port\n---\n\n## Dock\n\n" + "\n\n---\n\n".join(panels)
        + "\n" + extra)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("scripts") / "story")
    out = root.parent / "site"
    build(root, out, jobs=1)
    return root, out


def css_faces(out: Path) -> dict[str, Path]:
    """family -> served font file, as the site's lettering.css declares them."""
    css = (out / "assets" / "lettering.css").read_text()
    return {family: out / "assets" / url for family, url in
            re.findall(r'font-family: "([^"]+)";\s*src: url\("([^"]+)"\)', css)}


def test_the_story_checks_clean_without_a_fallback_font(built):
    root, _ = built
    assert [p for p in check(root) if p.severity == "error"] == []
    assert [p.message for p in check(root) if "font" in p.message] == []


def test_each_balloon_is_drawn_whole_inside_its_balloon_on_the_baked_page(built):
    root, _ = built
    project = ready(root)
    plans = plan(project, write_nodes(project))
    panels = [p for sp in plans for p in sp.panels]
    art = draw_art(project, panels, 1)
    font = lettering_font(project, plans)
    # the build's own lettering: every panel comes from its cache
    lettered, relettered, _ = letter_cached(project, panels, art, font, font.digest())
    assert relettered == set()
    balloons = [b for p in panels for b in lettered[p.id].balloons]
    assert sorted(b.text for b in balloons) == sorted(t for _, t in SPEECH.values())
    assert len({b.face for b in balloons}) >= 2  # CJK and the rest need other faces
    for story_plan in plans:
        for page in story_plan.pages:
            image = page_image(project, None, page, art, lettered, font, PAGE_SCALE)
            blank = {pid: lettered[pid].model_copy(update={"balloons": [
                b.model_copy(update={"lines": [""] * len(b.lines)})
                for b in lettered[pid].balloons]}) for pid in page.panels}
            without = page_image(project, None, page, art, blank, font, PAGE_SCALE)
            for pid, (sx, sy, _, _) in zip(page.panels, page.slots):
                for b in lettered[pid].balloons:
                    assert missing_glyphs(font, b.text) == ""
                    assert all(font.showable(line, b.face) == line for line in b.lines)
                    inside = Image.new("L", image.size)
                    ImageDraw.Draw(inside).polygon(
                        [((sx + x) * PAGE_SCALE, (sy + y) * PAGE_SCALE) for x, y in b.outline],
                        fill=255)
                    inside = inside.filter(ImageFilter.MinFilter(5))  # inside the stroke
                    ink = ImageChops.difference(image, without).convert("L").point(
                        lambda v: 255 if v > 40 else 0)
                    x, y, w, h = b.box
                    near = ink.crop((round((sx + x - w) * PAGE_SCALE),
                                     round((sy + y - h) * PAGE_SCALE),
                                     round((sx + x + 2 * w) * PAGE_SCALE),
                                     round((sy + y + 2 * h) * PAGE_SCALE)))
                    assert near.getbbox() is not None, b.text  # its words were drawn
                    outside = ImageChops.subtract(ink, inside)
                    box = (round((sx + x) * PAGE_SCALE) - 40, round((sy + y) * PAGE_SCALE) - 40,
                           round((sx + x + w) * PAGE_SCALE) + 40,
                           round((sy + y + h) * PAGE_SCALE) + 40)
                    assert outside.crop(box).getbbox() is None, b.text


def test_a_question_mark_is_drawn_only_where_no_font_has_the_glyph(built):
    root, _ = built
    project = ready(root)
    plans = plan(project, write_nodes(project))
    font = lettering_font(project, plans)
    for _, text in SPEECH.values():
        face = font.choose(text)
        assert font.showable(text, face) == text
        # the main face alone would have drawn '?' for these scripts
        assert "?" in LetteringFont().showable(text)


def test_the_site_serves_each_face_as_a_woff2_subset_with_every_glyph_it_needs(built):
    _, out = built
    faces = css_faces(out)
    assert faces.pop("PanelwrightLettering").name == "lettering.ttf"
    assert faces and all(path.suffix == ".woff2" for path in faces.values())
    served = {}
    for family, path in faces.items():
        font = TTFont(io.BytesIO(path.read_bytes()))
        assert font.flavor == "woff2"
        assert (font["name"].getDebugName(16) or font["name"].getDebugName(1)) == family
        served[family] = set(font.getBestCmap())
        # a subset, not the whole font: a CJK font has tens of thousands of characters
        assert len(served[family]) < 400
    pages = sorted((out / "stories" / "meeting").glob("page-*.html"))
    said = []
    for page in pages:
        html = page.read_text()
        for family, body in re.findall(
                r'<text [^>]*font-family="&#x27;([^&]+)&#x27;[^"]*"[^>]*>(.*?)</text>', html):
            assert family in served, family  # the SVG names a face the site serves
            text = re.sub(r"<[^>]+>", "", body)
            said.append(text)
            assert all(ord(c) in served[family] for c in text if not c.isspace()), text
    assert len(said) == len(SPEECH)  # every balloon is lettered with a served face


def test_each_served_face_has_its_own_licence_and_the_main_one_is_named(built):
    _, out = built
    for family in css_faces(out):
        if family == "PanelwrightLettering":
            continue
        slug = re.sub(r"[^a-z0-9]+", "-", family.lower()).strip("-")
        licence = (out / "assets" / "fonts" / f"{slug}-LICENSE.txt").read_text()
        assert licence.startswith(family)
        assert "Copyright" in licence
    main = (out / "assets" / "lettering-LICENSE.txt").read_text()
    assert main.startswith("Intuitive") and "Bruno de Souza" in main.splitlines()[1]
    assert "Press Start" not in main and "SIL Open Font License" in main
    noto = (out / "assets" / "fonts" / "noto-sans-cjk-tc-LICENSE.txt").read_text()
    assert "Adobe" in noto and "Open Font License" in noto


def test_a_rebuild_that_renders_again_does_not_cut_the_fonts_again(built, monkeypatch):
    root, out = built
    cut = []
    monkeypatch.setattr(webfonts, "subset", lambda *a: cut.append(a) or b"")
    story = root / "stories" / "meeting.md"
    before = story.read_text()
    story.write_text(before.replace("wait on the dock", "wait on the old dock", 1))
    try:
        build(root, out, jobs=1)
    finally:
        story.write_text(before)
    assert cut == []
    assert css_faces(out)


def unused_character() -> str:
    """A character no font on this machine (nor the installed packages) can draw."""
    pool = machine_fonts.candidates()
    for char in ("\ue000", "\U00013000", "\U0001e900", "\ufdd0"):
        if char.isprintable() and not any(f.covers(char) for f in pool):
            return char
    pytest.skip("every candidate character has a font on this machine")


def test_check_fails_naming_the_line_and_the_code_point_no_font_has(tmp_path):
    char = unused_character()
    root = write_project(tmp_path / "story")
    story = root / "stories" / "meeting.md"
    story.write_text(story.read_text().replace("NOA: שלום!", f"NOA: שלום {char}!"))
    line = next(i for i, text in enumerate(story.read_text().splitlines(), 1)
                if text.startswith("NOA:"))
    [error] = [p for p in check(root) if p.severity == "error"]
    assert (error.file, error.line) == ("stories/meeting.md", line)
    assert f"U+{ord(char):04X}" in error.message
    assert "panelwright[cjk]" in error.hint and "lettering.fallback_font" in error.hint


def test_the_same_story_picks_the_same_fonts_whatever_order_they_are_found_in():
    texts = [t for _, t in SPEECH.values()]
    found = list(machine_fonts.candidates())
    chain = with_fallbacks(LetteringFont(), texts, found)
    again = with_fallbacks(LetteringFont(), list(reversed(texts)),
                           sorted(found, key=machine_fonts.FoundFace.rank))
    assert [f.digest for f in chain.faces] == [f.digest for f in again.faces]
    assert all(missing_glyphs(chain, t) == "" for t in texts)
    # regular upright faces before their bold, italic or condensed kin
    picked = [f for f in found if f.digest in {g.digest for g in chain.faces}]
    assert all(not f.italic and f.weight == 400 for f in picked)


def test_a_font_the_writer_set_comes_before_any_found(tmp_path):
    cjk = lettering_fonts.Face.found(next(f for f in machine_fonts.candidates()
                                          if "CJK" in f.family))
    own = LetteringFont(fallback=cjk.data)
    chain = with_fallbacks(own, ["你好"])
    assert len(chain.faces) == 2 and chain.faces[1].origin == "lettering.fallback_font"


def test_the_font_index_reads_a_font_once_until_it_changes(tmp_path, monkeypatch):
    source = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not source.is_file():
        pytest.skip("DejaVu Sans is not installed")
    font = tmp_path / "fonts" / "Mine.ttf"
    font.parent.mkdir()
    shutil.copy(source, font)
    reads = []
    real = machine_fonts.read_faces
    monkeypatch.setattr(machine_fonts, "read_faces", lambda *a: reads.append(a) or real(*a))
    index_path = tmp_path / "index.json"
    first = machine_fonts.FontIndex(index_path)
    faces = first.faces(str(font))
    first.save()
    assert faces[0]["family"] == "DejaVu Sans" and len(reads) == 1
    assert machine_fonts.FontIndex(index_path).faces(str(font)) == faces
    assert len(reads) == 1  # the second build read the index, not the font
    font.write_bytes(font.read_bytes() + b"\0")  # changed: read again
    machine_fonts.FontIndex(index_path).faces(str(font))
    assert len(reads) == 2


def test_without_fc_list_the_standard_font_folders_are_searched(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Font.TTF").write_bytes(b"")
    (tmp_path / "readme.txt").write_text("")
    monkeypatch.setattr(machine_fonts.shutil, "which", lambda name: None)
    monkeypatch.setattr(machine_fonts, "font_folders", lambda: [tmp_path, tmp_path / "none"])
    assert machine_fonts.machine_font_files() == [str(tmp_path / "sub" / "Font.TTF")]


def test_a_line_no_one_font_draws_whole_is_a_warning_not_an_error(tmp_path):
    root = write_project(tmp_path / "story")
    story = root / "stories" / "meeting.md"
    story.write_text(story.read_text().replace("NOA: שלום!", "NOA: 你好 שלום!"))
    problems = check(root)
    assert [p for p in problems if p.severity == "error"] == []
    [warning] = [p for p in problems if "no one font" in p.message]
    assert warning.severity == "warning" and "U+" in warning.message
