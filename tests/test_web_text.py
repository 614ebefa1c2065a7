"""Every script reads right on the web, and the site's text is findable (issue #15).

Reading direction (`reading_direction: rtl`, manga order) orders panels and pages; the
direction of text comes from the text itself. A balloon's words are one text with spaces,
so the browser's find and copy see a phrase across a line break; labels name speakers as
readers know them; and the built site can be copied to a web server as it is."""

from __future__ import annotations

import os
import re
import shutil
import stat
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.lettering.draw import to_svg
from pipeline.specs import Balloon

SVG = "{http://www.w3.org/2000/svg}"
# long enough that the letterer breaks it over lines
LONG = "I have come a long way through the snow to see the elder of the hall."


def site_of(root: Path, rtl: bool = False) -> Path:
    story = root / "stories/arrival.md"
    story.write_text(story.read_text(encoding="utf-8").replace(
        "I have come to see the elder.", LONG), encoding="utf-8")
    if rtl:
        config = root / "panelwright.yaml"
        config.write_text(config.read_text(encoding="utf-8") + "reading_direction: rtl\n",
                          encoding="utf-8")
    return Path(build(root, jobs=1).out)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    out = {}
    for rtl in (False, True):
        root = tmp_path_factory.mktemp("rtl" if rtl else "ltr") / "valid"
        shutil.copytree(Path(__file__).parent / "fixtures/valid", root,
                        ignore=shutil.ignore_patterns("_site", ".panelwright", "expected.txt"))
        out[rtl] = site_of(root, rtl)
    return out


class Page(HTMLParser):
    """The page's <html> attributes, every element's dir, the pager's words in order."""

    def __init__(self):
        super().__init__()
        self.html: dict = {}
        self.dirs: list[tuple[str, str | None]] = []
        self.pager: list[str] = []
        self.in_pager = False
        self.transcript: list[tuple[str, dict]] = []
        self.stack: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html = attrs
        if "dir" in attrs:
            self.dirs.append((tag, attrs["dir"]))
        if tag == "nav" and attrs.get("class") == "pager" and not self.pager:
            self.in_pager = True
        self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_pager = False
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if self.in_pager and data.strip():
            self.pager.append(data.strip())
        if self.stack and any(a.get("class") == "transcript" for _, a in self.stack) and \
                data.strip():
            self.transcript.append((data.strip(), dict(self.stack[-1][1])))


def page(site: Path, number: int) -> tuple[str, Page]:
    text = (site / f"stories/arrival/page-{number}.html").read_text(encoding="utf-8")
    parsed = Page()
    parsed.feed(text)
    return text, parsed


def balloons(html: str) -> list[ET.Element]:
    """Each balloon's <g> in the page's SVGs, parsed as XML as a browser reads them."""
    groups = []
    for svg in re.findall(r"<svg class=\"lettering\".*?</svg>", html, re.S):
        groups += ET.fromstring(svg).iter(SVG + "g")
    return groups


def text_content(element: ET.Element) -> str:
    """What find-in-page and copy see: the text of the element and all it holds."""
    return "".join(element.itertext())


@pytest.mark.parametrize("rtl", [False, True])
def test_english_pages_run_left_to_right_in_either_reading_order(sites, rtl):
    for number in (1, 2):
        html, parsed = page(sites[rtl], number)
        assert parsed.html["dir"] == "ltr", "an English page's text runs left to right"
        assert parsed.html.get("data-reading") == ("rtl" if rtl else "ltr")
        assert ("html", "rtl") not in parsed.dirs and 'dir="rtl"' not in html
        for g in balloons(html):
            assert g.find(SVG + "text").get("direction") == "ltr"


@pytest.mark.parametrize("rtl", [False, True])
def test_the_pager_reads_first_previous_count_next_last(sites, rtl):
    _, first = page(sites[rtl], 1)
    assert first.pager == ["« First", "‹ Previous", "1 / 2", "Next ›", "Last »"]
    html, _ = page(sites[rtl], 1)
    assert re.search(r'<nav class="pager"[^>]*dir="ltr"', html)
    # next is the next page of the story, in either reading order
    assert re.search(r'<a href="page-2.html" rel="next">Next ›</a>', html)


def test_transcript_text_takes_its_direction_from_itself(sites):
    _, parsed = page(sites[True], 1)
    # the element holding each spoken line or description decides its direction by
    # the writer's words (dir="auto"); the speaker's name has a direction of its own
    said = {text.lstrip(": "): attrs for text, attrs in parsed.transcript}
    assert said["Halt!"].get("dir") == "auto"
    assert said[LONG].get("dir") == "auto"
    assert said["Captain Han"].get("dir") == "auto"
    descriptions = [a for t, a in parsed.transcript if "Snow falls" in t]
    assert descriptions and descriptions[0].get("dir") == "auto"
    assert parsed.html["dir"] == "ltr"


def test_reader_script_reads_the_reading_direction_not_the_text_direction(sites):
    script = (sites[True] / "assets/reader.js").read_text(encoding="utf-8")
    assert "data-reading" in script and 'documentElement.dir' not in script


def test_a_balloons_words_are_one_text_with_a_space_at_each_break(sites):
    html, _ = page(sites[False], 1)
    found = {text_content(g.find(SVG + "text")): g for g in balloons(html)}
    assert LONG in found
    assert "Halt!" in found
    assert "the snow to see the elder" in " ".join(found)  # what find-in-page looks for
    broken = found[LONG].findall(f"{SVG}text/{SVG}tspan")
    assert len(broken) > 1, "the line is broken, so the test crosses a break"
    # each line keeps its own place
    assert len({t.get("dy") for t in broken}) == 2 and len({t.get("x") for t in broken}) == 1


def test_no_space_is_made_up_inside_a_hyphenated_word_or_between_chinese_characters():
    common = dict(box=(0, 0, 100, 50), font_size=20, line_height=24, text_origin=(50, 30))
    svg = to_svg([Balloon(kind="speech", text="站住，别动！", lines=["站住，", "别动！"], **common),
                  Balloon(kind="speech", text="Extraordinary news", lines=["Extraor-", "dinary",
                                                                            "news"], **common),
                  Balloon(kind="speech", text="Halt! The gate", lines=["HALT! THE", "GATE"],
                          **common)], 100, 50, "F")
    texts = [text_content(t) for t in ET.fromstring(svg).iter(SVG + "text")]
    assert texts == ["站住，别动！", "Extraor-dinary news", "HALT! THE GATE"]


def test_hebrew_and_arabic_balloons_run_right_to_left_on_an_english_page():
    common = dict(box=(0, 0, 100, 50), font_size=20, line_height=24, text_origin=(50, 30))
    svg = to_svg([Balloon(kind="speech", text="שלום, עולם", lines=["שלום, עולם"], **common),
                  Balloon(kind="speech", text="«مرحبا» Ali", lines=["«مرحبا» Ali"], **common),
                  Balloon(kind="speech", text="…Halt. 站住。", lines=["…Halt. 站住。"], **common)],
                 100, 50, "F")
    directions = [t.get("direction") for t in ET.fromstring(svg).iter(SVG + "text")]
    assert directions == ["rtl", "rtl", "ltr"]


def test_balloon_labels_name_speakers_as_the_transcript_does(sites):
    html, _ = page(sites[False], 1)
    labels = [g.find(SVG + "title").text for g in balloons(html)]
    assert all(g.get("role") == "img" for g in balloons(html))
    assert "Captain Han: Halt!" in labels
    assert f"Lin Shuang: {LONG}" in labels
    assert not any("lin-shuang" in label or "captain-han" in label for label in labels)


def test_the_site_is_world_readable_whatever_the_umask(copy_project):
    root = copy_project("valid")
    old = os.umask(0o077)
    try:
        site = Path(build(root, jobs=1).out)
    finally:
        os.umask(old)
    assert stat.S_IMODE(site.stat().st_mode) == 0o755
    paths = list(site.rglob("*"))
    assert any(p.is_dir() for p in paths) and any(p.suffix == ".jpg" for p in paths)
    for path in paths:
        want = 0o755 if path.is_dir() else 0o644
        assert stat.S_IMODE(path.stat().st_mode) == want, path
