"""Live-reload benchmark: from saving a one-line dialogue change in the example to the
open Chromium tab showing the new words.

    python benchmarks/serve.py [--repeat 7]

Runs `panelwright serve` on a copy of `projects/frost-moon` as a user does (a separate
process, port 0), opens the first comic page in Debian's chromium (as the tests do,
tests/browser_support.py), waits for the first build, then repeatedly rewrites Lin
Shuang's line with a new word and times until the tab, reloaded by the server-sent
event, shows it. Before each save it waits until the server is idle (its CPU time
stands still for half a second: the smaller picture copies `serve` makes after a
build are done), as a writer's save finds it. The figure is the median; the builds'
own times come from the server's lines; the load average is printed before and
after. Ends with key=value lines.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from browser_support import launched  # noqa: E402

EXAMPLE = HERE.parent / "projects" / "frost-moon"
STORY = "stories/frost-moon-legend.md"
LINE = "LIN SHUANG: I know the rules, Captain. You taught them to me."
PAGE = "stories/frost-moon-legend/page-2.html"


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used so far (user and system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle(pid: int, still: float = 0.5, limit: float = 120) -> None:
    """Wait until the process has used no CPU for `still` seconds."""
    deadline = time.monotonic() + limit
    last = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(still)
        now = cpu_seconds(pid)
        if now - last < 0.02:
            return
        last = now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from playwright import sync_api

    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    work = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    repo = work / "frost-moon"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("_site", ".panelwright"))
    story = repo / STORY
    original = story.read_text(encoding="utf-8")
    assert LINE in original
    child = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", str(repo), "--port",
                              "0"], stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ, PYTHONUNBUFFERED="1"))
    lines: list[str] = []
    first = threading.Event()

    def read() -> None:
        for line in child.stdout:
            lines.append(line.rstrip())
            if " build 1:" in line:
                first.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        while not lines:
            time.sleep(0.05)
        url = re.search(r"http://\S+/", lines[0]).group(0)
        started = time.perf_counter()
        first.wait(600)
        print(f"first build (art drawn cold): {time.perf_counter() - started:.1f} s")
        shown: list[float] = []
        for browser in launched(sync_api):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url + PAGE)
            for n in range(args.repeat):
                word = f"rules{n}x"
                page.wait_for_load_state("load")
                idle(child.pid)  # the server idle; the tab too, its event stream open
                saved = time.perf_counter()
                story.write_text(original.replace("the rules", f"the {word}"), encoding="utf-8")
                page.wait_for_function(f"document.documentElement.outerHTML.includes('{word}')",
                                       timeout=30000, polling=10)
                shown.append(time.perf_counter() - saved)
                print(f"save {n + 1}: shown after {shown[-1]:.2f} s")
    finally:
        child.send_signal(signal.SIGINT)
        child.wait(60)
        print("\n".join(lines[1:]))  # the server's lines: one per build
        shutil.rmtree(work, ignore_errors=True)
    builds = [float(m.group(1)) for line in lines[2:]
              if (m := re.search(r"in (\d+\.\d+) s$", line))]
    median = statistics.median(shown)
    print(f"save to page shown, median of {len(shown)}: {median:.2f} s "
          f"(min {min(shown):.2f}, max {max(shown):.2f}); target 1 s")
    if builds:
        print(f"the server's build, median: {statistics.median(builds):.2f} s")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"save_to_shown_seconds={median:.2f}")
    print(f"build_seconds={statistics.median(builds) if builds else 0:.2f}")


if __name__ == "__main__":
    main()
