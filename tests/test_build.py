"""The whole build, as a reader and a writer see it: the site's pages, links that work
from file://, escaping, alt text and transcripts, theme overrides, the cache, and a
failed build that leaves the last good site in place."""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.errors import ProjectError


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("href", "src"):
            if attrs.get(key):
                self.refs.append(attrs[key])
        if tag == "img":
            self.images.append(attrs)


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


@pytest.fixture
def built(copy_project, tmp_path):
    root = copy_project("valid")
    report = build(root, jobs=1)
    return root, Path(report.out), report


def test_site_has_index_reader_character_and_world_pages(built):
    root, site, report = built
    assert report.stories == 1 and report.pages_written == 2 and report.panels == 2
    for rel in ["index.html", "stories/arrival/index.html", "stories/arrival/page-1.html",
                "stories/arrival/page-2.html", "characters/index.html",
                "characters/lin-shuang.html", "characters/captain-han.html",
                "worlds/frost-moon.html", "assets/style.css", "assets/reader.js",
                "assets/lettering.ttf"]:
        assert (site / rel).is_file(), rel


def test_every_link_and_image_resolves_from_file_urls(built):
    _, site, _ = built
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        for ref in parse(page).refs:
            assert not ref.startswith(("/", "http:", "https:")), (page, ref)
            target = (page.parent / ref.split("#")[0]).resolve()
            assert target.exists(), f"{page.relative_to(site)} links to missing {ref}"


def test_reader_page_navigation_alt_text_and_transcript(built):
    _, site, _ = built
    first = (site / "stories/arrival/page-1.html").read_text(encoding="utf-8")
    last = (site / "stories/arrival/page-2.html").read_text(encoding="utf-8")
    assert 'rel="next"' in first and 'rel="last"' in first and 'rel="prev"' not in first
    assert 'rel="prev"' in last and 'rel="first"' in last and 'rel="next"' not in last
    assert "reader.js" in first
    images = parse(site / "stories/arrival/page-1.html").images
    panel_images = [i for i in images if "art/" in i["src"]]
    assert panel_images and panel_images[0]["alt"].startswith("Snow falls on the gate.")
    transcript = first[first.index('class="transcript"'):]
    assert "Captain Han</b>: Halt!" in transcript
    assert "I have come to see the elder." in transcript
    # the words are text in the page (SVG), not only pixels
    assert re.search(r"<tspan[^>]*>Halt!</tspan>", first)


def test_character_page_shows_avatar_and_stories(built):
    _, site, _ = built
    page = (site / "characters/lin-shuang.html").read_text(encoding="utf-8")
    assert "Calm, Reserved" in page and "silver hair" in page
    assert "../avatars/lin-shuang.png" in page and "Arrival" in page


def test_text_is_html_escaped(copy_project):
    root = copy_project("valid")
    guard = root / "characters" / "captain-han.md"
    guard.write_text(guard.read_text().replace("personality: Stern",
                                               "personality: \"<script>alert(1)</script>\""))
    story = root / "stories" / "arrival.md"
    story.write_text(story.read_text().replace("Halt!", "Halt! <b>now</b> & then"))
    site = Path(build(root, jobs=1).out)
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text
        assert "<b>now</b>" not in text
    reader = (site / "stories/arrival/page-1.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;now&lt;/b&gt; &amp; then" in reader


def test_a_project_template_overrides_the_theme(copy_project):
    root = copy_project("valid")
    (root / "templates").mkdir()
    (root / "templates" / "character.html").write_text(
        '{% extends "base.html" %}{% block content %}<p class="mine">{{ character.name }}'
        '</p>{% endblock %}')
    site = Path(build(root, jobs=1).out)
    assert '<p class="mine">Lin Shuang</p>' in (site / "characters/lin-shuang.html").read_text()
    assert "Made with Panelwright" in (site / "index.html").read_text()  # the rest is the theme


def test_second_build_takes_art_from_the_cache(built):
    root, _, first = built
    assert first.panels_drawn == 2 and first.panels_cached == 0
    second = build(root, jobs=1)
    assert second.panels_drawn == 0 and second.panels_cached == 2


def test_a_failed_build_keeps_the_last_good_site(built):
    root, site, _ = built
    before = (site / "index.html").read_text()
    story = root / "stories" / "arrival.md"
    story.write_text(story.read_text().replace("world: frost-moon", "world: nowhere"))
    with pytest.raises(ProjectError) as error:
        build(root, jobs=1)
    assert "the world 'nowhere' does not exist" in str(error.value)
    assert (site / "index.html").read_text() == before
    assert not [p for p in site.parent.iterdir() if ".building-" in p.name]


def test_build_output_is_the_same_whatever_the_job_count(copy_project, tmp_path):
    root = copy_project("valid")
    one = Path(build(root, out=tmp_path / "one", jobs=1).out)
    (root / ".panelwright").rename(tmp_path / "old-cache")
    two = Path(build(root, out=tmp_path / "two", jobs=2).out)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    for rel in files:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel


def test_wheel_ships_the_theme(tmp_path):
    """A non-editable install must carry templates/ inside the package."""
    import subprocess
    import sys
    repo = Path(__file__).parent.parent
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(repo)], check=True)
    wheel = next(tmp_path.glob("panelwright-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for name in ["pipeline/theme/page.html", "pipeline/theme/assets/style.css",
                 "pipeline/build.py"]:
        assert name in names
