"""CBZ export, read back as comic servers' taggers read it (comicapi)."""

from __future__ import annotations

import io
import zipfile

import pytest
from click.testing import CliRunner
from export_projects import manga
from PIL import Image, ImageChops, ImageStat

from pipeline.cli.main import main
from pipeline.errors import ProjectError
from pipeline.export.run import export

comicarchive = pytest.importorskip("comicapi.comicarchive")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = manga(tmp_path_factory.mktemp("manga") / "night-dojo",
                 "site_url: https://example.org/dojo/\n")
    out = root.parent / "books"
    report = export(root, "cbz", out=out, jobs=1)
    return root, out, report


def test_every_story_is_a_cbz_that_taggers_read(exported):
    _, out, report = exported
    assert report.files == ["epilogue.cbz", "visitor.cbz"]  # the project's order: by file name
    archive = comicarchive.ComicArchive(str(out / "visitor.cbz"))
    assert archive.seems_to_be_a_comic_archive() and archive.has_cix()
    info = archive.read_cix()
    assert (info.title, info.series) == ("The Visitor", "Night Dojo")
    assert (str(info.issue), info.issue_count) == ("2", 2)
    assert info.comments == "A knock at the dojo after dark."  # comicapi's name for Summary
    assert [c["person"] for c in info.credits if c["role"] == "Writer"] == ["Aiko Tanaka"]
    assert info.characters.split(", ") == ["Sensei", "Kenji"]
    assert info.locations.split(", ") == ["Old Dojo", "Lantern Street"]
    assert info.language == "ja"
    assert info.manga == "YesAndRightToLeft"
    assert info.web_link == "https://example.org/dojo/stories/visitor/index.html"
    assert comicarchive.ComicArchive(str(out / "epilogue.cbz")).read_cix().issue == "1"


def test_pages_in_reading_order_with_their_sizes_and_cover(exported):
    root, out, _ = exported
    archive = comicarchive.ComicArchive(str(out / "visitor.cbz"))
    assert archive.get_number_of_pages() == 3
    assert archive.get_page_name_list() == ["001.jpg", "002.jpg", "003.jpg"]
    info = archive.read_cix()
    assert int(info.page_count) == 3
    assert info.pages[0]["Type"] == "FrontCover"
    assert all(p.get("Type") == "Story" for p in info.pages[1:])
    for index, page in enumerate(info.pages):
        image = Image.open(io.BytesIO(archive.get_page(index)))
        assert (int(page["ImageWidth"]), int(page["ImageHeight"])) == image.size
        assert image.width >= 1600  # full size, not the site's preview
    # the first page is the one the build shows first: the site's page 1, at full size
    from pipeline.build import build
    site = build(root, out=root.parent / "site", jobs=1)
    web = Image.open(root.parent / "site" / "pages" / "visitor-1.jpg").convert("L")
    first = Image.open(io.BytesIO(archive.get_page(0))).convert("L").resize(web.size)
    difference = ImageStat.Stat(ImageChops.difference(web, first)).mean[0]
    assert site.pages and difference < 12  # same page, two JPEG encodings and scales


def test_a_left_to_right_story_is_not_marked_manga(tmp_path):
    root = manga(tmp_path / "western")
    yaml = root / "panelwright.yaml"
    yaml.write_text(yaml.read_text().replace("rtl", "ltr"))
    export(root, "cbz", story="epilogue", out=tmp_path / "out", jobs=1)
    info = comicarchive.ComicArchive(str(tmp_path / "out" / "epilogue.cbz")).read_cix()
    assert info.manga == "No"
    assert not (tmp_path / "out" / "visitor.cbz").exists()


def test_unchanged_stories_are_not_written_again(exported, tmp_path):
    root, out, _ = exported
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.cbz")}
    again = export(root, "cbz", out=out, jobs=1)
    assert again.written == []
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.cbz")} == before
    story = root / "stories" / "epilogue.md"
    story.write_text(story.read_text().replace("Dawn.", "Dawn, at last."))
    third = export(root, "cbz", out=out, jobs=1)
    assert third.written == ["epilogue.cbz"]
    with zipfile.ZipFile(out / "visitor.cbz") as archive:
        assert archive.testzip() is None
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_export_refuses_the_project_sources_and_unknown_stories(exported, tmp_path):
    root, _, _ = exported
    with pytest.raises(ProjectError) as refused:
        export(root, "cbz", out=root / "stories" / "out")
    assert "sources" in refused.value.problems[0].message
    with pytest.raises(ProjectError) as unknown:
        export(root, "cbz", story="vistor", out=tmp_path / "x")
    assert "visitor" in (unknown.value.problems[0].hint or "")


def test_the_command_exports_and_reports(exported, tmp_path):
    root, _, _ = exported
    result = CliRunner().invoke(main, ["export", str(root), "--format", "cbz", "--story",
                                       "epilogue", "--out", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli" / "epilogue.cbz").is_file()
    assert "Exported 1 CBZ file" in result.output
    bad = CliRunner().invoke(main, ["export", str(root), "--format", "cbz", "--out",
                                    str(root / "worlds")])
    assert bad.exit_code == 1 and "Traceback" not in bad.output


def test_studio_exports_as_the_command_does(exported, tmp_path):
    from pipeline.studio.api import Studio

    root, _, _ = exported
    report = Studio(root).export("cbz", story="visitor", out=tmp_path / "studio")
    assert report.files == ["visitor.cbz"]
    assert comicarchive.ComicArchive(str(tmp_path / "studio" / "visitor.cbz")
                                     ).get_number_of_pages() == 3


def test_a_killed_export_leaves_the_last_whole_file(exported, tmp_path, monkeypatch):
    import os

    root, _, _ = exported
    out = tmp_path / "killed"
    export(root, "cbz", story="visitor", out=out, jobs=1)
    before = (out / "visitor.cbz").read_bytes()
    story = root / "stories" / "visitor.md"
    story.write_text(story.read_text().replace("Only the wind", "Just the wind"))
    real_replace = os.replace

    def killed(src, dst, *args, **kwargs):
        if str(dst).endswith(".cbz"):
            raise KeyboardInterrupt  # the export dies as the file would be swapped in
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", killed)
    seen = []
    with pytest.raises(KeyboardInterrupt):
        export(root, "cbz", story="visitor", out=out, jobs=1,
               progress=lambda stage, done, total: seen.append((stage, done, total)))
    monkeypatch.setattr(os, "replace", real_replace)
    assert (out / "visitor.cbz").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [".panelwright-export.json",
                                                     ".panelwright-site", "visitor.cbz"]
    # the progress of the stages it finished: only the edited page was baked again
    assert ("drawing", 3, 3) in seen and ("baking pages", 1, 1) in seen
    # the next export knows the file is stale and writes it
    assert export(root, "cbz", story="visitor", out=out, jobs=1).written == ["visitor.cbz"]
    story.write_text(story.read_text().replace("Just the wind", "Only the wind"))


def test_pages_are_webp_when_the_style_draws_webp(tmp_path):
    root = manga(tmp_path / "webp")
    (root / "styles" / "plain.yaml").write_text("name: Plain\ntreatment: flat\nformat: webp\n")
    export(root, "cbz", story="epilogue", out=tmp_path / "out", jobs=1)
    archive = comicarchive.ComicArchive(str(tmp_path / "out" / "epilogue.cbz"))
    assert archive.get_page_name_list() == ["001.webp"]
    page = Image.open(io.BytesIO(archive.get_page(0)))
    assert page.format == "WEBP"
    assert archive.read_cix().pages[0]["ImageWidth"] == str(page.width)


# ComicInfo v2.0's xs:sequence (ComicInfo.xsd of the Anansi Project): readers that
# validate refuse elements out of this order
SCHEMA_ORDER = ["Title", "Series", "Number", "Count", "Volume", "AlternateSeries",
                "AlternateNumber", "AlternateCount", "Summary", "Notes", "Year", "Month", "Day",
                "Writer", "Penciller", "Inker", "Colorist", "Letterer", "CoverArtist", "Editor",
                "Publisher", "Imprint", "Genre", "Web", "PageCount", "LanguageISO", "Format",
                "BlackAndWhite", "Manga", "Characters", "Teams", "Locations",
                "ScanInformation", "StoryArc", "SeriesGroup", "AgeRating", "Pages",
                "CommunityRating", "MainCharacterOrTeam", "Review"]


def test_comicinfo_elements_follow_the_schema_order(exported):
    from xml.etree import ElementTree

    _, out, _ = exported
    with zipfile.ZipFile(out / "visitor.cbz") as archive:
        assert archive.namelist()[-1] == "ComicInfo.xml"
        root = ElementTree.fromstring(archive.read("ComicInfo.xml"))
    names = [child.tag for child in root]
    assert names == sorted(names, key=SCHEMA_ORDER.index)
    assert {"Title", "Series", "Number", "Count", "Summary", "Writer", "Web", "PageCount",
            "LanguageISO", "Manga", "Characters", "Locations", "Pages"} <= set(names)
    for page in root.find("Pages"):
        assert set(page.attrib) <= {"Image", "Type", "DoublePage", "ImageSize", "Key",
                                    "Bookmark", "ImageWidth", "ImageHeight"}


def test_clean_removes_the_default_exports_but_not_a_folder_of_the_writers(tmp_path):
    root = manga(tmp_path / "night-dojo")
    export(root, "cbz", story="epilogue", jobs=1)  # into PROJECT/_export
    assert (root / "_export" / "epilogue.cbz").is_file()
    result = CliRunner().invoke(main, ["clean", str(root)])
    assert result.exit_code == 0, result.output
    assert not (root / "_export").exists() and "_export" in result.output
    assert (root / "stories" / "epilogue.md").is_file()
    mine = root / "_export"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    assert CliRunner().invoke(main, ["clean", str(root)]).exit_code == 0
    assert (mine / "notes.txt").read_text() == "mine"
