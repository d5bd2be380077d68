"""Give every notebook an "Open in Colab" badge and a Colab-only setup cell.

    python tools/colab_cells.py notebooks/*.ipynb

Both come from [tool.course] in pyproject.toml, the one place the repository is
named. `make notebooks` runs this before executing. Idempotent: the two cells are
found by their tags and rewritten.
"""

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BADGE_TAG, SETUP_TAG = "colab-badge", "colab-setup"


def course_config():
    """repository URL and branch from pyproject.toml's [tool.course] table, the one place
    the repository is named (the badges, setup cells and website read it here)."""
    text = (ROOT / "pyproject.toml").read_text()
    if "[tool.course]" not in text:
        raise SystemExit("pyproject.toml: expected a [tool.course] table with repository and "
                         "branch, found none")
    table = text.split("[tool.course]", 1)[1].split("\n[", 1)[0]
    config = {}
    for key in ("repository", "branch"):
        match = re.search(rf'^{key}\s*=\s*"([^"]+)"', table, re.MULTILINE)
        if match is None:
            raise SystemExit(f"pyproject.toml [tool.course]: expected {key} = \"...\", found none")
        config[key] = match.group(1)
    if not config["repository"].startswith("https://github.com/"):
        raise SystemExit("pyproject.toml [tool.course] repository: expected a GitHub address "
                         f"(https://github.com/OWNER/NAME), got {config['repository']!r}")
    return config


def badge_source(name, config):
    """The badge of lesson `name`: it opens the student edition (student/, exercises as
    stubs), where a self-learner works; the full lessons in notebooks/ are for instructors."""
    slug = config["repository"].removeprefix("https://github.com/")
    url = f"https://colab.research.google.com/github/{slug}/blob/{config['branch']}/student/{name}"
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})"


# The setup cell students see first in Colab. If pip cannot install nnlib (the repository
# address is wrong, or the copy is private), pip's output stays hidden and the cell fails with
# one sentence: IPython, and so Colab, shows what `_render_traceback_` returns instead of a
# traceback, and "Run all" stops there. ({{ }} are literal braces: this is a str.format template.)
SETUP_CELL = """\
# Google Colab only: install the course library nnlib from the course repository,
# without touching the packages Colab ships. Elsewhere this cell does nothing.
import sys

if "google.colab" in sys.modules:
    import subprocess

    class SetupFailed(Exception):
        def _render_traceback_(self):  # Colab then shows the sentence alone, no traceback
            return [str(self)]

    repository, branch = "{repository}", "{branch}"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                          f"nnlib @ git+{{repository}}@{{branch}}"], capture_output=True)
    if pip.returncode != 0:
        raise SetupFailed(f"Could not install nnlib from {{repository}} (branch {{branch}}): to use "
                          "your copy of the course, set its address as repository under [tool.course] "
                          "in pyproject.toml and run python tools/colab_cells.py notebooks/*.ipynb.")"""


def setup_source(config):
    """The Colab setup cell for [tool.course]'s repository and branch."""
    return SETUP_CELL.format(repository=config["repository"], branch=config["branch"])


def tagged(nb, tag):
    return next((cell for cell in nb.cells if tag in cell.metadata.get("tags", [])), None)


def apply(path, config):
    nb = nbformat.read(path, as_version=4)
    badge = tagged(nb, BADGE_TAG)
    if badge is None:
        badge = nbformat.v4.new_markdown_cell(metadata={"tags": [BADGE_TAG]})
        nb.cells.insert(0, badge)
    badge.source = badge_source(path.name, config)
    setup = tagged(nb, SETUP_TAG)
    if setup is None:
        setup = nbformat.v4.new_code_cell(metadata={"tags": [SETUP_TAG]})
        first_code = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
        nb.cells.insert(first_code, setup)
    setup.source = setup_source(config)
    nbformat.write(nb, path)


if __name__ == "__main__":
    config = course_config()
    for name in sys.argv[1:]:
        apply(Path(name), config)
        print(f"{name}: Colab badge and setup cell in place")
