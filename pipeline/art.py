"""Stage 6, draw art: each panel's picture from its spec, through the image engine.

The art of a panel depends only on what is drawn (scene, cast, camera,
description, style, size, seed, engine), never on its words, so editing a line
of dialogue redraws nothing. Results are cached under a key of exactly those
inputs, including the bytes of the reference images.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from pydantic import BaseModel

from .cache import Cache, digest
from .engines import IMAGE_GROUP, DrawRequest, load_engine, settings_digest
from .resolve import ResolvedProject
from .specs import Figure, PanelArt, PanelSpec

ART_FIELDS = {"world", "scene", "style", "description", "camera", "characters", "width",
              "height", "seed", "rtl"}


class ArtJob(BaseModel):
    key: str
    engine: str
    settings: dict
    request: DrawRequest
    format: str


def request_for(project: ResolvedProject, spec: PanelSpec) -> DrawRequest:
    style = project.styles.get(spec.style) if spec.style else None
    characters = [project.characters[c] for c in spec.characters]
    paths = [c.avatar_path for c in characters if c.avatar_path]
    paths += style.anchor_paths if style else []
    references = {p: project.assets[p].data for p in paths if project.assets[p].data}
    return DrawRequest(spec=spec, scene=project.scene(spec.world, spec.scene),
                       characters=characters, style=style, references=references)


def art_key(request: DrawRequest, engine_digest: str) -> str:
    spec = request.spec.model_dump(mode="json", include=ART_FIELDS)
    return digest(
        engine_digest, spec, request.scene.model_dump(mode="json"),
        [c.model_dump(mode="json", include={"id", "colours", "avatar_path"})
         for c in request.characters],
        request.style.model_dump(mode="json", exclude={"source"}) if request.style else None,
        {path: _sha(data) for path, data in sorted(request.references.items())})


def _sha(data: bytes) -> str:
    import hashlib
    return hashlib.sha256(data).hexdigest()


def _draw(job: ArtJob) -> tuple[bytes, list[dict]]:
    engine = load_engine(IMAGE_GROUP, job.engine, job.settings)
    drawing = engine.draw(job.request)
    out = io.BytesIO()
    if job.format == "webp":
        drawing.image.save(out, "WEBP", quality=90, method=4)
    else:
        drawing.image.save(out, "PNG")
    return out.getvalue(), [f.model_dump() for f in drawing.figures]


def draw_art(project: ResolvedProject, panels: list[PanelSpec], jobs: int = 1,
             progress: Callable[[int], None] | None = None) -> dict[str, PanelArt]:
    """Panel id -> its art, drawn or taken from the cache."""
    cache = Cache(project.root)
    engines = {}
    result: dict[str, PanelArt] = {}
    todo: list[tuple[PanelSpec, ArtJob]] = []
    for spec in panels:
        choice = project.config.engines
        story = next(s for s in project.stories if s.id == spec.story)
        if story.engines:
            choice = choice.model_copy(update={k: v for k, v in story.engines.items()
                                               if k.startswith("image")})
        name = choice.image
        if (name, id(choice)) not in engines:
            engines[(name, id(choice))] = settings_digest(
                load_engine(IMAGE_GROUP, name, choice.image_settings))
        request = request_for(project, spec)
        style_format = request.style.format if request.style else "png"
        key = art_key(request, engines[(name, id(choice))])
        hit = cache.get(key, style_format)
        if hit is not None:
            path, meta = hit
            result[spec.id] = PanelArt(panel=spec.id, image=str(path), key=key, width=spec.width,
                                       height=spec.height, format=style_format, cached=True,
                                       figures=[Figure(**f) for f in meta.get("figures", [])])
            if progress:
                progress(1)
            continue
        todo.append((spec, ArtJob(key=key, engine=name, settings=choice.image_settings,
                                  request=request, format=style_format)))

    def store(spec: PanelSpec, job: ArtJob, data: bytes, figures: list[dict]) -> None:
        path = cache.put(job.key, job.format, data, {"figures": figures, "panel": spec.id})
        result[spec.id] = PanelArt(panel=spec.id, image=str(path), key=job.key,
                                   width=spec.width, height=spec.height, format=job.format,
                                   figures=[Figure(**f) for f in figures])
        if progress:
            progress(1)

    workers = max(1, min(jobs, len(todo)))
    if workers == 1:
        for spec, job in todo:
            store(spec, job, *_draw(job))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for (spec, job), drawn in zip(todo, pool.map(_draw, [j for _, j in todo])):
                store(spec, job, *drawn)
    return {spec.id: result[spec.id] for spec in panels}


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
