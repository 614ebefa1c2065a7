"""Fonts: the default face comes from an installed package (not a file of ours) and shows
Latin accents; a fallback font letters scripts the main one lacks; what no font can show is
found for `check` and never drawn as empty boxes; lines break the way each script does."""

from __future__ import annotations

from importlib import resources
from importlib.metadata import requires

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from pipeline.lettering.draw import to_svg
from pipeline.lettering.fonts import (CLOSING, LetteringFont, default_font_bytes,
                                      default_font_licence, missing_glyphs, wrap)
from pipeline.specs import Balloon

FONT = LetteringFont()


def cjk_font() -> bytes:
    return (resources.files("cvttf_NotoSansCJK_Regular") / "NotoSansCJKtc-Regular.otf"
            ).read_bytes()


def test_the_default_face_is_read_from_an_installed_package_under_the_ofl():
    package = (resources.files("font_intuitive") / "files" / "Intuitive.ttf").read_bytes()
    assert default_font_bytes() == package == FONT.data
    assert "SIL Open Font License" in default_font_licence()
    assert any(r.startswith("font-intuitive") for r in requires("panelwright") or [])
    face = FONT.at(26)
    assert face.getname()[0] == "Intuitive"


def test_the_default_face_shows_western_accents_and_reports_the_rest():
    assert missing_glyphs(FONT, "Élan, naïve façade: ¿qué? Straße, Ångström, São, Øre") == ""
    # Latin Extended-A (Polish, Czech...) and Chinese: the fallback font's work
    assert missing_glyphs(FONT, "Łódź") == "Łź"
    assert missing_glyphs(FONT, "站住！") == "站住！"


def test_a_fallback_font_shows_what_the_main_one_cannot():
    font = LetteringFont(fallback=cjk_font())
    assert font.choose("Halt!") == 0  # the main face
    assert font.choose("站住！") == 1  # the fallback
    assert font.choose("Lin: 站住！") == 1  # mixed words are lettered with the one that has both
    assert missing_glyphs(font, "站住！我是林霜。") == ""
    assert missing_glyphs(LetteringFont(), "站住！") == "站住！"  # neither: found elsewhere


def test_text_no_font_can_show_becomes_question_marks_never_empty_boxes():
    assert FONT.showable("Halt, 站住!") == "Halt, ??!"
    # what is drawn is a visible '?', never the font's empty or boxed .notdef glyph
    face = FONT.at(40)
    drawn = Image.new("L", (200, 60))
    ImageDraw.Draw(drawn).text((10, 5), FONT.showable("站"), font=face, fill=255)
    mark = Image.new("L", (200, 60))
    ImageDraw.Draw(mark).text((10, 5), "?", font=face, fill=255)
    assert drawn.getbbox() is not None and drawn.tobytes() == mark.tobytes()
    assert FONT.showable("Halt!") == "Halt!"  # what it can show is left alone


def test_chinese_breaks_between_characters_and_no_line_starts_with_closing_punctuation():
    face = LetteringFont(fallback=cjk_font()).at(26, 1)
    for width in range(40, 300, 13):
        lines = wrap("「站住！」我是林霜。城门在黄昏关闭，你知道的。", face, width)
        assert "".join(lines) == "「站住！」我是林霜。城门在黄昏关闭，你知道的。"
        assert not any(line[0] in CLOSING for line in lines), lines
        assert not any(line[-1] in "「（" for line in lines), lines
    assert wrap("他说 站住！ then left", face, 60)[0] == "他说"


@settings(max_examples=80, deadline=None)
@given(words=st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéàü", min_size=1,
                              max_size=40), min_size=1, max_size=25),
       width=st.integers(min_value=60, max_value=600))
def test_wrapped_lines_fit_and_keep_every_letter(words, width):
    face = FONT.at(26)
    text = " ".join(words)
    lines = wrap(text, face, width)
    assert all(face.getlength(line) <= width + 0.5 for line in lines), lines
    # only hyphens are added, and only to words too long for any line
    assert "".join(lines).replace("-", "").replace(" ", "") == text.replace(" ", "")
    if all(face.getlength(w) <= width for w in words):
        assert " ".join(lines) == text


def test_the_svg_names_the_face_family_first_for_words_measured_with_it():
    common = dict(box=(0, 0, 100, 50), lines=["x"], font_size=20, line_height=24,
                  text_origin=(50, 30))
    svg = to_svg([Balloon(kind="speech", text="站住", face=1, **common),
                  Balloon(kind="speech", text="Halt", **common)], 100, 50, "Main",
                 ["Main", "Noto Sans CJK TC"])
    assert 'font-family="&#x27;Noto Sans CJK TC&#x27;, Main, sans-serif"' in svg
    assert 'font-family="Main, sans-serif"' in svg


@pytest.mark.parametrize("text", ["Halt!", "Élan", "站住"])
def test_covers_agrees_with_missing_glyphs(text):
    assert FONT.covers(text) == (missing_glyphs(FONT, text) == "")
