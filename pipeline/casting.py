"""Who is in a panel: decided once, here, by the rules docs/format.md states.

The characters a paragraph names are its subjects: drawn first, in the order named.
A speaker the paragraph does not name is drawn only when the shot has room for them;
otherwise, and always for a line marked (V.O.) or (O.S.) and for a character who is a
voice (`kind: voice`), they are heard: their balloon points off panel. Every choice
keeps its reason, which `panelwright check --explain` prints.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field

from .format.camera import Shot, shot_words
from .format.model import Character, CharacterKind
from .format.slugs import mentioned
from .specs import PanelSpec, StoryNode

# How many people a shot has room for: a close-up holds one face, an insert an object.
ROOM = {Shot.insert: 0, Shot.extreme_close_up: 1, Shot.close_up: 1, Shot.medium_close_up: 2,
        Shot.over_the_shoulder: 2, Shot.medium_shot: 3, Shot.full_shot: 5, Shot.wide_shot: 6,
        Shot.extreme_wide_shot: 6}
CLOSE = (Shot.close_up, Shot.extreme_close_up)
OFF_WORDS = {"voice_over": "V.O.", "off_screen": "O.S."}


class Cast(BaseModel):
    """One panel's casting: who is drawn (subjects first), who is only heard, and why."""

    drawn: list[str] = Field(default_factory=list)
    heard: list[str] = Field(default_factory=list)
    voices: list[str] = Field(default_factory=list)  # of `heard`, the bodiless voices
    why: dict[str, str] = Field(default_factory=dict)  # id -> the rule that placed them


def _names(characters: Mapping[str, Character]) -> dict[str, list[str]]:
    return {cid: [c.name, *c.aliases] for cid, c in characters.items()}


def subjects(node: StoryNode, characters: Mapping[str, Character]) -> list[str]:
    """The characters the paragraph names, in the order named; then any the node lists
    that do not speak in it (a model or the writer put them there by id)."""
    named = mentioned(node.description, _names(characters))
    speakers = {w.speaker for w in node.lines if w.speaker}
    listed = [c for c in node.characters if c in characters and c not in speakers]
    return list(dict.fromkeys(named + listed))


def _is_voice(cid: str, characters: Mapping[str, Character]) -> bool:
    character = characters.get(cid)
    return character is not None and character.kind == CharacterKind.voice


def bodies(ids: list[str], characters: Mapping[str, Character]) -> list[str]:
    """`ids` without the voices: those who can be drawn."""
    return [c for c in ids if not _is_voice(c, characters)]


def visible(node: StoryNode, characters: Mapping[str, Character]) -> list[str]:
    """Who could be seen in the panel, whatever the shot: its subjects and the speakers
    who speak on screen, never a voice. The planner frames its camera on them."""
    on_screen = [w.speaker for w in node.lines if w.speaker and not w.off]
    return [c for c in dict.fromkeys(subjects(node, characters) + on_screen)
            if not _is_voice(c, characters)]


def cast(node: StoryNode, shot: Shot, characters: Mapping[str, Character]) -> Cast:
    """The panel's casting under the rules of the module docstring."""
    out = Cast()
    speakers = list(dict.fromkeys(w.speaker for w in node.lines if w.speaker))

    def hear(cid: str, why: str) -> None:
        out.heard.append(cid)
        out.why[cid] = why
        if _is_voice(cid, characters):
            out.voices.append(cid)

    for cid in subjects(node, characters):
        if _is_voice(cid, characters):
            if cid in speakers:
                hear(cid, "voice")
            continue
        out.drawn.append(cid)
        out.why[cid] = "named in the paragraph"
    for cid in speakers:
        if cid in out.why or cid not in characters:
            continue
        offs = [w.off for w in node.lines if w.speaker == cid]
        if _is_voice(cid, characters):
            hear(cid, "voice")
        elif all(offs):
            hear(cid, OFF_WORDS[offs[0]])
        elif shot in CLOSE and out.drawn:
            hear(cid, f"{shot_words(shot)} of {characters[out.drawn[0]].name}")
        elif len(out.drawn) >= ROOM[shot]:
            hear(cid, f"speaks; no room in {'an' if shot == Shot.insert else 'a'} "
                      f"{shot_words(shot)}")
        else:
            out.drawn.append(cid)
            words = shot_words(shot)
            out.why[cid] = f"speaks; room in {'an' if words[0] in 'aeiou' else 'a'} {words}"
    return out


def explain_line(panel: PanelSpec, characters: Mapping[str, Character]) -> str:
    """One line saying who is drawn in a panel and who is heard, and why."""
    def name(cid: str) -> str:
        return characters[cid].name if cid in characters else cid

    drawn = ", ".join(f"{name(c)} ({panel.casting.get(c, '')})" for c in panel.characters)
    heard = ", ".join(f"{name(c)} ({panel.casting.get(c, '')})" for c in panel.heard)
    where = f", line {panel.line}" if panel.line else ""
    return (f"page {panel.page} panel {panel.slot + 1}{where}, {shot_words(panel.camera.shot)}"
            f": drawn: {drawn or 'nobody'}" + (f"; heard: {heard}" if heard else ""))
