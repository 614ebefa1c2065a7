"""The commands on a project: new, check, build, preview, clean.

Each is a plain click command that `main` registers; a user's mistake raised as a
ProjectError is reported by `@reports_problems` (file:line, hint, exit 1).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TextIO

import click

from ..errors import ProjectError
from .report import fail, failure
from .report import report as print_problems  # `report` is the build's summary below
from .report import reports_problems


def _post(url: str, summary: dict) -> None:
    """Notify the build's webhook: one that cannot be reached is a warning, not a failed build."""
    from .notify import notify

    failed = notify(url, summary)
    if failed:
        click.secho(f"warning: {failed}", fg="yellow", err=True)


class StagesLine:
    """One line on a terminal for the build's stages, which run together: "Drawing 120/400
    · lettering 96/400 · pages 20/100", redrawn in place at most ten times a second."""

    def __init__(self, stream: TextIO):
        self.stream, self.counts, self.shown_at = stream, {}, 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.counts[stage] = (done, total)
        now = time.monotonic()
        if now - self.shown_at >= 0.1 or all(d == t for d, t in self.counts.values()):
            self.shown_at = now
            self._show()

    def _show(self) -> None:
        line = " · ".join(f"{stage} {done}/{total}" for stage, (done, total)
                          in self.counts.items() if total)
        self.stream.write("\r" + line[:1].upper() + line[1:] + "\x1b[K")
        self.stream.flush()

    def end(self) -> None:
        if self.counts:
            self._show()
            self.stream.write("\n")
            self.stream.flush()


def _executor(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from ..format.model import executor_problem

    broken = executor_problem(value) if value is not None else None
    if broken:
        raise click.BadParameter(broken)
    return value


@click.command()
@reports_problems("; nothing was built")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the site (default: PROJECT/_site): a new or empty "
              "folder, or a site Panelwright built; never inside the project's sources.")
@click.option("--jobs", "-j", type=click.IntRange(min=1),
              help="Jobs run at once on this machine: panels a local engine draws, panels "
              "lettered, pages baked (default: every core).")
@click.option("--executor", metavar="local|ray|ray://HOST:PORT", callback=_executor,
              help="Where drawing, lettering and page baking run: this machine (local), "
              "a Ray cluster started here for the build (ray; --jobs its CPUs), or an "
              "existing Ray cluster (ray://HOST:PORT). Default: panelwright.yaml's "
              "executor, else local. Ray needs pip install 'panelwright[ray]'.")
@click.option("--explain", is_flag=True, help="Say, for each panel drawn, which input changed, "
              "and for each balloon placement hint whether it was honoured.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the build summary as one JSON object on standard output.")
@click.option("--notify", metavar="URL",
              help="POST the build's summary as JSON to this URL when the build ends.")
def build(project: Path, out: Path | None, jobs: int | None, executor: str | None,
          explain: bool, as_json: bool, notify: str | None) -> None:
    """Build the comic site of PROJECT (default: the current folder).

    \b
    The site works from file:// and on any static host: open OUT/index.html.
    Only what an edit changed is redone: art, lettering and pages are cached in
    PROJECT/.panelwright/ (safe to delete). The new site is swapped in whole, so a
    failed or interrupted build leaves the last good site in place.

    \b
    Examples:
      panelwright build my-comic
      panelwright build my-comic --explain      # why each panel was redrawn
      panelwright build my-comic --json --jobs 2
      panelwright build my-comic --executor ray://10.0.0.5:10001   # on a Ray cluster
    """
    from ..build import build as run

    show = sys.stderr.isatty() and not as_json
    progress = StagesLine(sys.stderr) if show else None

    def waiting() -> None:
        click.echo(f"Another build of {project} is running; waiting for it to finish...",
                   err=True)

    try:
        report = run(project, out=out, jobs=jobs, progress=progress, waiting=waiting,
                     executor=executor)
    except ProjectError as exc:
        # the webhook hears of a failed build too, and --json prints it, both in the
        # seed's error shape; @reports_problems then reports it on stderr
        payload = failure(exc.problems, cause=exc.__context__)  # an engine's error, if any
        if notify:
            _post(notify, payload)
        if as_json:
            click.echo(json.dumps(payload, ensure_ascii=False))
        raise
    finally:
        if progress is not None:
            progress.end()
    if notify:
        _post(notify, {"ok": True} | report.model_dump(mode="json", exclude={
            "warnings", "explain", "kept", "placements"}))
    if report.warnings:
        print_problems(report.warnings)
    if as_json:
        summary = report.model_dump(mode="json", exclude={"warnings", "explain", "kept",
                                                          "placements"})
        # the count, as before, and the warnings themselves (those printed above)
        summary["warnings"] = len(report.warnings)
        summary["problems"] = [p.model_dump(mode="json") for p in report.warnings]
        if explain:
            summary["explain"] = report.explain
            summary["kept"] = report.kept
            summary["placements"] = report.placements
        click.echo(json.dumps(summary))
        return
    if explain:
        for panel, reason in report.explain.items():
            click.echo(f"drew {panel}: {reason}")
        for panel, reason in report.kept.items():
            click.echo(f"kept {panel}: {reason}")
        for note in report.placements:
            click.echo(f"balloon {note}")
    click.echo(f"Built {report.stories} stor{'y' if report.stories == 1 else 'ies'}: "
               f"{report.panels} panels ({report.panels_drawn} drawn, "
               f"{report.panels_cached} from the cache, {report.panels_lettered} lettered), "
               f"{report.pages} pages ({report.pages_written} written) "
               f"in {report.seconds:.2f} s.")
    click.echo(f"Open {Path(report.out) / 'index.html'}")


@click.command()
@reports_problems("; nothing was built")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--explain", is_flag=True,
              help="Say, one line per panel, who is drawn in it, who is only heard, and why.")
def check(project: Path, explain: bool) -> None:
    """Check PROJECT for every problem at once, without building.

    Exits 0 when the project can be built (warnings are printed but allowed), 1 with
    a report naming the file, line and fix of each problem otherwise.

    \b
    Examples:
      panelwright check my-comic
      panelwright check my-comic --explain     # who is in each panel, and why
    """
    from ..build import check as run

    problems = run(project)
    if any(p.severity == "error" for p in problems):
        fail(problems)
    print_problems(problems)
    if explain:
        _explain_casting(project)
    warnings = len(problems)
    click.echo(f"{project}: OK" + (f" ({warnings} warning{'s' if warnings != 1 else ''})"
                                   if warnings else ""))


def _explain_casting(project: Path) -> None:
    """One line per panel: who is drawn, who is heard, and the rule that decided it."""
    from ..build import ready
    from ..casting import explain_line
    from ..plan import plan
    from ..story.nodes import write_nodes

    prepared = ready(project)
    for story_plan in plan(prepared, write_nodes(prepared)):
        source = story_plan.panels[0].source if story_plan.panels else story_plan.story
        click.echo(f"{source}:")
        for panel in story_plan.panels:
            chosen = ("; art: pinned, kept as drawn" if panel.pin else
                      f"; art: your own, {panel.art}" if panel.art else
                      f"; drawn from the sketch {panel.sketch}" if panel.sketch else "")
            click.echo("  " + explain_line(panel, prepared.characters) + chosen)


@click.command()
@reports_problems("; nothing was created")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--title", default=None, help="The comic's title (default: from the folder name).")
def new(directory: Path, title: str | None) -> None:
    """Create a small project in DIRECTORY that builds as it is."""
    from ..source.scaffold import scaffold

    try:
        created = scaffold(directory, title)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {directory} ({len(created)} files). Next:")
    click.echo(f"  panelwright build {directory}")


@click.command()
@reports_problems("; nothing was removed")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="The site folder to remove (default: PROJECT/_site).")
def clean(project: Path, out: Path | None) -> None:
    """Remove PROJECT's built site, its exports (_export/) and its cache. Your story files
    are not touched.

    Only folders Panelwright made are removed (they hold a .panelwright-site file);
    symbolic links are not followed. A running build of PROJECT finishes first.
    """
    from ..runtime.outdir import clean as run

    def waiting() -> None:
        click.echo(f"A build of {project} is running; waiting for it to finish...", err=True)

    removed, problems = run(project, out, waiting)
    for path in removed:
        click.echo(f"Removed {path}")
    if problems:
        fail(problems, "; nothing was removed")


@click.command()
@reports_problems("; nothing was built")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for index.html and contact-sheet.png: a new or empty folder, "
              "or one Panelwright wrote.")
@click.option("--places", is_flag=True,
              help="Instead: every place in every era (places.png), in the project's "
              "engine and style: what a scene card's place: and era: look like.")
@click.option("--poses", "poses_of", metavar="CHARACTER",
              help="Instead: one character (by id) in every pose and expression.")
@click.option("--cast", "cast", is_flag=True,
              help="Instead: every character side by side, then all in one wide shot.")
def preview(project: Path, out: Path, places: bool, poses_of: str | None, cast: bool) -> None:
    """Draw one panel of PROJECT in every shot, angle and treatment, on a contact sheet.

    \b
    Example:
      panelwright preview projects/frost-moon --out /tmp/sheet
      panelwright preview projects/frost-moon --poses lin-shuang --out /tmp/poses
      panelwright preview projects/frost-moon --cast --out /tmp/cast
      # then open /tmp/sheet/index.html or /tmp/sheet/contact-sheet.png
      panelwright preview projects/frost-moon --places --out /tmp/places
    """
    from ..studio.place_sheet import place_sheet
    from ..studio.preview import preview as run
    from ..studio.sheets import cast_sheet, pose_sheet

    if places:
        sheet = place_sheet(project, out)
    elif poses_of:
        sheet = pose_sheet(project, out, poses_of)
    elif cast:
        sheet = cast_sheet(project, out)
    else:
        sheet = run(project, out)
    click.echo(f"Wrote {sheet} and {out / 'index.html'}")
