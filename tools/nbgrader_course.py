"""Write the lessons as an nbgrader course: one assignment per lesson with exercises.

    python tools/nbgrader_course.py --out build/nbgrader notebooks/*.ipynb

writes build/nbgrader/nbgrader_config.py and build/nbgrader/source/<lesson>/<lesson>.ipynb
(<lesson> is the notebook's name, such as 02_vectorized_network). In each notebook:

- every exercise's code cell tagged `solution` becomes an nbgrader solution cell
  (grade_id <lesson id>-exK-solution, such as vectorized_network-ex1-solution):
  `nbgrader generate_assignment` replaces each region between `### BEGIN SOLUTION` and
  `### END SOLUTION` with a stub that raises, as the student edition
  (tools/student_edition.py) does;
- every exercise's checker cell becomes an autograded test cell (grade_id
  <lesson id>-exK-test, POINTS points, locked) that makes the same checker calls: it raises
  AssertionError unless every verdict is "correct", with the checkers' messages (which
  name the slip they recognised) as the error's message, which nbgrader's feedback shows;
- the folded solutions (markdown cells tagged `solution`) are dropped, so they are in
  neither the source nor the release (the full lessons in notebooks/ keep them), and so
  are the Colab badge and the cells tagged `full-edition` (student_edition.released);
- the hints and every other cell stay as they are.

Notebooks without exercises (the index) are left out. Nothing is executed.
"""

import argparse
import ast
import copy
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from student_edition import SOLUTION_TAG, released, stubbed, tags  # noqa: E402

HEADING = re.compile(r"^### Exercise (\d+): \S")
CHECKER = re.compile(r"^check_\w+$")
POINTS = 1            # per exercise
SCHEMA_VERSION = 3    # nbgrader's cell metadata format (nbgrader 0.6 and later)
TIMEOUT = 300         # seconds a cell may run when autograded (nbgrader's default: 30)

CONFIG = f'''"""nbgrader's configuration of the course "Neural networks from scratch, in NumPy".

Written by tools/nbgrader_course.py (`make nbgrader`): one assignment per lesson, in
source/<lesson>/<lesson>.ipynb. Each exercise is a solution cell and an autograded test
cell of {POINTS} point(s), which passes only when the lesson's checker says "correct".
The lessons import the course's package nnlib: install it where the autograder's kernel
runs (`pip install -e .` in the course's repository, or its requirements.txt).
"""

c = get_config()  # noqa: F821 (nbgrader defines it)

# The stub nbgrader leaves in place of each solution region, as in the student edition.
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError"}}
# A cell that trains a network may need more than nbgrader's default 30 s on a busy server.
c.Execute.timeout = {TIMEOUT}
'''


def lesson_id(path):
    """"vectorized_network" for 02_vectorized_network.ipynb: the name of its checkers'
    module, which stays when lessons are renumbered."""
    return path.stem.split("_", 1)[1]


def nbgrader_metadata(grade_id, solution=False, grade=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": SCHEMA_VERSION, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def checker_calls(source, where):
    """The checker calls in the code of a checker cell, as written: ["check_f(f)", …]."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"{where}: the checker cell is not valid Python ({exc.msg})") from None
    calls = [ast.get_source_segment(source, node) for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and CHECKER.match(node.func.id)]
    if not calls:
        raise ValueError(f"{where}: the checker cell calls no check_… function: {source!r}")
    return sorted(calls, key=source.index)


def autograded_source(source, where):
    """The autograded test cell made from the checker cell whose code is `source`
    ("check_layer_forward(layer_forward)"; an exercise may call several checkers)."""
    calls = checker_calls(source, where)
    # The messages are printed, not displayed: nbgrader would read a displayed value as a
    # partial score.
    return ("# Autograded: passes only when every verdict is \"correct\"; otherwise the\n"
            "# AssertionError's message is the checker's, naming the slip it recognised.\n"
            f"verdicts = [{', '.join(calls)}]\n"
            "print(\"\\n\".join(verdict.message for verdict in verdicts))\n"
            "assert all(verdicts), \"\\n\".join(verdict.message for verdict in verdicts if not verdict)")


def nbgrader_cells(cells, lesson, where):
    """The cells of the nbgrader source notebook of lesson `lesson` ("vectorized_network"), made
    from the full lesson's `cells`; ValueError if an exercise is not laid out as
    tests/test_exercise_layout.py describes."""
    kept, exercise, awaiting_checker, seen = [], None, None, set()
    for number, cell in enumerate(cells, start=1):
        here = f"{where}, cell {number}"
        if not released(cell):     # the badge, the full-edition text, a folded solution
            continue
        if cell.cell_type == "markdown":
            heading = HEADING.match(cell.source)
            if heading:
                exercise = int(heading.group(1))
            elif cell.source.lstrip().startswith("#"):
                exercise = None       # a heading of any other kind ends the exercise
            kept.append(cell)
            continue
        if cell.cell_type != "code":
            kept.append(cell)
            continue
        cell = copy.deepcopy(cell)
        if SOLUTION_TAG in tags(cell):
            stubbed(cell, here)   # the student edition's check: BEGIN/END SOLUTION in pairs
            if exercise is None:
                raise ValueError(f"{here}: a cell tagged {SOLUTION_TAG!r} outside an exercise "
                                 "(after no '### Exercise k: …' heading)")
            if exercise in seen:
                raise ValueError(f"{here}: exercise {exercise} has a second cell tagged "
                                 f"{SOLUTION_TAG!r}; one per exercise")
            seen.add(exercise)
            cell.metadata["nbgrader"] = nbgrader_metadata(f"{lesson}-ex{exercise}-solution",
                                                          solution=True)
            awaiting_checker = exercise
        elif awaiting_checker is not None:
            cell.source = autograded_source(cell.source, here)
            cell.outputs, cell.execution_count = [], None   # the checker call's, not the test's
            cell.metadata["nbgrader"] = nbgrader_metadata(
                f"{lesson}-ex{awaiting_checker}-test", grade=True, locked=True, points=POINTS)
            awaiting_checker = None
        kept.append(cell)
    if awaiting_checker is not None:
        raise ValueError(f"{where}: exercise {awaiting_checker} has no checker cell after its "
                         "solution cell")
    return kept


def has_exercises(nb):
    return any(c.cell_type == "markdown" and HEADING.match(c.source) for c in nb.cells)


def write_course(paths, out):
    """Write nbgrader_config.py and source/<lesson>/<lesson>.ipynb for each of `paths`
    that has exercises, into the folder `out`; return the assignments' names."""
    notebooks = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if has_exercises(nb):                              # every lesson checked first
            nb.cells = nbgrader_cells(nb.cells, lesson_id(path), path.name)
            notebooks[path.stem] = nb
    out.mkdir(parents=True, exist_ok=True)
    (out / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    for name, nb in notebooks.items():
        folder = out / "source" / name
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
    return list(notebooks)


def refuse_bad_arguments(parser, args):
    """Stop with a one-line message (parser.error) if a notebook in `args.notebooks` is
    missing or given twice, or `args.out` is a file: the checks tools/otter_course.py
    shares."""
    absent = [str(path) for path in args.notebooks if not path.is_file()]
    if absent:
        parser.error(f"notebooks: expected .ipynb files, these do not exist: {', '.join(absent)}")
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out must be a folder, got {args.out}, which is an existing file")
    lessons = [lesson_id(path) for path in args.notebooks]
    twice = sorted({lesson for lesson in lessons if lessons.count(lesson) > 1})
    if twice:
        parser.error(f"notebooks: {', '.join(twice)} given twice; give each lesson once")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build/nbgrader"))
    args = parser.parse_args(argv)
    refuse_bad_arguments(parser, args)
    try:
        names = write_course(args.notebooks, args.out)
    except ValueError as exc:
        parser.error(str(exc))
    for name in names:
        print(f"{args.out}/source/{name}/{name}.ipynb: written")
    print(f"{args.out}/nbgrader_config.py: written; in {args.out}, "
          f"`nbgrader generate_assignment {names[0] if names else '<lesson>'}` releases a lesson")
    return 0


if __name__ == "__main__":
    sys.exit(main())
