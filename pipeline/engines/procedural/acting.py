"""Acting: what the paragraph says each character does, and how they say their lines.

A storyboard figure must do what the words say: "Cole falls" is a man falling, not
standing. The rules are simple enough for a writer to predict:

- Pose: the paragraph is cut into sentences. For each mention of a character's name
  (or alias), the nearest pose verb after it in the same sentence is their pose
  ("stands", "stops" and "waits" only when no other pose verb follows),
  unless another character's name comes first ("Mara kneels" → kneel; "Cole and Mara
  run" → both run, names joined by "and" or a comma share the verb). A sentence that
  names nobody but starts with he/she/they acts for the subject (first name) of the
  sentence before, or for the panel's only character. Nothing found: they stand.
- Expression: the character's own lines first (a shout, a whisper, a thought; "!"
  angry, "?!" surprised, "?" wondering), then the paragraph's words about them
  ("laughs", "smiles", "cries", "trembles"); nothing found: calm.
- An extreme close-up frames what the paragraph names: eyes, hands or an object.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from ...format.model import Character, LineKind
from ...format.slugs import fold, name_pattern
from ...specs import NodeLine


class Pose(StrEnum):
    stand = "stand"
    walk = "walk"
    run = "run"
    sit = "sit"
    kneel = "kneel"
    lie = "lie"
    fall = "fall"
    point = "point"
    reach = "reach"
    hold_up = "hold_up"
    draw_weapon = "draw_weapon"
    embrace = "embrace"
    turn_away = "turn_away"
    look_up = "look_up"
    look_down = "look_down"
    float = "float"


class Expression(StrEnum):
    calm = "calm"
    smile = "smile"
    laugh = "laugh"
    anger = "anger"
    fear = "fear"
    sad = "sad"
    whisper = "whisper"
    thinking = "thinking"


# Stems, matched at the start of a word: "fall" matches falls, fallen, falling.
VERBS: tuple[tuple[Pose, tuple[str, ...]], ...] = (
    (Pose.draw_weapon, ("draws his", "draws her", "draws their", "draws a", "draws the",
                        "draw his", "draw her", "raises his gun", "raises her gun",
                        "raises his sword", "raises her sword", "aims", "levels", "unsheathe",
                        "fires", "shoots", "brandish", "swings")),
    (Pose.hold_up, ("holds up", "hold up", "holding up", "raises the", "raises a", "lifts",
                    "held up", "shows", "offers", "hands over", "presents")),
    (Pose.look_up, ("looks up", "look up", "looking up", "gazes up", "stares up",
                    "glances up")),
    (Pose.look_down, ("looks down", "look down", "looking down", "peers down", "gazes down",
                      "stares down", "glances down", "bows")),
    (Pose.turn_away, ("turns away", "turn away", "turns her back", "turns his back",
                      "turning away", "looks away", "walks away", "leaves")),
    (Pose.fall, ("fall", "fell", "collapse", "stumbl", "topple", "trips", "is thrown",
                 "crumple", "drops to", "slump")),
    (Pose.lie, ("lies", "lying", "lay ", "lays ", "sprawl", "sleeps", "asleep", "lie ")),
    (Pose.kneel, ("kneel", "knelt", "crouch", "squat", "drops to one knee")),
    (Pose.sit, ("sits", "sit ", "sat ", "sitting", "seated", "perch")),
    (Pose.run, ("run", "ran ", "sprint", "dash", "rush", "flee", "fled", "charge", "chase",
                "hurr", "races")),
    (Pose.walk, ("walk", "step", "strid", "pace", "wander", "approach", "march", "enter",
                 "crosses", "comes", "goes", "heads", "limp")),
    (Pose.float, ("float", "drift", "hover", "fly", "flies", "flew", "swim")),
    (Pose.point, ("point", "gestures at", "indicates")),
    (Pose.reach, ("reach", "grab", "grasp", "stretches", "takes", "touches", "catches")),
    (Pose.embrace, ("embrace", "hug", "holds her", "holds him", "holds them", "clasp")),
    (Pose.stand, ("stands", "stand", "stood", "waits", "stops", "rises", "gets up",
                  "halts")),
)

MANNER: tuple[tuple[Expression, tuple[str, ...]], ...] = (
    (Expression.laugh, ("laugh", "chuckl", "giggl", "cackl")),
    (Expression.smile, ("smil", "grin", "beam", "smirk")),
    (Expression.sad, ("cries", "cry", "crying", "weep", "wept", "sob", "tears", "sad",
                      "grie", "mourn", "sigh")),
    (Expression.anger, ("shout", "yell", "scream at", "roar", "frown", "scowl", "glare",
                        "anger", "angry", "furious", "snarl", "bark")),
    (Expression.fear, ("gasp", "scream", "trembl", "shak", "afraid", "fear", "terrif",
                       "startl", "stares in", "flinch", "shock", "wide-eyed")),
    (Expression.whisper, ("whisper", "murmur", "mutter", "breath")),
    (Expression.thinking, ("think", "wonder", "ponder", "consider", "frown in thought",
                           "puzzl")),
)

PRONOUNS = ("he ", "she ", "they ", "it ", "his ", "her ")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")


def _names(character: Character) -> list[str]:
    """Every way the text may name them: name, aliases and the name's first word."""
    names = [character.name, *character.aliases]
    first = character.name.split()[0] if " " in character.name else ""
    if len(first) > 2:
        names.append(first)
    return [fold(n) for n in names if n.strip()]


def _mentions(sentence: str, cast: list[Character]) -> list[tuple[int, int, str]]:
    """(start, end, character id) of each name in a folded sentence, in order; a longer
    name wins over a shorter one at the same place ("Lin Shuang" over "Lin")."""
    found: list[tuple[int, int, str]] = []
    for character in cast:
        for name in sorted(_names(character), key=len, reverse=True):
            for m in re.finditer(name_pattern(name), sentence):
                if not any(s <= m.start() < e for s, e, _ in found):
                    found.append((m.start(), m.end(), character.id))
    return sorted(found)


@lru_cache(maxsize=8)
def _pattern(table: tuple) -> tuple[re.Pattern, dict[str, object]]:
    """One regex for a whole table, stems in the table's order (so "walks away" is
    tried before "walk"), and which value each stem stands for."""
    stems = [(stem, value) for value, words in table for stem in words]
    alternatives = "|".join(re.escape(stem) for stem, _ in stems)
    return re.compile(rf"(?<!\w)(?:{alternatives})"), {stem: value for stem, value in stems}


def _first_verb(text: str, table) -> tuple[int, object] | None:
    """The earliest stem of `table` starting a word in `text`: (position, its value).
    Standing still is the weakest: "stops and looks up" looks up."""
    pattern, value_of = _pattern(tuple(table))
    weak = None
    for m in pattern.finditer(text):
        value = value_of[m.group(0)]
        if value != Pose.stand:
            return m.start(), value
        weak = weak or (m.start(), value)
    return weak


def _acts(text: str, cast: list[Character], table) -> dict[str, object]:
    """Per character, the first word of `table` said of them by the rule above."""
    out: dict[str, object] = {}
    last: str | None = None
    for sentence in _SENTENCE.split(fold(text)):
        sentence = sentence.strip()
        names = _mentions(sentence, cast)
        if not names:
            who = last or (cast[0].id if len(cast) == 1 else None)
            if who and sentence.startswith(PRONOUNS) and who not in out:
                found = _first_verb(sentence, table)
                if found:
                    out[who] = found[1]
            continue
        waiting: list[str] = []  # names joined by "and" / "," waiting for their verb
        for i, (start, end, who) in enumerate(names):
            following = names[i + 1][0] if i + 1 < len(names) else len(sentence)
            between = sentence[end:following]
            waiting.append(who)
            if i + 1 < len(names) and re.fullmatch(r"\s*(,|and|&|, and)\s*", between):
                continue  # "Cole and Mara run": Cole waits for Mara's verb
            found = _first_verb(between, table)
            if found:
                for name in waiting:
                    out.setdefault(name, found[1])
            waiting = []
        last = names[0][2]  # "she" in the next sentence is this one's subject
    return out


def poses(description: str, cast: list[Character]) -> dict[str, Pose]:
    """Each drawn character's pose from the panel's paragraph (stand when none)."""
    acts = _acts(description, cast, VERBS)
    return {c.id: acts.get(c.id, Pose.stand) for c in cast}  # type: ignore[misc]


def _manner_of_line(line: NodeLine) -> Expression | None:
    if line.kind == LineKind.shout:
        return Expression.anger
    if line.kind == LineKind.whisper:
        return Expression.whisper
    if line.kind == LineKind.thought:
        return Expression.thinking
    text = line.text.strip()
    found = _first_verb(fold(text), MANNER)
    if found:
        return found[1]  # type: ignore[return-value]
    if "?!" in text or "!?" in text:
        return Expression.fear
    if text.endswith("!") or (len(text) > 3 and text.isupper()):
        return Expression.anger
    if text.endswith("?"):
        return Expression.thinking
    if re.search(r"\b(ha){2,}\b|\bhehe", fold(text)):
        return Expression.laugh
    return None


def expressions(description: str, lines: list[NodeLine], cast: list[Character]
                ) -> dict[str, Expression]:
    """Each drawn character's expression: the paragraph's words about them first (they
    say how a line is said: "smiles"), then their own lines' manner; calm when none."""
    from_text = _acts(description, cast, MANNER)
    out = {}
    for c in cast:
        said = [m for line in lines if line.speaker == c.id
                if (m := _manner_of_line(line)) is not None]
        out[c.id] = from_text.get(c.id) or (said[0] if said else Expression.calm)
    return out  # type: ignore[return-value]


def speaking_to(lines: list[NodeLine], cast: list[Character]) -> bool:
    """Whether the panel's characters talk with each other (two or more speak)."""
    return len({line.speaker for line in lines if line.speaker} & {c.id for c in cast}) >= 2


def close_subject(description: str) -> str | None:
    """What an extreme close-up frames: 'eyes', 'hands', 'object', or None (the face)."""
    text = fold(description)
    if re.search(r"\b(eyes?|gaze|stare|pupils?|iris)\b", text):
        return "eyes"
    if re.search(r"\b(hands?|fingers?|fists?|palms?|grip)\b", text):
        return "hands"
    if re.search(r"\b(letter|key|sword|gun|revolver|pistol|ring|coin|scroll|map|photo|"
                 r"phone|badge|knife|blade|book|lantern|cup|glass|seal|watch)\b", text):
        return "object"
    return None
