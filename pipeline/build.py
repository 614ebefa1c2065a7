"""The pipeline, in order: the one place that lists the stages.

    load -> validate -> resolve -> story nodes -> plan -> art -> letter -> compose -> site

Art, lettering and composition overlap, panel by panel and page by page (`flow.py`).

`check` runs the stages that judge the input (and the letterer, to warn about
words that cannot fit); `build` runs them all and writes the site. Both report the
one list of warnings `build_warnings` makes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel

from .art import default_jobs
from .errors import Problem, ProjectError, in_order
from .flow import Progress, draw_letter_bake
from .format.camera import shot_words
from .format.model import executor_problem
from .lettering.fonts import LetteringFont
from .lettering.hints import explain as explain_miss
from .lettering.place import letter
from .lettering.stage import lettering_font, lettering_warnings
from .pins import pin_warnings
from .plan import layout_warnings, plan
from .project import prepare
from .runtime.cache import project_lock
from .runtime.manifest import Manifest
from .runtime.outdir import check_out
from .runtime.parallel import LocalWorkers, Workers
from .runtime.ray_workers import chosen
from .site.images import Wanted
from .site.output import recover
from .site.publish import publication_warnings
from .site.render import render_if_changed
from .site.theme import template_problems
from .source.resolve import ResolvedProject
from .specs import LetteredPanel, StoryPlan
from .story.nodes import committed_problems, write_nodes


class BuildReport(BaseModel):
    out: str
    stories: int
    pages: int  # comic pages in the site
    pages_written: int  # of those, the pages whose content changed in this build
    panels: int
    panels_drawn: int
    panels_cached: int
    panels_lettered: int  # panels lettered anew (the rest came from the cache)
    seconds: float
    explain: dict[str, str] = {}  # panel id -> why it was drawn
    kept: dict[str, str] = {}  # panel id -> why no engine drew it (pinned, your own art)
    placements: list[str] = []  # each balloon placement hint, honoured or not (--explain)
    warnings: list[Problem] = []


def build_warnings(project: ResolvedProject, plans: list[StoryPlan],
                   lettered: dict[str, LetteredPanel], font: LetteringFont,
                   art: dict | None = None) -> list[Problem]:
    """Every warning about a project that can be built, as `check` and `build` (and
    `build --json`) all report them: the project's own, its committed nodes', the
    pages' layouts', the lettering's (faces covered when the art is known), the
    publication's (chapters, feed), sorted by file and line."""
    return in_order([p for p in project.problems if p.severity == "warning"]
                    + committed_problems(project) + layout_warnings(plans)
                    + lettering_warnings(project, plans, lettered, font, art)
                    + publication_warnings(project, plans)
                    + pin_warnings(project.stories, plans))


def placement_notes(project: ResolvedProject, plans: list[StoryPlan],
                    lettered: dict[str, LetteredPanel]) -> list[str]:
    """One line per balloon placement hint (`[top_left]`, `[over han]`), in reading
    order, at its file:line: honoured, or not and why (the warning says the fix)."""
    names = {cid: character.name for cid, character in project.characters.items()}
    notes = []
    for spec in (p for sp in plans for p in sp.panels):
        missed = {miss.order: miss for miss in lettered[spec.id].misplaced}
        for order, said in enumerate(spec.lines):
            if not said.place:
                continue
            where = f"{spec.source}:{said.line or spec.line}: [{said.place}] in {spec.id}"
            miss = missed.get(order)
            if miss is None:
                notes.append(f"{where}: honoured")
            else:
                message, _ = explain_miss(miss, said.text, names, shot_words(spec.camera.shot),
                                          spec.characters)
                notes.append(f"{where}: not honoured, placed as usual: {message}")
    return notes


@contextmanager
def _workers(project: ResolvedProject, executor: str | None, jobs: int | None,
             given: Workers | None, local: LocalWorkers | None = None) -> Iterator[Workers]:
    """Where the build's CPU jobs run: `given`, else the executor asked for on the
    command line, else panelwright.yaml's, else this machine's processes: `local`
    when given (`serve` keeps them between builds), else new ones closed when the
    build ends."""
    if given is not None:
        yield given
        return
    where = (("panelwright.yaml", project.config_lines.get("executor")) if executor is None
             else ("--executor", None))
    broken = executor_problem(executor) if executor is not None else None
    if broken:
        raise ProjectError([Problem(file="--executor", message=broken,
                                    hint="e.g. --executor ray, or --executor local")])
    with chosen(executor or project.config.executor, project.root, jobs, where) as remote:
        if remote is not None:
            yield remote
            return
    if local is not None:
        yield local
        return
    own = LocalWorkers(jobs or default_jobs())
    try:
        yield own
    finally:
        own.close()


def ready(root: str | Path) -> ResolvedProject:
    """The project prepared, and its theme overrides parsed: every error a build would
    meet is raised before any work starts."""
    project = prepare(root)
    broken = template_problems(project.templates)
    if broken:
        raise ProjectError(project.problems + broken)
    return project


def check(root: str | Path) -> list[Problem]:
    """Every problem with the project, errors and warnings; raises nothing."""
    try:
        project = ready(root)
    except ProjectError as exc:
        return exc.problems
    plans = plan(project, write_nodes(project))
    panels = [p for sp in plans for p in sp.panels]
    font = lettering_font(project, plans)
    lettered = letter(panels, {}, font, project.config.lettering)
    return build_warnings(project, plans, lettered, font)


def build(root: str | Path, out: str | Path | None = None, jobs: int | None = None,
          progress: Progress | None = None, waiting: Callable[[], None] | None = None,
          workers: Workers | None = None, executor: str | None = None,
          local: LocalWorkers | None = None, defer: list[Wanted] | None = None
          ) -> BuildReport:
    """Build the comic site of the project at `root`; returns what was done.

    Holds the project's lock (a second build waits, after calling `waiting`); the
    site is written aside and swapped in whole; the cache is written atomically.
    `workers` runs the CPU jobs (the caller closes it); else an `executor` (`ray`,
    `ray://HOST:PORT`; panelwright.yaml's when None) runs them, or this machine's
    processes, `jobs` of them (`local`'s when given: the caller closes them). The
    cache and the site stay on this machine. With `defer` (`serve`), pictures whose
    smaller copies are not in the cache yet are shown whole and added to it, for the
    caller to make later (site/images.py); `build` itself never defers.
    """
    started = time.perf_counter()
    root = Path(root)
    out = Path(out) if out else root / "_site"
    project = ready(root)
    # never replace the project, its sources, or a folder Panelwright did not make
    check_out(root, out, [root / path for path in project.assets])
    with project_lock(root, waiting), _workers(project, executor, jobs, workers, local) as own:
        recover(out)
        previous = Manifest.read(root)
        plans = plan(project, write_nodes(project))
        panels = [p for sp in plans for p in sp.panels]
        font = lettering_font(project, plans)
        made = draw_letter_bake(project, plans, font, font.digest(), own, progress,
                                copies=defer is None)
        art, lettered, letter_keys, pages = made.art, made.lettered, made.letter_keys, made.pages
        manifest = render_if_changed(project, plans, art, lettered, letter_keys, pages,
                                     font, out, previous, defer)
        manifest.write(root)
    drawn = sum(1 for a in art.values() if not a.cached)
    return BuildReport(
        out=str(out), stories=len(plans), pages=len(manifest.pages),
        pages_written=sum(1 for rel, d in manifest.pages.items()
                          if previous.pages.get(rel) != d),
        panels=len(panels), panels_drawn=drawn, panels_cached=len(panels) - drawn,
        panels_lettered=len(made.relettered), seconds=round(time.perf_counter() - started, 3),
        explain=previous.explain(art), kept={p: a.kept for p, a in art.items() if a.kept},
        placements=placement_notes(project, plans, lettered),
        warnings=build_warnings(project, plans, lettered, font, art))
