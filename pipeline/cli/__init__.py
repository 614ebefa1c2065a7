"""The `panelwright` command: one module per group of subcommands."""

from .main import main

__all__ = ["main"]
