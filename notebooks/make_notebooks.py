"""Write the notebooks in this folder from the cells below (run after editing them).

    python notebooks/make_notebooks.py

Keeping the cells here, as plain Python, makes the notebooks easy to review in a diff.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent

SETUP = '''import os, shutil, tempfile
from pathlib import Path
from pipeline import Studio

# Work on a copy of the example, so the notebook never changes the repository.
example = Path(os.environ.get("PANELWRIGHT_EXAMPLE", "../projects/frost-moon"))
work = Path(tempfile.mkdtemp()) / "frost-moon"
shutil.copytree(example, work, ignore=shutil.ignore_patterns("_site", ".panelwright"))
studio = Studio(work)
studio'''

WALKTHROUGH = [
    new_markdown_cell("# Exploring the Frost Moon example\n\nOpen the example story repo, "
                      "look at its characters, world and story, draw a panel in three "
                      "shots, and build the site."),
    new_code_cell(SETUP.replace("\nstudio'''", "")),
    new_markdown_cell("## Characters\n\nThe seed's `characters.list(limit, offset, search)`, "
                      "over the files in `characters/`."),
    new_code_cell("page = studio.characters.list(limit=20)\n"
                  "[(c.id, c.name, c.personality) for c in page.items], page.total"),
    new_code_cell("studio.characters.get(\"lin-shuang\")"),
    new_markdown_cell("## The world and its scene cards"),
    new_code_cell("world = studio.worlds[\"frost-moon\"]\nworld.scenes[0]"),
    new_code_cell("world.scenes[1]"),
    new_markdown_cell("## The story's nodes\n\nThe scripted text engine turns each paragraph "
                      "of the outline into a node; it invents nothing."),
    new_code_cell("story = studio.stories[\"frost-moon-legend\"]\nstory.nodes"),
    new_markdown_cell("## One panel in three shots\n\nThe seed's `generate.comic`, drawn "
                      "locally by the procedural engine."),
    new_code_cell("panels = studio.generate.comic(\n"
                  "    story_id=\"frost-moon-legend\",\n"
                  "    scene_id=\"city-gate\",\n"
                  "    panels=[\n"
                  "        {\"description\": \"Lin Shuang at the Frost Moon City gate\", "
                  "\"camera\": \"wide_shot\"},\n"
                  "        {\"description\": \"Lin Shuang at the Frost Moon City gate\", "
                  "\"camera\": \"medium_shot\"},\n"
                  "        {\"description\": \"Lin Shuang at the Frost Moon City gate\", "
                  "\"camera\": \"close_up\"},\n"
                  "    ],\n)\n[p.camera.shot.value for p in panels]"),
    new_code_cell("panels[0]"),
    new_code_cell("panels[2]"),
    new_markdown_cell("## Build the site and look at a page"),
    new_code_cell("report = studio.build()\n"
                  "print(report.panels, 'panels,', report.pages, 'pages')\n"
                  "site = Path(report.out) / \"index.html\"\nsite"),
    new_code_cell("story.pages[0]"),
]

NEW_CHARACTER = [
    new_markdown_cell("# A new character, an avatar, and a scene\n\nCreate a character, make "
                      "their one-shot avatar from an image, and draw them in a scene."),
    new_code_cell(SETUP.replace("\nstudio'''", "")),
    new_markdown_cell("## An image to start from\n\nAny JPEG, PNG or WebP of at most 4.5 MB; "
                      "here we paint one, so the notebook needs no network."),
    new_code_cell("from PIL import Image, ImageDraw\n"
                  "image = Image.new(\"RGB\", (512, 512), \"#d9c7a3\")\n"
                  "d = ImageDraw.Draw(image)\n"
                  "d.ellipse([110, 380, 402, 700], fill=\"#7a3b2e\")   # shoulders\n"
                  "d.ellipse([150, 90, 362, 330], fill=\"#2b1d16\")    # hair\n"
                  "d.ellipse([176, 130, 336, 330], fill=\"#e8c4a0\")   # face\n"
                  "for x in (226, 286):\n"
                  "    d.ellipse([x - 12, 215, x + 12, 239], fill=\"#2b2b2b\")\n"
                  "d.arc([226, 260, 286, 300], 20, 160, fill=\"#8c4a4a\", width=5)\n"
                  "portrait = work / \"mara.png\"\nimage.save(portrait)\nimage"),
    new_markdown_cell("## The character"),
    new_code_cell("mara = studio.characters.create(\n"
                  "    name=\"Mara Vey\",\n"
                  "    description=\"A cartographer who maps the roads no one travels.\",\n"
                  "    personality=\"Curious, Brave\",\n"
                  "    first_mes=\"Is this the road to the city?\",\n)\nmara.id"),
    new_markdown_cell("## The one-shot avatar\n\nFrom the one image: a portrait, a preview, an "
                      "idle animation and lighting and pose variants."),
    new_code_cell("record = studio.avatars.create(name=\"Mara Vey\", image=portrait, "
                  "character=mara.id)\nrecord.model_dump()"),
    new_code_cell("studio.characters.get(mara.id)"),
    new_markdown_cell("## Mara at the gate"),
    new_code_cell("[panel] = studio.generate.comic(\n"
                  "    story_id=\"frost-moon-legend\",\n"
                  "    scene_id=\"city-gate\",\n"
                  "    panels=[{\"description\": \"Mara Vey and Lin Shuang at the gate\", "
                  "\"camera\": \"full_shot\"}],\n)\n"
                  "assert panel.characters == [\"mara-vey\", \"lin-shuang\"]\npanel"),
]


def main() -> None:
    for name, cells in (("01-explore-frost-moon.ipynb", WALKTHROUGH),
                        ("02-new-character-and-avatar.ipynb", NEW_CHARACTER)):
        notebook = new_notebook(cells=cells, metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
        nbformat.write(notebook, HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
