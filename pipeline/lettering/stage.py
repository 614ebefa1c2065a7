"""Stage 7, letter: every panel's balloons, from the cache when nothing they read changed.

`place.py` decides where words go in one panel; this module runs that for a whole
build: the project's fonts, the cache key of each panel's lettering (which holds the
letterer's own code, so improving it re-letters), the fitting spread over every core,
and the warnings about words that cannot be shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..errors import Problem
from ..format.camera import shot_words
from ..format.model import LetteringConfig, LineKind
from ..runtime import parallel
from ..runtime.cache import Cache, digest
from ..runtime.code import code_digest
from ..source.resolve import ResolvedProject
from ..specs import LetteredPanel, NodeLine, PanelArt, PanelSpec, StoryPlan
from .fonts import LetteringFont, missing_glyphs, with_fallbacks
from .hints import explain
from .place import letter_panel


def lettering_font(project: ResolvedProject, plans: Iterable[StoryPlan] = ()) -> LetteringFont:
    """The project's lettering font and fallback (the bundled face when it names none),
    then the faces found on the machine for what the lettering of `plans` still needs."""
    config = project.config.lettering
    main = project.assets.get(config.font or "")
    fallback = project.assets.get(config.fallback_font or "")
    font = LetteringFont(main.data if main else None, fallback.data if fallback else None)
    return with_fallbacks(font, [text for story_plan in plans for panel in story_plan.panels
                                 for said in panel.lines for text in _lettered(said, config)])


def _lettered(said: NodeLine, config: LetteringConfig) -> tuple[str, ...]:
    """The text as the writer wrote it (the transcript) and as it is lettered (capitals)."""
    if config.case == "upper" or said.kind == LineKind.sfx:
        return (said.text, said.text.upper())
    return (said.text,)


def _line_of(panel: PanelSpec, text: str) -> int | None:
    """The outline line of the words `text` in `panel` (the panel's own when not found)."""
    said = next((w for w in panel.lines if w.text == text), None)
    return said.line if said else panel.line


def _codes(chars: str, most: int = 10) -> str:
    named = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in chars[:most])
    return named + (f" and {len(chars) - most} more" if len(chars) > most else "")


def covered_faces(panel: PanelSpec, lettered: LetteredPanel, art: PanelArt | None
                  ) -> list[tuple[str, str]]:
    """(words, character) for each balloon lying over a face the art reported: the
    letterer keeps off faces where it can, so these are the words that found no room.
    A face is its lower three quarters (brows to chin), as the letterer sees it."""
    if art is None or not panel.width:
        return []
    scale = panel.box[2] / panel.width
    found = []
    for balloon in lettered.balloons:
        bx, by, bw, bh = balloon.box
        for figure in art.figures:
            hx, hy, hw, hh = (v * scale for v in figure.head)
            hy, hh = hy + hh * 0.25, hh * 0.75
            over_w = min(bx + bw, hx + hw) - max(bx, hx)
            over_h = min(by + bh, hy + hh) - max(by, hy)
            if over_w > 0 and over_h > 0 and over_w * over_h > 0.2 * hw * hh:
                found.append((balloon.text, figure.character))
    return found


def lettering_warnings(project: ResolvedProject, plans: list[StoryPlan], lettered: dict,
                       font: LetteringFont, art: dict[str, PanelArt] | None = None
                       ) -> list[Problem]:
    """Words that do not fit their panel or cover a face (when the art is known), and
    characters the fonts cannot show."""
    warnings = []
    names = {cid: c.name for cid, c in project.characters.items()}
    for story_plan in plans:
        for panel in story_plan.panels:
            for text, who in covered_faces(panel, lettered[panel.id], (art or {}).get(panel.id)):
                name = project.characters[who].name if who in project.characters else who
                warnings.append(Problem(
                    file=panel.source, line=_line_of(panel, text), severity="warning",
                    message=f"these words cover {name}'s face in panel {panel.slot + 1} of "
                            f"page {panel.page}: '{text[:60]}'",
                    hint="shorten the line, choose a wider shot for this paragraph (e.g. "
                         "[wide_shot]) so there is room beside the faces, or put a page "
                         "break before it so the panel gets a bigger slot"))
            for text in lettered[panel.id].overflow:
                warnings.append(Problem(
                    file=panel.source, line=_line_of(panel, text), severity="warning",
                    message=f"these words do not fit panel {panel.slot + 1} of page "
                            f"{panel.page} at the smallest readable size: '{text[:60]}'",
                    hint="shorten the line, split it between panels, or give the page a "
                         "layout with a bigger panel here"))
            for miss in lettered[panel.id].misplaced:  # placement hints not honoured
                said = panel.lines[miss.order]
                message, hint = explain(miss, said.text, names,
                                        shot_words(panel.camera.shot), panel.characters)
                warnings.append(Problem(file=panel.source, line=said.line or panel.line,
                                        severity="warning", message=message, hint=hint))
            for said in panel.lines:
                texts = _lettered(said, project.config.lettering)
                missing = "".join(dict.fromkeys("".join(missing_glyphs(font, t)
                                                        for t in texts)))
                if missing:
                    warnings.append(Problem(
                        file=panel.source, line=said.line,
                        message=f"no font on this machine can draw {_codes(missing)}",
                        hint="install a font that has these characters: "
                             "pip install 'panelwright[cjk]' for Chinese, Japanese and "
                             "Korean, a system font package (e.g. fonts-noto), or set "
                             "lettering.fallback_font in panelwright.yaml to a font file"))
                    continue
                lacking = font.lacking(texts[-1], font.choose(texts[-1]))
                if lacking:
                    warnings.append(Problem(
                        file=panel.source, line=said.line, severity="warning",
                        message=f"no one font draws all of this line: {_codes(lacking)} "
                                f"would show as '?'",
                        hint="split the line into balloons by script, or set "
                             "lettering.fallback_font to a font that has all of it"))
    return warnings


def letter_cached(project: ResolvedProject, panels: list[PanelSpec],
                  art: dict[str, PanelArt], font: LetteringFont, font_digest: str,
                  jobs: int = 1) -> tuple[dict[str, LetteredPanel], set[str], dict[str, str]]:
    """Lettering for every panel, from the cache when nothing it reads changed.

    Returns the lettering, the ids of panels lettered anew, and each panel's key.
    """
    cache = Cache(project.root)
    config = project.config.lettering
    key_of = letter_keys(config, font_digest)
    out, keys, todo = {}, {}, []
    for spec in panels:
        key = keys[spec.id] = key_of(spec, art[spec.id])
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


def letter_keys(config: LetteringConfig, font_digest: str
                ) -> Callable[[PanelSpec, PanelArt], str]:
    """The cache key of a panel's lettering: everything the letterer reads (its words and
    box, the faces in its art, the fonts, the settings) and the letterer's own code."""
    code = _lettering_code()
    settings = config.model_dump(mode="json")

    def key(spec: PanelSpec, art: PanelArt) -> str:
        return digest("letters", code, font_digest, settings,
                      spec.model_dump(mode="json", include={"lines", "box", "rtl", "width",
                                                            "height", "id", "heard",
                                                            "voices"}),
                      [f.model_dump(mode="json") for f in art.figures])
    return key


def letter_job(job: tuple[PanelSpec, PanelArt],
               common: tuple[LetteringFont, LetteringConfig]) -> LetteredPanel:
    """One panel lettered, as a `Workers` job (`common`: the fonts and settings)."""
    return _letter(job, common)


def _letter(job: tuple[PanelSpec, PanelArt],
            common: tuple[LetteringFont, LetteringConfig]) -> LetteredPanel:
    font, config = common
    return letter_panel(*job, font, config)


def _lettering_code() -> str:
    """The letterer's own code: improving it re-letters, as a changed input would.

    The fitting and drawing code only (place and every lettering module it imports:
    shapes, spots, heard, hints, fonts; and draw): this module's bookkeeping does not
    change what a balloon looks like, so it keys nothing."""
    from . import draw as balloons
    from . import place as lettering
    return code_digest(lettering.__name__, balloons.__name__, within=__package__)
