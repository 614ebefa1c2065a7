"""Lighthouse (mobile) on the example's site: a reader page, a character page, the index.

    python benchmarks/lighthouse.py [--site DIR] [--lighthouse DIR] [--runs 3]

Builds projects/frost-moon (into a temp folder) unless --site names a built site,
serves it with `python -m http.server` on 127.0.0.1, and runs npm `lighthouse` (installed
into a temp folder, or the folder --lighthouse names, which is kept for the next run)
with Debian's chromium (CHROME_PATH=/usr/bin/chromium), performance only, Lighthouse's
default mobile settings (a Moto G Power on slow 4G, CPU slowed 4×). Prints each page's
performance score, largest contentful paint, layout shift, blocking time and bytes (medians of --runs),
and the machine's load average, which moves the scores on a shared machine.

Not part of CI: it installs from npm and takes a minute or two.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROME = "/usr/bin/chromium"
PAGES = {"reader": "stories/frost-moon-legend/page-1.html",
         "character": "characters/lin-shuang.html", "index": "index.html"}
TARGETS = "performance >= 95 on the reader page; layout shift < 0.1 on every page"


def install(folder: Path) -> Path:
    """npm lighthouse in `folder` (installed once); its command."""
    command = folder / "node_modules/.bin/lighthouse"
    if not command.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund",
                        "--silent", "lighthouse@12"], check=True)
    return command


def built_example(into: Path) -> Path:
    project = into / "frost-moon"
    shutil.copytree(ROOT / "projects/frost-moon", project,
                    ignore=shutil.ignore_patterns(".panelwright", "_site"))
    subprocess.run([sys.executable, "-m", "pipeline", "build", str(project), "--out",
                    str(into / "site")], check=True, capture_output=True)
    return into / "site"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def audit(command: Path, url: str, out: Path) -> dict:
    subprocess.run([str(command), url, "--only-categories=performance", "--output=json",
                    f"--output-path={out}", "--quiet",
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
                   check=True, env={**os.environ, "CHROME_PATH": CHROME})
    report = json.loads(out.read_text())
    audits = report["audits"]
    return dict(score=round(100 * report["categories"]["performance"]["score"]),
                lcp=audits["largest-contentful-paint"]["numericValue"] / 1000,
                cls=audits["cumulative-layout-shift"]["numericValue"],
                tbt=audits["total-blocking-time"]["numericValue"],
                kib=audits["total-byte-weight"]["numericValue"] / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build the example)")
    parser.add_argument("--lighthouse", type=Path, help="folder to install lighthouse in")
    parser.add_argument("--runs", type=int, default=3, help="runs per page (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as temp:
        temp = Path(temp)
        command = install(args.lighthouse or temp / "npm")
        site = args.site or built_example(temp)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                                   "127.0.0.1", "--directory", str(site)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            print(f"load average before: {os.getloadavg()[0]:.2f}")
            for name, page in PAGES.items():
                runs = [audit(command, f"http://127.0.0.1:{port}/{page}", temp / "r.json")
                        for _ in range(args.runs)]
                median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                print(f"{name:9} performance {median['score']:.0f}  LCP {median['lcp']:.2f} s  "
                      f"CLS {median['cls']:.3f}  TBT {median['tbt']:.0f} ms  {median['kib']:.0f} KiB  "
                      f"(scores {[r['score'] for r in runs]}; {page})")
            print(f"load average after: {os.getloadavg()[0]:.2f}")
            print(f"targets: {TARGETS}")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
