"""The pipeline, in order: the one place that lists the stages.

    load -> validate -> resolve -> story nodes -> plan -> art -> letter -> compose -> site

`check` runs the stages that judge the input (and the letterer, to warn about
words that cannot fit); `build` runs them all and writes the site.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from .runtime import parallel
from .art import default_jobs, draw_art
from .runtime.cache import Cache, digest, project_lock
from .runtime.code import code_digest
from .site.pages import compose
from .errors import Problem, ProjectError
from .lettering.fonts import LetteringFont, missing_glyphs
from .format.layouts import LAYOUTS
from .lettering.place import letter, letter_panel
from .runtime.manifest import Manifest, PanelRecord
from .runtime.outdir import MARKER, check_out
from .plan import plan
from .project import prepare
from .source.resolve import ResolvedProject
from .site.render import recover, render_site, theme_digest
from .specs import LetteredPanel, PanelArt, PanelSpec, StoryPlan
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


def lettering_font(project: ResolvedProject) -> LetteringFont:
    config = project.config.lettering
    main = project.assets.get(config.font or "")
    fallback = project.assets.get(config.fallback_font or "")
    return LetteringFont(main.data if main else None, fallback.data if fallback else None)


def lettering_warnings(project: ResolvedProject, plans: list[StoryPlan], lettered: dict,
                       font: LetteringFont) -> list[Problem]:
    warnings = []
    for story_plan in plans:
        for panel in story_plan.panels:
            for text in lettered[panel.id].overflow:
                said = next((w for w in panel.lines if w.text == text), None)
                warnings.append(Problem(
                    file=panel.source, line=said.line if said else panel.line,
                    severity="warning",
                    message=f"these words do not fit panel {panel.slot + 1} of page "
                            f"{panel.page} at the smallest readable size: '{text[:60]}'",
                    hint="shorten the line, split it between panels, or give the page a "
                         "layout with a bigger panel here"))
            for said in panel.lines:
                missing = missing_glyphs(font, said.text)
                if missing:
                    warnings.append(Problem(
                        file=panel.source, line=said.line, severity="warning",
                        message=f"the lettering font cannot show {''.join(missing[:10])!r}",
                        hint="set lettering.fallback_font in panelwright.yaml to a font "
                             "file that has these characters (e.g. a Noto CJK font)"))
    return warnings


def layout_warnings(plans: list[StoryPlan]) -> list[Problem]:
    """A page whose asked-for layout does not fit its number of panels."""
    warnings = []
    for story_plan in plans:
        nodes = {n.id: n for n in story_plan.nodes}
        panels = {p.id: p for p in story_plan.panels}
        for page in story_plan.pages:
            first = nodes[panels[page.panels[0]].node]
            if first.layout and first.layout != page.layout:
                slots = len(LAYOUTS[first.layout].slots)
                warnings.append(Problem(
                    file=panels[page.panels[0]].source, line=first.layout_line or first.line,
                    severity="warning",
                    message=f"page {page.number} asks for the layout '{first.layout}', which "
                            f"holds {slots} panel{'s' if slots != 1 else ''}, but has "
                            f"{len(page.panels)}; it was laid out as '{page.layout}'",
                    hint=f"move a page break, or choose a layout for {len(page.panels)} "
                         "panels (see docs/format.md)"))
    return warnings


def check(root: str | Path) -> list[Problem]:
    """Every problem with the project, errors and warnings; raises nothing."""
    try:
        project = prepare(root)
    except ProjectError as exc:
        return exc.problems
    plans = plan(project, write_nodes(project))
    panels = [p for sp in plans for p in sp.panels]
    font = lettering_font(project)
    lettered = letter(panels, {}, font, project.config.lettering)
    return (project.problems + committed_problems(project) + layout_warnings(plans)
            + lettering_warnings(project, plans, lettered, font))


def letter_cached(project: ResolvedProject, panels: list[PanelSpec],
                  art: dict[str, PanelArt], font: LetteringFont, font_digest: str,
                  jobs: int = 1) -> tuple[dict[str, LetteredPanel], set[str], dict[str, str]]:
    """Lettering for every panel, from the cache when nothing it reads changed.

    Returns the lettering, the ids of panels lettered anew, and each panel's key.
    """
    cache = Cache(project.root)
    config = project.config.lettering
    code = _lettering_code()
    out, keys, todo = {}, {}, []
    for spec in panels:
        key = digest("letters", code, font_digest, config.model_dump(mode="json"),
                     spec.model_dump(mode="json", include={"lines", "box", "rtl", "width",
                                                           "height", "id"}),
                     [f.model_dump(mode="json") for f in art[spec.id].figures])
        keys[spec.id] = key
        cached = cache.get_json(key)
        if cached is not None:
            out[spec.id] = LetteredPanel.model_validate(cached)
        else:
            todo.append((spec, art[spec.id]))
    # fitting words is pure computation: every core takes a share, fonts sent once each
    for (spec, _), lettered in zip(todo, parallel.run(_letter, todo, jobs,
                                                      common=(font, config))):
        out[spec.id] = lettered
        cache.put_json(keys[spec.id], lettered.model_dump(mode="json"))
    cache.save()
    return out, {spec.id for spec, _ in todo}, keys


def _letter(job: tuple[PanelSpec, PanelArt]) -> LetteredPanel:
    font, config = parallel.shared()
    return letter_panel(*job, font, config)


def _lettering_code() -> str:
    """The letterer's own code: improving it re-letters, as a changed input would."""
    from .lettering import draw as balloons, fonts, place as lettering
    return code_digest(lettering.__name__, balloons.__name__, fonts.__name__)


def build(root: str | Path, out: str | Path | None = None, jobs: int | None = None,
          progress: Progress | None = None, waiting: Callable[[], None] | None = None
          ) -> BuildReport:
    """Build the comic site of the project at `root`; returns what was done.

    Holds the project's lock (a second build waits, after calling `waiting`); the
    site is written aside and swapped in whole; the cache is written atomically.
    """
    started = time.perf_counter()
    root = Path(root)
    out = Path(out) if out else root / "_site"
    project = prepare(root)
    # never replace the project, its sources, or a folder Panelwright did not make
    check_out(root, out, [root / path for path in project.assets])
    with project_lock(root, waiting):
        recover(out)
        previous = Manifest.read(root)
        nodes = write_nodes(project)
        plans = plan(project, nodes)
        panels = [p for sp in plans for p in sp.panels]
        done = 0

        def tick(count: int) -> None:
            nonlocal done
            done += count
            if progress:
                progress("drawing", done, len(panels))

        workers = jobs or default_jobs()
        art = draw_art(project, panels, workers, tick)
        font = lettering_font(project)
        font_digest = hashlib.sha256(font.data + (font.fallback or b"")).hexdigest()
        lettered, relettered, letter_keys = letter_cached(project, panels, art, font,
                                                          font_digest, workers)
        pages = compose(project, plans, art, lettered, font, font_digest, workers,
                        letter_keys)
        # The site is a function of these; when none changed there is nothing to render.
        render_key = digest(
            project.model_dump(mode="json", exclude={"assets", "problems"}),
            {path: asset.digest for path, asset in project.assets.items()},
            [sp.model_dump(mode="json") for sp in plans],
            {pid: a.key for pid, a in art.items()}, letter_keys, sorted(pages.items()),
            theme_digest())
        if render_key == previous.render and (out / "index.html").is_file() and \
                (out / MARKER).is_file():
            reader_pages, site_digest = previous.pages, previous.site
        else:
            files = render_site(project, plans, art, lettered, pages, font.data,
                                font.fallback)
            contents = files.digests()
            site_digest = digest(contents)
            if site_digest != previous.site or not (out / "index.html").is_file() or \
                    not (out / MARKER).is_file():  # a site an older version built: mark it
                files.write(out)
            reader_pages = {rel: d for rel, d in contents.items()
                            if rel.startswith("stories/") and "/page-" in rel}
        manifest = Manifest(
            panels={pid: PanelRecord(art=a.key, inputs=a.inputs, letters=letter_keys[pid])
                    for pid, a in art.items()},
            pages=reader_pages, site=site_digest, render=render_key)
        explained = previous.explain(art)
        manifest.write(root)
    drawn = sum(1 for a in art.values() if not a.cached)
    return BuildReport(
        out=str(out), stories=len(plans), pages=len(reader_pages),
        pages_written=sum(1 for rel, d in reader_pages.items() if previous.pages.get(rel) != d),
        panels=len(panels), panels_drawn=drawn, panels_cached=len(panels) - drawn,
        panels_lettered=len(relettered), seconds=round(time.perf_counter() - started, 3),
        explain=explained, warnings=committed_problems(project) + lettering_warnings(
            project, plans, lettered, font))
