"""The Python API: a story repo as objects, the CLI's twin, shaped like the seed's SDK.

    studio = Studio("projects/frost-moon")
    studio.characters.create(name="Mara", personality="Curious")
    studio.worlds["frost-moon"].scenes
    studio.stories["frost-moon-legend"].nodes
    studio.generate.comic(story_id=..., scene_id=..., panels=[{"description": ..., "camera": "wide_shot"}])
    studio.build()
    studio.pin("frost-moon-legend:1.2")    # keep a panel's art as drawn; studio.unpin(...)

Errors are the CLI's: `ProjectError` with every problem's file, line and fix. In a
notebook every object shows itself (see `pipeline.display`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from ..art import default_jobs, draw_art, request_for
from ..build import BuildReport, build
from ..casting import bodies
from ..characters.avatars import Avatars
from ..characters.files import CharacterPage, Characters
from ..engines import IMAGE_GROUP, load_engine
from ..errors import Problem, ProjectError, unknown_reference
from ..export.run import ExportReport, export
from ..format.camera import Angle, Shot
from ..format.model import StyleDNA
from ..format.presets import PRESETS
from ..format.sizes import ASPECT_RATIOS, fit
from ..format.slugs import mentioned
from ..lettering.place import letter
from ..lettering.stage import lettering_font
from ..plan import panel_seed, plan
from ..project import prepare
from ..runtime.parallel import ticker
from ..site.pages import page_image
from ..source.resolve import ResolvedProject, ResolvedStory, names_of, palette_anchor, style_hint
from ..specs import Camera, PanelSpec
from ..story.nodes import write_nodes
from ..worlds.edit import times_of
from ..worlds.files import SceneCards, Worlds
from ..worlds.stories import Stories
from .display import CharacterView, NodesTable, PageView, PanelView, Progress, SceneView
from .pinning import Pinned, pin_panel, unpin_panel
from .requests import find_story, generate_options, story_nodes


class StudioCharacters(Characters):
    """The character API, returning characters that display as cards."""

    def _view(self, character) -> CharacterView:
        avatar = None
        if character.avatar:
            path = self.folder / character.avatar
            avatar = path.read_bytes() if path.is_file() else None
        view = CharacterView(character, avatar)
        view.__dict__.update(times_of(self.root, character.source))  # created_at, updated_at
        return view

    def get(self, character_id: str) -> CharacterView:  # type: ignore[override]
        return self._view(super().get(character_id))

    def create(self, name: str, description: str = "", personality: str = "",  # type: ignore[override]
               first_mes: str = "", **fields: Any) -> CharacterView:
        return self._view(super().create(name, description, personality, first_mes, **fields))

    def update(self, character_id: str, **fields: Any) -> CharacterView:  # type: ignore[override]
        return self._view(super().update(character_id, **fields))

    def list(self, limit: int = 20, offset: int = 0, search: str | None = None
             ) -> CharacterPage:
        return super().list(limit, offset, search)


class WorldView:
    def __init__(self, studio: Studio, world_id: str):
        self.studio, self.id = studio, world_id
        self.model = studio.project.worlds[world_id]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)

    @property
    def scenes(self) -> list[SceneView]:
        return [SceneView(card, self.studio.scene_thumbnail(self.id, card.id))
                for card in self.model.scenes]

    def _repr_html_(self) -> str:
        return (f"<h3>{self.model.name}</h3>" +
                "".join(s._repr_html_() for s in self.scenes))


class StoryView:
    def __init__(self, studio: Studio, story_id: str):
        self.studio, self.id = studio, story_id
        self.model = find_story(studio.project, story_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)

    @property
    def nodes(self) -> NodesTable:
        return NodesTable(write_nodes(self.studio.project)[self.id])

    @property
    def pages(self) -> list[PageView]:
        """Every page of the story, drawn and lettered as the site shows it."""
        project = self.studio.project
        story_plan = next(p for p in plan(project, write_nodes(project)) if p.story == self.id)
        art = draw_art(project, story_plan.panels, default_jobs(),
                       ticker(Progress(f"Drawing {self.model.title}"), "drawing",
                              len(story_plan.panels)))
        font = lettering_font(project, [story_plan])
        lettered = letter(story_plan.panels, art, font, project.config.lettering)
        return [PageView(page, page_image(project, self.model.style, page, art, lettered, font,
                                          scale=0.5)) for page in story_plan.pages]

    def generate(self, scene_id: str | None = None, mode: str = "incremental",
                 params: dict | None = None, **older: Any) -> Any:
        """Write this story's nodes with its text engine and commit them (`panelwright
        generate`), with the seed's names: `scene_id`, `mode`, `params={"temperature":
        0.8, "max_tokens": 1024}` (the flat `scene=`, `temperature=` still work)."""
        from ..story import generate as generator  # imported when used: it brings HTTP clients
        options = generate_options(scene_id, mode, params, dict(older))
        return generator.generate(self.studio.root, self.id, **options)

    def _repr_html_(self) -> str:
        return f"<h3>{self.model.title}</h3>" + self.nodes._repr_html_()


class ComicGenerator:
    """`studio.generate.comic(...)`: the seed's comic-panel endpoint, drawn locally."""

    def __init__(self, studio: Studio):
        self.studio = studio

    def __call__(self, story_id: str, scene_id: str | None = None, mode: str = "incremental",
                 params: dict | None = None, **older: Any) -> Any:
        """The seed's "Generate Story Content": `studio.generate(story_id=...,
        scene_id=..., mode="incremental", params={"temperature": 0.8})`."""
        return self.studio.stories[story_id].generate(scene_id, mode, params, **older)

    def comic(self, story_id: str, scene_id: str, panels: list[dict],
              commit: bool = False) -> list[PanelView]:
        """Draw `panels` (description, style, camera) in a scene of a story. With
        `commit=True` they are also added to the story's outline, under a heading for
        the scene, so that the next build puts them on the site (drawn there at the
        story's page layout and seeds, in the story's style)."""
        project = self.studio.project
        story = find_story(project, story_id, "generate.comic")
        world = project.worlds[story.world]
        if scene_id not in {s.id for s in world.scenes}:
            raise ProjectError([Problem(file=story.source, message=f"the scene '{scene_id}' "
                                        f"is not a scene card of the world '{world.id}'",
                                        hint=unknown_reference("scene cards",
                                                               scene_id,
                                                               [s.id for s in world.scenes]))])
        project = self._with_presets(project, panels)
        specs = [self._spec(project, story, scene_id, index, panel)
                 for index, panel in enumerate(panels)]
        if commit:
            self._commit(story, scene_id, specs)
        art = draw_art(project, specs, default_jobs(), ticker(Progress("Drawing"), "drawing",
                                                              len(specs)))
        views = []
        for spec in specs:
            with Image.open(art[spec.id].image) as image:
                views.append(PanelView(spec, image.convert("RGB")))
        return views

    @staticmethod
    def _with_presets(project: ResolvedProject, panels: list[dict]) -> ResolvedProject:
        """The project with the named presets the panels ask for as styles (a style file
        of the same name wins), as a story naming a preset gets them."""
        wanted = {p.get("style") for p in panels if isinstance(p, dict)}
        missing = [n for n in wanted if n in PRESETS and n not in project.styles]
        if not missing:
            return project
        styles, assets = dict(project.styles), dict(project.assets)
        for name in missing:
            styles[name] = StyleDNA(id=name, name=name.replace("_", " ").title(), preset=name,
                                    source=f"preset '{name}'")
            palette_anchor(styles[name], assets)
        return project.model_copy(update={"styles": styles, "assets": assets})

    def _commit(self, story: ResolvedStory, scene_id: str, specs: list[PanelSpec]) -> None:
        differ = [s for s in specs if s.style != story.style]
        if differ:
            raise ProjectError([Problem(
                file=story.source, field="style",
                message=f"a panel asks for the style '{differ[0].style}' but the story is "
                        f"drawn in '{story.style}'; a story has one style",
                hint="draw it without commit=True, or set the story's style first")])
        paragraphs = []
        for spec in specs:
            tags = spec.camera.shot.value + ("" if spec.camera.angle.value == "eye_level"
                                             else f", {spec.camera.angle.value}")
            paragraphs.append(f"[{tags}] {spec.description}")
        stories = Stories(self.studio.root)
        outline = stories.get(story.id).outline.rstrip("\n")
        stories.update(story.id, outline=outline + f"\n\n## {scene_id}\n\n"
                       + "\n\n".join(paragraphs) + "\n")

    def _spec(self, project: ResolvedProject, story, scene_id: str, index: int,
              panel: dict) -> PanelSpec:
        description = str(panel.get("description", ""))
        style = panel.get("style") or story.style
        if style is not None and style not in project.styles:
            raise ProjectError([Problem(file="generate.comic", field=f"panels[{index}].style",
                                        message=f"the style '{style}' does not exist",
                                        hint=style_hint(style, project.styles))])
        camera = panel.get("camera", "medium_shot")
        try:
            camera = Camera(shot=Shot(camera), chosen_by="outline") if isinstance(camera, str) \
                else Camera(shot=Shot(camera["shot"]),
                            angle=Angle(camera.get("angle", "eye_level")), chosen_by="outline")
        except (ValueError, KeyError):
            raise ProjectError([Problem(
                file="generate.comic", field=f"panels[{index}].camera",
                message=f"'{camera}' is not a camera",
                hint="use a shot such as 'wide_shot' or {'shot': 'close_up', "
                     "'angle': 'low_angle'}")]) from None
        size = project.styles[style].size if style and project.styles[style].size else \
            project.config.panel_size
        width, height = (size.width, size.height) if size.width else ASPECT_RATIOS.get(
            size.aspect_ratio or "", fit(size.aspect))
        node = f"{scene_id}-comic-{index + 1}"
        return PanelSpec(
            id=f"{story.id}--{node}", story=story.id, node=node, page=1, slot=index,
            world=story.world, scene=scene_id, style=style, description=description,
            camera=camera, lines=[],
            characters=bodies(mentioned(description, names_of(project.characters)),
                              project.characters),
            width=width, height=height, box=(0, 0, width, height),
            seed=panel_seed(project.config.seed, story.id, f"{node}:{description}"),
            source=story.source)


class _Views:
    """Both a mapping of the resolved project's objects (`studio.worlds["frost-moon"]`,
    displayed in a notebook) and the file API of the seed's verbs (`create`, `get`,
    `update`, `delete`, `list`)."""

    kind = ""

    def _ids(self) -> list[str]:
        raise NotImplementedError

    def _view(self, key: str) -> Any:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        ids = self._ids()
        if key not in ids:
            raise ProjectError([Problem(file=f"{self.kind}/", message=f"there is no "
                                        f"{self.kind[:-1].replace('ie', 'y')} '{key}'",
                                        hint=unknown_reference(self.kind, key, ids))])
        return self._view(key)

    def __contains__(self, key: object) -> bool:
        return key in self._ids()

    def __iter__(self):
        return iter(self._ids())

    def __len__(self) -> int:
        return len(self._ids())

    def keys(self) -> list[str]:
        return self._ids()

    def values(self) -> list[Any]:
        return [self._view(k) for k in self._ids()]

    def items(self) -> list[tuple[str, Any]]:
        return [(k, self._view(k)) for k in self._ids()]


class StudioWorlds(_Views, Worlds):
    kind = "worlds"

    def __init__(self, studio: Studio):
        Worlds.__init__(self, studio.root)
        self.studio = studio

    def _ids(self) -> list[str]:
        return list(self.studio.project.worlds)

    def _view(self, key: str) -> WorldView:
        return WorldView(self.studio, key)


class StudioStories(_Views, Stories):
    kind = "stories"

    def __init__(self, studio: Studio):
        Stories.__init__(self, studio.root)
        self.studio = studio

    def _ids(self) -> list[str]:
        return [s.id for s in self.studio.project.stories]

    def _view(self, key: str) -> StoryView:
        return StoryView(self.studio, key)

    def nodes(self, story_id: str) -> NodesTable:
        """The seed's "Get Story Nodes"."""
        return NodesTable(story_nodes(self.studio.root, story_id)[0])


class Studio:
    """A story repo, opened for exploration and for the seed's SDK verbs."""

    def __init__(self, path: str | Path):
        self.root = Path(path)
        self.characters = StudioCharacters(self.root)
        self.avatars = Avatars(self.root)
        self.worlds = StudioWorlds(self)
        self.scenes = SceneCards(self.root)
        self.stories = StudioStories(self)
        self.generate = ComicGenerator(self)
        self._project: ResolvedProject | None = None
        self._signature: tuple = ()
        self._thumbnails: dict[tuple[str, str], Image.Image] = {}

    def _files_signature(self) -> tuple:
        return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in self.root.rglob("*")
                            if p.is_file() and "_site" not in p.parts
                            and ".panelwright" not in p.parts))

    @property
    def project(self) -> ResolvedProject:
        """The resolved project; read again whenever a file changed."""
        signature = self._files_signature()
        if self._project is None or signature != self._signature:
            self._project, self._signature = prepare(self.root), signature
        return self._project

    def reload(self) -> None:
        self._project = None

    @property
    def styles(self) -> dict[str, Any]:
        return dict(self.project.styles)

    def scene_thumbnail(self, world_id: str, scene_id: str) -> Image.Image:
        key = (world_id, scene_id)
        if key not in self._thumbnails:
            project = self.project
            spec = PanelSpec(id=f"thumb-{scene_id}", story="", node="", page=1, slot=0,
                             world=world_id, scene=scene_id, style=None, description="",
                             camera=Camera(shot=Shot.wide_shot), characters=[], lines=[],
                             width=512, height=384, seed=1, source="")
            engine = load_engine(IMAGE_GROUP, "procedural", {})
            self._thumbnails[key] = engine.draw(request_for(project, spec)).image
        return self._thumbnails[key]

    def build(self, out: str | Path | None = None, jobs: int | None = None) -> BuildReport:
        """Build the site (PROJECT/_site by default); a progress bar shows in notebooks."""
        return build(self.root, out=out, jobs=jobs, progress=Progress("Building"))

    def serve(self, port: int = 0, host: str = "127.0.0.1", out: str | Path | None = None,
              jobs: int | None = None) -> Any:
        """Serve the comic live, as `panelwright serve` does, from a background thread:
        every save rebuilds it and reloads the open views. Returns the server, which
        displays as a link and the site in an IFrame; call `.stop()` to end it. Port 0
        picks a free port. Waits for the first build."""
        from ..serve.server import LiveServer

        server = LiveServer(self.root, out=out, host=host, port=port, jobs=jobs).start()
        server.wait_first_build()
        return server

    def pin(self, panel: str) -> Pinned:
        """Keep a panel's art exactly as it is drawn now, as `panelwright pin` does.

        `panel` is a panel id as `build --explain` shows it (`arrival--city-gate-02`),
        or `STORY:PAGE.PANEL` (`arrival:1.2`; `1.2` when there is one story). The art
        (drawn now if it is not yet) is copied to `pins/<story>/<node>.png` and listed
        in `stories/<story>.pins.yaml`: commit both. A new seed, a style tweak or an
        engine upgrade then leaves the panel as it is, until `unpin`. Returns the panel's
        id, the kept image and the pins file; raises ProjectError (file, line, fix) for
        a panel that does not exist or shows your own art.

            studio.pin("arrival:1.2")
        """
        return pin_panel(self.root, panel)

    def unpin(self, panel: str) -> Pinned:
        """Let a pinned panel be drawn anew, as `panelwright unpin` does: its entry in
        the pins file and its kept image are removed (the file too, once empty).
        `panel` is named as for `pin`; raises ProjectError when it is not pinned."""
        return unpin_panel(self.root, panel)

    def export(self, format: str, story: str | None = None, out: str | Path | None = None,
               jobs: int | None = None, bleed: float = 0.0) -> ExportReport:
        """Export the stories (or one) as "cbz", "pdf" or "epub" files into `out`
        (PROJECT/_export by default), as `panelwright export` does; an unchanged story
        is not written again."""
        return export(self.root, format, story=story, out=out, jobs=jobs,
                      progress=Progress("Exporting"), bleed=bleed)


__all__ = ["Studio"]
