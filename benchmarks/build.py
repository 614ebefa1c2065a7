"""Build-speed benchmark: cold builds on 1 and all cores, a no-op rebuild, and
rebuilds after a dialogue edit and a description edit.

    python benchmarks/build.py [--panels 400] [--repeat 3]

Each figure is the median wall time of running `panelwright build --json` as a
user would (Python start-up included), with the package's bytecode compiled as it is
after a first run (compiled here first, so that PYTHONDONTWRITEBYTECODE, set on some
machines, does not add compiling the package to every run). Ends with key=value lines.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_repo import make  # noqa: E402

EXE = [sys.executable, "-m", "pipeline"]


def run(repo: Path, *args: str) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run([*EXE, "build", str(repo), "--json", *args], check=True,
                          capture_output=True, text=True)
    return time.perf_counter() - started, json.loads(done.stdout)


def clean(repo: Path) -> None:
    for name in (".panelwright", "_site"):
        shutil.rmtree(repo / name, ignore_errors=True)


def edit(path: Path, pattern: str, replace: str) -> None:
    text = path.read_text()
    new, count = re.subn(pattern, replace, text, count=1, flags=re.M)
    assert count == 1, pattern
    path.write_text(new)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each rebuild")
    parser.add_argument("--rebuilds-only", action="store_true",
                        help="one cold build (every core) to fill the cache, then time only "
                        "the rebuilds (no-op, dialogue and description edits)")
    args = parser.parse_args()
    import pipeline
    compileall.compile_dir(Path(pipeline.__file__).parent, quiet=1)
    cores = len(os.sched_getaffinity(0))
    per_page, stories = 4, 4
    pages = max(1, round(args.panels / per_page / stories))
    work = Path(tempfile.mkdtemp(prefix="panelwright-bench-"))
    repo = work / "repo"
    total = make(repo, stories, pages, per_page)
    print(f"repo: {stories} stories x {pages} pages x {per_page} panels = {total} panels; "
          f"{cores} cores")

    cold_1 = float("nan")
    if not args.rebuilds_only:
        clean(repo)
        cold_1, report = run(repo, "--jobs", "1")
        assert report["panels_drawn"] == total
        print(f"cold build, 1 job:     {cold_1:7.2f} s  {total / cold_1:6.1f} panels/s")
    clean(repo)
    cold_n, report = run(repo, "--jobs", str(cores))
    print(f"cold build, {cores} jobs:    {cold_n:7.2f} s  {total / cold_n:6.1f} panels/s  "
          f"speedup {cold_1 / cold_n:.2f}x")

    noop = statistics.median(run(repo)[0] for _ in range(args.repeat))
    print(f"no-op rebuild:         {noop:7.2f} s")

    story = repo / "stories" / "story-1.md"
    dialogue, redrawn_d = [], []
    for i in range(args.repeat):
        edit(story, r"^(ADA VOSS|BRAM ODUYA|CLEO MARSH|DOV REYES): (.*)$",
             rf"\1: \2 Edit {i}.")
        seconds, report = run(repo)
        dialogue.append(seconds)
        redrawn_d.append(report["panels_drawn"])
    print(f"dialogue edit rebuild: {statistics.median(dialogue):7.2f} s  "
          f"redrawn {redrawn_d[-1]}, lettered {report['panels_lettered']}")

    description, redrawn_e = [], []
    for i in range(args.repeat):
        edit(story, r"^(\[\w+\] )?(Panel 0-0-1: .*)$", rf"\1\2 Changed {i}.")
        seconds, report = run(repo)
        description.append(seconds)
        redrawn_e.append(report["panels_drawn"])
    print(f"description edit:      {statistics.median(description):7.2f} s  "
          f"redrawn {redrawn_e[-1]}")
    shutil.rmtree(work, ignore_errors=True)

    print(f"cold_seconds_1_job={cold_1:.2f}")
    print(f"cold_seconds_all_jobs={cold_n:.2f}")
    print(f"speedup={cold_1 / cold_n:.2f}")
    print(f"noop_seconds={noop:.2f}")
    print(f"dialogue_edit_seconds={statistics.median(dialogue):.2f}")
    print(f"dialogue_edit_redrawn={max(redrawn_d)}")
    print(f"description_edit_seconds={statistics.median(description):.2f}")
    print(f"description_edit_redrawn={max(redrawn_e)}")


if __name__ == "__main__":
    main()
