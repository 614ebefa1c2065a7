"""`pipeline.cards`, the import path docs/characters.md documents; the code is in
`pipeline.characters.cards`."""

from .characters.cards import *  # noqa: F401,F403
from .characters.cards import export_card, import_card  # noqa: F401
