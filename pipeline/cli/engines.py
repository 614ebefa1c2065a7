"""`panelwright engines` and `panelwright generate`: the commands about engines."""

from __future__ import annotations

from pathlib import Path

import click

from .report import reports_problems


@click.command()
@reports_problems("")
@click.option("--check", "check_servers", is_flag=True,
              help="Ask each server of the project's remote engines whether it can draw.")
@click.option("--project", "-p", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The story repo whose engines --check asks.")
def engines(check_servers: bool, project: Path) -> None:
    """List the installed text and image engines with each one's settings.

    \b
    Choose them in panelwright.yaml:
      engines:
        text: openai
        text_settings: {base_url: "http://127.0.0.1:11434/v1", model: llama3.1}
        image: comfyui
        image_settings: {workflow: workflows/panel.json}

    Secrets are never settings: a setting such as api_key_env names the environment
    variable that holds the key. docs/engines.md describes every engine.
    """
    if check_servers:
        _check(project)
        return
    from ..engines import IMAGE_GROUP, TEXT_GROUP, available

    for group, kind in ((TEXT_GROUP, "text"), (IMAGE_GROUP, "image")):
        click.secho(f"{kind} engines", bold=True)
        for name, entry in sorted(available(group).items()):
            try:
                engine = entry.load()
            except Exception as exc:  # a broken third-party plugin must not hide the rest
                click.echo(f"  {name}: cannot be loaded ({exc})")
                continue
            doc = (engine.__module__ and __import__(engine.__module__, fromlist=["x"]).__doc__
                   or "").strip().splitlines()[0:1]
            click.echo(f"  {name} (version {engine.version}, {entry.value}): "
                       f"{doc[0] if doc else ''}")
            for field, info in engine.Settings.model_fields.items():
                default = "required" if info.is_required() else \
                    f"default {info.get_default(call_default_factory=True)!r}"
                note = f" — {info.description}" if info.description else ""
                click.echo(f"      {field}: {default}{note}")


def _check(root: Path) -> None:
    """Each server of each remote engine the project uses: reachable, how fast, its
    capacity; exit 1 when an engine has no server that can draw."""
    from ..build import ready
    from ..engines.choice import engine_for, load_chosen
    from ..engines.pool import RemoteEngine, check

    project = ready(root)
    seen: set[tuple[str, str, str]] = set()
    stranded = []
    for kind in ("image", "text"):
        for story in [None, *project.stories]:
            choice = engine_for(project, story, kind)
            key = (kind, choice.name, repr(sorted(choice.settings.items())))
            if key in seen:
                continue
            seen.add(key)
            _, engine = load_chosen(project, story, kind)
            where = f"{kind} engine {choice.name} ({choice.settings_file})"
            if not isinstance(engine, RemoteEngine):
                click.echo(f"{where}: runs on this machine, nothing to check")
                continue
            results = [check(engine, member) for member in engine.settings.members()]
            able = [h for h in results if h.ok]
            click.secho(f"{where}: {len(able)} of {len(results)} servers can draw, "
                        f"{sum(h.capacity for h in able)} panels at once",
                        bold=True, fg=None if able else "red")
            for h in results:
                click.echo(f"  {h.server}: {'reachable' if h.ok else 'cannot draw'}, "
                           f"{h.latency * 1000:.0f} ms, max_in_flight {h.capacity}"
                           + ("" if h.ok else f" — {h.note}"))
            if not able:
                stranded.append(where)
    if stranded:
        click.secho("no server can draw for: " + "; ".join(stranded), fg="red", err=True)
        raise SystemExit(1)


@click.command()
@reports_problems("; nothing was written")
@click.argument("story")
@click.option("--project", "-p", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True)
@click.option("--scene", "--scene-id", "scene", help="Only this scene (a scene card id).")
@click.option("--mode", type=click.Choice(["incremental", "full"]), default="incremental",
              show_default=True, help="incremental: only scenes that are new or changed.")
@click.option("--temperature", type=click.FloatRange(0, 2),
              help="The text engine's temperature, 0–2 (the seed's params.temperature).")
@click.option("--max-tokens", type=click.IntRange(min=1),
              help="The longest reply, in tokens (the seed's params.max_tokens).")
@click.option("--seed", type=int)
def generate(story: str, project: Path, scene: str | None, mode: str,
             temperature: float | None, max_tokens: int | None, seed: int | None) -> None:
    """Write STORY's nodes with its text engine into stories/STORY.nodes.yaml.

    The build uses the committed nodes and needs no model. Nodes you edit by hand
    are kept, never overwritten; nodes you delete stay deleted.
    """
    from ..story.generate import generate as run

    report = run(project, story, scene=scene, mode=mode, temperature=temperature,
                 max_tokens=max_tokens, seed=seed)
    click.echo(f"Wrote {report.file}: scenes written: {', '.join(report.written) or 'none'}; "
               f"unchanged: {', '.join(report.unchanged) or 'none'}")
    for node in report.kept:
        click.echo(f"  kept {node}: you edited it by hand")
    for node in report.left_out:
        click.echo(f"  left out {node}: you deleted it by hand (take it off the scene's "
                   "'written:' list to have it written again)")
    for problem in report.warnings:
        click.secho(str(problem), fg="yellow", err=True)
