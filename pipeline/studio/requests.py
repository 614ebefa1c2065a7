"""The seed's story requests checked and answered over the files: a story by id (never a
KeyError), its nodes (the seed's "Get Story Nodes"), and the body of "Generate Story
Content" (`scene_id`, `mode`, `params`) as `story.generate.generate`'s options.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem, ProjectError, did_you_mean, unknown_reference
from ..project import prepare
from ..source.resolve import ResolvedProject, ResolvedStory
from ..specs import StoryNode
from ..story.nodes import story_nodes as nodes_of


def find_story(project: ResolvedProject, story_id: str, where: str = "") -> ResolvedStory:
    """The resolved story `story_id`, or a ProjectError with did-you-mean (never a KeyError)."""
    story = next((s for s in project.stories if s.id == story_id), None)
    if story is None:
        ids = [s.id for s in project.stories]
        raise ProjectError([Problem(file=where or f"stories/{story_id}.md",
                                    field="story_id" if where else None,
                                    message=f"there is no story '{story_id}'",
                                    hint=unknown_reference("stories", story_id, ids))])
    return story


def story_nodes(root: str | Path, story_id: str) -> tuple[list[StoryNode], str]:
    """A story's nodes as the build uses them, and where they come from (the seed's
    "Get Story Nodes"; `panelwright stories nodes`)."""
    project = prepare(Path(root))
    story = find_story(project, story_id)
    origin = (f"committed in {Path(story.source).with_suffix('')}.nodes.yaml where fresh, "
              "from the outline elsewhere" if story.committed else
              "written from the outline by the story's text engine; none committed")
    return nodes_of(project, story), origin


GENERATE_PARAMS = {"temperature": (0.0, 2.0), "max_tokens": (1, None), "seed": (None, None)}


def generate_options(scene_id: str | None, mode: str, params: dict | None,
                     old: dict) -> dict:
    """The seed's `{scene_id, mode, params: {temperature, max_tokens}}` (and the older flat
    names `scene`, `temperature`...) as `story.generate.generate`'s options; a wrong
    parameter is a Problem naming it, never a settings error in panelwright.yaml."""
    params = dict(params or {})
    problems = []
    for key in [k for k in old if k in GENERATE_PARAMS]:
        params.setdefault(key, old.pop(key))
    scene = scene_id if scene_id is not None else old.pop("scene", None)
    for key in old:
        problems.append(Problem(file="generate", field=key, message=f"'{key}' is not an option",
                                hint=did_you_mean(key, ["scene_id", "mode", "params"])))
    for key, value in params.items():
        if key not in GENERATE_PARAMS:
            problems.append(Problem(file="generate", field=f"params.{key}",
                                    message=f"'{key}' is not a generation parameter",
                                    hint=did_you_mean(key, GENERATE_PARAMS) or
                                    "the parameters are: " + ", ".join(GENERATE_PARAMS)))
            continue
        low, high = GENERATE_PARAMS[key]
        if value is None:
            continue
        if not isinstance(value, int | float) or isinstance(value, bool) or (
                low is not None and value < low) or (high is not None and value > high):
            rule = f"from {low:g} to {high:g}" if high is not None else (
                f"{low:g} or more" if low is not None else "a whole number")
            problems.append(Problem(file="generate", field=f"params.{key}",
                                    message=f"{key} must be {rule}, got {value!r}"))
    if mode not in ("incremental", "full"):
        problems.append(Problem(file="generate", field="mode",
                                message=f"mode must be 'incremental' or 'full', got {mode!r}"))
    if problems:
        raise ProjectError(problems)
    return {"scene": scene, "mode": mode} | {k: v for k, v in params.items() if v is not None}
