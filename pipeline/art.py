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

from pydantic import BaseModel

from .engines import IMAGE_GROUP, DrawRequest, load_engine, settings_digest
from .engines.choice import load_chosen
from .engines.errors import EngineError
from .errors import Problem, ProjectError
from .runtime import parallel
from .runtime.cache import Cache, digest
from .source.resolve import ResolvedProject
from .specs import Figure, PanelArt, PanelSpec


class ArtJob(BaseModel):
    key: str
    engine: str
    settings: dict
    root: str  # the story repo, where relative files in the settings live
    request: DrawRequest
    format: str


def request_for(project: ResolvedProject, spec: PanelSpec) -> DrawRequest:
    style = project.styles.get(spec.style) if spec.style else None
    characters = [project.characters[c] for c in spec.characters]
    paths = [c.avatar_path for c in characters if c.avatar_path]
    paths += style.anchor_paths if style else []
    references = {p: project.assets[p].data for p in paths if project.assets[p].data}
    return DrawRequest(spec=spec, scene=project.scene(spec.world, spec.scene),
                       characters=characters, style=style, references=references,
                       world_description=project.worlds[spec.world].description)


def art_inputs(request: DrawRequest, engine_digest: str, digests: dict[str, str]
               ) -> dict[str, str]:
    """A digest per kind of input that shapes a panel's art; the art key hashes them all.

    Kept apart so that `--explain` can say which kind changed. The words of the
    panel are not among them: lettering never redraws art.
    """
    spec = request.spec
    style = request.style
    return {
        "description": digest(spec.description),
        "camera": digest(spec.camera.model_dump(mode="json", exclude={"chosen_by"})),
        "scene": digest(spec.world, request.scene.model_dump(mode="json"),
                        request.world_description),
        "cast": digest([c.model_dump(mode="json", include={"id", "colours"})
                        for c in request.characters],
                       [digests.get(c.avatar_path or "", "") for c in request.characters]),
        "style": digest(style.model_dump(mode="json", exclude={"source"}) if style else None,
                        [digests.get(p, "") for p in (style.anchor_paths if style else [])]),
        "frame": digest(spec.width, spec.height, spec.seed, spec.rtl),
        "engine": engine_digest,
    }


def _draw(job: ArtJob) -> tuple[bytes, list[dict]]:
    engine = load_engine(IMAGE_GROUP, job.engine, job.settings, job.root)
    drawing = engine.draw(job.request)
    out = io.BytesIO()
    if job.format == "webp":
        drawing.image.save(out, "WEBP", quality=90, method=4)
    else:
        drawing.image.save(out, "PNG")
    return out.getvalue(), [f.model_dump() for f in drawing.figures]


def draw_art(project: ResolvedProject, panels: list[PanelSpec], jobs: int = 1,
             progress: Callable[[int], None] | None = None,
             workers: parallel.Workers | None = None) -> dict[str, PanelArt]:
    """Panel id -> its art, drawn or taken from the cache."""
    cache = Cache(project.root)
    engines: dict[str, tuple[str, str, dict]] = {}  # story -> engine name, digest, settings
    digests = {path: asset.digest for path, asset in project.assets.items()}
    result: dict[str, PanelArt] = {}
    todo: list[tuple[PanelSpec, ArtJob, dict[str, str]]] = []
    for spec in panels:
        if spec.story not in engines:
            engines[spec.story] = _engine_for(project, spec.story)
        name, engine_digest, settings = engines[spec.story]
        request = request_for(project, spec)
        fmt = request.style.format if request.style else "png"
        inputs = art_inputs(request, engine_digest, digests)
        key = digest(inputs)
        hit = cache.get(key, fmt)
        if hit is not None:
            path, meta = hit
            result[spec.id] = PanelArt(panel=spec.id, image=str(path), key=key, width=spec.width,
                                       height=spec.height, format=fmt, cached=True,
                                       inputs=inputs,
                                       figures=[Figure(**f) for f in meta.get("figures", [])])
            if progress:
                progress(1)
            continue
        todo.append((spec, ArtJob(key=key, engine=name, settings=settings, root=project.root,
                                  request=request, format=fmt), inputs))

    # Local engines draw on the CPU, in processes; remote ones wait on a service, in
    # threads, no more at once than each engine allows.
    used = {job.engine: job for _, job, _ in todo}.values()
    limits = [parallel.in_flight_limit(load_engine(IMAGE_GROUP, j.engine, j.settings,
                                                   j.root)) for j in used]
    remote = [limit for limit in limits if limit is not None]
    work = [job for _, job, _ in todo]
    drawn = (parallel.run_in_flight(_draw, work, min(remote)) if remote
             else enumerate(parallel.run(_draw, work, jobs, workers=workers)))
    try:
        for index, (data, figures) in drawn:
            spec, job, inputs = todo[index]
            # stored at once: a later failure keeps every panel drawn before it
            path = cache.put(job.key, job.format, data, {"figures": figures, "panel": spec.id})
            result[spec.id] = PanelArt(panel=spec.id, image=str(path), key=job.key,
                                       width=spec.width, height=spec.height, format=job.format,
                                       inputs=inputs, figures=[Figure(**f) for f in figures])
            if progress:
                progress(1)
    except EngineError as exc:
        cache.save()
        kept = sum(1 for a in result.values() if not a.cached)
        spec, job, _ = next(((s, j, i) for s, j, i in todo if s.id == exc.panel),
                            next(t for t in todo if t[0].id not in result))
        raise ProjectError([Problem(
            file=spec.source, line=spec.line,
            message=f"the image engine '{job.engine}' failed on panel {spec.id}: "
                    f"{exc.describe()}",
            hint=(f"{kept} panels drawn before it are" if kept != 1 else
                  "1 panel drawn before it is") + " kept in the cache; build again to resume")]) from None
    cache.save()
    return {spec.id: result[spec.id] for spec in panels}


def _engine_for(project: ResolvedProject, story_id: str) -> tuple[str, str, dict]:
    """The image engine a story uses, by the one rule in `engines/choice.py`."""
    story = next(s for s in project.stories if s.id == story_id)
    choice, engine = load_chosen(project, story, "image")
    return choice.name, settings_digest(engine), choice.settings


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
