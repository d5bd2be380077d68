"""Notebook hygiene: every lesson is complete, clean, and opens in Colab.

nbval (run by `make test`) re-executes each notebook and compares outputs; these
checks cover what it does not: structure, links, badges, stored state.
"""

import base64
import html
import json
import re
import struct
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from colab_cells import BADGE_TAG, SETUP_TAG, badge_source, course_config, setup_source  # noqa: E402
from lesson_length import LINE_LIMIT, WORD_LIMIT, lesson_length  # noqa: E402
from run_notebooks import installed_kernelspec  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LESSONS = [p for p in NOTEBOOKS if not p.name.startswith("00_")]
MAX_BYTES = 5 * 2**20
MAX_PNG_WIDTH = 1000       # pixels: wider figures are shrunk on the page until text is tiny
PNG_IN_TEXT = re.compile(r"data:image/png;base64,([A-Za-z0-9+/]{32})")
BARE_TRUE = re.compile(r"(^|[\s:=(\[,])True\s*$")


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


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_a_lesson_fits_one_sitting(path):
    """At most about 3,000 words of prose and 300 lines of code outside folded hints and
    solutions (counted by tools/lesson_length.py)."""
    words, lines = lesson_length(path)
    assert words <= WORD_LIMIT and lines <= LINE_LIMIT, (
        f"{path.name}: {words} words and {lines} code lines; at most {WORD_LIMIT} and "
        f"{LINE_LIMIT}: split the lesson or cut it")


# Cells whose output nbval does not compare (tag nbval-ignore-output), each with its reason:
# (lesson, a line of the cell) -> why, the lesson named as its file is without the number.
# Everything else a lesson prints must come out the same on every machine (make test-rounding).
IGNORED_OUTPUTS = {
    ("batched_backprop", "for name, s in seconds.items():"): "timings depend on the machine and "
    "its load",
    ("learning_rate_explorer", "bench = TestBench("): "a widget's output holds a random model id",
    ("weight_evolution", "movie = animation.animate_weights("): "movie frames are PNGs, a few "
    "pixels of which move with rounding",
    ("hidden_representations", "rings_movie = animation.animate_hidden("): "movie frames, as "
    "above",
    ("digits", "movie = animation.WeightMovie("): "movie frames, as above",
}


def lesson_name(path):
    """"xor" for 07_xor.ipynb: a lesson's name, which stays when lessons are renumbered."""
    return path.stem.split("_", 1)[1]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_ci_markers_are_tags_not_text_students_read(path):
    for cell in load(path)["cells"]:
        assert not re.search(r"NBVAL_[A-Z_]+", text(cell)), \
            f"{path.name}: use the cell tag (nbval-ignore-output, nbval-skip), not a comment"
        tags = cell["metadata"].get("tags", [])
        assert "nbval-skip" not in tags, f"{path.name}: every cell runs under nbval"
        if "nbval-ignore-output" in tags:
            reasons = [why for (lesson, line), why in IGNORED_OUTPUTS.items()
                       if lesson_name(path) == lesson and line in text(cell)]
            assert reasons, (f"{path.name}: an ignored output needs its reason in "
                             f"IGNORED_OUTPUTS: {text(cell)[:80]!r}")


def test_every_ignored_output_reason_names_a_tagged_cell():
    tagged = {(lesson_name(path), text(cell)) for path in NOTEBOOKS for cell in load(path)["cells"]
              if "nbval-ignore-output" in cell["metadata"].get("tags", [])}
    for lesson, line in IGNORED_OUTPUTS:
        assert any(lesson == name and line in source for name, source in tagged), \
            f"IGNORED_OUTPUTS names a cell no lesson tags: {lesson}, {line!r}"


def test_readme_has_the_two_commands_and_the_badges():
    readme = (ROOT / "README.md").read_text()
    config = course_config()
    assert "make lab" in readme and "make test" in readme
    slug = config["repository"].removeprefix("https://github.com/")
    assert f"mybinder.org/v2/gh/{slug}/{config['branch']}" in readme
    assert "colab.research.google.com" in readme


# -- hygiene of the stored outputs -----------------------------------------------------------

def png_size(head):
    """(width, height) of a PNG from its first 24 bytes."""
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def stored_pngs(nb):
    """(cell index, width, height) of every PNG in the stored outputs: image/png outputs
    and PNGs embedded in HTML (movie frames, the bench's picture)."""
    for index, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            heads = []
            if "image/png" in data:
                heads.append("".join(data["image/png"]).strip()[:32])
            for mime in ("text/html",):
                heads += PNG_IN_TEXT.findall("".join(data.get(mime, "")))
            for head in heads:
                yield (index, *png_size(base64.b64decode(head)))


def printed_lines(nb):
    """(cell index, line) of every line printed or shown as text in the stored outputs."""
    for index, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", "")) + "".join(
                output.get("data", {}).get("text/plain", ""))
            for line in text.splitlines():
                yield index, line


def test_png_size_reads_the_header():
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (1234, 56)).save(buffer, format="png")
    assert png_size(buffer.getvalue()[:24]) == (1234, 56)
    assert BARE_TRUE.search("agree to 1e-7: True") and BARE_TRUE.search("True")
    assert not BARE_TRUE.search("relative error < 1e-9 (threshold 1e-7)")
    assert not BARE_TRUE.search("TrueType fonts")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_png_is_wider_than_the_page(path):
    wide = [f"cell {i}: {w}×{h} px" for i, w, h in stored_pngs(load(path)) if w > MAX_PNG_WIDTH]
    assert wide == [], f"PNGs wider than {MAX_PNG_WIDTH} px (make the figsize × dpi smaller)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_printed_line_ends_in_a_bare_true(path):
    bare = [f"cell {i}: {line.strip()}" for i, line in printed_lines(load(path))
            if BARE_TRUE.search(line)]
    assert bare == [], "print the size, as a bound (relative error < 1e-9), not a bare True"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernelspec_is_the_installed_kernel(path):
    """Otherwise JupyterLab rewrites it on opening, and the notebook opens modified."""
    stored, installed = load(path)["metadata"]["kernelspec"], installed_kernelspec()
    assert {key: stored.get(key) for key in installed} == installed, "make notebooks fixes it"


# HTML outputs that hold pictures: the movie players, the bench's static picture
IMG_IN_HTML = re.compile(r"<img\b[^>]*>")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ALT_IN_IMG = re.compile(r'\balt="([^"]*)"')


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_has_a_describing_alt_text(path):
    """Every stored picture carries the alt text its lesson wrote (nnlib.plots.show, the
    players' alt), with the caption line under each figure, never a file name or a repr."""
    from nnlib._figures import check_alt

    problems = []
    for index, cell in enumerate(load(path)["cells"]):
        outputs = cell.get("outputs", [])
        for number, output in enumerate(outputs):
            data = output.get("data", {})
            tags = IMG_IN_HTML.findall("".join(data.get("text/html", "")))
            alts = [found.group(1) if (found := ALT_IN_IMG.search(tag)) else None for tag in tags]
            if "image/png" in data:
                alt = output.get("metadata", {}).get("image/png", {}).get("alt")
                following = outputs[number + 1].get("data", {}) if number + 1 < len(outputs) else {}
                if WIDGET_VIEW in data:   # the bench's stored picture: its alt is enough
                    if alt is None:
                        problems.append(f"cell {index}: the widget's picture has no alt text")
                elif alt is None or "".join(data.get("text/plain", "")) != alt:
                    problems.append(f"cell {index}: a figure without alt text (show it with "
                                    "nnlib.plots.show)")
                elif "".join(following.get("text/plain", "")) != f"Figure. {alt}":
                    problems.append(f"cell {index}: no caption line under the figure")
                alts = [alt] if alt else []
            for alt in alts:
                try:
                    check_alt(html.unescape(alt) if alt else alt)
                except (TypeError, ValueError) as error:
                    problems.append(f"cell {index}: {error}")
    assert problems == []


def test_the_readmes_course_map_is_the_index_s():
    """The README repeats the index's table of lessons (links from the repository's root);
    the two must not drift apart (times, titles, what each lesson teaches)."""
    index = load(NOTEBOOKS[0])["cells"]
    table = next(text(c) for c in index if "## The course map" in text(c))
    rows = [re.sub(r"\]\((\d\d_\w+\.ipynb)\)", r"](notebooks/\1)", line).replace("| this page |", "| 00 |")
            for line in table.splitlines() if re.match(r"\| \d\d \|", line)]
    readme = (ROOT / "README.md").read_text()
    assert len(rows) == len(LESSONS) and all(row in readme for row in rows), \
        "copy the index's course map into the README's Lessons table"
