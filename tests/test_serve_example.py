"""`panelwright serve` on the example project (issue #20 asks for it on the example as well
as on an unseen one, which tests/test_serve.py drives): a real Chromium tab stays open on
the served comic while the test saves files in a copy of projects/frost-moon.

- a dialogue edit reloads the open page in place, with the new words;
- a save that breaks the outline shows its problem over the last good page, and the fix
  clears it;
- a burst of 20 saves gives one or two builds.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser_support import launched, require_browser

from pipeline.serve.server import LiveServer

sync_api = require_browser()

EXAMPLE = Path(__file__).resolve().parent.parent / "projects" / "frost-moon"
STORY = "stories/frost-moon-legend.md"
LINE = "I know the rules, Captain."


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("serve-example") / "frost-moon"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(
        "_site", ".panelwright", "_export", "__pycache__"))
    return root


@pytest.fixture(scope="module")
def server(project):
    live = LiveServer(project, port=0).start()
    first = live.wait_first_build(300)
    assert first is not None and first.ok, first and first.problems
    yield live
    live.stop()


@pytest.fixture(scope="module")
def tab(server):
    for browser in launched(sync_api):
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        yield page
        page.close()


def _page_with(server, words: str) -> str:
    """The story page that shows `words`, as the served site has it."""
    for page in sorted((server.out / "stories").rglob("page-*.html")):
        if words in page.read_text(encoding="utf-8"):
            return page.relative_to(server.out).as_posix()
    raise AssertionError(f"no page says {words!r}")


def _shows(words: str) -> str:
    # asked again while the reload is under way: the new document may have no body yet
    return f"(document.body && document.body.innerText || '').includes({words!r})"


def test_a_dialogue_edit_reloads_the_open_page_in_place(server, project, tab):
    path = _page_with(server, LINE)
    tab.goto(server.url + path)
    tab.evaluate("window.__before = true")
    before = server.wait_idle()
    story = project / STORY
    story.write_text(story.read_text(encoding="utf-8").replace(
        LINE, "I remember the rules, Captain."), encoding="utf-8")
    tab.wait_for_function(_shows("I remember the rules, Captain."), timeout=30000)
    assert tab.evaluate("window.__before") is None  # reloaded, not patched
    assert tab.url.endswith(path)
    assert server.wait_idle() >= before + 1
    outcome = server.outcomes[-1]
    assert outcome.ok and outcome.changed == [STORY]
    assert outcome.report.panels_drawn == 0  # words never redraw art


def test_a_broken_outline_shows_its_problem_and_the_fix_clears_it(server, project, tab):
    tab.goto(server.url + _page_with(server, "The gate is closed at dusk!"))
    story = project / STORY
    good = story.read_text(encoding="utf-8")
    story.write_text(good.replace("[close_up, low_angle]", "[close_up, low_angel]", 1),
                     encoding="utf-8")
    overlay = tab.locator("#panelwright-problems")
    overlay.wait_for(timeout=30000)
    text = overlay.inner_text()
    line = good[:good.index("[close_up, low_angle]")].count("\n") + 1
    assert re.search(rf"{re.escape(STORY)}:{line}\b", text), text
    assert "low_angel" in text and "hint:" in text
    assert tab.locator("main").is_visible()  # the last good page, beneath
    story.write_text(good, encoding="utf-8")
    overlay.wait_for(state="detached", timeout=30000)
    # the page reloaded with the fix: its balloons are there again
    tab.wait_for_function(_shows("The gate is closed at dusk!"), timeout=30000)


def test_a_burst_of_saves_gives_one_or_two_builds(server, project):
    before = server.wait_idle()
    story = project / STORY
    text = story.read_text(encoding="utf-8")
    for n in range(20):
        story.write_text(text.replace("Not even the cold.", f"Not even the cold {n}."),
                         encoding="utf-8")
    after = server.wait_idle()
    assert after - before in (1, 2), (after - before, [o.changed for o in server.outcomes])
    _page_with(server, "Not even the cold 19.")  # the last save is the one built
