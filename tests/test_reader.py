"""The reader on a phone and a desktop, in a real browser (issue #19): Debian's chromium,
driven by Playwright, as tests/test_browser.py does.

- guided view reads a story panel by panel, by keys and by swipes, then turns the page;
  in a right-to-left comic it runs right to left; the choice is remembered;
- at 390 px, balloon text in guided view is at least the size of the site's body text;
- axe-core finds nothing on any page of a left-to-right, a right-to-left and a vertical build;
- the dark theme leaves the art alone; printing puts each comic page on one sheet;
- the site's own words follow `language:`.

Sites are built once for the module; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import io
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Error as PlaywrightError

from browser_support import DESKTOP, PHONE, launched, opened, require_browser

from pipeline.build import build

sync_api = require_browser()

FIXTURES = Path(__file__).parent / "fixtures"
STORY = """---
title: Arrival
world: frost-moon
---

## EXT. City Gate - DUSK

[wide_shot] Snow falls on the gate. Lin Shuang walks toward it.

LIN SHUANG: Closed. The gate is closed until the morning bell.

[medium_shot] Lin Shuang stops at the gate.

LIN SHUANG: I have come a long way to see the elder.

[close_up] Lin Shuang frowns.

LIN SHUANG: Nobody passes.

---

## Moon Hall

[close_up] Captain Han bows.

CAPTAIN HAN: Elder, she is home.

[wide_shot] Lin Shuang waits in the quiet hall.
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """One project built as several sites: ltr pages, rtl, vertical, French, Japanese
    (the art is drawn once; later builds render the site only)."""
    root = tmp_path_factory.mktemp("reader") / "comic"
    shutil.copytree(FIXTURES / "valid", root)
    (root / "stories/arrival.md").write_text(STORY, encoding="utf-8")
    config = (root / "panelwright.yaml").read_text(encoding="utf-8")
    out = {}
    for name, extra in (("ltr", ""), ("rtl", "reading_direction: rtl\n"),
                        ("vertical", "format: vertical\n"),
                        ("fr", "language: fr\n"), ("ja", "language: ja\n")):
        text = config.replace("language: en\n", "") + ("language: en\n" if "language"
                                                       not in extra else "") + extra
        (root / "panelwright.yaml").write_text(text, encoding="utf-8")
        out[name] = Path(build(root, out=root.parent / name, jobs=2).out)
    return out


@pytest.fixture(scope="module")
def browser():
    yield from launched(sync_api)


@pytest.fixture()
def phone(browser):
    yield from opened(browser, PHONE)


@pytest.fixture()
def desktop(browser):
    yield from opened(browser, DESKTOP)


def _open(tab, site: Path, number: int = 1):
    tab.goto((site / "stories/arrival" / f"page-{number}.html").as_uri())
    tab.wait_for_load_state("load")
    return tab


# Where guided view stands: the page, the panel shown (the one whose middle is nearest the
# screen's), and whether that panel's visible part fills the screen's width or height.
WHERE_JS = """() => {
  const vw = innerWidth, vh = innerHeight - (document.querySelector('.guided-bar')?.offsetHeight || 0);
  const panels = [...document.querySelectorAll('.comic-page .panel')].map(p => {
    const r = p.getBoundingClientRect();
    const seen = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0)) *
                 Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
    return {id: p.dataset.panel, seen, fill: Math.max(
      (Math.min(r.right, vw) - Math.max(r.left, 0)) / vw,
      (Math.min(r.bottom, vh) - Math.max(r.top, 0)) / vh)};
  });
  panels.sort((a, b) => b.seen - a.seen);
  return {page: location.pathname.split('/').pop(), panel: panels[0].id, fill: panels[0].fill,
          guided: document.documentElement.classList.contains('guided')};
}"""


def _settle(tab):
    """Where guided view stands once the page stops moving (a move takes .45 s)."""
    tab.wait_for_timeout(450)
    last = None
    for _ in range(30):
        try:  # a swipe to the next page may still be loading it: no page to measure yet
            now = tab.evaluate("""() => { const page = document.querySelector('.comic-page');
                return page && document.readyState === 'complete' ?
                    getComputedStyle(page).transform : null }""")
        except PlaywrightError:  # the old page's context, gone as the new one loads
            now = None
        if now is not None and now == last:
            break
        last = now
        tab.wait_for_timeout(100)
    return tab.evaluate(WHERE_JS)


def _read_through(tab, step) -> list[tuple[str, str]]:
    """(page, panel) seen while stepping forward until the story ends."""
    seen = [(w := _settle(tab))["page"], w["panel"]],
    seen = [tuple(seen[0])]
    for _ in range(30):
        step()
        tab.wait_for_load_state("load")
        where = _settle(tab)
        assert where["guided"], where
        assert where["fill"] > 0.97, where  # the panel fills the screen one way
        if (where["page"], where["panel"]) == seen[-1]:
            break
        seen.append((where["page"], where["panel"]))
    return seen


def _panels_in_order(site: Path) -> list[tuple[str, str]]:
    import re
    order = []
    for number in (1, 2):
        html = (site / f"stories/arrival/page-{number}.html").read_text(encoding="utf-8")
        order += [(f"page-{number}.html", p) for p in re.findall(r'data-panel="([^"]+)"', html)]
    return order


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_guided_view_reads_the_story_panel_by_panel_with_keys(sites, request, size):
    tab = _open(request.getfixturevalue(size), sites["ltr"])
    tab.keyboard.press("g")
    seen = _read_through(tab, lambda: tab.keyboard.press("ArrowRight"))
    panels = [p for p in dict.fromkeys(seen)]
    assert [p for p in dict.fromkeys(panels)] == _panels_in_order(sites["ltr"]) or \
        [p for i, p in enumerate(panels) if i == 0 or p != panels[i - 1]] == \
        _panels_in_order(sites["ltr"])
    # back from the first panel of page 2: the last panel of page 1, still guided
    _open(tab, sites["ltr"], 2)
    assert _settle(tab)["guided"]  # remembered across pages
    tab.keyboard.press("ArrowLeft")
    tab.wait_for_load_state("load")
    where = _settle(tab)
    assert (where["page"], where["panel"]) == _panels_in_order(sites["ltr"])[
        len([p for p in _panels_in_order(sites["ltr"]) if p[0] == "page-1.html"]) - 1]
    tab.keyboard.press("g")  # and off again
    assert not _settle(tab)["guided"]


def _swipe(tab, forward: bool, rtl: bool = False):
    """A finger drawn across the screen: right to left moves on in a left-to-right comic."""
    sign = -1 if forward != rtl else 1
    tab.evaluate("""(dx) => {
      const at = (x) => [new Touch({identifier: 1, target: document.body, clientX: x, clientY: 400})];
      document.body.dispatchEvent(new TouchEvent('touchstart', {touches: at(195), changedTouches: at(195), bubbles: true}));
      document.body.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: at(195 + dx), bubbles: true, cancelable: true}));
    }""", sign * 150)


@pytest.mark.parametrize("reading", ["ltr", "rtl"])
def test_guided_view_follows_swipes_in_reading_order(sites, phone, reading):
    tab = _open(phone, sites[reading])
    tab.locator(".guided-toggle").click()
    seen = _read_through(tab, lambda: _swipe(tab, True, reading == "rtl"))
    distinct = [p for i, p in enumerate(seen) if i == 0 or p != seen[i - 1]]
    order = _panels_in_order(sites[reading])
    assert [p for p in dict.fromkeys(distinct)] == order
    if reading == "rtl":  # the second panel of a row stands left of the first
        _open(tab, sites[reading], 1)
        tab.keyboard.press("g")  # off
        boxes = tab.evaluate("""() => [...document.querySelectorAll('.comic-page .panel')]
          .map(p => { const r = p.getBoundingClientRect(); return [r.left, r.top]; })""")
        rows = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if abs(a[1] - b[1]) < 2]
        assert rows and all(a[0] > b[0] for a, b in rows)


def test_double_tap_on_a_panel_opens_guided_view_at_that_panel(sites, phone):
    tab = _open(phone, sites["ltr"])
    panel = tab.locator(".comic-page .panel").nth(1)
    box = panel.bounding_box()
    for _ in range(2):
        tab.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tab.wait_for_timeout(60)
    where = _settle(tab)
    assert where["guided"] and where["panel"] == panel.get_attribute("data-panel"), where


FONT_JS = """() => [...document.querySelectorAll('svg.lettering')].flatMap(svg => {
  const unit = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const r = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('.balloon text')].map(t => {
    const b = t.getBoundingClientRect();
    return {size: parseFloat(t.getAttribute('font-size')) * unit,
            onScreen: b.right > 0 && b.left < innerWidth && b.bottom > 0 && b.top < innerHeight};
  });
})"""


def test_lettering_in_guided_view_is_as_large_as_body_text_on_a_phone(sites, phone):
    tab = _open(phone, sites["ltr"])
    body = tab.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    sizes = tab.evaluate(FONT_JS)
    assert min(s["size"] for s in sizes) < body  # page view shrinks the page to the phone
    tab.keyboard.press("g")
    shown = []
    for _ in range(12):
        _settle(tab)
        shown += [s["size"] for s in tab.evaluate(FONT_JS) if s["onScreen"]]
        tab.keyboard.press("ArrowRight")
        tab.wait_for_load_state("load")
    assert shown
    assert min(shown) >= body - 0.01, (min(shown), body)


def _axe_source() -> str:
    axe = pytest.importorskip("axe_playwright_python", reason="axe-core comes with the test extra")
    return (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["ltr", "rtl", "vertical"])
def test_axe_core_finds_nothing_on_any_page(sites, desktop, name):
    source = _axe_source()
    site = sites[name]
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 7
    found = {}
    for path in pages:
        desktop.goto(path.as_uri())
        desktop.wait_for_load_state("load")
        desktop.add_script_tag(content=source)
        violations = desktop.evaluate("""async () => (await axe.run(document, {
            resultTypes: ['violations']})).violations.map(v => v.id + ': ' +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))""")
        if violations:
            found[path.relative_to(site).as_posix()] = violations
    assert not found, found


def test_balloons_are_named_with_the_speaker_in_the_accessibility_tree(sites, desktop):
    tab = _open(desktop, sites["ltr"])
    client = tab.context.new_cdp_session(tab)
    nodes = client.send("Accessibility.getFullAXTree")["nodes"]
    names = [n.get("name", {}).get("value", "") for n in nodes
             if n.get("role", {}).get("value") == "image"]
    assert "Lin Shuang: Closed. The gate is closed until the morning bell." in names, names


def test_keyboard_focus_is_visible_and_a_skip_link_comes_first(sites, desktop):
    tab = _open(desktop, sites["ltr"])
    tab.keyboard.press("Tab")
    first = tab.evaluate("""() => { const a = document.activeElement; const s = getComputedStyle(a);
        const r = a.getBoundingClientRect();
        return {href: a.getAttribute('href'), outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                visible: r.top >= 0 && r.bottom <= innerHeight && r.width > 0}; }""")
    assert first["href"] == "#content" and first["visible"], first
    assert first["outline"] != "none" and first["width"] >= 2, first


def test_every_image_keeps_its_place_and_the_lettering_font_is_preloaded(sites, phone):
    messages = []
    phone.on("console", lambda message: messages.append(message.text))
    site = sites["ltr"]
    for path in sorted(site.rglob("*.html")):
        phone.goto(path.as_uri())
        phone.wait_for_load_state("load")
        missing = phone.evaluate("""() => [...document.images].filter(i =>
            !(i.getAttribute('width') > 0 && i.getAttribute('height') > 0)).map(i => i.src)""")
        assert not missing, (path, missing)
        shapes = phone.evaluate("""() => [...document.images].filter(i => i.naturalWidth).map(i =>
            [i.naturalWidth / i.naturalHeight, i.getAttribute('width') / i.getAttribute('height')])""")
        for natural, stated in shapes:  # the stated size has the image's shape
            assert abs(natural - stated) / natural < 0.02, (path, natural, stated)
    _open(phone, site, 1)
    phone.wait_for_timeout(300)
    assert not messages, messages
    port = _free_port()  # served over http, the page preloads its lettering font
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", str(site)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        failed = []
        phone.on("response", lambda r: r.status >= 400 and failed.append(r.url))
        for _ in range(100):
            try:
                phone.goto(f"http://127.0.0.1:{port}/stories/arrival/page-1.html")
                break
            except sync_api.Error:
                time.sleep(0.05)
        phone.wait_for_load_state("load")
        phone.wait_for_timeout(300)
        preload = phone.evaluate("""() => [...document.querySelectorAll(
            'link[rel=preload][as=font]')].map(l => l.href)""")
        assert any(href.endswith("/assets/lettering.ttf") for href in preload)
        fetched = phone.evaluate("""() => performance.getEntriesByType('resource')
            .filter(e => e.name.endsWith('lettering.ttf')).length""")
        assert fetched == 1  # the preloaded font is the one the balloons use: fetched once
        # nor a warning of a preload left unused (the favicon is another issue's)
        assert not [m for m in messages if "404" not in m], messages
        assert not [u for u in failed if not u.endswith("favicon.ico")], failed
    finally:
        server.terminate()
        server.wait(timeout=10)
    lazy = phone.evaluate("""() => [...document.querySelectorAll('.comic-page img')]
        .map(i => i.loading)""")
    assert lazy[0] != "lazy" and (len(lazy) <= 3 or lazy[-1] == "lazy"), lazy


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_dark_theme_darkens_the_site_and_leaves_the_art_alone(sites, browser):
    shots, colours = {}, {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, **DESKTOP)
        tab = _open(context.new_page(), sites["ltr"])
        tab.wait_for_timeout(200)
        shots[scheme] = tab.locator(".comic-page").screenshot()
        colours[scheme] = tab.evaluate("""() => [getComputedStyle(document.body).backgroundColor,
            getComputedStyle(document.body).color]""")
        context.close()
    assert colours["light"] != colours["dark"]
    background = [int(c) for c in colours["dark"][0][4:-1].split(",")[:3]]
    assert sum(background) / 3 < 60, colours  # a dark page behind the comic
    light = Image.open(io.BytesIO(shots["light"])).convert("RGB")
    dark = Image.open(io.BytesIO(shots["dark"])).convert("RGB")
    assert light.size == dark.size
    # art and balloons as drawn (the outermost pixel blends with what lies around the page)
    inner = (2, 2, light.width - 2, light.height - 2)
    assert ImageChops.difference(light.crop(inner), dark.crop(inner)).getbbox() is None


def test_printing_puts_each_comic_page_on_one_sheet(sites, desktop):
    tab = _open(desktop, sites["ltr"])
    pdf = tab.pdf(format="A4")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page\r") + \
        pdf.count(b"/Type /Page>") + pdf.count(b"/Type /Page/") == 1 or \
        len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
    tab.emulate_media(media="print")
    shown = tab.evaluate("""() => ({
        art: [...document.querySelectorAll('.comic-page img')].every(i => i.complete && i.naturalWidth),
        balloons: document.querySelectorAll('.comic-page svg.lettering .balloon').length,
        pager: getComputedStyle(document.querySelector('.pager')).display})""")
    assert shown["art"] and shown["balloons"] and shown["pager"] == "none", shown


@pytest.mark.parametrize("name, words", [
    ("fr", {"nav": "Personnages", "next": "Suivante ›", "guided": "Lecture guidée",
            "transcript": "Transcription de la page 1"}),
    ("ja", {"nav": "キャラクター", "next": "次へ ›", "guided": "コマ送り表示",
            "transcript": "1ページのテキスト"})])
def test_the_sites_own_words_follow_its_language(sites, desktop, name, words):
    tab = _open(desktop, sites[name])
    seen = tab.evaluate("""() => ({
        nav: document.querySelector('.site-nav a:nth-child(2)').textContent,
        next: document.querySelector('.pager a[rel=next]').textContent,
        guided: document.querySelector('.guided-toggle').textContent,
        transcript: document.querySelector('.transcript summary').textContent,
        lang: document.documentElement.lang})""")
    assert seen.pop("lang") == name
    assert seen == words
    english = _open(desktop, sites["ltr"]).evaluate(
        "() => document.querySelector('.pager a[rel=next]').textContent")
    assert english == "Next ›"


def test_a_project_overrides_the_sites_words_in_templates_strings_yaml(tmp_path):
    from pipeline.errors import ProjectError
    from pipeline.site.strings import translator

    t = translator("fr", {"strings.yaml": 'next: "Encore ›"\npage: "Planche {n}"\n'})
    assert (t("next"), t("page", n=3), t("previous")) == ("Encore ›", "Planche 3", "‹ Précédente")
    with pytest.raises(ProjectError) as failure:
        translator("fr", {"strings.yaml": 'next: "Encore"\nnxet: "typo"\n'})
    problem = failure.value.problems[0]
    assert (problem.file, problem.line) == ("templates/strings.yaml", 2)
    assert "nxet" in problem.message and "next" in problem.hint


def test_the_cast_page_shows_first_appearance_and_page_count(sites, desktop):
    desktop.goto((sites["ltr"] / "characters/captain-han.html").as_uri())
    role = desktop.locator(".roles li").first
    assert "First appearance" in role.text_content() and "1 page" in role.text_content()
    first = role.locator("a").nth(1)
    assert first.get_attribute("href").endswith("stories/arrival/page-2.html")  # not page 1
    first.click()
    desktop.wait_for_load_state("load")
    assert "Captain Han" in desktop.locator(".transcript").text_content()
    desktop.goto((sites["ltr"] / "characters/lin-shuang.html").as_uri())
    role = desktop.locator(".roles li").first.text_content()
    assert "2 pages" in role, role
