"""Debian's chromium driven by Playwright, for the tests that read the site in a real
browser (test_browser.py, test_reader.py). Playwright never downloads a browser here:
.ci/run installs Debian's when it is missing. The flags keep it off the network."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=3, has_touch=True,
             is_mobile=True)
DESKTOP = dict(viewport={"width": 1280, "height": 900})
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def require_browser():
    """Playwright's sync API, or skip the calling module when chromium is not installed."""
    if not CHROMIUM.exists():  # pragma: no cover - CI installs it (.ci/run)
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run "
                    "does)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")


def launched(sync_api):
    """A module's browser: yield from it in a fixture."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def opened(browser, settings: dict):
    """A page in a context of its own (`PHONE`, `DESKTOP`): yield from it in a fixture."""
    context = browser.new_context(**settings)
    yield context.new_page()
    context.close()
