"""No command deletes or overwrites what it did not make, and bad cards are clear errors.

Each test does what a careless (or hostile) user would, and checks what that user
would notice: their files still there, exit status 1, a message naming the path,
and no traceback.
"""

from __future__ import annotations

import base64
import io
import json
import os
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, PngImagePlugin

from pipeline.build import build
from pipeline.characters.files import Characters
from pipeline.cli.main import main
from pipeline.errors import ProjectError
from pipeline.runtime.cache import project_lock
from pipeline.runtime.outdir import MARKER

REPO = Path(__file__).parent.parent


def cli(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def refused(result, *words: str) -> None:
    """Exit 1 with a report naming `words`, and no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, (word, result.output)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(copy_project):
    root = copy_project("valid")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return root


# ---- --out ---------------------------------------------------------------------------


def test_build_into_the_project_is_refused_and_nothing_is_touched(project):
    before = snapshot(project)
    refused(cli("build", project, "--out", project), "is the project itself", str(project))
    assert snapshot(project) == before


def test_build_into_the_project_from_inside_it_is_refused(project, monkeypatch):
    before = snapshot(project)
    monkeypatch.chdir(project)
    refused(cli("build", ".", "--out", "."), "is the project itself")
    assert snapshot(project) == before


def test_build_into_a_folder_holding_the_project_is_refused(project):
    parent = project.parent
    before = snapshot(parent)
    refused(cli("build", project, "--out", parent), "holds the project")
    assert snapshot(parent) == before


@pytest.mark.parametrize("inside", ["stories/site", "characters", ".git/site",
                                    ".panelwright"])
def test_build_into_the_project_sources_is_refused(project, inside):
    before = snapshot(project)
    refused(cli("build", project, "--out", project / inside), "inside the project's sources")
    assert snapshot(project) == before


def test_build_into_a_folder_of_someone_elses_files_is_refused(project, tmp_path):
    other = tmp_path / "photos"
    (other / "2024").mkdir(parents=True)
    (other / "2024" / "beach.jpg").write_bytes(b"not a site")
    refused(cli("build", project, "--out", other), "not empty and was not made by Panelwright",
            str(other), "hint:")
    assert (other / "2024" / "beach.jpg").read_bytes() == b"not a site"


def test_the_python_api_holds_the_same_rule(project, tmp_path):
    before = snapshot(project)
    with pytest.raises(ProjectError, match="is the project itself"):
        build(project, out=project, jobs=1)
    with pytest.raises(ProjectError, match="holds the project"):
        build(project, out=tmp_path, jobs=1)
    assert snapshot(project) == before


def test_a_site_is_marked_and_a_site_built_before_the_marker_is_still_rebuilt(project):
    build(project, jobs=1)
    site = project / "_site"
    assert (site / MARKER).is_file()
    (site / MARKER).unlink()  # as the previous version left it
    (project / ".panelwright" / "manifest.json").unlink()
    result = cli("build", project, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert (site / MARKER).is_file() and (site / "index.html").is_file()


def test_preview_into_a_folder_of_someone_elses_files_is_refused(project, tmp_path):
    other = tmp_path / "notes"
    other.mkdir()
    (other / "index.html").write_text("my own page")
    refused(cli("preview", project, "--out", other), "was not made by Panelwright")
    assert (other / "index.html").read_text() == "my own page"


# ---- clean ---------------------------------------------------------------------------


def test_clean_of_the_project_or_any_folder_removes_nothing(project, tmp_path):
    build(project, jobs=1)
    before = snapshot(project)
    refused(cli("clean", project, "--out", project), "is the project itself")
    other = tmp_path / "keep"
    other.mkdir()
    (other / "thesis.tex").write_text("years of work")
    refused(cli("clean", project, "--out", other), "was not made by Panelwright", str(other))
    assert snapshot(project) == before
    assert (other / "thesis.tex").read_text() == "years of work"
    # what it made, it removes
    assert cli("clean", project).exit_code == 0
    assert not (project / "_site").exists() and not (project / ".panelwright").exists()
    assert (project / "panelwright.yaml").is_file() and (project / ".git" / "HEAD").is_file()


def test_clean_does_not_follow_symbolic_links(project, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "index.html").write_text("keep me")
    (project / "_site").symlink_to(precious)
    (project / ".panelwright").symlink_to(precious)
    result = cli("clean", project)
    refused(result, "symbolic link", "_site", ".panelwright")
    assert (precious / "index.html").read_text() == "keep me"
    assert (project / "_site").is_symlink()


def test_clean_waits_for_a_running_build(project):
    build(project, jobs=1)
    with project_lock(project):  # as a running build holds it
        clean = subprocess.Popen([sys.executable, "-m", "pipeline", "clean", str(project)],
                                 cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        time.sleep(3)
        assert clean.poll() is None  # still waiting
        assert (project / "_site" / "index.html").is_file()
        assert (project / ".panelwright" / "manifest.json").is_file()
    out, err = clean.communicate(timeout=60)
    assert clean.returncode == 0, err
    assert "waiting" in err and "Traceback" not in err
    assert not (project / "_site").exists() and not (project / ".panelwright").exists()
    # and the next build, which takes the lock again, works
    assert build(project, jobs=1).pages > 0


# ---- card import, avatar and character creation --------------------------------------


def card_png(name: str, size: tuple[int, int] = (64, 96), **data) -> bytes:
    card = {"spec": "chara_card_v2", "spec_version": "2.0",
            "data": {"name": name, "description": "Someone.", **data}}
    info = PngImagePlugin.PngInfo()
    info.add_text("chara", base64.b64encode(json.dumps(card).encode()).decode())
    out = io.BytesIO()
    Image.new("RGB", size, (90, 140, 90)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def test_card_import_never_replaces_an_avatar_folder_or_image(project, tmp_path):
    characters = project / "characters"
    (characters / "lin.avatar").mkdir()
    (characters / "lin.avatar" / "portrait.png").write_bytes(b"the writer's own portrait")
    (characters / "shared.png").write_bytes(b"an image several characters use")
    before = snapshot(characters)
    for name in ("Lin", "Shared"):
        card = tmp_path / f"{name}.png"
        card.write_bytes(card_png(name))
        result = cli("card", "import", card, "--project", project)
        assert result.exit_code == 0, result.output
        assert "was not replaced" in result.output and f"{name.lower()}-2" in result.output
    after = snapshot(characters)
    assert {k: after[k] for k in before} == before
    assert (characters / "lin-2.md").is_file() and (characters / "shared-2.md").is_file()


def test_avatar_create_never_replaces_a_folder_it_did_not_make(project):
    folder = project / "characters" / "lin-shuang.avatar"
    folder.mkdir()
    (folder / "source.png").write_bytes(b"kept")
    result = cli("avatar", "create", "--name", "Lin Shuang", "--image",
                 project / "characters" / "lin-shuang.png", "--project", project)
    assert result.exit_code == 0, result.output
    assert "lin-shuang-2.avatar" in result.output and "was not replaced" in result.output
    assert (folder / "source.png").read_bytes() == b"kept"


def huge_picture_card(path: Path) -> None:
    """A card whose header says 12000×12000 pixels (without the test making them)."""
    data = bytearray(card_png("Giant"))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4:ihdr + 12] = struct.pack(">II", 12000, 12000)
    data[ihdr + 17:ihdr + 21] = struct.pack(">I", zlib.crc32(data[ihdr:ihdr + 17]))
    path.write_bytes(bytes(data))


def test_bad_cards_are_clear_errors_and_change_nothing(project, tmp_path):
    cards = {
        "giant.png": "12000×12000 pixels",
        "tags-number.json": "'tags' must be a list of words",
        "deep.json": "nests more than a thousand levels deep",
        "huge-chunk.png": "the card is 70.0 MB",
        "deep65.json": "more than 64 levels deep",
    }
    (tmp_path / "deep65.json").write_text(json.dumps({"spec": "chara_card_v2", "data": {
        "name": "Nested", "extensions": json.loads("[" * 65 + "]" * 65)}}))
    huge_picture_card(tmp_path / "giant.png")
    (tmp_path / "tags-number.json").write_text(json.dumps(
        {"spec": "chara_card_v2", "data": {"name": "Numbers", "tags": 5}}))
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    with open(tmp_path / "huge-chunk.png", "wb") as handle:
        handle.write(card_png("Chunky"))
        handle.truncate(70_000_000)  # sparse: the size is what matters, judged before reading
    before = snapshot(project)
    for name, words in cards.items():
        refused(cli("card", "import", tmp_path / name, "--project", project), name, words)
    assert snapshot(project) == before


def test_a_card_from_a_fifo_is_refused_without_hanging(project, tmp_path):
    fifo = tmp_path / "card.json"
    os.mkfifo(fifo)
    refused(cli("card", "import", fifo, "--project", project), "not a regular file")


def test_tags_given_as_one_text_are_comma_separated_tags(project, tmp_path):
    card = tmp_path / "sword.json"
    card.write_text(json.dumps({"spec": "chara_card_v2", "data": {
        "name": "Blade", "tags": "sword, steel"}}))
    assert cli("card", "import", card, "--project", project).exit_code == 0
    assert Characters(project).get("blade").tags == ["sword", "steel"]


def test_card_export_writes_no_source_file(project):
    source = project / "characters" / "lin-shuang.md"
    before = source.read_bytes()
    refused(cli("card", "export", "lin-shuang", "--out", source, "--project", project),
            "inside the project's sources")
    assert source.read_bytes() == before
