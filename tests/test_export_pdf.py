"""PDF export, read with poppler as a reader's viewer and a printer's tools do."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import pytest
from export_projects import MANGA_LINES, manga
from PIL import Image, ImageChops, ImageStat

from pipeline.export.pdf import TRIM_WIDTH
from pipeline.export.run import export

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                reason="poppler-utils is not installed (.ci/run installs it)")
PT = 72 / 25.4


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = manga(tmp_path_factory.mktemp("manga") / "night-dojo")
    out = root.parent / "pdf"
    export(root, "pdf", story="visitor", out=out, jobs=1)
    return root, out / "visitor.pdf"


def test_one_pdf_page_per_comic_page_at_its_aspect_ratio(exported):
    _, path = exported
    info = _run("pdfinfo", str(path))
    assert re.search(r"^Pages:\s+3$", info, re.M)
    width, height = (float(v) for v in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)",
                                                    info).groups())
    assert width == pytest.approx(TRIM_WIDTH * PT, abs=0.5)
    assert height / width == pytest.approx(2400 / 1600, rel=0.01)
    assert re.search(r"^Title:\s+The Visitor$", info, re.M)
    assert re.search(r"^Author:\s+Aiko Tanaka$", info, re.M)


def test_every_line_of_dialogue_is_text_in_an_embedded_subset_font(exported):
    _, path = exported
    text = " ".join(_run("pdftotext", str(path), "-").split())
    for line in MANGA_LINES:
        assert line in text
    fonts = _run("pdffonts", str(path)).splitlines()[2:]
    assert fonts
    for row in fonts:
        emb, sub = row.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), row
        assert "+Intuitive" in row  # the lettering's own face, subset


def test_outline_names_the_story_and_its_scenes(exported):
    _, path = exported
    xml = _run("pdftohtml", "-stdout", "-xml", "-i", str(path))
    outline = re.findall(r'<item page="(\d+)">([^<]*)</item>', xml)
    assert outline == [("1", "The Visitor"), ("1", "Old Dojo"), ("3", "Lantern Street")]


def test_pages_look_like_the_baked_pages(exported, tmp_path):
    """The vector lettering over the art matches the CBZ's raster page."""
    root, path = exported
    export(root, "cbz", story="visitor", out=tmp_path / "cbz", jobs=1)
    with zipfile.ZipFile(tmp_path / "cbz" / "visitor.cbz") as archive:
        baked = Image.open(io.BytesIO(archive.read("001.jpg"))).convert("L")
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(path), str(tmp_path / "page")], check=True)
    drawn = Image.open(tmp_path / "page.png").convert("L")
    baked = baked.resize(drawn.size, Image.Resampling.LANCZOS)
    difference = ImageChops.difference(baked, drawn)
    assert ImageStat.Stat(difference).mean[0] < 6
    # the first words sit in a white balloon drawn over the (night-dark) art
    word = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                     r'yMax="([\d.]+)">Who</word>', _run("pdftotext", "-bbox", "-f", "1",
                                                           "-l", "1", str(path), "-"))
    x0, y0, x1, y1 = (float(v) * 50 / 72 for v in word.groups())  # points -> 50 dpi pixels
    around = drawn.crop((round(x0) - 6, round(y0) - 4, round(x1) + 6, round(y1) + 2))
    assert ImageStat.Stat(around).mean[0] > 200  # mostly the balloon's paper
    assert ImageStat.Stat(drawn).mean[0] < 150  # where the page is mostly night


def test_bleed_adds_millimetres_and_trim_marks(exported, tmp_path):
    root, path = exported
    export(root, "pdf", story="visitor", out=tmp_path / "print", bleed=3, jobs=1)
    info = _run("pdfinfo", str(tmp_path / "print" / "visitor.pdf"))
    width = float(re.search(r"Page size:\s+([\d.]+) x", info).group(1))
    assert width == pytest.approx((TRIM_WIDTH + 6) * PT, abs=0.5)
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "print" / "visitor.pdf"), str(tmp_path / "bled")],
                   check=True)
    page = Image.open(tmp_path / "bled.png").convert("L")
    trim = round(3 / 25.4 * 300)  # the trim line, in pixels at 300 dpi
    # a trim mark on the left edge at the top trim line; paper elsewhere in the bleed
    assert min(page.getpixel((x, y)) for x in range(0, 8) for y in range(trim - 3, trim + 4)) \
        < 128
    assert min(page.getpixel((x, trim + 60)) for x in range(0, 8)) > 200


SCRIPTS = ["你好，朋友。", "Καλημέρα, φίλε.", "Привет, друг."]
RIGHT_TO_LEFT = ["שלום, מי אתה?", "مرحبا بك في القاعة."]
BIDI_MARKS = dict.fromkeys(range(0x202A, 0x202F))  # what pdftotext wraps runs in


def test_scripts_the_main_face_lacks_are_text_in_the_faces_found(tmp_path):
    # no fallback_font: the faces the lettering found on the machine reach the PDF and EPUB
    root = manga(tmp_path / "night-dojo")
    story = root / "stories" / "epilogue.md"
    story.write_text(story.read_text().replace(
        "CAPTION: Dawn.", "\n\n".join(f"KENJI: {line}" for line in SCRIPTS + RIGHT_TO_LEFT)))
    export(root, "pdf", story="epilogue", out=tmp_path / "out", jobs=1)
    export(root, "epub", story="epilogue", out=tmp_path / "out", jobs=1)
    # a balloon breaks Chinese between characters: compare without the breaks
    text = "".join(_run("pdftotext", str(tmp_path / "out" / "epilogue.pdf"), "-").split())
    for line in SCRIPTS:
        assert "".join(line.split()) in text
    # Hebrew and Arabic are shaped and laid out right to left, so a reader's text
    # extraction gives each word as written (drawn left to right, it gave them reversed)
    shown = text.translate(BIDI_MARKS)
    for line in RIGHT_TO_LEFT:
        for word in re.findall(r"\w{2,}", line):
            assert word in shown and word[::-1] not in shown, (word, shown)
    fonts = _run("pdffonts", str(tmp_path / "out" / "epilogue.pdf")).splitlines()[2:]
    assert len(fonts) >= 2  # the main face and at least one found for these scripts
    with zipfile.ZipFile(tmp_path / "out" / "epilogue.epub") as book:
        names = book.namelist()
        assert any(n.startswith("OEBPS/fonts/face") for n in names), names
        style = book.read("OEBPS/style.css").decode()
        page = book.read("OEBPS/page-001.xhtml").decode()
    assert "PanelwrightFace" in style and "PanelwrightFace" in page
