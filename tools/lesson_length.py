"""How long a lesson is to read: its words of prose and its lines of code, counted as the
course's limit counts them (about 3,000 words and 300 lines a lesson).

    python tools/lesson_length.py notebooks/*.ipynb

Counted: the markdown a student reads and the code cells a student runs. Not counted:
folded hints and solutions (`<details><summary>Hint …` or `Solution` blocks, and cells
tagged `solution`), display
math (`$$ … $$`), the Colab cells, blank lines and comment-only lines.
"""

import re
import sys
from pathlib import Path

import nbformat

WORD_LIMIT, LINE_LIMIT = 3000, 300
NOT_READ = {"solution", "colab-badge", "colab-setup"}
FOLDED = re.compile(r"<details><summary>(?:Hint|Solution)\b.*?</details>", re.DOTALL)
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.DOTALL)
WORD = re.compile(r"[^\W\d_][\w'’-]*")


def read_cells(nb):
    return [cell for cell in nb.cells if not NOT_READ & set(cell.metadata.get("tags", []))]


def prose_words(text):
    """Words of a markdown text outside folded hints and solutions and display math."""
    return len(WORD.findall(DISPLAY_MATH.sub(" ", FOLDED.sub(" ", text))))


def code_lines(source):
    """Lines of code that are neither blank nor only a comment."""
    return sum(1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#"))


def lesson_length(path):
    """(words of prose, lines of code) of the notebook at `path`."""
    cells = read_cells(nbformat.read(path, as_version=4))
    return (sum(prose_words(c.source) for c in cells if c.cell_type == "markdown"),
            sum(code_lines(c.source) for c in cells if c.cell_type == "code"))


def main(argv=None):
    for path in (argv if argv is not None else sys.argv[1:]):
        words, lines = lesson_length(Path(path))
        over = " (over)" if words > WORD_LIMIT or lines > LINE_LIMIT else ""
        print(f"{Path(path).name:36s} {words:5d} words {lines:4d} code lines{over}")


if __name__ == "__main__":
    main()
