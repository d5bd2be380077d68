"""Write the lessons in Otter Assign's format, one Otter-Grader assignment per lesson with
exercises, and run `otter assign` on them.

    python tools/otter_course.py --out build/otter notebooks/*.ipynb
    python tools/otter_course.py --out build/otter --otter .venv-graders/bin/otter notebooks/*.ipynb

writes build/otter/source/<lesson>/<lesson>.ipynb (<lesson> is the notebook's name, such as
11_autodiff) with a requirements.txt beside it; with --otter, it then runs `otter assign` on
each into build/otter/dist/<lesson>/: student/<lesson>.ipynb, the notebook to hand out, and
autograder/<lesson>-autograder_<time>.zip, the autograder for Gradescope or `otter run`.
The exercises are found as tools/nbgrader_course.py finds them (its nbgrader_cells checks
the layout). In each notebook:

- the first cell is Otter's assignment configuration (a raw cell, `# ASSIGNMENT CONFIG`):
  the assignment's name, tests in Otter's exception-based format, an autograder zip that
  installs nnlib (requirements.txt) and shows students every question's result (all tests
  are public), an export cell without PDF;
- every exercise is an Otter question named <lesson id>-exK (such as autodiff-ex2), of
  POINTS point(s): its heading and task, then its solution cell in a solution block, whose
  `### BEGIN SOLUTION` … `### END SOLUTION` regions are rewritten with Otter's markers so
  that the release holds the student edition's stub (`# YOUR CODE HERE`,
  `raise NotImplementedError`) where the solution was, then its test;
- the test is made from the exercise's checker cell: it makes the same checker calls, the
  checkers imported from nnlib.exercises.<lesson id> (not taken from the notebook),
  and fails unless every verdict is "correct", with the checkers' messages (which name the
  slip they recognised) as its AssertionError's message, which Otter shows;
- the folded solutions, the Colab badge and the cells tagged `full-edition` are dropped
  (student_edition.released), as in the nbgrader release; the hints and every other
  cell stay.

Notebooks without exercises (the index) are left out. Nothing is executed before `otter
assign`, which runs every test on the solutions (the full lesson is executed).
"""

import argparse
import ast
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from colab_cells import course_config  # noqa: E402
from nbgrader_course import (  # noqa: E402
    HEADING,
    POINTS,
    checker_calls,
    has_exercises,
    lesson_id,
    nbgrader_cells,
    refuse_bad_arguments,
)
from student_edition import REGION, released  # noqa: E402

from nnlib.exercises import lesson_exercises  # noqa: E402

# Otter reads `# BEGIN SOLUTION`, not the lessons' `### BEGIN SOLUTION` (REGION), whose END
# it does read: as they are, it stops.
# Otter keeps the region in the autograder's notebook and drops it from the student's
# (NO PROMPT: no `...` in its place); it drops the two lines ending in BEGIN/END PROMPT from
# the student's and keeps what they enclose there, the student edition's stub, which is a
# string that does nothing in the autograder's notebook.
OTTER_REGION = (r'\1# BEGIN SOLUTION NO PROMPT\n\2\1# END SOLUTION\n'
                r'\1""" # BEGIN PROMPT\n\1# YOUR CODE HERE\n\1raise NotImplementedError\n'
                r'\1""" # END PROMPT')
GRADE_ID = re.compile(r"^(?P<question>.+-ex(?P<exercise>\d+))-(?P<kind>solution|test)$")

CONFIG = """\
# ASSIGNMENT CONFIG
name: {name}
requirements: requirements.txt
export_cell:
  pdf: false
generate:
  show_all_public: true
tests:
  ok_format: false
"""

REQUIREMENTS = """\
# What Otter's autograder installs beside Otter-Grader (on Gradescope): the course's
# package nnlib, which the lesson and its checkers import, with its dependencies.
nnlib @ git+{repository}@{branch}
"""


def raw(source):
    return nbformat.v4.new_raw_cell(source)


def otter_solution(source):
    """The source of a solution cell with each `### BEGIN SOLUTION` … `### END SOLUTION`
    region written with Otter's markers, the student edition's stub as its prompt."""
    return REGION.sub(OTTER_REGION, source)


def otter_test(checker_source, question, lesson, where):
    """The source of the Otter test of question `question` ("autodiff-ex2") made from the
    checker cell whose code is `checker_source` ("check_penalised_loss(penalised_loss)"): a
    function whose arguments Otter takes from the graded notebook's globals."""
    calls = checker_calls(checker_source, where)
    known = {checker.__name__ for checker in lesson_exercises(lesson).values()}
    checkers, arguments = [], []
    for call in calls:
        node = ast.parse(call, mode="eval").body
        if node.func.id not in known:
            raise ValueError(f"{where}: {node.func.id} is not one of the checkers of "
                             f"nnlib.exercises.{lesson} ({', '.join(sorted(known))})")
        checkers.append(node.func.id)
        for child in ast.walk(ast.Module([ast.Expr(arg) for arg in
                                          [*node.args, *(k.value for k in node.keywords)]], [])):
            if isinstance(child, ast.Name) and child.id not in arguments:
                arguments.append(child.id)
    name = "test_" + re.sub(r"\W", "_", question)
    return (f"def {name}({', '.join(arguments)}):\n"
            f'    """{question}: passes only when every verdict is "correct"; otherwise it fails '
            "with\n    the checker's message, which names the slip it recognised.\"\"\"\n"
            f"    from nnlib.exercises.{lesson} import {', '.join(dict.fromkeys(checkers))}\n\n"
            f"    verdicts = [{', '.join(calls)}]\n"
            '    assert all(verdicts), "\\n".join(verdict.message for verdict in verdicts if not verdict)\n')


def otter_cells(cells, name, where):
    """The cells of the Otter Assign notebook of lesson `name` ("11_autodiff"), made from the
    full lesson's `cells`; ValueError if an exercise is not laid out as
    tests/test_exercise_layout.py describes."""
    lesson = lesson_id(Path(name))
    # the exercises found and checked as for nbgrader (and the student edition's stubbed():
    # BEGIN/END SOLUTION in pairs), each marked with its grade_id
    marked = nbgrader_cells(cells, lesson, where)
    originals = [cell for cell in cells if released(cell)]   # the same cells, unmarked
    numbers = [number for number, cell in enumerate(cells, start=1) if released(cell)]
    kept = [raw(CONFIG.format(name=name))]
    for cell, original, number in zip(marked, originals, numbers, strict=True):
        meta = cell.metadata.pop("nbgrader", None)
        if meta is None:
            kept.append(cell)
            continue
        found = GRADE_ID.match(meta["grade_id"])
        question = found["question"]
        if found["kind"] == "solution":
            heading = max(i for i, c in enumerate(kept) if c.cell_type == "markdown"
                          and HEADING.match(c.source)
                          and HEADING.match(c.source).group(1) == found["exercise"])
            kept.insert(heading, raw(f"# BEGIN QUESTION\nname: {question}\npoints: {POINTS}"))
            cell.source = otter_solution(cell.source)
            kept += [raw("# BEGIN SOLUTION"), cell, raw("# END SOLUTION")]
        else:
            test = nbformat.v4.new_code_cell(
                otter_test(original.source, question, lesson, f"{where}, cell {number}"))
            kept += [raw("# BEGIN TESTS"), test, raw("# END TESTS"), raw("# END QUESTION")]
    return kept


def write_sources(paths, out):
    """Write source/<lesson>/<lesson>.ipynb and its requirements.txt for each of `paths` that
    has exercises, into the folder `out`; return the lessons' names."""
    notebooks = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if has_exercises(nb):                              # every lesson checked first
            nb.cells = otter_cells(nb.cells, path.stem, path.name)
            notebooks[path.stem] = nb
    requirements = REQUIREMENTS.format(**course_config())
    for name, nb in notebooks.items():
        folder = out / "source" / name
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
        (folder / "requirements.txt").write_text(requirements, encoding="utf-8")
    return list(notebooks)


def otter_env(otter):
    """The environment `otter` runs in: its venv's commands first on PATH and its python3
    kernel (the venv's own Python, with nnlib) found first."""
    venv = Path(otter).absolute().parent.parent
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
           "JUPYTER_PATH": str(venv / "share" / "jupyter"), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    env.pop("MPLBACKEND", None)   # the lessons' kernels keep their inline backend
    return env


def assign(otter, source, dist):
    """Run `otter assign` on the Otter Assign notebook `source` into the folder `dist`
    (created); CalledProcessError with its log if it fails."""
    return subprocess.run([str(otter), "assign", "--no-pdfs", str(source), str(dist)],
                          env=otter_env(otter), capture_output=True, text=True, check=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build/otter"))
    parser.add_argument("--otter", type=Path,
                        help="the otter command (such as .venv-graders/bin/otter): run "
                             "`otter assign` on each lesson into OUT/dist/<lesson>/")
    args = parser.parse_args(argv)
    refuse_bad_arguments(parser, args)
    if args.otter is not None and not args.otter.is_file():
        parser.error(f"--otter: {args.otter} does not exist; `make graders` installs Otter-Grader "
                     "into .venv-graders")
    try:
        names = write_sources(args.notebooks, args.out)
    except ValueError as exc:
        parser.error(str(exc))
    for name in names:
        print(f"{args.out}/source/{name}/{name}.ipynb: written", flush=True)
    if args.otter is None:
        return 0
    for name in names:
        start = time.perf_counter()
        try:
            assign(args.otter, args.out / "source" / name / f"{name}.ipynb", args.out / "dist" / name)
        except subprocess.CalledProcessError as exc:
            print(f"otter assign {name} failed:\n{(exc.stdout + exc.stderr)[-4000:]}", file=sys.stderr)
            return 1
        print(f"{args.out}/dist/{name}/: student/{name}.ipynb and the autograder zip, every test "
              f"passed on the solutions ({time.perf_counter() - start:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
