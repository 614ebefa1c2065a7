"""What model-backed engines are told: a panel's picture prompt, a scene's story prompt.

Built from the writer's own words: the panel's description, cast, scene, camera and
style; for stories, the outline, the cast's character fields and the world's lore
entries whose keys occur in the scene (as role-play lorebooks do).
"""

from __future__ import annotations

from ..model import Character, LoreEntry, SceneCard, StyleDNA
from ..resolve import ResolvedBeat
from ..slugs import fold
from ..specs import PanelSpec

SHOT_WORDS = {
    "extreme_wide_shot": "extreme wide shot, tiny figures in a vast landscape",
    "wide_shot": "wide shot, full environment visible", "full_shot": "full body shot",
    "medium_shot": "medium shot, waist up", "medium_close_up": "medium close-up, chest up",
    "close_up": "close-up on the face", "extreme_close_up": "extreme close-up, eyes",
    "over_the_shoulder": "over-the-shoulder shot", "insert": "insert shot of an object",
}
TREATMENT_WORDS = {
    "flat": "flat cel shading, clean colours", "ink": "bold ink lines, comic inking",
    "halftone": "halftone screentone, printed comic", "watercolour": "watercolour wash",
    "noir": "film noir, high-contrast black and white",
}
NEGATIVE = "text, letters, speech bubbles, watermark, signature, blurry, deformed hands"


def panel_prompt(spec: PanelSpec, scene: SceneCard, characters: list[Character],
                 style: StyleDNA | None) -> str:
    """One paragraph describing the panel's picture; no words (lettering comes later)."""
    parts = [spec.description.rstrip(".")]
    for character in characters:
        look = ", ".join(f"{k} {v}" for k, v in character.colours.model_dump().items() if v)
        parts.append(f"{character.name}: {character.description.splitlines()[0] if character.description else character.personality}"
                     + (f" ({look})" if look else ""))
    parts.append(f"setting: {scene.name}, {scene.description}".rstrip(", "))
    parts.append(f"{scene.time_of_day.value}, {scene.weather.value} weather")
    camera = SHOT_WORDS[spec.camera.shot.value]
    if spec.camera.angle.value != "eye_level":
        camera += ", " + spec.camera.angle.value.replace("_", " ")
    parts.append(camera)
    if style is not None:
        parts.append(f"style: {style.name or style.id}, {TREATMENT_WORDS[style.treatment.value]}")
    parts.append("comic panel, no text")
    return ". ".join(p.strip().rstrip(".") for p in parts if p.strip()) + "."


def lore_for(text: str, lore: list[LoreEntry]) -> list[LoreEntry]:
    """The lore entries whose keys occur in `text` (case- and accent-insensitive)."""
    folded = fold(text)
    return [entry for entry in lore if any(fold(key) in folded for key in entry.keys)]


def story_prompt(title: str, scene: SceneCard, beats: list[ResolvedBeat],
                 characters: dict[str, Character], lore: list[LoreEntry]) -> str:
    """The user message for one scene: its outline, cast and the lore it touches."""
    outline = []
    for beat in beats:
        words = "; ".join(f"{w.speaker or w.kind.value}: {w.text}" for w in beat.lines)
        camera = f"[{beat.shot.value}] " if beat.shot else ""
        outline.append(f"- {camera}{beat.description}" + (f" ({words})" if words else ""))
    text = "\n".join(outline)
    cast = sorted({c for b in beats for c in b.characters})
    people = "\n".join(
        f"- {characters[c].name} (id {c}): personality {characters[c].personality or 'unknown'}; "
        f"{characters[c].description.strip()[:400]}"
        + (f"; first words: \"{characters[c].first_mes}\"" if characters[c].first_mes else "")
        for c in cast if c in characters)
    facts = "\n".join(f"- {entry.content}" for entry in lore_for(
        text + " " + scene.description, lore))
    return (f"Story: {title}\nScene: {scene.name} ({scene.time_of_day.value}, "
            f"{scene.weather.value}): {scene.description}\n\nCast:\n{people or '- (none named)'}"
            f"\n\nLore:\n{facts or '- (none)'}\n\nOutline of the scene:\n{text}\n\n"
            "Write the scene as comic story nodes: one node per panel, in order, keeping every "
            "beat of the outline and adding what it leaves out (dialogue, reactions, camera).")
