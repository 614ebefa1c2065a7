"""What model-backed engines are told: a panel's picture prompt, a scene's story prompt.

Built from the writer's own words: the panel's description, cast, scene, camera and
style; for stories, the outline, the cast's character fields and the world's lore
entries whose keys occur in the scene (as role-play lorebooks do: a key matches as a
whole word, ignoring case and accents). Also which reference images an engine gets,
in which order: the cast's avatars, then the style's anchors.
"""

from __future__ import annotations

import re
from typing import Any

from ..format.model import Character, LoreEntry, SceneCard, StyleDNA
from ..format.presets import SWATCH_PREFIX
from ..format.slugs import fold
from ..source.resolve import ResolvedBeat
from ..specs import PanelSpec
from . import DrawRequest
from .errors import EngineError

SHOT_WORDS = {
    "extreme_wide_shot": "extreme wide shot, tiny figures in a vast landscape",
    "wide_shot": "wide shot, full environment visible", "full_shot": "full body shot",
    "medium_shot": "medium shot, waist up", "medium_close_up": "medium close-up, chest up",
    "close_up": "close-up on the face", "extreme_close_up": "extreme close-up, eyes",
    "over_the_shoulder": "over-the-shoulder shot", "insert": "insert shot of an object",
}
CLOSE_SHOTS = {"medium_close_up", "close_up", "extreme_close_up"}
TREATMENT_WORDS = {
    "flat": "flat cel shading, clean colours", "ink": "bold ink lines, comic inking",
    "halftone": "halftone screentone, printed comic", "watercolour": "watercolour wash",
    "noir": "film noir, high-contrast black and white",
}
NEGATIVE = "text, letters, speech bubbles, watermark, signature, blurry, deformed hands"
# How hard the style (its anchors, its look) pulls a panel, as the procedural engine's
# treatments read it; the model engines map it onto their own knobs (docs/engines.md)
GUIDANCE = {"low": 0.35, "high": 0.7}
GUIDANCE_WORDS = {"low": "loosely inspired by this style", "high": "closely following this style"}


def guidance(style: StyleDNA | None) -> float:
    """The style's guidance as a strength from 0 to 1 (a panel with no style: high)."""
    return GUIDANCE[style.guidance if style is not None else "high"]


def loosened(value: float, style: StyleDNA | None, ceiling: float = 1.0) -> float:
    """A setting that holds a panel to its reference (image-to-image denoising, how far
    from the start picture it may move): as set under high guidance, halfway to
    `ceiling` under low guidance, so that the reference pulls less."""
    if style is None or style.guidance == "high":
        return value
    return round(value + (ceiling - value) / 2, 4)


def weakened(value: float, style: StyleDNA | None, floor: float = 0.0) -> float:
    """A setting that pulls toward the style (CFG, an IP-Adapter's scale): as set under
    high guidance, a quarter less under low guidance (never under `floor`)."""
    if style is None or style.guidance == "high":
        return value
    return round(max(floor, value * 0.75), 4)


def style_words(style: StyleDNA) -> str:
    """The style in words: its name, its preset's look, its treatment, its palette and
    how closely to follow it."""
    parts = [f"style: {style.name or style.id}", style.look,
             TREATMENT_WORDS[style.treatment.value]]
    if style.palette:
        parts.append("palette " + " ".join(style.palette))
    parts.append(GUIDANCE_WORDS[style.guidance])
    return ", ".join(p for p in parts if p)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def character_words(character: Character) -> str:
    """How a character looks, in a few words: the first line of the description
    (or the personality) and the colours of the figure."""
    look = ", ".join(f"{k} {v}" for k, v in character.colours.model_dump().items() if v)
    who = _first_line(character.description) or character.personality
    return f"{character.name}: {who}".rstrip(": ") + (f" ({look})" if look else "")


def panel_prompt(spec: PanelSpec, scene: SceneCard, characters: list[Character],
                 style: StyleDNA | None) -> str:
    """One paragraph describing the panel's picture; no words (lettering comes later)."""
    parts = [spec.description]
    parts += [character_words(c) for c in characters]
    parts.append(f"setting: {scene.name}, {scene.description}".rstrip(", "))
    parts.append(f"{scene.time_of_day.value}, {scene.weather.value} weather")
    camera = SHOT_WORDS[spec.camera.shot.value]
    if spec.camera.angle.value != "eye_level":
        camera += ", " + spec.camera.angle.value.replace("_", " ")
    parts.append(camera)
    if style is not None:
        parts.append(style_words(style))
    parts.append("comic panel, no text")
    return ". ".join(p.strip().rstrip(".") for p in parts if p.strip()) + "."


def ordered_references(request: DrawRequest) -> list[tuple[str, bytes]]:
    """(path, bytes) of the reference images: the writer's sketch of the panel when it
    has one, the cast's avatars in the panel's order, then the style's anchors; each once."""
    paths = [request.spec.sketch] if request.spec.sketch else []
    paths += [c.avatar_path for c in request.characters if c.avatar_path]
    paths += request.style.anchor_paths if request.style else []
    paths += list(request.references)  # whatever else the art stage chose to send
    return [(p, request.references[p]) for p in dict.fromkeys(paths)
            if p in request.references and not p.startswith(SWATCH_PREFIX)]


def init_reference(request: DrawRequest) -> tuple[str, bytes] | None:
    """The one picture an image-to-image engine starts from: the writer's sketch of the
    panel, else the first character's avatar in a close shot, otherwise the style's
    first anchor (its look, not a portrait), otherwise any reference."""
    refs = dict(ordered_references(request))
    if request.spec.sketch in refs:
        return request.spec.sketch, refs[request.spec.sketch]
    avatars = [c.avatar_path for c in request.characters if c.avatar_path in refs]
    anchors = [p for p in (request.style.anchor_paths if request.style else []) if p in refs]
    close = request.spec.camera.shot.value in CLOSE_SHOTS
    for path in (avatars[:1] if close else []) + anchors + avatars + list(refs):
        return path, refs[path]
    return None


def _key_pattern(key: str) -> re.Pattern[str]:
    """A lorebook key as a whole word: letters and digits of Latin scripts may not
    touch it; scripts written without spaces (Chinese, Japanese) match anywhere."""
    key = fold(key.strip())
    left = r"(?<![a-z0-9])" if key[:1].isascii() and key[:1].isalnum() else ""
    right = r"(?![a-z0-9])" if key[-1:].isascii() and key[-1:].isalnum() else ""
    return re.compile(left + re.escape(key) + right)


def lore_for(text: str, lore: list[LoreEntry]) -> list[LoreEntry]:
    """The lore entries one of whose keys occurs in `text` (whole words, case- and
    accent-insensitive), in the world's order."""
    folded = fold(text)
    return [entry for entry in lore
            if any(key.strip() and _key_pattern(key).search(folded) for key in entry.keys)]


def outline_text(beats: list[ResolvedBeat], characters: dict[str, Character]) -> str:
    """The scene's outline as the writer wrote it: one line per panel, with its words."""
    out = []
    for beat in beats:
        words = "; ".join(
            f"{characters[w.speaker].name if w.speaker in characters else w.kind.value}"
            f"{_marks(w) if w.speaker else ''}: {w.text}" for w in beat.lines)
        camera = ", ".join(v.value for v in (beat.shot, beat.angle) if v)
        out.append(f"- {f'[{camera}] ' if camera else ''}{beat.description}"
                   + (f" — {words}" if words else ""))
    return "\n".join(out)


OFF_WORDS = {"voice_over": "V.O.", "off_screen": "O.S."}


def _marks(line) -> str:
    """' (V.O., whispering, softly)': how a line is heard and said, as a screenplay writes it."""
    marks = [OFF_WORDS[line.off]] if line.off else []
    if line.kind.value not in ("speech", "caption", "sfx"):
        marks.append(line.kind.value)
    if line.manner and fold(line.manner) != fold(line.kind.value):
        marks.append(line.manner)
    return f" ({', '.join(marks)})" if marks else ""


def cast_text(ids: list[str], characters: dict[str, Character]) -> str:
    people = []
    for cid in ids:
        c = characters.get(cid)
        if c is None:
            continue
        fields = [f"personality: {c.personality}" if c.personality else "",
                  f"description: {' '.join(c.description.split())[:600]}" if c.description else "",
                  f"scenario: {c.scenario}" if c.scenario else "",
                  f"first words: \"{c.first_mes}\"" if c.first_mes else ""]
        people.append(f"- {c.name} (id: {cid}" + (f"; also called {', '.join(c.aliases)}"
                                                  if c.aliases else "")
                      + ("; a voice without a body, heard and never seen"
                         if c.kind.value == "voice" else "") + ")\n"
                      + "".join(f"  {f}\n" for f in fields if f).rstrip("\n"))
    return "\n".join(people)


def story_prompt(title: str, scene: SceneCard, beats: list[ResolvedBeat],
                 characters: dict[str, Character], lore: list[LoreEntry],
                 cast: list[str] | None = None) -> str:
    """The user message for one scene: its outline, cast and the lore it touches."""
    text = outline_text(beats, characters)
    if cast is None:
        cast = list(dict.fromkeys(c for b in beats for c in b.characters))
    facts = "\n".join(f"- {entry.content.strip()}" for entry in lore_for(
        "\n".join([scene.name, scene.description, text]), lore))
    return (f"Story: {title}\nScene: {scene.name} ({scene.time_of_day.value}, "
            f"{scene.weather.value}): {scene.description}\n\n"
            f"Cast (use these ids for `characters` and `speaker`):\n"
            f"{cast_text(cast, characters) or '- (nobody named)'}\n\n"
            f"Lore:\n{facts or '- (none)'}\n\nOutline of the scene:\n{text}\n\n"
            "Write the scene as comic story nodes: one node per panel, in order. Keep every "
            "beat of the outline and every line the writer wrote, word for word; add what "
            "the outline leaves out (reactions, dialogue in character, camera). A speaker is "
            "a character id from the cast; captions and sound effects have no speaker. A "
            "line marked V.O. or O.S. keeps `off` (voice_over, off_screen); a line's "
            "parenthetical of manner goes in `manner`; a voice is never in `characters`.")


# "{{name}}" in a ComfyUI workflow or in A1111's alwayson_scripts: what the user's own
# request template leaves for the engine to fill, shared by every engine that takes one
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def fill(template: Any, values: dict[str, Any]) -> Any:
    """The workflow with every "{{name}}" placeholder replaced.

    A value that is only a placeholder takes the value's type (a seed stays a
    number); a placeholder inside longer text is replaced by its text. A placeholder
    with no value is an error, so a typo in the workflow does not reach the server.
    """
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    if isinstance(template, str):
        for name in PLACEHOLDER.findall(template):
            if name not in values:
                raise EngineError(f"the workflow's placeholder {{{{{name}}}}} has no value "
                                  f"(there are: {', '.join(sorted(values))})", None, "workflow")
        whole = PLACEHOLDER.fullmatch(template)
        if whole:
            return values[whole.group(1)]
        return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)
    return template
