"""Characters, avatars and character cards: an API that edits the writer's files.

`files` creates, updates and deletes character files (keeping hand edits), `avatars` makes
one-shot avatars, `cards` imports and exports Character Card V2/V3. `card_format` is the card
format alone, which the site writes without the editing API. Names are re-exported lazily: a
build that only writes cards must not import the editing API (ruamel, httpx).
"""

_EXPORTS = {"Characters": "files", "Avatars": "avatars", "import_card": "cards",
            "export_card": "cards"}


def __getattr__(name: str):
    if name in _EXPORTS:
        from importlib import import_module
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(name)
