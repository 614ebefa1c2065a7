"""The `panelwright` command: build, check, new, clean.

Errors a user can cause are printed as a report (file:line: what is wrong, and a
hint) with exit status 1; a traceback means a bug in Panelwright.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import Problem, ProjectError


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        click.secho(problem.location() + ":", fg=colour, bold=True, nl=False, err=True)
        click.echo(f" {problem.severity}: {problem.message}", err=True)
        if problem.hint:
            click.echo(f"    hint: {problem.hint}", err=True)


def _fail(problems: list[Problem], outcome: str = "; nothing was built") -> None:
    _report(problems)
    errors = sum(1 for p in problems if p.severity == "error")
    click.secho(f"{errors} error{'s' if errors != 1 else ''} found{outcome}.", fg="red",
                err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="panelwright")
def main() -> None:
    """Turn a folder of story files into a comic, published as a static site.

    \b
    Start a project, check it, build it:
      panelwright new my-comic
      panelwright check my-comic
      panelwright build my-comic      # writes my-comic/_site/index.html

    The story repo format is described in docs/format.md.
    """


@main.command()
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the site (default: PROJECT/_site): a new or empty "
              "folder, or a site Panelwright built; never inside the project's sources.")
@click.option("--jobs", "-j", type=click.IntRange(min=1),
              help="Panels drawn at once (default: every core).")
@click.option("--explain", is_flag=True, help="Say, for each panel drawn, which input changed.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the build summary as one JSON object on standard output.")
@click.option("--notify", metavar="URL",
              help="POST the build's summary as JSON to this URL when the build ends.")
def build(project: Path, out: Path | None, jobs: int | None, explain: bool,
          as_json: bool, notify: str | None) -> None:
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
    """
    from ..build import build as run

    bar = None
    show = sys.stderr.isatty() and not as_json

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if not show or total == 0:
            return
        if bar is None:
            bar = click.progressbar(length=total, label=stage.capitalize(), file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    def waiting() -> None:
        click.echo(f"Another build of {project} is running; waiting for it to finish...",
                   err=True)

    try:
        report = run(project, out=out, jobs=jobs, progress=progress, waiting=waiting)
    except ProjectError as exc:
        if notify:
            from .engines import notify as post
            failed = post(notify, {"ok": False, "errors": [str(p) for p in exc.errors]})
            if failed:
                click.secho(f"warning: {failed}", fg="yellow", err=True)
        _fail(exc.problems)
        return
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if notify:
        from .engines import notify as post
        failed = post(notify, {"ok": True} | report.model_dump(mode="json", exclude={
            "warnings", "explain"}))
        if failed:
            click.secho(f"warning: {failed}", fg="yellow", err=True)
    if report.warnings:
        _report(report.warnings)
    if as_json:
        summary = report.model_dump(mode="json", exclude={"warnings", "explain"})
        # the count, as before, and the warnings themselves (those printed above)
        summary["warnings"] = len(report.warnings)
        summary["problems"] = [p.model_dump(mode="json") for p in report.warnings]
        if explain:
            summary["explain"] = report.explain
        click.echo(json.dumps(summary))
        return
    if explain:
        for panel, reason in report.explain.items():
            click.echo(f"drew {panel}: {reason}")
    click.echo(f"Built {report.stories} stor{'y' if report.stories == 1 else 'ies'}: "
               f"{report.panels} panels ({report.panels_drawn} drawn, "
               f"{report.panels_cached} from the cache, {report.panels_lettered} lettered), "
               f"{report.pages} pages ({report.pages_written} written) "
               f"in {report.seconds:.2f} s.")
    click.echo(f"Open {Path(report.out) / 'index.html'}")


@main.command()
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
def check(project: Path) -> None:
    """Check PROJECT for every problem at once, without building.

    Exits 0 when the project can be built (warnings are printed but allowed), 1 with
    a report naming the file, line and fix of each problem otherwise.
    """
    from ..build import check as run

    problems = run(project)
    if any(p.severity == "error" for p in problems):
        _fail(problems)
    _report(problems)
    warnings = len(problems)
    click.echo(f"{project}: OK" + (f" ({warnings} warning{'s' if warnings != 1 else ''})"
                                   if warnings else ""))


@main.command()
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


@main.command()
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="The site folder to remove (default: PROJECT/_site).")
def clean(project: Path, out: Path | None) -> None:
    """Remove PROJECT's built site and its cache. Your story files are not touched.

    Only folders Panelwright made are removed (a site holds a .panelwright-site file);
    symbolic links are not followed. A running build of PROJECT finishes first.
    """
    from ..runtime.outdir import clean as run

    def waiting() -> None:
        click.echo(f"A build of {project} is running; waiting for it to finish...", err=True)

    try:
        removed, problems = run(project, out, waiting)
    except ProjectError as exc:
        _fail(exc.problems, "; nothing was removed")
        return
    for path in removed:
        click.echo(f"Removed {path}")
    if problems:
        _fail(problems, "; nothing was removed")


@main.command()
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for index.html and contact-sheet.png: a new or empty folder, "
              "or one Panelwright wrote.")
def preview(project: Path, out: Path) -> None:
    """Draw one panel of PROJECT in every shot, angle and treatment, on a contact sheet.

    \b
    Example:
      panelwright preview projects/frost-moon --out /tmp/sheet
      # then open /tmp/sheet/index.html or /tmp/sheet/contact-sheet.png
    """
    from ..studio.preview import preview as run

    try:
        sheet = run(project, out)
    except ProjectError as exc:
        _fail(exc.problems)
        return
    click.echo(f"Wrote {sheet} and {out / 'index.html'}")


from .characters import characters  # noqa: E402

main.add_command(characters)

from .characters import avatar  # noqa: E402

main.add_command(avatar)

from .characters import card  # noqa: E402

main.add_command(card)

from .engines import engines, generate  # noqa: E402

main.add_command(engines)
main.add_command(generate)
