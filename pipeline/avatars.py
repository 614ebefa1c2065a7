"""`pipeline.avatars`, the import path docs/characters.md documents; the code is in
`pipeline.characters.avatars`."""

from .characters.avatars import *  # noqa: F401,F403
from .characters.avatars import AvatarRecord, Avatars  # noqa: F401
