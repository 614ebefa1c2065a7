"""`python -m pipeline` is the `panelwright` command."""

from .cli.main import main

main(prog_name="panelwright")
