"""The webtoon scroll (`format: vertical`), the contents page and the vertical index, in a
real browser (issue #19): Debian's chromium through Playwright, as tests/test_reader.py.

Two vertical builds: the example with `format: vertical` (one story, no chapters: one
scroll) and a school horror comic written here (a story in two chapters: a scroll each, a
long scene split over two pages, and a second story). Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

import browser_support
from browser_support import launched, opened, require_browser

from pipeline.build import build

sync_api = require_browser()

EXAMPLE = Path(__file__).parents[1] / "projects" / "frost-moon"
# reduced motion: guided view jumps instead of gliding, so a step is seen at once
PHONE = browser_support.PHONE | {"reduced_motion": "reduce"}
DESKTOP = browser_support.DESKTOP | {"reduced_motion": "reduce"}

HORROR = {
    "panelwright.yaml": """title: After Hours
language: en
format: vertical
style: gothic_horror
description: Two students stay too late at school.
""",
    "characters/mina.md": """---
name: Mina Park
personality: Curious, stubborn
---
A first-year who never leaves a question alone.
""",
    "characters/theo.md": """---
name: Theo
personality: Nervous, loyal
---
Mina's friend, who would rather be at home.
""",
    "characters/grey.md": """---
name: Mr. Grey
personality: Quiet, watchful
---
The night janitor.
""",
    "worlds/school.yaml": """name: Westbrook High
description: An old school with a new wing and an older basement.
scenes:
  - id: classroom
    name: Classroom 2-B
    description: Rows of desks, a blackboard, windows onto a dark yard.
    time_of_day: night
  - id: stairwell
    name: The Old Stairwell
    description: Concrete steps down to the basement, one bulb flickering.
    time_of_day: night
""",
    "stories/late.md": """---
title: Late Bell
world: school
summary: Mina hears a bell ring after the last bell.
chapters:
  - title: Detention
    starts: classroom
  - title: Downstairs
    starts: stairwell
---

## INT. Classroom 2-B - NIGHT

CAPTION: Westbrook High. Long after the last bell.

[wide_shot] Mina sits alone at a desk by the window.

[medium_shot] Theo leans in the doorway, bag on his shoulder.

THEO: Can we go now? The janitor locked the front.

[close_up] Mina looks up from her notebook.

MINA: Did you hear that? A bell.

[medium_shot] Theo shakes his head.

THEO: There are no bells after six.

[full_shot] Mina stands and packs her notebook.

[medium_close_up] Theo frowns.

THEO (whispering): Mina...

[close_up] Mina smiles.

MINA: It came from downstairs.

[insert] The clock over the blackboard reads 9:41.

[wide_shot] The two walk out of the classroom into the dark corridor.

## INT. The Old Stairwell - NIGHT

[wide_shot] The stairs go down into the dark. One bulb flickers.

SFX: BZZT

[medium_shot] Mina starts down the steps. Theo follows.

MINA: Stay close.

[close_up] Theo stares into the dark.

THEO (shouting): Who's there?

[medium_shot] Mr. Grey stands at the bottom of the stairs, keys in hand.

MR. GREY: School's closed.
""",
    "stories/open-house.md": """---
title: Open House
world: school
summary: Mina's first day.
---

## INT. Classroom 2-B - DAY

[wide_shot] Mina walks into the classroom for the first time.

MINA: So this is it.
""",
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The example as a vertical comic, and the school horror comic (the example draws 18
    panels, the horror comic 14: about 20 s on a cold cache)."""
    base = tmp_path_factory.mktemp("webtoon")
    example = base / "example"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns(".panelwright", "_site"))
    config = example / "panelwright.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "format: vertical\n",
                      encoding="utf-8")
    horror = base / "horror"
    for name, text in HORROR.items():
        (horror / name).parent.mkdir(parents=True, exist_ok=True)
        (horror / name).write_text(text, encoding="utf-8")
    return {name: Path(build(root, out=base / f"{name}-site", jobs=2).out)
            for name, root in (("example", example), ("horror", horror))}


# (site, story): its scroll pages in order, the scenes on its contents page as
# (name, page the scene starts on)
STORIES = {
    ("example", "frost-moon-legend"): (["scroll.html"],
                                       [("Frost Moon City Gate", 1), ("The Moon Hall", 3)]),
    ("horror", "late"): (["scroll-1.html", "scroll-2.html"],
                         [("Classroom 2-B", 1), ("The Old Stairwell", 3)]),
    ("horror", "open-house"): (["scroll.html"], [("Classroom 2-B", 1)]),
}


@pytest.fixture(scope="module")
def browser():
    yield from launched(sync_api)


@pytest.fixture()
def phone(browser):
    yield from opened(browser, PHONE)


@pytest.fixture()
def desktop(browser):
    yield from opened(browser, DESKTOP)


def _pages(site: Path, story: str) -> list[Path]:
    found = (site / "stories" / story).glob("page-*.html")
    return sorted(found, key=lambda p: int(p.stem.split("-")[1]))


def _panels(path: Path) -> list[str]:
    return re.findall(r'data-panel="([^"]+)"', path.read_text(encoding="utf-8"))


def _story_panels(site: Path, story: str) -> list[str]:
    """Every panel of the story in reading order, as its scene pages show them."""
    return [panel for page in _pages(site, story) for panel in _panels(page)]


def _open(tab, path: Path):
    tab.goto(path.as_uri())
    tab.wait_for_load_state("load")
    return tab


def _scroll_through(tab):
    """Scroll a page to its end as a reader does, so lazy art loads; then back to the top."""
    height = tab.evaluate("() => document.documentElement.scrollHeight")
    for y in range(0, height + 1, 600):
        tab.evaluate(f"() => window.scrollTo(0, {y})")
        tab.wait_for_timeout(30)
    tab.wait_for_function("() => [...document.images].every(i => i.complete)")
    tab.evaluate("() => window.scrollTo(0, 0)")


STRIP_JS = """() => [...document.querySelectorAll('.comic-page .panel')].map(p => {
  const r = p.getBoundingClientRect(), i = p.querySelector('img');
  return {id: p.dataset.panel, top: r.top + scrollY, bottom: r.bottom + scrollY,
          left: r.left, width: r.width, loaded: i.complete && i.naturalWidth > 0,
          lazy: i.loading, sized: i.getAttribute('width') > 0 && i.getAttribute('height') > 0,
          balloons: p.querySelectorAll('svg.lettering .balloon').length};
})"""


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_scroll_shows_every_panel_of_the_story_in_order_without_gaps(sites, request, size):
    tab = request.getfixturevalue(size)
    for (name, story), (scrolls, _) in STORIES.items():
        site = sites[name]
        shown, heard = [], []
        for scroll in scrolls:
            _open(tab, site / "stories" / story / scroll)
            _scroll_through(tab)
            panels = tab.evaluate(STRIP_JS)
            shown += [p["id"] for p in panels]
            assert all(p["loaded"] and p["sized"] for p in panels), panels
            assert panels[0]["lazy"] != "lazy" and panels[-1]["lazy"] == "lazy" or \
                len(panels) <= 3
            # one column, one under another; the gaps between panels all alike, also where
            # two scenes' strips meet
            assert len({round(p["left"]) for p in panels}) == 1
            gaps = [b["top"] - a["bottom"] for a, b in zip(panels, panels[1:])]
            assert all(g > 0 for g in gaps), gaps
            assert max(gaps, default=0) - min(gaps, default=0) <= 2, gaps
            # scene titles for screen readers, where each scene starts
            titles = tab.evaluate("""() => [...document.querySelectorAll('.comic-page h2')]
                .map(h => [h.textContent, h.getBoundingClientRect().width])""")
            assert titles and all(t and w <= 1 for t, w in titles), titles
            heard += [t for t, _ in titles]
        assert shown == _story_panels(site, story), (name, story)
        assert heard == [scene for scene, _ in STORIES[(name, story)][1]]
        # the balloons are the scene pages' own: the same count on the scroll
        assert sum(p["balloons"] for p in panels) > 0


def _guided_state(tab, guided: bool = False):
    """Where guided view stands once it stops moving: the page and the panel whose middle
    is nearest the middle of the screen (once guided view is on, when `guided`)."""
    last = None
    for _ in range(60):
        try:
            now = tab.evaluate(GUIDED_JS)
        except sync_api.Error:  # a step past the end of a chapter went on to the next one
            tab.wait_for_load_state("load")
            continue
        if now == last and (now["guided"] or not guided):
            return now
        last = now
        tab.wait_for_timeout(40)
    return last


GUIDED_JS = """() => {
          const vh = innerHeight - (document.querySelector('.guided-bar')?.offsetHeight || 0);
          const seen = [...document.querySelectorAll('.comic-page .panel')].map(p => {
            const r = p.getBoundingClientRect();
            return [p.dataset.panel, Math.hypot((r.left + r.right - innerWidth) / 2,
                                                (r.top + r.bottom - vh) / 2)];
          }).sort((a, b) => a[1] - b[1]);
          return {page: location.pathname.split('/').pop(), panel: seen[0][0],
                  guided: document.documentElement.classList.contains('guided'),
                  transform: getComputedStyle(document.querySelector('.comic-page')).transform};
}"""


def _read_through(tab, step) -> list[tuple[str, str]]:
    """The (scroll page, panel) guided view shows while stepping on until it stops."""
    seen = [_guided_state(tab)]
    for _ in range(80):
        step()
        tab.wait_for_load_state("load")
        now = _guided_state(tab, guided=True)
        if now == seen[-1]:  # the end, or a step on to the next chapter still loading
            tab.wait_for_timeout(500)
            now = _guided_state(tab, guided=True)
        assert now["guided"], now
        if now == seen[-1]:
            break
        seen.append(now)
        # the art shown has loaded, lazy or not
        tab.wait_for_function("() => document.querySelector('.panel.current img').complete")
        assert tab.evaluate("() => document.querySelector('.panel.current img').naturalWidth")
    distinct = [(s["page"], s["panel"]) for s in seen]
    return [p for i, p in enumerate(distinct) if i == 0 or p != distinct[i - 1]]


def _swipe(tab):
    tab.evaluate("""() => {
      const at = (x) => [new Touch({identifier: 1, target: document.body, clientX: x, clientY: 400})];
      document.body.dispatchEvent(new TouchEvent('touchstart', {touches: at(300), changedTouches: at(300), bubbles: true}));
      document.body.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: at(120), bubbles: true, cancelable: true}));
    }""")


def _expected(site: Path, story: str, scrolls: list[str]) -> list[tuple[str, str]]:
    return [(scroll, panel) for scroll in scrolls
            for panel in _panels(site / "stories" / story / scroll)]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_guided_view_reads_the_whole_story_by_keys_and_is_remembered(sites, request, size):
    tab = request.getfixturevalue(size)
    for name, story in (("horror", "late"), ("example", "frost-moon-legend")):
        scrolls = STORIES[(name, story)][0]
        _open(tab, sites[name] / "stories" / story / scrolls[0])
        if not _guided_state(tab)["guided"]:
            tab.keyboard.press("g")
        seen = _read_through(tab, lambda: tab.keyboard.press("ArrowRight"))
        assert seen == _expected(sites[name], story, scrolls), (name, size)
        assert seen[-1][1] == _story_panels(sites[name], story)[-1]
    # remembered: the next scroll opened starts in guided view, at its first panel
    _open(tab, sites["horror"] / "stories/late/scroll-2.html")
    state = _guided_state(tab)
    assert state["guided"] and state["panel"] == _panels(
        sites["horror"] / "stories/late/scroll-2.html")[0]
    tab.keyboard.press("ArrowLeft")  # back across the chapters: the last panel of the first
    page, panel = _expected(sites["horror"], "late", ["scroll-1.html"])[-1]
    # the page loads at its top, then guided view moves to that panel (later on a busy
    # machine): wait for it to arrive, as a reader would
    for _ in range(3):
        try:
            tab.wait_for_function(f"""() => location.pathname.endsWith('/{page}') &&
                document.querySelector('.panel.current')?.dataset.panel === '{panel}'""",
                                  timeout=10000)
            break
        except sync_api.Error:  # the old page's context, gone as the new one loads
            tab.wait_for_load_state("load")
    state = _guided_state(tab, guided=True)
    assert (state["page"], state["panel"]) == (page, panel)
    tab.keyboard.press("Escape")
    assert not _guided_state(tab)["guided"]


def test_guided_view_reads_the_whole_story_by_swipes(sites, phone):
    scrolls = STORIES[("horror", "late")][0]
    _open(phone, sites["horror"] / "stories/late" / scrolls[0])
    phone.locator(".guided-toggle").click()
    seen = _read_through(phone, lambda: _swipe(phone))
    assert seen == _expected(sites["horror"], "late", scrolls)


def _axe_source() -> str:
    axe = pytest.importorskip("axe_playwright_python", reason="axe-core comes with the test extra")
    return (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_scroll_contents_and_index_are_axe_clean_with_no_console_error(
        sites, request, size):
    tab = request.getfixturevalue(size)
    source = _axe_source()
    messages, failed, problems = [], [], []
    # axe reads the stylesheets by XMLHttpRequest, which file:// refuses, and its errors
    # may arrive after it has finished: the site itself makes no such request. A failed
    # load is told by `requestfailed` with its kind; the console's line for it is not
    tab.on("console", lambda m: m.type in ("error", "warning")
           and "XMLHttpRequest" not in m.text
           and not m.text.startswith("Failed to load resource") and messages.append(m.text))
    tab.on("requestfailed", lambda r: r.resource_type != "xhr" and failed.append(r.url))
    found = {}
    for site in sites.values():
        # the pages this module is about: the index, the contents pages and the scrolls
        # (test_reader.py reads every page of a vertical build)
        for path in sorted(site.glob("index.html")) + sorted(site.glob("stories/*/*.html")):
            if path.name.startswith("page-"):
                continue
            _open(tab, path)
            if "scroll" in path.name:
                _scroll_through(tab)
            problems += messages + failed
            tab.add_script_tag(content=source)
            violations = tab.evaluate("""async () => (await axe.run(document, {
                resultTypes: ['violations']})).violations.map(v => v.id + ': ' +
                v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))""")
            if violations:
                found[path.relative_to(site.parent).as_posix()] = violations
            del messages[:], failed[:]
    assert not found, found
    assert not problems, problems


def test_the_contents_page_has_a_thumbnail_per_scene_linking_to_where_it_starts(
        sites, desktop):
    for (name, story), (scrolls, scenes) in STORIES.items():
        site = sites[name]
        _open(desktop, site / "stories" / story / "index.html")
        items = desktop.evaluate("""() => [...document.querySelectorAll('.scene-list li a')]
            .map(a => { const i = a.querySelector('img');
              return {name: a.querySelector('.scene-name').textContent, href: a.getAttribute('href'),
                      alt: i.alt, src: i.getAttribute('src'), loaded: i.complete && i.naturalWidth > 0,
                      shape: [i.naturalWidth / i.naturalHeight, i.width / i.height]}; })""")
        assert [(i["name"], i["href"]) for i in items] == \
            [(scene, f"page-{page}.html") for scene, page in scenes]
        for item in items:
            assert item["loaded"] and abs(item["shape"][0] - item["shape"][1]) < 0.02, item
            # the thumbnail is the first panel of the page it links to, and says what it shows
            page = (site / "stories" / story / item["href"]).read_text(encoding="utf-8")
            first_alt = re.search(r'<figure class="panel".*?<img [^>]*alt="([^"]*)"', page,
                                  re.S).group(1)
            assert item["alt"] and item["alt"] == first_alt, (item, first_alt)
            thumb = site / "stories" / story / item["src"]
            assert thumb.stat().st_size < 40_000  # a small picture, not the panel's art
            with Image.open(thumb) as image:
                assert image.width <= 400
        links = desktop.evaluate("""() => [...document.querySelectorAll('.scroll-link a')]
            .map(a => a.getAttribute('href'))""")
        assert links == scrolls
        desktop.locator(".scene-list a").last.click()
        desktop.wait_for_load_state("load")
        assert desktop.url.endswith(items[-1]["href"])


def test_the_thumbnails_are_cut_once_and_kept(sites, tmp_path):
    root = sites["horror"].parent / "horror"
    kept = sorted((root / ".panelwright/thumbs").iterdir())
    assert kept
    stamps = {p: p.stat().st_mtime_ns for p in kept}
    (root / "stories/late.md").write_text(HORROR["stories/late.md"].replace(
        "summary: Mina hears", "summary: Mina alone hears"), encoding="utf-8")
    try:
        build(root, out=tmp_path / "again", jobs=2)
    finally:
        (root / "stories/late.md").write_text(HORROR["stories/late.md"], encoding="utf-8")
    assert {p: p.stat().st_mtime_ns for p in kept} == stamps
    assert "Mina alone hears" in (tmp_path / "again/stories/late/index.html").read_text(
        encoding="utf-8")


def test_on_a_phone_the_vertical_index_shows_the_title_above_the_fold(sites, phone):
    for site in sites.values():
        _open(phone, site / "index.html")
        seen = phone.evaluate("""() => { const card = document.querySelector('.story-card');
            const img = card.querySelector('img').getBoundingClientRect();
            const title = card.querySelector('h2').getBoundingClientRect();
            return {title: title.bottom, cover: img.height, width: img.width,
                    link: card.querySelector('.scroll-link a').getAttribute('href')}; }""")
        assert seen["title"] <= 844, seen
        assert seen["cover"] <= seen["width"] + 1, seen  # a crop, not a page three screens tall
        _open(phone, site / seen["link"])
        assert phone.locator(".comic-page.scroll .panel").count() > 0


def test_each_scene_page_links_to_its_place_in_the_scroll(sites, phone):
    site = sites["horror"]
    page = site / "stories/late/page-2.html"  # the second half of the first scene
    _open(phone, page)
    href = phone.locator(".scroll-link a").get_attribute("href")
    assert href == "scroll-1.html#page-2"
    phone.locator(".scroll-link a").click()
    phone.wait_for_load_state("load")
    phone.wait_for_timeout(100)
    first = phone.evaluate("""() => {
        const panels = [...document.querySelectorAll('.comic-page .panel')];
        const top = panels.filter(p => p.getBoundingClientRect().bottom > 1)[0];
        return top.dataset.panel; }""")
    assert first == _panels(page)[0]


def test_the_cast_page_links_first_appearances_and_every_story(sites, desktop):
    site = sites["horror"]
    _open(desktop, site / "characters/grey.html")
    links = desktop.evaluate("""() => [...document.querySelectorAll('.roles a')]
        .map(a => a.getAttribute('href'))""")
    assert links == ["../stories/late/index.html", "../stories/late/page-3.html"]
    assert "Mr. Grey" in (site / "stories/late/page-3.html").read_text(encoding="utf-8")
    _open(desktop, site / "characters/mina.html")
    stories = desktop.evaluate("""() => [...document.querySelectorAll('.roles li')]
        .map(li => li.querySelector('a').textContent)""")
    assert stories == ["Late Bell", "Open House"]
