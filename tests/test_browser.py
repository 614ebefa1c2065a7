"""The built site in a real browser (issue #15): Debian's chromium, driven by Playwright.

- `reading_direction: rtl` on an English comic: panels run right to left, while balloons,
  the transcript and the pager read left to right;
- the web page and the baked page agree: each balloon's outline on the web is where the
  page image has it;
- a `cp -a` of the site built under umask 077, served by a plain web server, serves every
  file (and the page shows every image);
- Hebrew and Arabic dialogue runs right to left in a balloon, in either reading direction.

The browser is the one Debian installs (.ci/run installs it when missing); Playwright never
downloads one. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageChops, ImageStat

from browser_support import launched, require_browser

from pipeline.build import build

sync_api = require_browser()

FIXTURES = Path(__file__).parent / "fixtures"
HEBREW = "שלום, מי אתה?"
ARABIC = "مرحبا بك في القاعة."
OUTLINE = f"""
## EXT. City Gate - DUSK

[wide_shot] Snow falls on the gate. Lin Shuang walks toward it.

CAPTAIN HAN: Halt! The gate is closed until the morning bell, and nobody passes before it.

[medium_shot] Lin Shuang stops at the gate.

LIN SHUANG: I have come a long way through the snow to see the elder of the hall.

[close_up] Captain Han frowns.

CAPTAIN HAN: {HEBREW}

[close_up] Lin Shuang smiles.

LIN SHUANG: {ARABIC}
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The comic built in both reading directions (one project, so the second build
    draws nothing anew); the rtl one under umask 077, as a cautious user's shell has it."""
    root = tmp_path_factory.mktemp("browser") / "comic"
    shutil.copytree(FIXTURES / "valid", root)
    (root / "stories/arrival.md").write_text(
        "---\ntitle: Arrival\nworld: frost-moon\n---\n" + OUTLINE, encoding="utf-8")
    config = (root / "panelwright.yaml").read_text(encoding="utf-8")
    out = {}
    for reading in ("rtl", "ltr"):
        (root / "panelwright.yaml").write_text(config + f"reading_direction: {reading}\n",
                                               encoding="utf-8")
        old = os.umask(0o077 if reading == "rtl" else 0o022)
        try:
            out[reading] = Path(build(root, out=root.parent / reading, jobs=2).out)
        finally:
            os.umask(old)
    return out


@pytest.fixture(scope="module")
def browser():
    yield from launched(sync_api)


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    tab = context.new_page()
    yield tab
    context.close()


def _open(tab, site: Path, number: int = 1):
    tab.goto((site / "stories/arrival" / f"page-{number}.html").as_uri())
    tab.wait_for_load_state("load")
    return tab


# What the browser drew, measured in the page: per balloon text line, the x of its first
# and last character; each text's computed direction and words.
LINES_JS = """() => [...document.querySelectorAll('svg.lettering text')].map(text => {
  const lines = [];
  let at = 0;
  for (const span of text.querySelectorAll('tspan')) {
    const words = span.textContent;
    const start = text.textContent.indexOf(words, at);
    at = start + words.length;
    lines.push({words, first: text.getStartPositionOfChar(start).x,
                last: text.getStartPositionOfChar(start + words.length - 1).x});
  }
  return {text: text.textContent, direction: getComputedStyle(text).direction, lines};
})"""


def _letters(words: str) -> tuple[int, int]:
    """Indexes of the first and last letters of `words` (punctuation and spaces aside)."""
    letters = [i for i, c in enumerate(words) if c.isalpha()]
    return letters[0], letters[-1]


def test_rtl_english_balloons_read_left_to_right(sites, page):
    texts = _open(page, sites["rtl"]).evaluate(LINES_JS)
    english = [t for t in texts if t["text"].isascii()]
    assert len(english) >= 2
    assert any(len(t["lines"]) > 1 for t in english)  # a balloon of several lines
    for text in english:
        assert text["direction"] == "ltr", text
        for line in text["lines"]:
            if len(line["words"]) > 1:
                # the first character is drawn left of the last: 'Halt!' not '!Halt'
                assert line["first"] < line["last"], line


def test_rtl_english_transcript_and_pager_read_left_to_right(sites, page):
    tab = _open(page, sites["rtl"])
    lines = tab.evaluate("""() => [...document.querySelectorAll('.transcript li.line')].map(
      li => {
        const range = document.createRange();
        const node = [...li.childNodes].filter(n => n.nodeType === 3).pop();
        const end = node.textContent.trimEnd().length;
        range.setStart(node, end - 1); range.setEnd(node, end);
        const last = range.getBoundingClientRect().left;
        const first = li.querySelector('b').getBoundingClientRect().left;
        return {text: li.textContent, direction: getComputedStyle(li).direction, first, last};
      })""")
    english = [line for line in lines if line["text"].isascii()]
    assert english
    for line in english:
        assert line["direction"] == "ltr", line
        # the speaker's name comes first, at the left; the closing '.' or '!' at the right
        assert line["first"] < line["last"], line
    pager = tab.evaluate("""() => [...document.querySelector('nav.pager').children].map(
      e => ({text: e.textContent.trim(), left: e.getBoundingClientRect().left}))""")
    words = [p["text"] for p in sorted(pager, key=lambda p: p["left"])]
    assert words[0] == "« First" and words[1] == "‹ Previous", words
    assert words[-2:] == ["Next ›", "Last »"], words


PANELS_JS = """() => [...document.querySelectorAll('.comic-page .panel')].map(p => {
  const r = p.getBoundingClientRect();
  return {id: p.dataset.panel, left: r.left, top: r.top, right: r.right}; })"""


def _rows(boxes: list[dict]) -> list[tuple[dict, dict]]:
    """Pairs of panels side by side (same top), in reading order."""
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if abs(a["top"] - b["top"]) < 2]


def test_rtl_panels_run_right_to_left(sites, page):
    boxes = _open(page, sites["rtl"]).evaluate(PANELS_JS)
    assert [b["id"] for b in boxes] == sorted(b["id"] for b in boxes)  # in reading order
    assert _rows(boxes), boxes
    for earlier, later in _rows(boxes):
        assert earlier["left"] > later["right"] - 1, boxes  # the earlier panel is on the right
    boxes = _open(page, sites["ltr"]).evaluate(PANELS_JS)
    assert _rows(boxes), boxes
    for earlier, later in _rows(boxes):  # and on the left in a left-to-right comic
        assert earlier["right"] < later["left"] + 1, boxes


@pytest.mark.parametrize("reading", ["rtl", "ltr"])
def test_hebrew_and_arabic_dialogue_read_right_to_left(sites, page, reading):
    texts = _open(page, sites[reading]).evaluate(LINES_JS)
    found = {t["text"].strip(): t for t in texts}
    for words in (HEBREW, ARABIC):
        assert words in found, list(found)
        assert found[words]["direction"] == "rtl"
    hebrew = found[HEBREW]["lines"][0]
    first, last = _letters(hebrew["words"])
    assert first == 0
    # the first letter is drawn right of the last: the line runs right to left
    assert hebrew["first"] > hebrew["last"], hebrew


def _offset(shot: Image.Image, baked: Image.Image, box: tuple[int, int, int, int]
            ) -> tuple[int, int]:
    """How far (in the baked page's pixels) the baked page's picture of `box` lies from
    the browser's: the shift that makes the two look most alike."""
    seen = shot.crop(box)
    best = min(((ImageStat.Stat(ImageChops.difference(
        seen, baked.crop((box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)))).mean[0],
        dx, dy) for dx in range(-4, 5) for dy in range(-4, 5)))
    return best[1], best[2]


@pytest.mark.parametrize("reading", ["rtl", "ltr"])
def test_web_page_and_baked_page_put_balloons_in_the_same_place(sites, page, reading):
    site = sites[reading]
    tab = _open(page, site)
    sheet = tab.locator(".comic-page")
    boxes = tab.evaluate("""() => {
      const sheet = document.querySelector('.comic-page').getBoundingClientRect();
      return [...document.querySelectorAll('svg.lettering polygon')].map(polygon => {
        const r = polygon.getBoundingClientRect();
        return [(r.left - sheet.left) / sheet.width, (r.top - sheet.top) / sheet.height,
                (r.right - sheet.left) / sheet.width, (r.bottom - sheet.top) / sheet.height];
      });
    }""")
    assert len(boxes) >= 4
    baked = Image.open(site / "pages/arrival-1.jpg").convert("L")
    shot = Image.open(io.BytesIO(sheet.screenshot())).convert("L").resize(
        baked.size, Image.Resampling.LANCZOS)
    width, height = baked.size
    for left, top, right, bottom in boxes:
        box = (round(left * width) - 4, round(top * height) - 4, round(right * width) + 4,
               round(bottom * height) + 4)
        # each balloon, outline and words, is where the page image has it (to 2 px)
        dx, dy = _offset(shot, baked, box)
        assert abs(dx) <= 2 and abs(dy) <= 2, (reading, box, dx, dy)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_copy_of_the_site_is_served_whole_by_a_plain_web_server(sites, browser, tmp_path):
    copy = tmp_path / "www"
    subprocess.run(["cp", "-a", str(sites["rtl"]), str(copy)], check=True)
    files = sorted(p for p in copy.rglob("*") if p.is_file())
    assert len(files) > 10
    for path in [copy, *copy.rglob("*")]:  # built under umask 077, still world-readable
        mode = stat.S_IMODE(path.stat().st_mode)
        wanted = 0o005 if path.is_dir() else 0o004
        assert mode & wanted == wanted, (path, oct(mode))
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", str(copy)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}/"
        with httpx.Client(base_url=base, timeout=5) as client:
            for _ in range(100):  # the server is up when it answers
                try:
                    client.get("/")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            for path in files:
                rel = path.relative_to(copy).as_posix()
                answer = client.get("/" + rel)
                assert answer.status_code == 200, rel
                assert answer.content == path.read_bytes(), rel
        tab = browser.new_page()
        try:
            tab.goto(base + "stories/arrival/page-1.html")
            tab.wait_for_load_state("load")
            # the panels below the fold load lazily, when a reader scrolls to them
            for image in tab.locator("img").all():
                image.scroll_into_view_if_needed()
            tab.wait_for_function("() => [...document.images].every(i => i.complete)")
            sizes = tab.evaluate("() => [...document.images].map(i => i.naturalWidth)")
            assert sizes and all(sizes), sizes  # every image of the page arrived
        finally:
            tab.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


SCRIPTS = {"zh": "城门黄昏关闭，谁也不能进。", "ja": "雪の中を長い道のりを来ました。",
           "ko": "문은 아침까지 닫혀 있습니다.", "el": "Η πύλη κλείνει το σούρουπο.",
           "ru": "Ворота закрыты до утра.", "ar": ARABIC, "he": HEBREW}


@pytest.fixture(scope="module")
def many_scripts(tmp_path_factory):
    """Seven scripts in one story, no fallback font configured: the lettering finds faces."""
    root = tmp_path_factory.mktemp("scripts") / "comic"
    shutil.copytree(FIXTURES / "valid", root)
    panels = "\n".join(f"[close_up] {'Captain Han' if i % 2 else 'Lin Shuang'} speaks.\n\n"
                       f"{'CAPTAIN HAN' if i % 2 else 'LIN SHUANG'}: {words}\n"
                       for i, words in enumerate(SCRIPTS.values()))
    (root / "stories/arrival.md").write_text(
        "---\ntitle: Arrival\nworld: frost-moon\n---\n\n## EXT. City Gate - DUSK\n\n" + panels,
        encoding="utf-8")
    assert "fallback_font" not in (root / "panelwright.yaml").read_text(encoding="utf-8")
    return Path(build(root, out=root.parent / "site", jobs=2).out)


# Per balloon: its outline's box and its text's box as the browser drew them, and the
# lettering faces the page loaded.
FIT_JS = """async () => {
  await document.fonts.ready;
  const balloons = [...document.querySelectorAll('svg.lettering g.balloon')].map(g => {
    const shape = g.querySelector('polygon, ellipse, rect, path').getBBox();
    const text = g.querySelector('text');
    const box = text.getBBox();
    return {words: text.textContent, shape: [shape.x, shape.y, shape.width, shape.height],
            text: [box.x, box.y, box.width, box.height]};
  });
  const faces = [...document.fonts].map(f => ({family: f.family, status: f.status}));
  return {balloons, faces};
}"""


def test_every_script_is_held_by_its_balloon_in_the_browser(many_scripts, page):
    seen, loaded = {}, set()
    for number in range(1, 5):
        if not (many_scripts / "stories/arrival" / f"page-{number}.html").exists():
            break
        found = _open(page, many_scripts, number).evaluate(FIT_JS)
        assert not [f for f in found["faces"] if f["status"] == "error"], found["faces"]
        for b in found["balloons"]:
            sx, sy, sw, sh = b["shape"]
            tx, ty, tw, th = b["text"]
            assert tw > 0 and th > 0, b
            # the words lie inside the balloon's outline box (a pixel of slack for hinting)
            assert sx - 1 <= tx and tx + tw <= sx + sw + 1, b
            assert sy - 1 <= ty and ty + th <= sy + sh + 1, b
            seen[b["words"]] = b
        loaded |= {f["family"].strip('"') for f in found["faces"] if f["status"] == "loaded"}
    for words in SCRIPTS.values():
        assert any("".join(words.split()) == "".join(w.split()) for w in seen), words
    # the faces the site serves for these scripts were loaded by the browser, not skipped
    assert len(loaded - {"PanelwrightLettering"}) >= 2, loaded
