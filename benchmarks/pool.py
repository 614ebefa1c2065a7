"""Pool benchmark: the art stage drawing on stand-in GPU servers, one or a pool, with
a server killed in the middle.

    python benchmarks/pool.py [--panels 400] [--repeat 3] [--seconds 0.5] [--slots 8]
                              [--failure-rate 0] [--build] [--whole]

The stand-ins (tests/servers/gpu.py: AUTOMATIC1111's API, a fixed number of slots,
a fixed time per image, an optional failure rate) run in a process of their own, so
that the build's threads and the servers' do not share one interpreter. Each figure
is the median wall time of the art stage (`draw_art`, cache empty) against the
servers' own time, panels × seconds / slots. `--whole` times whole cold builds instead
(art, lettering and pages overlapping, then the site), which is what the issue's
targets are about. `--build` also times one whole build on the single server with the
moment each stage finished, to show what the other stages add after the last panel.
Ends with key=value lines.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from make_repo import make  # noqa: E402


def serve(count: int, slots: int, seconds: float, failure_rate: float, pipe) -> None:
    """The child process: `count` stand-in servers; "kill N" kills one, "stop" ends."""
    from servers.gpu import GPUServer

    servers = [GPUServer(slots=slots, seconds=seconds, failure_rate=failure_rate,
                         lifetime=3600, seed=i) for i in range(count)]
    pipe.send([s.url for s in servers])
    while True:
        command = pipe.recv()
        if command == "stop":
            pipe.send([s.drawn for s in servers])
            for server in servers:
                if not server.stopped.is_set():
                    server.stop()
            return
        servers[int(command.split()[1])].kill()


class Servers:
    def __init__(self, count: int, args: argparse.Namespace):
        self.pipe, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(
            target=serve, args=(count, args.slots, args.seconds, args.failure_rate, child))
        self.process.start()
        self.urls: list[str] = self.pipe.recv()

    def kill(self, index: int) -> None:
        self.pipe.send(f"kill {index}")

    def stop(self) -> list[int]:
        self.pipe.send("stop")
        drawn = self.pipe.recv()
        self.process.join(10)
        return drawn


def configure(repo: Path, urls: list[str], slots: int) -> None:
    config = repo / "panelwright.yaml"
    data = yaml.safe_load(config.read_text())
    data["engines"] = {"image": "automatic1111", "image_settings": {
        "servers": [{"base_url": u, "max_in_flight": slots} for u in urls],
        "use_references": False, "backoff": 0.5, "max_wait": 8, "timeout": 30}}
    config.write_text(yaml.safe_dump(data))


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the build's workers)."""
    own, ended = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime


def draw_once(repo: Path, count: int, args: argparse.Namespace, kill_at: float | None
              ) -> tuple[float, int, list[int], float]:
    """One cold art stage (or whole build, `--whole`) on `count` fresh servers: wall
    seconds, panels, drawn by each, and the CPU seconds the build used (the servers'
    process not included)."""
    from pipeline.art import draw_art
    from pipeline.build import build, ready
    from pipeline.engines.pool import forget_pools
    from pipeline.plan import plan
    from pipeline.story.nodes import write_nodes

    servers = Servers(count, args)
    try:
        configure(repo, servers.urls, args.slots)
        for name in (".panelwright", "_site"):
            shutil.rmtree(repo / name, ignore_errors=True)
        forget_pools()
        project = ready(repo)
        panels = [p for sp in plan(project, write_nodes(project)) for p in sp.panels]
        timer = None
        if kill_at is not None:
            import threading
            timer = threading.Timer(kill_at, servers.kill, args=(0,))
        started, cpu = time.perf_counter(), cpu_seconds()
        if timer:
            timer.start()
        if args.whole:
            assert build(repo, jobs=2).panels_drawn == len(panels)
        else:
            assert len(draw_art(project, panels, jobs=2)) == len(panels)
        wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    finally:
        drawn = servers.stop()
    return wall, len(panels), drawn, cpu


def whole_build(repo: Path, args: argparse.Namespace) -> dict[str, float]:
    """One cold build on one server: when the last panel was drawn, and the end."""
    from pipeline.build import build
    from pipeline.engines.pool import forget_pools

    servers = Servers(1, args)
    marks: dict[str, float] = {}
    try:
        configure(repo, servers.urls, args.slots)
        for name in (".panelwright", "_site"):
            shutil.rmtree(repo / name, ignore_errors=True)
        forget_pools()
        started = time.perf_counter()

        def progress(stage: str, done: int, total: int) -> None:
            marks[stage] = time.perf_counter() - started
        build(repo, jobs=2, progress=progress)
        marks["total"] = time.perf_counter() - started
    finally:
        servers.stop()
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=400, help="a multiple of 16")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=0.5, help="per image")
    parser.add_argument("--slots", type=int, default=8, help="per server")
    parser.add_argument("--failure-rate", type=float, default=0.0)
    parser.add_argument("--build", action="store_true", help="also time one whole build")
    parser.add_argument("--whole", action="store_true",
                        help="time whole builds, not the art stage alone")
    parser.add_argument("--only", nargs="+", default=["floor", "one", "pool4", "pool4_kill"],
                        help="the figures to measure (floor one pool4 pool4_kill)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pw-pool-"))
    repo = work / "repo"
    total = make(repo, stories=4, pages=max(1, args.panels // 16), panels=4)
    per_image = args.seconds / args.slots
    cores = len(os.sched_getaffinity(0))
    results: dict[str, str] = {"panels": str(total), "timed": "build" if args.whole else "art",
                               "load_before": f"{os.getloadavg()[0]:.1f}"}
    try:
        # the build's own work per panel (fitting the picture, encoding it, the cache):
        # servers that answer at once, so the art stage can go no faster than this
        if "floor" in args.only:
            fast = argparse.Namespace(**{**vars(args), "seconds": 0.0, "slots": 32})
            runs = [draw_once(repo, 1, fast, None) for _ in range(args.repeat)]
            floor = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[3] for r in runs)
            print(f"floor: servers answering at once, median {floor:.2f} s "
                  f"({floor / total * 1000:.0f} ms of wall time a panel), CPU {cpu:.1f} s "
                  f"({cpu / total * 1000:.0f} ms a panel: at least {cpu / cores:.1f} s on "
                  f"{cores} idle cores)", flush=True)
            results["floor_s"] = f"{floor:.2f}"
            results["floor_cpu_ms_per_panel"] = f"{cpu / total * 1000:.0f}"
        pool_wall = None
        for label, count, kill in (("one", 1, False), ("pool4", 4, False),
                                   ("pool4_kill", 4, True)):
            if label not in args.only:
                continue
            ideal = total * per_image / count
            # killed in the middle of the run as measured (else of the ideal run)
            kill_at = (pool_wall or ideal) / 2 if kill else None
            runs = [draw_once(repo, count, args, kill_at) for _ in range(args.repeat)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[3] for r in runs)
            if kill:  # the ideal of the servers that remain: all panels on them
                ideal, target = total * per_image / (count - 1), 1.5
            else:
                target = 1.15
            if label == "pool4":
                pool_wall = wall
            print(f"{label}: {count} server(s), median {wall:.2f} s over {args.repeat} "
                  f"(runs {', '.join(f'{r[0]:.2f}' for r in runs)}), ideal {ideal:.2f} s, "
                  f"ratio {wall / ideal:.3f} (target <= {target}); drawn per server "
                  f"{runs[-1][2]}" + (f", the first killed at {kill_at:.2f} s" if kill else "")
                  + f"; CPU {cpu:.1f} s, {cpu / total * 1000:.0f} ms a panel", flush=True)
            results[f"{label}_cpu_s"] = f"{cpu:.1f}"
            results[f"{label}_median_s"] = f"{wall:.2f}"
            results[f"{label}_ratio"] = f"{wall / ideal:.3f}"
        if args.build:
            marks = whole_build(repo, args)
            print("whole build on one server: " + ", ".join(
                f"{k} done at {v:.2f} s" for k, v in marks.items()), flush=True)
            results.update({f"build_{k}_s": f"{v:.2f}" for k, v in marks.items()})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["load_after"] = f"{os.getloadavg()[0]:.1f}"
    for key, value in results.items():
        print(f"{key}={value}")


if __name__ == "__main__":
    main()
