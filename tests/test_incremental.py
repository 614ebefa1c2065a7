"""Incremental builds: which edits redraw what, a damaged cache, a killed build, two
builds at once."""

from __future__ import annotations

import io
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from PIL import Image

from pipeline.build import build
from pipeline.runtime.cache import CACHE_DIR, project_lock


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def anchor(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (128, 96), colour).save(out, "PNG")
    return out.getvalue()


def two_styles(copy_project) -> Path:
    """The valid fixture plus a second story in a second style with an anchor."""
    root = copy_project("valid")
    (root / "styles" / "anchors").mkdir()
    (root / "styles" / "anchors" / "dusk.png").write_bytes(anchor((200, 90, 40)))
    (root / "styles" / "dusk.yaml").write_text(
        "name: Dusk\nanchors: [anchors/dusk.png]\ntreatment: flat\n")
    (root / "stories" / "second.md").write_text(
        "---\ntitle: Second\nworld: frost-moon\nstyle: dusk\n---\n\n## hall\n\n"
        "[wide_shot] The hall is empty.\n\nLin Shuang waits alone.\n")
    return root


def test_first_build_draws_everything_second_nothing(copy_project):
    root = copy_project("valid")
    first = build(root, jobs=1)
    assert (first.panels_drawn, first.panels_lettered, first.pages_written) == (2, 2, 2)
    second = build(root, jobs=1)
    assert (second.panels_drawn, second.panels_lettered, second.pages_written) == (0, 0, 0)


def test_dialogue_edit_reletters_and_redraws_nothing(copy_project):
    root = copy_project("valid")
    build(root, jobs=1)
    edit(root / "stories/arrival.md", "CAPTAIN HAN: Halt!", "CAPTAIN HAN: Halt! Who goes there?")
    report = build(root, jobs=1)
    assert report.panels_drawn == 0
    assert report.panels_lettered == 1
    assert report.pages_written == 1
    page = (Path(report.out) / "stories/arrival/page-1.html").read_text()
    assert "Who goes there?" in page


def test_description_or_camera_edit_redraws_exactly_that_panel(copy_project):
    root = copy_project("valid")
    build(root, jobs=1)
    edit(root / "stories/arrival.md", "Lin Shuang bows.", "Lin Shuang bows deeply.")
    report = build(root, jobs=1)
    assert report.panels_drawn == 1
    assert report.explain == {"arrival--hall-01": "changed: its description"}
    edit(root / "stories/arrival.md", "[close_up]", "[medium_shot]")
    report = build(root, jobs=1)
    assert report.panels_drawn == 1
    assert report.explain == {"arrival--hall-01": "changed: its camera"}


def test_style_anchor_edit_redraws_only_panels_in_that_style(copy_project):
    root = two_styles(copy_project)
    first = build(root, jobs=1)
    assert first.panels == 4
    (root / "styles" / "anchors" / "dusk.png").write_bytes(anchor((40, 90, 200)))
    report = build(root, jobs=1)
    assert report.panels_drawn == 2
    assert set(report.explain) == {"second--hall-01", "second--hall-02"}
    assert all("style" in reason for reason in report.explain.values())


def test_avatar_edit_redraws_panels_with_that_character(copy_project):
    root = copy_project("valid")
    build(root, jobs=1)
    (root / "characters" / "lin-shuang.png").write_bytes(anchor((10, 200, 10)))
    report = build(root, jobs=1)
    assert report.panels_drawn == 2  # she is in both panels
    assert all("characters" in r for r in report.explain.values())


def test_truncated_cache_entry_is_detected_and_redrawn(copy_project):
    root = copy_project("valid")
    build(root, jobs=1)
    images = sorted((root / CACHE_DIR / "cache").rglob("*.png"))
    assert len(images) == 2
    data = images[0].read_bytes()
    images[0].write_bytes(data[: len(data) // 2])
    report = build(root, jobs=1)
    assert report.panels_drawn == 1
    assert "missing or damaged" in next(iter(report.explain.values()))
    with Image.open(images[0]) as image:
        image.load()  # whole again


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def is_whole(site: Path) -> bool:
    pages = list(site.rglob("*.html"))
    refs = [(page, ref) for page in pages
            for ref in re.findall(r'(?:src|href)="([^"#]+)', page.read_text())]
    return bool(pages) and all((page.parent / ref).exists() for page, ref in refs)


def test_killed_build_leaves_the_last_site_and_the_next_build_is_right(copy_project, tmp_path):
    root = two_styles(copy_project)
    site = root / "_site"
    build(root, jobs=1)
    before = site_files(site)
    # change every panel, then kill the build at several moments while it works
    edit(root / "worlds/frost-moon.yaml", "time_of_day: dusk", "time_of_day: dawn")
    edit(root / "styles/plain.yaml", "treatment: flat", "treatment: noir")
    for delay in (0.6, 1.2, 2.0):
        process = subprocess.Popen([sys.executable, "-m", "pipeline", "build", str(root),
                                    "--jobs", "1"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert site.exists(), "the site disappeared"
        assert site_files(site) == before or is_whole(site)  # the old site, or a whole new one
    report = build(root, jobs=1)
    clean = tmp_path / "clean"
    clean_report = build(root, out=clean, jobs=1)
    assert clean_report.panels_drawn == 0
    assert site_files(Path(report.out)) == site_files(clean)
    leftovers = [p.name for p in root.iterdir() if p.name.startswith("._site")]
    assert leftovers == []


def test_two_builds_at_once_both_finish_correctly(copy_project):
    root = copy_project("valid")
    command = [sys.executable, "-m", "pipeline", "build", str(root), "--jobs", "1"]
    one = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    two = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outs = [p.communicate(timeout=120) for p in (one, two)]
    assert one.returncode == 0 and two.returncode == 0, outs
    assert (root / "_site" / "index.html").is_file()
    assert os.listdir(root / "_site" / "art")


def test_a_build_waits_while_another_holds_the_project(copy_project):
    root = copy_project("valid")
    command = [sys.executable, "-m", "pipeline", "build", str(root), "--jobs", "1"]
    with project_lock(root):  # as a running build holds it
        second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        said: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: said.put(second.stderr.readline()), daemon=True).start()
        try:
            first_words = said.get(timeout=60)
        except queue.Empty:
            first_words = "(nothing in 60 s)"
        assert "waiting for it to finish" in first_words
        time.sleep(1)  # time enough to build the small project, were it not waiting
        assert second.poll() is None, "the second build did not wait"
        assert not (root / "_site").exists()
    out, err = second.communicate(timeout=120)  # the lock is free: it goes on and finishes
    assert second.returncode == 0, err
    assert "Built" in out and (root / "_site" / "index.html").is_file()


def test_site_and_cache_files_are_readable_by_a_web_server(copy_project):
    root = copy_project("valid")
    build(root, jobs=1)
    for path in list((root / "_site").rglob("*")) + list((root / CACHE_DIR).rglob("*.png")):
        if path.is_file():
            assert path.stat().st_mode & 0o044 == 0o044, path  # group and others can read


def test_a_build_to_another_folder_does_not_leave_the_site_stale(copy_project, tmp_path):
    """`build --out elsewhere` after an edit, then `build`: `_site` gets the edit too,
    although the inputs are those of the last build."""
    root = copy_project("valid")
    build(root, jobs=1)
    edit(root / "stories/arrival.md", "CAPTAIN HAN: Halt!", "CAPTAIN HAN: Halt! Who goes there?")
    build(root, tmp_path / "elsewhere", jobs=1)
    build(root, jobs=1)
    pages = (root / "_site" / "stories").rglob("page-*.html")
    assert any("Who goes there?" in page.read_text() for page in pages)
