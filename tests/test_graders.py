"""The course as an nbgrader course (tools/nbgrader_course.py, `make nbgrader`), graded by
the real nbgrader from .venv-graders (`make graders`, requirements-graders.txt), offline.

The course is written into a temporary folder, as `make nbgrader` writes build/nbgrader/.
Every lesson is released (`nbgrader generate_assignment`); lesson 11, the fastest to run,
is then autograded (`nbgrader autograde`) on three submissions: the released notebook with
every exercise solved as the full lesson solves it (every point), the released notebook
untouched (no point, no crash), and one with a planted slip in exercise 2 (that exercise
alone loses its point, and its test's output and the feedback name the slip). The points
are read from nbgrader's gradebook.

Without .venv-graders the nbgrader tests are skipped, except under CI (CI=true), where
they fail: `make test` makes .venv-graders first.
"""

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from graded_answers import penalised_loss_with

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from nbgrader_course import autograded_source, lesson_id, main, nbgrader_cells, write_course  # noqa: E402

GRADERS = ROOT / ".venv-graders"
NBGRADER = GRADERS / "bin" / "nbgrader"
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WITH_EXERCISES = [path for path in LESSONS if not path.name.startswith("00_")]
GRADED = "11_autodiff"              # runs in seconds
SLIPPED = "autodiff-ex4-solution"   # penalised_loss: the penalty (λ/2) Σ (W − W_ref)² without its ½
RIGHT, SLIP = "Value(lam / 2)", "Value(lam)"
SLIP_NAME = ("the penalty was taken as λ Σ (W − W_ref)², without its ½ (weight decay λ is "
             "(λ/2) Σ W²)")   # as nnlib.exercises.autodiff names it
TIMEOUT = 600   # s, per nbgrader command


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


def exercise_count(path):
    nb = nbformat.read(path, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "markdown"
               and re.match(r"### Exercise \d+: ", c.source))


# --- the course as written, without nbgrader ---------------------------------------------

@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The nbgrader course of every lesson, written as `make nbgrader` writes it."""
    out = tmp_path_factory.mktemp("nbgrader") / "course"
    names = write_course(LESSONS, out)
    assert names == [path.stem for path in WITH_EXERCISES], "one assignment per lesson with exercises"
    return out


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_every_exercise_is_a_solution_cell_and_a_test_cell_with_stable_ids(course, path):
    nb = nbformat.read(course / "source" / path.stem / f"{path.stem}.ipynb", as_version=4)
    lesson = lesson_id(path)
    marked = [(nbgrader_meta(c)["grade_id"], nbgrader_meta(c)) for c in nb.cells if nbgrader_meta(c)]
    expected = [f"{lesson}-ex{k}-{kind}" for k in range(1, exercise_count(path) + 1)
                for kind in ("solution", "test")]
    assert [grade_id for grade_id, _ in marked] == expected
    for grade_id, meta in marked:
        assert meta["schema_version"] == 3 and meta["task"] is False
        if grade_id.endswith("-solution"):
            assert (meta["solution"], meta["grade"], meta["locked"]) == (True, False, False)
        else:
            assert (meta["solution"], meta["grade"], meta["locked"]) == (False, True, True)
            assert meta["points"] == 1
    text = "\n".join(c.source for c in nb.cells)
    assert "<summary>Solution</summary>" not in text, "the folded solutions are dropped"
    assert text.count("<summary>Hint 1</summary>") == text.count("<summary>Hint 2</summary>") \
        == exercise_count(path)
    assert "colab.research.google.com/assets/colab-badge" not in text
    solutions = [c for c in nb.cells if nbgrader_meta(c).get("solution")]
    assert all("### BEGIN SOLUTION" in c.source for c in solutions)
    assert "### BEGIN SOLUTION" not in "\n".join(c.source for c in nb.cells if c not in solutions)


def test_a_test_cell_fails_with_the_checkers_message_unless_the_verdict_is_correct():
    from nnlib.exercises.autodiff import check_penalised_loss

    source = autograded_source("check_penalised_loss(penalised_loss)", "lesson 11, cell 1")

    def run(penalised_loss):
        exec(compile(source, "test cell", "exec"), {"check_penalised_loss": check_penalised_loss,
                                                    "penalised_loss": penalised_loss})

    run(penalised_loss_with(0.5))
    with pytest.raises(AssertionError, match=re.escape(SLIP_NAME)):
        run(penalised_loss_with(1.0))
    with pytest.raises(AssertionError, match="not implemented yet"):
        run(lambda X, Y, s, W, b, W_ref, lam: None)


def test_a_test_cell_makes_every_checker_call_of_its_checker_cell():
    source = autograded_source("print(check_f(f))\ncheck_g(g)", "lesson 03, cell 1")
    assert "verdicts = [check_f(f), check_g(g)]" in source
    from nnlib.exercises.core import Verdict

    right = lambda: Verdict("correct", "correct!")  # noqa: E731
    slipped = lambda: Verdict("wrong values", "g: wrong values. It looks like slip B.", slip="slip B")  # noqa: E731
    names = {"check_f": lambda f: f(), "check_g": lambda g: g()}
    exec(compile(source, "test cell", "exec"), {**names, "f": right, "g": right})
    with pytest.raises(AssertionError, match=r"^g: wrong values. It looks like slip B.$"):
        exec(compile(source, "test cell", "exec"), {**names, "f": right, "g": slipped})


def test_the_tool_names_an_exercise_laid_out_otherwise(tmp_path, capsys):
    heading = nbformat.v4.new_markdown_cell("### Exercise 1: `f`")
    solution = nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x\n"
                                         "    ### END SOLUTION", metadata={"tags": ["solution"]})
    unmarked = nbformat.v4.new_code_cell("def f(x):\n    return x", metadata={"tags": ["solution"]})
    checker = nbformat.v4.new_code_cell("check_f(f)")
    with pytest.raises(ValueError, match="cell 2: a cell tagged 'solution' needs"):
        nbgrader_cells([heading, unmarked, checker], "one_dimensional_network", "lesson.ipynb")
    with pytest.raises(ValueError, match="exercise 1 has no checker cell"):
        nbgrader_cells([heading, solution], "one_dimensional_network", "lesson.ipynb")
    with pytest.raises(ValueError, match="cell 1: a cell tagged 'solution' outside an exercise"):
        nbgrader_cells([solution, checker], "one_dimensional_network", "lesson.ipynb")
    with pytest.raises(ValueError, match="cell 3: the checker cell calls no check_… function"):
        nbgrader_cells([heading, solution, nbformat.v4.new_code_cell("x = f(1)")],
                       "one_dimensional_network", "lesson.ipynb")
    with pytest.raises(SystemExit):
        main(["no/such.ipynb", "--out", str(tmp_path)])
    assert "these do not exist: no/such.ipynb" in capsys.readouterr().err


# --- the real nbgrader -------------------------------------------------------------------

def nbgrader(course_dir, *args):
    """Run `nbgrader *args` from .venv-graders in `course_dir`, offline and apart from the
    user's Jupyter configuration; return its log."""
    if not NBGRADER.exists():
        message = (f"{NBGRADER} not found: make it with `make graders` "
                   "(nbgrader, pinned in requirements-graders.txt)")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    home = course_dir.parent / "jupyter-home"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTER_PATH": str(GRADERS / "share" / "jupyter"),   # its python3 kernel: nnlib's
           "JUPYTER_PLATFORM_DIRS": "1", "PATH": f"{GRADERS / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    env.pop("MPLBACKEND", None)
    result = subprocess.run([str(NBGRADER), *args], cwd=course_dir, env=env, capture_output=True,
                            text=True, timeout=TIMEOUT)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{log[-4000:]}"
    assert "[ERROR]" not in log and "| ERROR]" not in log, log[-4000:]
    return log


def fresh_copy(course, tmp_path):
    return Path(shutil.copytree(course, tmp_path / "course"))


def test_nbgrader_releases_every_lesson_without_its_solutions(course, tmp_path):
    here = fresh_copy(course, tmp_path)
    nbgrader(here, "generate_assignment", "*", "--no-db")
    for path in WITH_EXERCISES:
        released = here / "release" / path.stem / f"{path.stem}.ipynb"
        nb = nbformat.read(released, as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        assert "### BEGIN SOLUTION" not in text and "<summary>Solution</summary>" not in text
        assert text.count("<summary>Hint 1</summary>") == exercise_count(path)
        stubs = [c for c in nb.cells if nbgrader_meta(c).get("solution")]
        assert len(stubs) == exercise_count(path)
        assert all("raise NotImplementedError" in c.source for c in stubs)
        assert not any(c.get("outputs") for c in nb.cells), f"{released.name}: outputs released"


def submission(course_dir, student, nb):
    folder = course_dir / "submitted" / student / GRADED
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{GRADED}.ipynb")


def test_nbgrader_autogrades_the_full_the_untouched_and_a_slipped_submission(course, tmp_path):
    here = fresh_copy(course, tmp_path)
    nbgrader(here, "generate_assignment", GRADED)
    released = nbformat.read(here / "release" / GRADED / f"{GRADED}.ipynb", as_version=4)
    source = nbformat.read(here / "source" / GRADED / f"{GRADED}.ipynb", as_version=4)
    answers = {nbgrader_meta(c)["grade_id"]: c.source for c in source.cells
               if nbgrader_meta(c).get("solution")}
    solved = copy.deepcopy(released)   # a student who writes what the full lesson holds
    for cell in solved.cells:
        cell.source = answers.get(nbgrader_meta(cell).get("grade_id"), cell.source)
    slipped = copy.deepcopy(solved)
    cell = next(c for c in slipped.cells if nbgrader_meta(c).get("grade_id") == SLIPPED)
    assert RIGHT in cell.source
    cell.source = cell.source.replace(RIGHT, SLIP)
    submission(here, "full", solved)
    submission(here, "untouched", released)
    submission(here, "slip", slipped)

    nbgrader(here, "autograde", GRADED)

    from_gradebook = subprocess.run(
        [str(GRADERS / "bin" / "python"), "-c",
         "import json, sys\n"
         "from nbgrader.api import Gradebook\n"
         "with Gradebook('sqlite:///gradebook.db') as gb:\n"
         "    print(json.dumps({s: {g.name: [g.score, g.max_score] for g in\n"
         f"        gb.find_submission_notebook({GRADED!r}, {GRADED!r}, s).grades}}\n"
         "        for s in sys.argv[1:]}))\n",
         "full", "untouched", "slip"],
        cwd=here, capture_output=True, text=True, check=True, timeout=120)
    grades = json.loads(from_gradebook.stdout)
    tests = [f"autodiff-ex{k}-test" for k in range(1, exercise_count(ROOT / "notebooks" /
                                                                      f"{GRADED}.ipynb") + 1)]
    assert sorted(grades["full"]) == tests
    assert grades["full"] == {test: [1.0, 1.0] for test in tests}
    assert grades["untouched"] == {test: [0.0, 1.0] for test in tests}
    slipped_test = SLIPPED.replace("-solution", "-test")
    assert grades["slip"] == {test: [0.0 if test == slipped_test else 1.0, 1.0] for test in tests}

    graded = nbformat.read(here / "autograded" / "slip" / GRADED / f"{GRADED}.ipynb", as_version=4)
    failed = [(nbgrader_meta(c)["grade_id"], output) for c in graded.cells if nbgrader_meta(c).get("grade")
              for output in c.get("outputs", []) if output.output_type == "error"]
    assert [(grade_id, output.ename) for grade_id, output in failed] == \
        [(slipped_test, "AssertionError")]
    assert SLIP_NAME in failed[0][1].evalue
    untouched = nbformat.read(here / "autograded" / "untouched" / GRADED / f"{GRADED}.ipynb",
                              as_version=4)
    errors = [output for c in untouched.cells if nbgrader_meta(c).get("grade")
              for output in c.get("outputs", []) if output.output_type == "error"]
    assert len(errors) == len(tests) and all("not implemented yet" in e.evalue for e in errors)

    nbgrader(here, "generate_feedback", GRADED, "--student", "slip")
    feedback = (here / "feedback" / "slip" / GRADED / f"{GRADED}.html").read_text(encoding="utf-8")
    assert SLIP_NAME in feedback
