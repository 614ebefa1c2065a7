"""Ray's overhead made visible: cold builds of a synthetic repo with the procedural engine
on a local Ray cluster of 2 workers (`executor: ray`) against `--jobs 2` on this machine.

    python benchmarks/ray.py [--panels 48] [--repeat 3]

Needs `pip install 'panelwright[ray]'`. The cluster is started once (its start-up is
timed apart: a build with `--executor ray` pays it every time, a running cluster does
not); then, after one unmeasured warm-up build of each kind, cold builds (cache empty)
alternate between the two so that the machine's load weighs on both alike. Each build
runs in this process (`pipeline.build.build`), so the figures are the builds' own, not
Python's start-up. Each build's site is compared byte for byte with the first local
one. Ends with key=value lines (medians; the load average at the start and the end).
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This file is named ray.py: its folder must not be on the path where `import ray` (and
# Ray's workers, which get the driver's path) would find it before the real Ray.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
_spec = importlib.util.spec_from_file_location("make_repo", HERE / "make_repo.py")
_make_repo = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_make_repo)
make = _make_repo.make


def same_site(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    if names != sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file()):
        return False
    return all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=48, help="panels (4 a page, 2 stories)")
    parser.add_argument("--repeat", type=int, default=3, help="measured builds of each kind")
    parser.add_argument("--workers", type=int, default=2, help="Ray workers and local jobs")
    args = parser.parse_args()

    import ray

    from pipeline.build import build

    work = Path(tempfile.mkdtemp(prefix="panelwright-ray-bench-"))
    pages = max(1, round(args.panels / 4 / 2))
    repo = work / "repo"
    total = make(repo, 2, pages, 4)
    load_start = os.getloadavg()
    print(f"repo: 2 stories x {pages} pages x 4 panels = {total} panels; "
          f"load average {load_start[0]:.1f} {load_start[1]:.1f} {load_start[2]:.1f}")

    started = time.perf_counter()
    ray.init(address="local", num_cpus=args.workers, include_dashboard=False,
             log_to_driver=False)
    startup = time.perf_counter() - started
    print(f"cluster start ({args.workers} CPUs): {startup:6.2f} s")

    reference = work / "reference"
    times: dict[str, list[float]] = {"local": [], "ray": []}

    def once(kind: str, out: Path) -> float:
        for name in (".panelwright", "_site"):
            shutil.rmtree(repo / name, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        began = time.perf_counter()
        report = build(repo, out=out, jobs=args.workers,
                       executor="ray" if kind == "ray" else "local")
        seconds = time.perf_counter() - began
        assert report.panels_drawn == total, report
        return seconds

    try:
        once("local", reference)  # warm-up: the package imported, the fonts found
        once("ray", work / "warm")  # warm-up: the workers started and their imports done
        assert same_site(reference, work / "warm"), "the Ray build differs from the local one"
        for i in range(args.repeat):
            for kind in ("local", "ray"):
                seconds = once(kind, work / f"{kind}-{i}")
                assert same_site(reference, work / f"{kind}-{i}"), f"{kind} build {i} differs"
                times[kind].append(seconds)
                print(f"{kind:5} build {i + 1}: {seconds:6.2f} s  "
                      f"(load {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        ray.shutdown()
        shutil.rmtree(work, ignore_errors=True)

    local, on_ray = statistics.median(times["local"]), statistics.median(times["ray"])
    load_end = os.getloadavg()
    print(f"median local --jobs {args.workers}: {local:6.2f} s   "
          f"median Ray, {args.workers} workers: {on_ray:6.2f} s   "
          f"ratio {on_ray / local:.2f} (target <= 1.3)")
    print(f"panels={total}")
    print(f"cluster_start_seconds={startup:.2f}")
    print(f"local_seconds={local:.2f}")
    print(f"ray_seconds={on_ray:.2f}")
    print(f"ratio={on_ray / local:.2f}")
    print(f"local_runs={' '.join(f'{t:.2f}' for t in times['local'])}")
    print(f"ray_runs={' '.join(f'{t:.2f}' for t in times['ray'])}")
    print(f"load_start={load_start[0]:.1f} load_end={load_end[0]:.1f}")


if __name__ == "__main__":
    main()
