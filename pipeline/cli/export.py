"""`panelwright export`: the comic as files readers keep (CBZ, PDF, EPUB)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .report import report as print_problems
from .report import reports_problems


@click.command()
@reports_problems("; nothing was exported")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--format", "fmt", type=click.Choice(["cbz", "pdf", "epub"]), required=True,
              help="cbz: pages and ComicInfo.xml for comic readers and servers; pdf: for "
              "reading and print, the lettering as text; epub: fixed-layout EPUB 3.")
@click.option("--story", metavar="ID", help="Export this story only (default: every story).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the files (default: PROJECT/_export): a new or empty "
              "folder, or one Panelwright wrote; never inside the project's sources.")
@click.option("--bleed", type=float, default=0.0, metavar="MM",
              help="PDF only: extend each page by MM millimetres on every side for print, "
              "with trim marks at the corners (printers ask for 3 to 5).")
@click.option("--jobs", "-j", type=click.IntRange(min=1),
              help="Panels drawn and pages baked at once (default: every core).")
def export(project: Path, fmt: str, story: str | None, out: Path | None, bleed: float,
           jobs: int | None) -> None:
    """Export PROJECT's stories as CBZ, PDF or EPUB files, one per story.

    \b
    A story unchanged since the last export into OUT is not written again; every
    file is written aside and renamed into place, so an interrupted export leaves
    the last good file.

    \b
    Examples:
      panelwright export my-comic --format cbz
      panelwright export my-comic --format pdf --bleed 3 --out /tmp/print
      panelwright export my-comic --format epub --story chapter-one
    """
    from ..export.run import export as run

    bar = None
    show = sys.stderr.isatty()

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if not show or total == 0:
            return
        if bar is not None and bar.label != stage.capitalize():
            bar.__exit__(None, None, None)
            bar = None
        if bar is None:
            bar = click.progressbar(length=total, label=stage.capitalize(), file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    def waiting() -> None:
        click.echo(f"A build of {project} is running; waiting for it to finish...", err=True)

    try:
        report = run(project, fmt, story=story, out=out, jobs=jobs, progress=progress,
                     bleed=bleed, waiting=waiting)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if report.warnings:
        print_problems(report.warnings)
    for name in report.files:
        state = "wrote" if name in report.written else "up to date"
        click.echo(f"{Path(report.out) / name} ({state})")
    click.echo(f"Exported {len(report.files)} {fmt.upper()} file"
               f"{'s' if len(report.files) != 1 else ''} ({len(report.written)} written, "
               f"{report.pages} pages) in {report.seconds:.2f} s.")
