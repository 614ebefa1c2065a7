"""`python -m pipeline` is the `panelwright` command."""

from .cli import main

main(prog_name="panelwright")
