"""The pipeline, in order: the one place that lists the stages.

    load -> validate -> resolve -> story nodes -> plan -> art -> letter -> compose -> site

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

from .art import default_jobs, draw_art
from .errors import Problem, ProjectError, in_order
from .format.model import executor_problem
from .lettering.fonts import LetteringFont
from .lettering.place import letter
from .lettering.stage import letter_cached, lettering_font, lettering_warnings
from .plan import layout_warnings, plan
from .project import prepare
from .runtime.cache import project_lock
from .runtime.manifest import Manifest
from .runtime.outdir import check_out
from .runtime.parallel import Workers, ticker
from .runtime.ray_workers import chosen
from .site.output import recover
from .site.pages import compose
from .site.publish import publication_warnings
from .site.render import render_if_changed, template_problems
from .source.resolve import ResolvedProject
from .specs import LetteredPanel, StoryPlan
from .story.nodes import committed_problems, write_nodes

Progress = Callable[[str, int, int], None]  # stage, done, total


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
                    + publication_warnings(project, plans))


@contextmanager
def _workers(project: ResolvedProject, executor: str | None, jobs: int | None,
             given: Workers | None) -> Iterator[Workers | None]:
    """Where the build's CPU jobs run: `given`, else the executor asked for on the
    command line, else panelwright.yaml's (None: this machine's processes)."""
    if given is not None:
        yield given
        return
    where = (("panelwright.yaml", project.config_lines.get("executor")) if executor is None
             else ("--executor", None))
    broken = executor_problem(executor) if executor is not None else None
    if broken:
        raise ProjectError([Problem(file="--executor", message=broken,
                                    hint="e.g. --executor ray, or --executor local")])
    with chosen(executor or project.config.executor, project.root, jobs, where) as workers:
        yield workers


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
          workers: Workers | None = None, executor: str | None = None) -> BuildReport:
    """Build the comic site of the project at `root`; returns what was done.

    Holds the project's lock (a second build waits, after calling `waiting`); the
    site is written aside and swapped in whole; the cache is written atomically.
    Given `workers`, or an `executor` (`ray`, `ray://HOST:PORT`; panelwright.yaml's
    when None), the CPU jobs run there instead of in `jobs` processes here; the cache
    and the site stay on this machine.
    """
    started = time.perf_counter()
    root = Path(root)
    out = Path(out) if out else root / "_site"
    project = ready(root)
    # never replace the project, its sources, or a folder Panelwright did not make
    check_out(root, out, [root / path for path in project.assets])
    with project_lock(root, waiting), \
            _workers(project, executor, jobs, workers) as workers:
        recover(out)
        previous = Manifest.read(root)
        plans = plan(project, write_nodes(project))
        panels = [p for sp in plans for p in sp.panels]
        jobs = jobs or default_jobs()
        art = draw_art(project, panels, jobs, ticker(progress, "drawing", len(panels)),
                       workers)
        font = lettering_font(project, plans)
        font_digest = font.digest()
        lettered, relettered, letter_keys = letter_cached(project, panels, art, font,
                                                          font_digest, jobs, workers)
        pages = compose(project, plans, art, lettered, font, font_digest, jobs,
                        letter_keys, workers)
        manifest = render_if_changed(project, plans, art, lettered, letter_keys, pages,
                                     font, out, previous)
        manifest.write(root)
    drawn = sum(1 for a in art.values() if not a.cached)
    return BuildReport(
        out=str(out), stories=len(plans), pages=len(manifest.pages),
        pages_written=sum(1 for rel, d in manifest.pages.items()
                          if previous.pages.get(rel) != d),
        panels=len(panels), panels_drawn=drawn, panels_cached=len(panels) - drawn,
        panels_lettered=len(relettered), seconds=round(time.perf_counter() - started, 3),
        explain=previous.explain(art), warnings=build_warnings(project, plans, lettered, font, art))
