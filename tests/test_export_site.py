"""The site as a publication: feed, link previews, sitemap, descriptions, favicon, chapters."""

from __future__ import annotations

import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from export_projects import manga, with_chapters
from PIL import Image

from pipeline.build import build, check
from pipeline.errors import ProjectError
from pipeline.export.run import export

feedparser = pytest.importorskip("feedparser")
URL = "https://example.org/dojo/"


class Head(HTMLParser):
    """The <meta> and <link> tags of a page, as a link previewer reads them."""

    def __init__(self, text: str):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content", "")
        if tag == "link" and "rel" in attrs:
            self.links.setdefault(attrs["rel"], attrs.get("href", ""))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = with_chapters(tmp_path_factory.mktemp("dojo") / "night-dojo")
    out = root.parent / "site"
    report = build(root, out=out, jobs=1)
    return root, out, report


def test_the_feed_announces_dated_chapters_with_absolute_links(site):
    _, out, _ = site
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Night Dojo"
    assert [e.title for e in feed.entries] == ["The Visitor: Outside", "The Visitor: The Knock"]
    newest, oldest = feed.entries
    assert newest.link == URL + "stories/visitor/page-3.html"
    assert newest.published_parsed[:3] == (2024, 4, 15)
    assert oldest.published_parsed[:3] == (2024, 3, 1)  # the story's date
    for entry in feed.entries:
        assert entry.link.startswith(URL) and entry.id.startswith(URL)
        assert all(link.href.startswith(URL) for link in entry.links)
    assert feed.feed.link == URL + "index.html"


def test_link_previews_have_absolute_images_with_size_and_alt(site):
    _, out, _ = site
    head = Head((out / "stories" / "visitor" / "page-2.html").read_text())
    image = head.meta["og:image"]
    assert image == URL + "pages/visitor-2.jpg"
    with Image.open(out / image.removeprefix(URL)) as picture:
        assert picture.size == (int(head.meta["og:image:width"]),
                                int(head.meta["og:image:height"]))
    assert "Kenji at the door" in head.meta["og:image:alt"]
    assert head.meta["og:url"] == head.links["canonical"] == \
        URL + "stories/visitor/page-2.html"
    assert head.meta["twitter:card"] == "summary_large_image"
    assert head.meta["twitter:image"] == image
    assert head.links["alternate"] == URL + "feed.xml"


def test_every_page_has_a_description_and_the_favicon(site):
    _, out, _ = site
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        head = Head(page.read_text())
        assert head.meta.get("description"), page
        assert (page.parent / head.links["icon"]).resolve() == (out / "favicon.png").resolve()
    assert "A knock at the dojo after dark." in Head(
        (out / "stories" / "visitor" / "index.html").read_text()).meta["description"]
    with Image.open(out / "favicon.png") as icon:
        assert icon.size == (64, 64)


def test_the_sitemap_lists_every_page(site):
    _, out, _ = site
    tree = ElementTree.fromstring((out / "sitemap.xml").read_bytes())
    locations = {loc.text for loc in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert locations == {URL + p.relative_to(out).as_posix() for p in out.rglob("*.html")}


def test_chapters_reach_the_contents_page(site):
    _, out, _ = site
    contents = (out / "stories" / "visitor" / "index.html").read_text()
    knock, outside = contents.index("The Knock"), contents.index("Outside")
    assert knock < contents.index("page-2.html") < outside < contents.index("page-3.html\"><picture")


def test_a_cbz_per_chapter_numbered_in_its_story(site, tmp_path):
    comicarchive = pytest.importorskip("comicapi.comicarchive")
    root, _, _ = site
    report = export(root, "cbz", story="visitor", out=tmp_path / "cbz", jobs=1)
    assert report.files == ["visitor-01.cbz", "visitor-02.cbz"]
    first, second = (comicarchive.ComicArchive(str(tmp_path / "cbz" / n)).read_cix()
                     for n in report.files)
    assert (first.series, first.title, str(first.issue), first.issue_count) == \
        ("The Visitor", "The Knock", "1", 2)
    assert (second.title, str(second.issue), int(second.page_count)) == ("Outside", "2", 1)
    assert (second.year, second.month, second.day) == (2024, 4, 15)
    with zipfile.ZipFile(tmp_path / "cbz" / "visitor-01.cbz") as archive:
        assert [n for n in archive.namelist() if n.endswith(".jpg")] == ["001.jpg", "002.jpg"]


def test_without_site_url_no_feed_and_check_says_why(tmp_path):
    root = with_chapters(tmp_path / "dojo")
    config = root / "panelwright.yaml"
    config.write_text(config.read_text().replace("site_url: https://example.org/dojo\n", ""))
    warnings = [p for p in check(root) if p.field == "site_url"]
    assert len(warnings) == 1 and "site_url:" in warnings[0].hint
    build(root, out=tmp_path / "site", jobs=1)
    assert not (tmp_path / "site" / "feed.xml").exists()
    head = Head((tmp_path / "site" / "stories" / "visitor" / "page-1.html").read_text())
    assert "og:image" not in head.meta  # a relative og:image shows nothing anywhere
    assert head.meta["description"]


def test_chapter_and_site_url_mistakes_are_reported_at_their_line(tmp_path):
    root = manga(tmp_path / "dojo", "site_url: example.org\n")
    story = root / "stories" / "visitor.md"
    story.write_text(story.read_text().replace(
        "summary:", "chapters:\n  - {title: One, starts: Lantern Stret}\n"
                    "  - {title: Two, starts: 9}\nsummary:"))
    problems = check(root)
    errors = {p.file: p for p in problems if p.severity == "error"}
    assert "site_url" in (errors["panelwright.yaml"].field or "") or \
        "example.org" in errors["panelwright.yaml"].message
    assert errors["stories/visitor.md"].line == 5  # the chapter's own line
    assert "Lantern Street" in errors["stories/visitor.md"].hint
    config = root / "panelwright.yaml"
    config.write_text(config.read_text().replace("site_url: example.org\n", ""))
    story.write_text(story.read_text().replace("Lantern Stret", "Lantern Street"))
    late = [p for p in check(root) if "has no pages" in p.message]
    assert len(late) == 1 and "'Two'" in late[0].message and late[0].line == 6
    with pytest.raises(ProjectError):
        manga(tmp_path / "bad", "site_url: ftp://x\n")
        build(tmp_path / "bad", out=tmp_path / "bad-site")


def test_chapters_reach_the_pdf_and_epub_outlines(site, tmp_path):
    import re
    import shutil
    import subprocess

    root, _, _ = site
    export(root, "epub", story="visitor", out=tmp_path / "epub", jobs=1)
    with zipfile.ZipFile(tmp_path / "epub" / "visitor.epub") as archive:
        nav = ElementTree.fromstring(archive.read("OEBPS/nav.xhtml"))
    x = "{http://www.w3.org/1999/xhtml}"
    story = nav.find(f".//{x}nav/{x}ol/{x}li")
    chapters = story.findall(f"{x}ol/{x}li")
    assert [c.find(f"{x}a").text for c in chapters] == ["The Knock", "Outside"]
    assert [c.find(f"{x}ol/{x}li/{x}a").text for c in chapters] == ["Old Dojo", "Lantern Street"]
    assert chapters[1].find(f"{x}a").get("href") == "page-003.xhtml"
    if shutil.which("pdftohtml") is None:
        pytest.skip("poppler-utils is not installed")
    export(root, "pdf", story="visitor", out=tmp_path / "pdf", jobs=1)
    xml = subprocess.run(["pdftohtml", "-stdout", "-xml", "-i",
                          str(tmp_path / "pdf" / "visitor.pdf")], capture_output=True,
                         text=True, check=True).stdout
    assert re.findall(r'<item page="(\d+)">([^<]*)</item>', xml) == [
        ("1", "The Visitor"), ("1", "The Knock"), ("1", "Old Dojo"), ("3", "Outside"),
        ("3", "Lantern Street")]


def test_a_schedule_dates_each_page_in_the_feed(tmp_path):
    root = manga(tmp_path / "dojo", "site_url: https://example.org/dojo\n")
    story = root / "stories" / "visitor.md"
    story.write_text(story.read_text().replace("summary:", "schedule: 7\nsummary:"))
    assert [p.field for p in check(root) if p.severity == "error"] == ["schedule"]
    story.write_text(story.read_text().replace("schedule:", "date: 2024-01-01\nschedule:"))
    build(root, out=tmp_path / "site", jobs=1)
    feed = feedparser.parse((tmp_path / "site" / "feed.xml").read_bytes())
    assert [(e.title, e.published_parsed[:3]) for e in feed.entries] == [
        ("The Visitor, page 3", (2024, 1, 15)), ("The Visitor, page 2", (2024, 1, 8)),
        ("The Visitor, page 1", (2024, 1, 1))]
    assert feed.entries[0].link == URL + "stories/visitor/page-3.html"
