"""What identifies a character at a glance, read from their file: hair, build, outfit, kit.

A storyboard reader tells people apart by silhouette and colour before any face:
the long silver hair, the broad shoulders, the hat, the sword. These are read from
the words a writer already wrote — the character's description, tags, personality
and scenario — by whole-word keywords, so the same file always gives the same
figure. What the words do not say is chosen from the character's id (stable, and
different for each member of a cast), except baldness, which is drawn only when said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ...format.model import Character
from ...format.slugs import fold
from .palette import stable_int

KINDS = {
    "robot": ("robot", "android", "droid", "automaton", "cyborg", "mech", "machine", "ai unit"),
    "animal": ("dog", "cat", "wolf", "fox", "horse", "hound", "animal", "beast", "bear",
               "puppy", "kitten", "pony"),
    "creature": ("creature", "monster", "demon", "ghoul", "troll", "alien", "dragon", "golem",
                 "ghost", "spirit", "zombie", "thing"),
}
ACCESSORIES = {
    "sword": ("sword", "swordswoman", "swordsman", "blade", "katana", "sabre", "saber",
              "knight"),
    "gun": ("revolver", "gun", "pistol", "gunfighter", "gunslinger", "rifle", "sheriff",
            "outlaw", "six-shooter", "blaster"),
    "glasses": ("glasses", "spectacles", "goggles", "monocle"),
    "helmet": ("helmet", "helm", "astronaut", "spacesuit"),
    "hat": ("hat", "cowboy", "stetson", "fedora", "cap", "bonnet", "sheriff", "gunslinger"),
    "coat": ("coat", "cloak", "duster", "trenchcoat", "overcoat", "robe", "cape"),
    "staff": ("staff", "wizard", "cane", "walking stick", "spear", "mage"),
    "bag": ("bag", "satchel", "backpack", "rucksack", "briefcase", "purse"),
    "beard": ("beard", "bearded", "moustache", "mustache"),
}
ERAS = {
    "ancient": ("ancient", "medieval", "castle", "kingdom", "sword", "swordswoman",
                "swordsman", "knight", "empire", "dynasty", "temple", "elder", "village",
                "scroll", "palace", "wizard", "king", "queen"),
    "future": ("station", "starship", "spaceship", "orbital", "orbit", "space", "android",
               "robot", "laser", "cyber", "futur", "colony", "planet", "galactic", "mech",
               "astronaut"),
    "western": ("saloon", "sheriff", "cowboy", "gunslinger", "gunfighter", "frontier",
                "outlaw", "ranch", "revolver"),
}


_ERA_WORDS = {name: re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, words))})")
              for name, words in ERAS.items()}


@dataclass(frozen=True)
class Traits:
    kind: str = "human"  # human, robot, animal, creature
    hair: str = "short"  # bald, short, long
    style: str = "loose"  # loose, tied, braided, bun, spiky
    build: str = "average"  # slim, average, broad, stout
    height: float = 1.0  # relative to the cast's usual height
    accessories: frozenset[str] = field(default_factory=frozenset)


def _has(text: str, words: tuple[str, ...]) -> bool:
    """Whole words, plurals too: "cap" is not in "captain"."""
    return any(re.search(rf"(?<!\w){re.escape(w)}(s|es)?(?!\w)", text) for w in words)


def _words(character: Character) -> str:
    return fold(" ".join([character.description, character.personality, character.scenario,
                          " ".join(character.tags)]))


def traits(character: Character) -> Traits:
    """The character's figure, from their words; unsaid details stable by id."""
    return _traits(character.id, _words(character))


@lru_cache(maxsize=256)
def _traits(cid: str, text: str) -> Traits:
    pick = stable_int("look", cid)
    kind = next((k for k, words in KINDS.items() if _has(text, words)), "human")
    if re.search(r"\b(bald|shaved head|shaven head|no hair|hairless)\b", text):
        hair = "bald"
    elif re.search(r"\b(long|flowing|waist-length)\b[\w\s,-]{0,20}\bhair\b|\bhair\b[\w\s]{0,12}"
                   r"\b(long|down her back|to (her|his) waist)\b|\bbraid|\bponytail", text):
        hair = "long"
    elif re.search(r"\b(short|cropped|buzz|crew-cut|close-cropped)\b[\w\s,-]{0,20}\bhair\b",
                   text):
        hair = "short"
    elif re.search(r"\b(she|her|woman|girl)\b", text):
        hair = ("long", "long", "short")[pick % 3]  # unsaid: a default, stable by id
    else:
        hair = ("short", "short", "long")[pick % 3]
    if re.search(r"\bbraid", text):
        style = "braided"
    elif re.search(r"\b(ponytail|tied back|tied up|topknot|top knot)\b", text):
        style = "tied"
    elif re.search(r"\b(bun|chignon)\b", text):
        style = "bun"
    elif re.search(r"\b(spiky|spiked|mohawk)\b", text):
        style = "spiky"
    elif hair == "long" and "hair" not in text:
        style = ("loose", "tied")[pick // 3 % 2]
    else:
        style = "loose"
    if _has(text, ("stout", "heavy", "plump", "fat", "portly", "rotund")):
        build = "stout"
    elif _has(text, ("broad", "burly", "muscular", "hulking", "giant", "big man", "brawny",
                     "stocky")):
        build = "broad"
    elif _has(text, ("slim", "slender", "thin", "wiry", "lithe", "skinny", "petite")):
        build = "slim"
    else:
        build = ("average", "slim", "broad", "average")[pick // 7 % 4]
    height = 0.9 + (pick // 31 % 13) / 100  # 0.90 to 1.02: no two alike by chance alone
    if _has(text, ("tall", "towering", "lanky", "giant", "hulking")):
        height = 1.08
    elif _has(text, ("child", "kid", "boy", "girl", "short man", "short woman", "diminutive",
                     "tiny", "short stature", "small man", "small woman")):
        height = 0.8
    kit = frozenset(k for k, words in ACCESSORIES.items() if _has(text, words))
    return Traits(kind=kind, hair=hair, style=style, build=build, height=height,
                  accessories=kit)


def era_of(scene: object, world_text: str, cast: list[Character]) -> str:
    """The outfits' era: the scene card's `era` when it has one; else read from the
    world's, scene's and cast's words (ancient, western, future); else modern."""
    era = getattr(scene, "era", None)
    if era:
        value = str(getattr(era, "value", era)).lower()
        for name in ("ancient", "medieval", "future", "western", "modern"):
            if name[:4] in value:
                return "ancient" if name == "medieval" else name
    text = fold(" ".join([world_text, getattr(scene, "name", ""),
                          getattr(scene, "description", ""),
                          *(" ".join(c.tags) + " " + c.description for c in cast)]))
    scores = {name: len(set(pattern.findall(text))) for name, pattern in _ERA_WORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else "modern"


# Colours a description names ("dark skin", "short red hair"), used where the file's
# `colours:` leave them out: the words a writer wrote should show before any guess.
SKIN_WORDS = {
    "dark": (104, 68, 46), "black": (92, 60, 42), "ebony": (88, 58, 40),
    "deep brown": (98, 64, 44), "brown": (141, 94, 62), "bronze": (168, 112, 74),
    "olive": (196, 152, 112), "tan": (204, 156, 114), "tanned": (204, 156, 114),
    "golden": (222, 176, 128), "fair": (246, 222, 204), "pale": (244, 226, 214),
    "light": (240, 214, 190), "freckled": (236, 200, 170),
}
HAIR_WORDS = {
    "black": (34, 30, 32), "dark": (52, 40, 34), "brown": (104, 70, 44),
    "chestnut": (120, 66, 40), "auburn": (146, 64, 38), "red": (172, 58, 36),
    "ginger": (196, 98, 44), "copper": (184, 96, 52), "blonde": (226, 198, 120),
    "blond": (226, 198, 120), "golden": (222, 184, 96), "sandy": (206, 178, 128),
    "grey": (150, 150, 152), "gray": (150, 150, 152), "silver": (214, 220, 228),
    "white": (238, 238, 236), "blue": (70, 110, 196), "pink": (230, 130, 170),
    "green": (80, 160, 100), "purple": (130, 80, 170),
}


def _named_colour(text: str, words: dict[str, tuple[int, int, int]],
                  nouns: tuple[str, ...]) -> tuple[int, int, int] | None:
    """The colour word nearest before one of `nouns`, at most three words back: "long
    braided dark hair", "dark-skinned", "dark skin and red hair" (red for the hair)."""
    tokens = re.findall(r"[a-z]+", text)
    for i, token in enumerate(tokens):
        if token not in nouns:
            continue
        for j in range(i - 1, max(-1, i - 4), -1):
            pair = f"{tokens[j - 1]} {tokens[j]}" if j > 0 else ""
            if pair in words:
                return words[pair]
            if tokens[j] in words:
                return words[tokens[j]]
    return None


def described_skin(character: Character) -> tuple[int, int, int] | None:
    return _named_colour(_words(character), SKIN_WORDS, ("skin", "skinned"))


def described_hair(character: Character) -> tuple[int, int, int] | None:
    return _named_colour(_words(character), HAIR_WORDS, ("hair", "haired"))
