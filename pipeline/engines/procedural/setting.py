"""Which place and which era a scene card is: the rule docs/format.md states.

A writer rarely fills in `place:`; the card's own words say it ("Spine Corridor"
on an orbital station is a corridor of the future). The rule, so a test and a
writer can both predict it:

1. `place:` on the card wins (`interior` lets the words pick among the rooms,
   a hall when none is named). Otherwise every word of the card's id, name and
   description is matched against each place's word list (a word counts when it
   starts with a listed stem and is at most three letters longer, or equals a
   listed exact word); words of the id and name count twice. The place with the
   highest score wins, except that a plain `room` loses to any other place named
   ("Room 12, a classroom" is a classroom); a tie goes to the place listed first in PLACE_WORDS, where
   the particular comes before the general (a "throne room" is a throne room, a
   "corridor of the station" a corridor). No word at all: `neutral`, a plain set
   in the scene's palette, never another story's setting.
2. `era:` on the card wins. Otherwise the card's words are scored against the
   era word lists the same way, then (if none matched) the world's description;
   a year ("1880s", "in 2240") counts for its era. Nothing matched: the place's
   own era (a throne room is ancient, a station futuristic), else modern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ...format.model import Era, Place, SceneCard

# stems, or exact words when they end in "$"; order breaks ties: particular first
PLACE_WORDS: dict[Place, tuple[str, ...]] = {
    Place.cockpit: ("cockpit", "flight deck", "pilot$"),
    Place.bridge: ("bridge", "control", "operation", "ops$", "helm$", "command",
                   "wheelhouse"),
    Place.throne_room: ("throne",),
    Place.classroom: ("classroom", "class$", "school", "lecture", "lesson", "schoolroom",
                      "chalkboard", "blackboard", "whiteboard", "pupils"),
    Place.laboratory: ("laboratory", "lab$", "labs$", "experiment"),
    Place.library: ("library", "libraries", "archive", "bookshop", "bookshelves", "study$"),
    Place.office: ("office", "police station", "cubicle", "desks", "workplace", "newsroom", "open-plan",
                   "open plan", "firm$", "headquarter"),
    Place.bar: ("bar$", "bars$", "saloon", "café", "cafe", "tavern", "inn$", "pub$", "diner",
                "cantina", "coffee", "nightclub", "taproom", "teahouse"),
    Place.kitchen: ("kitchen", "galley", "pantry", "bakery", "scullery"),
    Place.bedroom: ("bedroom", "bed$", "bedchamber", "dormitor", "dorm$", "nursery",
                    "sleeping"),
    Place.cabin: ("cabin", "bunk", "berth", "quarters", "stateroom"),
    Place.cellar: ("cellar", "basement", "crypt", "dungeon", "vault", "bunker", "boiler"),
    Place.corridor: ("corridor", "hallway", "passage", "spine", "gangway", "walkway"),
    Place.hall: ("hall$", "halls$", "chamber", "temple", "church", "cathedral", "ballroom",
                 "lobby", "atrium", "auditorium", "palace", "shrine", "train station",
                 "railway station"),
    Place.room: ("room", "rooms", "apartment", "parlour", "parlor", "lounge", "inside",
                 "interior", "indoors", "living", "attic"),
    Place.deck: ("deck", "aboard", "sail", "mast", "galleon", "schooner", "ship$", "ship's"),
    Place.sea: ("sea$", "seas$", "ocean", "open water", "adrift", "swell"),
    Place.shore: ("shore", "beach", "coast", "harbour", "harbor", "pier", "lake", "river",
                  "bay$", "dock", "wave"),
    Place.cave: ("cave", "cavern", "grotto", "tunnel", "mine$", "mines$"),
    Place.city_gate: ("gate", "wall$", "walls$", "rampart", "fortress", "battlement",
                      "portcullis", "castle"),
    Place.battlefield: ("battle", "battlefield", "trench", "siege", "warzone", "no man's land"),
    Place.alley: ("alley", "alleyway", "backstreet"),
    Place.rooftop: ("roof", "rooftop", "rooftops"),
    Place.skyline: ("skyline", "cityscape", "skyscraper", "downtown", "metropolis"),
    Place.street: ("street", "road", "avenue", "boulevard", "market", "square", "lane", "town",
                   "city$", "sidewalk", "plaza", "shop$", "shops$", "crossroad"),
    Place.village: ("village", "hamlet", "cottage", "huts$"),
    Place.countryside: ("countryside", "hill", "hills$", "meadow", "farm", "pasture",
                        "vineyard", "orchard"),
    Place.field: ("field", "plain", "prairie", "grassland", "wheat", "steppe", "savanna"),
    Place.desert: ("desert", "dune", "sand$", "sands$", "wasteland", "badlands", "canyon",
                   "mesa"),
    Place.forest: ("forest", "wood$", "woods$", "tree", "grove", "jungle", "pine", "oak"),
    Place.snowfield: ("snowfield", "tundra", "glacier", "icefield", "arctic", "antarctic",
                      "polar", "ice$"),
    Place.mountains: ("mountain", "peak", "cliff", "summit", "pass$", "valley", "ridge",
                      "crag"),
    Place.station: ("station", "spacewalk", "hull$", "space station", "satellite"),
    Place.planet: ("planet", "orbit", "moonbase"),
    Place.space: ("space$", "stars$", "starfield", "void$", "nebula", "galaxy", "cosmos",
                  "asteroid"),
    Place.sky: ("sky", "cloud", "flying", "air$", "gull", "aloft"),
}
INSIDE = frozenset(list(PLACE_WORDS)[:15]) | {Place.interior}
GENERIC = (Place.room,)  # "Room 12" is whatever else the card names it: a classroom

ERA_WORDS: dict[Era, tuple[str, ...]] = {
    Era.futuristic: ("futur", "station", "orbit", "space$", "spaces$", "starship", "spaceship", "android",
                     "robot", "cyber", "hologram", "holo", "laser", "plasma", "galaxy",
                     "galactic", "alien", "colony", "airlock", "reactor", "warp",
                     "hyperspace", "interstellar", "sci-fi", "mars$", "martian", "drone"),
    Era.modern: ("modern", "office", "computer", "phone", "laptop", "car$", "cars$", "taxi",
                 "subway", "school", "apartment", "elevator", "police", "hospital", "motel",
                 "garage", "highway", "neon", "television", "tv$", "cafe", "café",
                 "electric", "factory", "police station", "train station", "detective", "gangster", "agent", "suburb", "mall"),
    Era.ancient: ("ancient", "medieval", "castle", "palace", "king", "queen", "knight",
                  "sword", "torch", "lantern", "candle", "temple", "tavern", "inn$",
                  "throne", "saloon", "western", "frontier", "cowboy", "sheriff", "outlaw",
                  "victorian", "wagon", "horse", "stable", "monaster", "scroll", "empire",
                  "roman", "dynasty", "galleon", "pirate", "musket", "samurai", "shogun",
                  "viking", "fantasy", "wizard", "dragon", "elder", "kingdom", "village"),
}
ERA_OF_PLACE = {Place.throne_room: Era.ancient, Place.city_gate: Era.ancient,
                Place.village: Era.ancient, Place.station: Era.futuristic,
                Place.space: Era.futuristic, Place.planet: Era.futuristic}
WESTERN = ("western", "frontier", "cowboy", "sheriff", "saloon", "outlaw", "ranch",
           "gunslinger", "gunfighter", "stagecoach")
WET = ("flood", "water", "submerged", "puddle", "leak", "drown", "knee-deep", "ankle-deep")
STORMY = ("storm", "gale", "tempest", "hurricane", "squall", "typhoon")


@dataclass(frozen=True)
class Setting:
    place: Place
    era: Era
    flooded: bool = False  # water on the floor
    storm: bool = False  # heavy seas and a dark sky
    western: bool = False  # the old west: false fronts and clapboard, no lantern strings

    @property
    def inside(self) -> bool:
        return self.place in INSIDE


def words(text: str) -> str:
    """The text as matchable words: lowercase, one space between words."""
    return " " + " ".join(re.findall(r"[a-z0-9'é-]+", text.lower().replace("-", " "))) + " "


def _matches(text: str, stem: str) -> int:
    if " " in stem.strip("$"):  # a phrase: "open plan", "police station"
        return text.count(f" {stem.rstrip('$')} ")
    if stem.endswith("$"):
        return text.count(f" {stem[:-1]} ")
    return sum(1 for w in _split(text) if w.startswith(stem) and len(w) <= len(stem) + 3)


@lru_cache(maxsize=64)
def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _score(table: dict, weighted: list[tuple[str, int]], among=None) -> object | None:
    scores = {}
    for key, stems in table.items():
        if among is not None and key not in among:
            continue
        scores[key] = sum(weight * _matches(text, stem) for text, weight in weighted
                          for stem in stems)
    if any(scores[k] for k in scores if k not in GENERIC):
        for key in GENERIC:
            scores.pop(key, None)
    best = max(scores, key=lambda k: scores[k], default=None)  # first listed wins a tie
    return best if best is not None and scores[best] else None


def _year_era(text: str) -> Era | None:
    for match in re.finditer(r" (\d{3,4})s? ", text):
        year = int(match.group(1))
        return Era.ancient if year < 1900 else Era.modern if year <= 2100 else Era.futuristic
    return None


def setting_of(scene: SceneCard, world_description: str = "") -> Setting:
    """The place and era a scene card is drawn as (the rule above)."""
    return _setting(scene.id, scene.name, scene.description, scene.place, scene.era,
                    world_description)


@lru_cache(maxsize=256)
def _setting(sid: str, name: str, description: str, given: Place | None, given_era: Era | None,
             world_description: str) -> Setting:
    scene = SceneCard(id=sid, name=name, description=description, place=given, era=given_era)
    card = [(words(f"{scene.id} {scene.name}"), 2), (words(scene.description), 1)]
    if scene.place is not None and scene.place != Place.interior:
        place = scene.place
    else:
        among = INSIDE if scene.place == Place.interior else None
        place = _score(PLACE_WORDS, card, among) or (
            Place.hall if scene.place == Place.interior else Place.neutral)
    era = scene.era or _score(ERA_WORDS, card) or _year_era(card[0][0] + card[1][0])
    if era is None:
        world = [(words(world_description), 1)]
        era = _score(ERA_WORDS, world) or _year_era(world[0][0])
    if era is None:
        era = ERA_OF_PLACE.get(place, Era.modern)
    text = card[0][0] + card[1][0]
    old_west = era == Era.ancient and any(_matches(text + words(world_description), w)
                                          for w in WESTERN)
    return Setting(place, era, flooded=any(_matches(text, w) for w in WET),
                   storm=any(_matches(text, w) for w in STORMY), western=old_west)


def place_of(scene: SceneCard) -> Place:
    return setting_of(scene).place
