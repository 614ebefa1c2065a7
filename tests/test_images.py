"""Art served at the sizes it is shown (issue #19, "Fast"), in a real browser.

- on a phone (390×844, 3 device pixels per CSS pixel) the browser takes a WebP copy
  smaller than the drawn art, and no PNG of the art is fetched;
- every <img> on every page states its width and height, and the page does not shift
  while images arrive late (PerformanceObserver 'layout-shift' below 0.1);
- the first panel loads first (never lazy, fetchpriority high); panels further down wait;
- the copies are the same bytes build after build, and a rebuild encodes none again.

One project is built once for the module and served on 127.0.0.1.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from browser_support import DESKTOP, PHONE, launched, require_browser

from pipeline.build import build
from pipeline.site import images

sync_api = require_browser()

FIXTURES = Path(__file__).parent / "fixtures"
STORY = """---
title: Arrival
world: frost-moon
---

## EXT. City Gate - DUSK

[extreme_wide_shot] Snow falls on the gate. Lin Shuang walks toward it.

LIN SHUANG: Closed. The gate is closed until the morning bell.

[medium_shot] Lin Shuang stops at the gate.

LIN SHUANG: I have come a long way to see the elder.

[close_up] Lin Shuang frowns.

[wide_shot] Captain Han watches from the wall.

CAPTAIN HAN: Nobody passes.

[close_up] Captain Han bows.
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("images") / "comic"
    shutil.copytree(FIXTURES / "valid", root)
    (root / "stories/arrival.md").write_text(STORY, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site(project):
    return Path(build(project, out=project.parent / "site", jobs=2).out)


@pytest.fixture(scope="module")
def served(site):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", str(site)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    yield from launched(sync_api)


def _tab(browser, **options):
    context = browser.new_context(**options)
    return context, context.new_page()


def test_a_phone_gets_a_smaller_webp_copy_of_the_art(site, served, browser):
    context, tab = _tab(browser, **PHONE)
    try:
        tab.goto(served + "stories/arrival/page-1.html")
        tab.wait_for_load_state("load")
        tab.evaluate("() => Promise.all([...document.images].map(i => i.decode()))")
        chosen = tab.evaluate("""() => [...document.querySelectorAll('.comic-page img')].map(i =>
            ({src: i.currentSrc, drawn: +i.getAttribute('width'),
              shown: i.getBoundingClientRect().width}))""")
        fetched = tab.evaluate("""() => performance.getEntriesByType('resource').map(e =>
            [e.name, e.encodedBodySize])""")
        html = tab.content()
    finally:
        context.close()
    assert chosen
    sizes = dict(fetched)
    smaller = 0
    for image in chosen:
        original = site / "art" / (re.search(r"/art/([0-9a-f]+)", image["src"]).group(1) + ".png")
        if image["src"].endswith(".png"):  # flat art whose PNG is the smallest file: kept
            assert f'{original.name} {image["drawn"]}w' in html, image
            continue
        assert image["src"].endswith(".webp"), image
        width = int(re.search(r"-(\d+)\.webp$", image["src"]).group(1))
        assert width < image["drawn"], image  # fewer pixels than the drawn art
        assert width >= 3 * image["shown"], image  # and still 3 to each CSS pixel: sharp
        assert 0 < sizes[image["src"]] < original.stat().st_size, image  # and fewer bytes
        smaller += 1
    assert smaller >= 1, chosen


def test_every_image_has_its_size_and_nothing_shifts_as_images_arrive(site, served, browser):
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    context, tab = _tab(browser, **PHONE)
    try:
        for page in pages:
            tab.goto(served + page)
            missing = tab.evaluate("""() => [...document.images].filter(i =>
                !(i.getAttribute('width') > 0 && i.getAttribute('height') > 0)).map(i =>
                i.outerHTML)""")
            assert not missing, (page, missing)
    finally:
        context.close()
    for options in (PHONE, DESKTOP):
        context, tab = _tab(browser, **options)

        def late(route):  # images arrive after the text, as on a slow phone network
            time.sleep(0.1)
            route.continue_()
        tab.route(re.compile(r"\.(png|jpe?g|webp|avif)$"), late)
        tab.add_init_script("""window.__shift = 0; new PerformanceObserver(list => {
            for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
        }).observe({type: 'layout-shift', buffered: true});""")
        try:
            for page in ("stories/arrival/page-1.html", "characters/lin-shuang.html",
                         "index.html"):
                tab.goto(served + page)
                tab.wait_for_load_state("load")
                tab.evaluate("() => Promise.all([...document.images].map(i => i.decode()"
                             ".catch(() => null)))")
                tab.wait_for_timeout(100)
                shift = tab.evaluate("() => window.__shift")
                assert shift < 0.1, (page, options["viewport"], shift)
        finally:
            context.close()


def test_the_first_panel_loads_first_and_panels_further_down_wait(project, site, tmp_path):
    root = tmp_path / "comic"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns("_site"))
    config = root / "panelwright.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "format: vertical\n",
                      encoding="utf-8")
    vertical = Path(build(root, out=tmp_path / "vertical", jobs=2).out)
    for built, scrolls in ((site, False), (vertical, True)):
        html = (built / "stories/arrival/page-1.html").read_text(encoding="utf-8")
        panels = re.findall(r'<figure class="panel".*?<img ([^>]*)>', html, re.S)
        assert len(panels) >= 2
        assert 'fetchpriority="high"' in panels[0] and "loading=" not in panels[0], panels[0]
        assert not any("fetchpriority" in p for p in panels[1:])
        if scrolls:  # a long scroll of panels: the last one waits until it is near
            assert 'loading="lazy"' in panels[-1], panels[-1]
    cover = re.search(r"<img [^>]*>", (site / "index.html").read_text(encoding="utf-8"))
    assert 'fetchpriority="high"' in cover.group(0) and "loading=" not in cover.group(0)


def test_copies_are_the_same_bytes_each_build_and_a_rebuild_encodes_no_art(
        project, site, tmp_path, monkeypatch):
    assert any(site.glob("art/*.webp")) and any(site.glob("pages/*.webp"))
    assert any(site.glob("avatars/*.webp"))
    # a rebuild after a dialogue edit renders the site again: the art's copies come from
    # the cache; only the page whose lettering changed is baked, and copied, anew
    again = tmp_path / "comic"
    shutil.copytree(project, again, ignore=shutil.ignore_patterns("_site"))
    story = again / "stories/arrival.md"
    story.write_text(story.read_text(encoding="utf-8").replace("Nobody passes.",
                                                               "Nobody passes tonight."))
    encoded = []
    real = images._encode

    def encode(job):
        encoded.append(job[0])
        return real(job)
    monkeypatch.setattr(images, "_encode", encode)
    rebuilt = Path(build(again, out=tmp_path / "rebuilt", jobs=1).out)
    monkeypatch.undo()
    assert encoded and all(str(source).endswith(".jpg") for source in encoded), encoded
    assert len({str(source) for source in encoded}) == 1, encoded  # the one page edited
    # without the cache's copies they are made anew, by another process: the same bytes
    for path in (again / ".panelwright").rglob("*.webp"):
        path.unlink()
    remade = Path(build(again, out=tmp_path / "remade", jobs=2).out)
    first = {p.relative_to(rebuilt).as_posix(): p.read_bytes() for p in rebuilt.rglob("*.webp")}
    assert first and {p.relative_to(remade).as_posix(): p.read_bytes()
                      for p in remade.rglob("*.webp")} == first
