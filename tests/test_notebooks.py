"""Notebook hygiene: every lesson is complete, clean, and opens in Colab.

nbval (run by `make test`) re-executes each notebook and compares outputs; these
checks cover what it does not: structure, links, badges, stored state.
"""

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from colab_cells import BADGE_TAG, SETUP_TAG, badge_source, course_config, setup_source  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LESSONS = [p for p in NOTEBOOKS if not p.name.startswith("00_")]
MAX_BYTES = 5 * 2**20


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def text(cell):
    return "".join(cell["source"])


def markdown(nb):
    return "\n".join(text(c) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_index.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_state_is_what_a_fresh_run_produces(path):
    nb = load(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and text(c).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "run it top to bottom: make notebooks"
    for cell in code:
        for output in cell["outputs"]:
            assert output["output_type"] != "error", f"stored error in: {text(cell)[:80]}"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb["metadata"], "widget state is volatile: make notebooks drops it"
    assert path.stat().st_size < MAX_BYTES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_colab_badge_and_setup_cell_match_the_configured_repository(path):
    nb, config = load(path), course_config()
    assert BADGE_TAG in nb["cells"][0]["metadata"].get("tags", [])
    assert text(nb["cells"][0]) == badge_source(path.name, config)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert SETUP_TAG in code[0]["metadata"].get("tags", []), "the setup cell must run first"
    assert text(code[0]) == setup_source(config)
    assert code[0]["outputs"] == [], "outside Colab the setup cell prints nothing"
    assert "pip install ipywidgets" not in json.dumps(nb)
    assert sum("colab-badge.svg" in text(c) for c in nb["cells"]) == 1, "one badge"
    assert sum('"google.colab" in sys.modules' in text(c) for c in code) == 1, "one setup cell"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_structure(path):
    nb = load(path)
    assert text(nb["cells"][1]).startswith("# "), "the cell after the badge is the title"
    prose = markdown(nb)
    assert re.search(r"what you will learn", prose, re.IGNORECASE)
    assert re.search(r"^#+ .*summary", prose, re.IGNORECASE | re.MULTILINE)
    assert "(00_index.ipynb)" in prose, "link back to the course index"
    number = int(path.name[:2])
    following = [p for p in NOTEBOOKS if int(p.name[:2]) == number + 1]
    if following:
        assert f"({following[0].name})" in prose, f"link on to {following[0].name}"
    assert "<details>" in prose, "answers and solutions are folded in <details>"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nbval_markers_give_a_reason(path):
    for cell in load(path)["cells"]:
        lines = text(cell).splitlines()
        for i, line in enumerate(lines):
            if re.match(r"#\s*NBVAL_(SKIP|IGNORE_OUTPUT)", line):
                rest = line.split("NBVAL_", 1)[1].split(None, 1)[1:] or [""]
                reason = rest[0] + (lines[i + 1] if i + 1 < len(lines) else "")
                assert re.search(r"[a-z]{3,}", reason.replace("#", "")), \
                    f"{path.name}: say why next to {line.strip()}"


def test_readme_has_the_two_commands_and_the_badges():
    readme = (ROOT / "README.md").read_text()
    config = course_config()
    assert "make lab" in readme and "make test" in readme
    slug = config["repository"].removeprefix("https://github.com/")
    assert f"mybinder.org/v2/gh/{slug}/{config['branch']}" in readme
    assert "colab.research.google.com" in readme
