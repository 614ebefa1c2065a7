"""Panel-drawing benchmark: how long the procedural engine takes to draw a panel,
next to how long Pillow alone takes to encode the same picture (the floor).

    python benchmarks/panels.py [--project projects/frost-moon] [--repeat 5] [--places]

Every panel of the example is redrawn at 1024×768 (its own camera, cast and
scene); for each, the median of --repeat runs of drawing and of encoding as PNG.
Ends with `ratio=X`: (draw + encode) / encode alone, the median over panels.
With --places, the example's first panel is redrawn instead in every place and era
the engine knows (a wide shot, its cast), so a costly set cannot hide.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from pathlib import Path

from pipeline.art import request_for
from pipeline.engines.procedural import ProceduralImageEngine
from pipeline.format.camera import Shot
from pipeline.format.model import Era, Place, SceneCard
from pipeline.plan import plan
from pipeline.project import prepare
from pipeline.specs import Camera
from pipeline.story.nodes import write_nodes


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def encode(image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path,
                        default=Path(__file__).parent.parent / "projects" / "frost-moon")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--places", action="store_true",
                        help="time every place in every era instead of the example's panels")
    args = parser.parse_args()
    project = prepare(args.project)
    engine = ProceduralImageEngine()
    requests = []
    for story_plan in plan(project, write_nodes(project)):
        for spec in story_plan.panels:
            request = request_for(project, spec.model_copy(update={"width": 1024,
                                                                    "height": 768}))
            requests.append((spec.id, spec.camera.shot.value, request))
    if args.places:
        _, _, first = requests[0]
        first.spec = first.spec.model_copy(update={"camera": Camera(shot=Shot.wide_shot)})
        requests = []
        for place in Place:
            for era in Era:
                scene = SceneCard(id=f"{place.value}-{era.value}", name=place.value,
                                  place=place, era=era)
                requests.append((scene.id, "wide_shot", first.model_copy(update={
                    "scene": scene, "spec": first.spec.model_copy(update={"scene": scene.id})})))
    rows = []
    for name, shot, request in requests:
        engine.draw(request)  # warm the per-process caches (decoded avatars, anchors)
        drawn = engine.draw(request).image
        draw = median_time(lambda: engine.draw(request), args.repeat)
        floor = median_time(lambda: encode(drawn), args.repeat)
        rows.append((name, shot, draw, floor))
    print(f"{'panel':44} {'shot':18} {'draw ms':>8} {'encode ms':>9} {'ratio':>6}")
    for panel, shot, draw, floor in rows:
        print(f"{panel:44} {shot:18} {draw * 1e3:8.1f} {floor * 1e3:9.1f} "
              f"{(draw + floor) / floor:6.2f}")
    draw = statistics.median(r[2] for r in rows)
    floor = statistics.median(r[3] for r in rows)
    ratio = statistics.median((r[2] + r[3]) / r[3] for r in rows)
    worst = max(rows, key=lambda r: (r[2] + r[3]) / r[3])
    print(f"median draw {draw * 1e3:.1f} ms, encode {floor * 1e3:.1f} ms "
          f"(Pillow alone: the floor), {len(rows)} panels at 1024x768; slowest "
          f"{worst[0]} at {(worst[2] + worst[3]) / worst[3]:.2f}")
    print(f"ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
