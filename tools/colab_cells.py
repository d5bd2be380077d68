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
    """repository URL and branch from pyproject.toml's [tool.course] table."""
    text = (ROOT / "pyproject.toml").read_text()
    table = text.split("[tool.course]", 1)[1].split("\n[", 1)[0]
    return {key: re.search(rf'^{key}\s*=\s*"([^"]+)"', table, re.MULTILINE).group(1)
            for key in ("repository", "branch")}


def badge_source(name, config):
    slug = config["repository"].removeprefix("https://github.com/")
    url = f"https://colab.research.google.com/github/{slug}/blob/{config['branch']}/notebooks/{name}"
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})"


def setup_source(config):
    package = f"nnlib @ git+{config['repository']}@{config['branch']}"
    return (
        "# Google Colab only: install the course library nnlib from the course repository,\n"
        "# without touching the packages Colab ships. Elsewhere this cell does nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import subprocess\n"
        "\n"
        '    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",\n'
        f'                    "{package}"], check=True)'
    )


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
