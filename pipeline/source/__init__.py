"""Stages 1–3: read, check and link the story repo.

`load` is the only stage that reads source files; `validate` turns them into models,
`outline` parses a story's Markdown, `resolve` links ids; `scaffold` writes a new project.
"""
