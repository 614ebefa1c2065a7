"""Make a synthetic story repo of any size, for benchmarks: stories × pages × panels.

    python benchmarks/make_repo.py OUT --stories 4 --pages 25 --panels 4

Several characters (with avatars), scenes and dialogue, written so that every
panel differs; the same arguments always make the same files.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
from pathlib import Path

from PIL import Image, ImageDraw

CHARACTERS = [("Ada Voss", "#2b2d42", "#8d99ae", "#ef233c"),
              ("Bram Oduya", "#3d2c2e", "#588157", "#dda15e"),
              ("Cleo Marsh", "#e0c097", "#5c3d2e", "#b85c38"),
              ("Dov Reyes", "#111111", "#3a506b", "#5bc0be")]
SCENES = [("harbour", "The Harbour", "shore", "dawn", "fog"),
          ("market", "The Night Market", "street", "night", "rain"),
          ("pass", "The High Pass", "mountains", "day", "snow"),
          ("library", "The Old Library", "interior", "dusk", "clear")]
SHOTS = ["wide_shot", "medium_shot", "close_up", "full_shot", "medium_close_up",
         "over_the_shoulder", ""]
WORDS = ("the tide turns slowly while the lamps go out one by one and nobody "
         "remembers who first said the map was wrong").split()


def avatar(hair: str, outfit: str, accent: str) -> bytes:
    image = Image.new("RGB", (384, 384), "#e8e4dc")
    d = ImageDraw.Draw(image)
    d.ellipse([80, 260, 304, 480], fill=outfit)
    d.ellipse([112, 70, 272, 250], fill=hair)
    d.ellipse([128, 92, 256, 250], fill="#efd2b8")
    d.rectangle([80, 360, 304, 372], fill=accent)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def sentence(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count)).capitalize() + "."


def make(out: Path, stories: int, pages: int, panels: int) -> int:
    if out.exists():
        shutil.rmtree(out)
    (out / "characters").mkdir(parents=True)
    (out / "worlds").mkdir()
    (out / "styles" / "anchors").mkdir(parents=True)
    (out / "stories").mkdir()
    (out / "panelwright.yaml").write_text("title: Benchmark Comic\nstyle: bench\n")
    ids = []
    for name, hair, outfit, accent in CHARACTERS:
        cid = name.lower().replace(" ", "-")
        ids.append((cid, name))
        (out / "characters" / f"{cid}.md").write_text(
            f"---\nname: {name}\navatar: {cid}.png\ncolours:\n  hair: \"{hair}\"\n"
            f"  outfit: \"{outfit}\"\n  accent: \"{accent}\"\n---\nA benchmark character.\n")
        (out / "characters" / f"{cid}.png").write_bytes(avatar(hair, outfit, accent))
    scenes = "".join(
        f"  - id: {sid}\n    name: {name}\n    place: {place}\n    time_of_day: {tod}\n"
        f"    weather: {weather}\n" for sid, name, place, tod, weather in SCENES)
    (out / "worlds" / "port.yaml").write_text(f"name: Port\nscenes:\n{scenes}")
    anchor = Image.linear_gradient("L").resize((256, 192)).convert("RGB")
    buffer = io.BytesIO()
    anchor.save(buffer, "PNG")
    (out / "styles" / "anchors" / "bench.png").write_bytes(buffer.getvalue())
    (out / "styles" / "bench.yaml").write_text(
        "name: Bench\nanchors: [anchors/bench.png]\ntreatment: ink\n")
    total = 0
    for s in range(stories):
        rng = random.Random(s)
        lines = [f"---\ntitle: Story {s + 1}\nworld: port\n---\n"]
        for p in range(pages):
            if p:
                lines.append("---\n")
            sid = SCENES[(s + p) % len(SCENES)][0]
            if p % 2 == 0:
                lines.append(f"## {sid}\n")
            for n in range(panels):
                shot = rng.choice(SHOTS)
                tag = f"[{shot}] " if shot else ""
                a, b = rng.sample(ids, 2)
                lines.append(f"{tag}Panel {s}-{p}-{n}: {a[1]} and {b[1]}. "
                             f"{sentence(rng, 8)}\n")
                lines.append(f"{a[1].upper()}: {sentence(rng, rng.randint(3, 12))}\n")
                if rng.random() < 0.5:
                    lines.append(f"{b[1].upper()}: {sentence(rng, rng.randint(3, 9))}\n")
                total += 1
        (out / "stories" / f"story-{s + 1}.md").write_text("\n".join(lines))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--stories", type=int, default=4)
    parser.add_argument("--pages", type=int, default=25)
    parser.add_argument("--panels", type=int, default=4, help="panels per page")
    args = parser.parse_args()
    total = make(args.out, args.stories, args.pages, args.panels)
    print(f"wrote {args.out}: {args.stories} stories, {total} panels")


if __name__ == "__main__":
    main()
