"""The course in Otter Assign's format (tools/otter_course.py, `make otter`), assigned and
graded by the real Otter-Grader from .venv-graders (`make graders`, requirements-graders.txt),
offline and without containers.

The sources are written into a temporary folder, as `make otter` writes build/otter/source/.
Lesson 11, the fastest to run, is then assigned (`otter assign`, which writes the student
notebook and the autograder zip) and graded (`otter run`, no container) on three
submissions: the released notebook with every exercise solved as the full lesson solves it
(every point), the released notebook untouched (no point, no crash), and one with a planted
slip in exercise 2 (that question alone loses its point, and its failure text names the
slip). The points and messages are read from Otter's results.json.

Nothing here is skipped: without .venv-graders the Otter tests fail, saying that `make
graders` (which `make otter` and `make test` run first) installs Otter-Grader.
"""

import copy
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from graded_answers import penalised_loss_with

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from otter_course import main, otter_cells, otter_env, otter_test, write_sources  # noqa: E402
from student_edition import SOLUTION_TAG, stub, tags  # noqa: E402

GRADERS = ROOT / ".venv-graders"
OTTER = GRADERS / "bin" / "otter"
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WITH_EXERCISES = [path for path in LESSONS if not path.name.startswith("00_")]
GRADED = "11_autodiff"              # runs in seconds
SLIPPED = "autodiff-ex4"            # penalised_loss: the penalty (λ/2) Σ (W − W_ref)² without its ½
RIGHT, SLIP = "Value(lam / 2)", "Value(lam)"
SLIP_NAME = ("the penalty was taken as λ Σ (W − W_ref)², without its ½ (weight decay λ is "
             "(λ/2) Σ W²)")   # as nnlib.exercises.autodiff names it
NOT_YET = "not implemented yet"
ANSWER_TAG = "otter_answer_cell"    # Otter's tag of the cells a student writes in
TIMEOUT = 600   # s, per otter command


def exercise_count(path):
    nb = nbformat.read(path, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "markdown"
               and re.match(r"### Exercise \d+: ", c.source))


def solutions(path):
    """The sources of the full lesson's solution cells, in order."""
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code" and SOLUTION_TAG in tags(c)]


def raw_lines(nb):
    return [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "raw"]


# --- the sources as written, without Otter -----------------------------------------------

@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The Otter Assign sources of every lesson, written as `make otter` writes them."""
    out = tmp_path_factory.mktemp("otter") / "course"
    names = write_sources(LESSONS, out)
    assert names == [path.stem for path in WITH_EXERCISES], "one assignment per lesson with exercises"
    return out


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.stem)
def test_every_exercise_is_a_question_with_its_solution_and_a_test(course, path):
    nb = nbformat.read(course / "source" / path.stem / f"{path.stem}.ipynb", as_version=4)
    lesson = path.stem.split("_", 1)[1]
    count = exercise_count(path)
    config = nb.cells[0]
    assert config.cell_type == "raw" and config.source.startswith("# ASSIGNMENT CONFIG\n")
    assert f"name: {path.stem}\n" in config.source and "ok_format: false" in config.source
    blocks = ["# BEGIN QUESTION", "# BEGIN SOLUTION", "# END SOLUTION", "# BEGIN TESTS",
              "# END TESTS", "# END QUESTION"]
    assert raw_lines(nb)[1:] == blocks * count, "each exercise: question, solution, tests, in order"
    questions = [c.source for c in nb.cells if c.cell_type == "raw" and c.source.startswith("# BEGIN Q")]
    assert questions == [f"# BEGIN QUESTION\nname: {lesson}-ex{k}\npoints: 1" for k in range(1, count + 1)]
    for k, question in enumerate(questions, start=1):   # the exercise's heading opens its question
        after = nb.cells[[c.source for c in nb.cells].index(question) + 1]
        assert after.source.startswith(f"### Exercise {k}: ")
    solved = [c.source for c in nb.cells if c.cell_type == "code" and SOLUTION_TAG in tags(c)]
    assert len(solved) == count
    for source, full in zip(solved, solutions(path), strict=True):
        assert "### BEGIN SOLUTION" not in source and "# BEGIN SOLUTION NO PROMPT" in source
        assert source.count('""" # BEGIN PROMPT\n') == full.count("### BEGIN SOLUTION")
        solution = re.sub(r'\n[ \t]*""" # BEGIN PROMPT\n.*?""" # END PROMPT', "", source, flags=re.DOTALL)
        assert solution.replace("# BEGIN SOLUTION NO PROMPT", "### BEGIN SOLUTION") \
            .replace("# END SOLUTION", "### END SOLUTION") == full, "the solution, as the full lesson has it"
    text = "\n".join(c.source for c in nb.cells)
    assert "<summary>Solution</summary>" not in text, "the folded solutions are dropped"
    assert text.count("<summary>Hint 1</summary>") == text.count("<summary>Hint 2</summary>") == count
    assert "colab.research.google.com/assets/colab-badge" not in text
    requirements = (course / "source" / path.stem / "requirements.txt").read_text()
    assert "nnlib @ git+https://github.com/" in requirements


def test_a_test_fails_with_the_checkers_message_unless_the_verdict_is_correct():
    source = otter_test("check_penalised_loss(penalised_loss)", SLIPPED, "autodiff", "lesson 11, cell 1")
    assert source.startswith("def test_autodiff_ex4(penalised_loss):\n")
    namespace = {}
    exec(compile(source, "test", "exec"), namespace)
    run = namespace["test_autodiff_ex4"]
    run(penalised_loss_with(0.5))
    with pytest.raises(AssertionError, match=re.escape(SLIP_NAME)):
        run(penalised_loss_with(1.0))
    with pytest.raises(AssertionError, match=NOT_YET):
        run(lambda X, Y, s, W, b, W_ref, lam: None)


def test_a_test_imports_every_checker_of_its_checker_cell_and_no_other():
    source = otter_test("print(check_fixed_gradient(fixed_gradient))\ncheck_penalised_loss(penalised_loss)",
                         "autodiff-ex9", "autodiff", "lesson 11, cell 1")
    assert source.startswith("def test_autodiff_ex9(fixed_gradient, penalised_loss):\n")
    assert "from nnlib.exercises.autodiff import check_fixed_gradient, check_penalised_loss\n" in source
    assert "verdicts = [check_fixed_gradient(fixed_gradient), check_penalised_loss(penalised_loss)]" in source
    with pytest.raises(ValueError, match="cell 1: check_layer_forward is not one of the checkers of "
                                         "nnlib.exercises.autodiff"):
        otter_test("check_layer_forward(layer_forward)", "autodiff-ex1", "autodiff", "lesson 11, cell 1")


def test_the_tool_names_an_exercise_laid_out_otherwise(tmp_path, capsys):
    heading = nbformat.v4.new_markdown_cell("### Exercise 1: `f`")
    unmarked = nbformat.v4.new_code_cell("def f(x):\n    return x", metadata={"tags": ["solution"]})
    solution = nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x\n"
                                         "    ### END SOLUTION", metadata={"tags": ["solution"]})
    with pytest.raises(ValueError, match="cell 2: a cell tagged 'solution' needs"):
        otter_cells([heading, unmarked, nbformat.v4.new_code_cell("check_f(f)")], "11_autodiff", "x")
    with pytest.raises(ValueError, match="exercise 1 has no checker cell"):
        otter_cells([heading, solution], "11_autodiff", "lesson.ipynb")
    with pytest.raises(SystemExit):
        main(["no/such.ipynb", "--out", str(tmp_path)])
    assert "these do not exist: no/such.ipynb" in capsys.readouterr().err


# --- the real Otter-Grader ---------------------------------------------------------------

def otter(cwd, *args):
    """Run `otter *args` from .venv-graders in `cwd`, offline and apart from the user's
    Jupyter configuration; return its log."""
    if not OTTER.exists():
        pytest.fail(f"{OTTER} not found: `make graders` installs Otter-Grader (pinned in "
                    "requirements-graders.txt) into .venv-graders; `make otter` and `make test` "
                    "run it first")
    home = cwd / "jupyter-home"
    env = {**otter_env(OTTER), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTER_PLATFORM_DIRS": "1"}
    result = subprocess.run([str(OTTER), *args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=TIMEOUT)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"otter {' '.join(args)} failed:\n{log[-4000:]}"
    assert "Traceback" not in log, log[-4000:]
    return log


@pytest.fixture(scope="module")
def assigned(course, tmp_path_factory):
    """Lesson 11 assigned by `otter assign`: its dist/ folder. (`make otter` also lets Otter
    run every test on the full lesson; here the full submission below does that.)"""
    here = Path(shutil.copytree(course / "source" / GRADED, tmp_path_factory.mktemp("assign") / GRADED))
    otter(here, "assign", "--no-pdfs", "--no-run-tests", f"{GRADED}.ipynb", "dist")
    return here / "dist"


def test_otter_releases_the_lesson_with_the_student_editions_stubs(assigned):
    released = nbformat.read(assigned / "student" / f"{GRADED}.ipynb", as_version=4)
    full = ROOT / "notebooks" / f"{GRADED}.ipynb"
    count = exercise_count(full)
    answers = [c.source for c in released.cells if ANSWER_TAG in tags(c)]
    assert answers == [stub(source) for source in solutions(full)], "the student edition's stubs"
    text = "\n".join(c.source for c in released.cells)
    for leaked in ("BEGIN SOLUTION", "END SOLUTION", "PROMPT", "<summary>Solution</summary>"):
        assert leaked not in text
    assert text.count("<summary>Hint 1</summary>") == count
    checks = [c.source for c in released.cells if c.source.startswith("grader.check(")]
    assert checks == [f'grader.check("autodiff-ex{k}")' for k in range(1, count + 1)]
    assert not any(c.get("outputs") for c in released.cells), "outputs released"
    zips = list((assigned / "autograder").glob(f"{GRADED}-autograder_*.zip"))
    assert len(zips) == 1
    with zipfile.ZipFile(zips[0]) as autograder:
        names = autograder.namelist()
        environment = autograder.read("environment.yml").decode()
    assert sorted(n for n in names if n.startswith("tests/")) == \
        [f"tests/autodiff-ex{k}.py" for k in range(1, count + 1)]
    assert "otter-grader" in environment and "nnlib @ git+https://github.com/" in environment


@pytest.fixture(scope="module")
def graded(assigned, tmp_path_factory):
    """{submission: {question: (score, max_score, output)}} from `otter run` on the three
    submissions: full, untouched, slip."""
    released = nbformat.read(assigned / "student" / f"{GRADED}.ipynb", as_version=4)
    solved = copy.deepcopy(released)   # a student who writes what the full lesson holds
    answers = [c for c in solved.cells if ANSWER_TAG in tags(c)]
    for cell, source in zip(answers, solutions(ROOT / "notebooks" / f"{GRADED}.ipynb"), strict=True):
        cell.source = source
    slipped = copy.deepcopy(solved)
    cell = next(c for c in slipped.cells if ANSWER_TAG in tags(c) and "def penalised_loss" in c.source)
    assert RIGHT in cell.source
    cell.source = cell.source.replace(RIGHT, SLIP)
    autograder = next((assigned / "autograder").glob(f"{GRADED}-autograder_*.zip"))
    here = tmp_path_factory.mktemp("run")
    results = {}
    for student, nb in {"full": solved, "untouched": released, "slip": slipped}.items():
        folder = here / student
        folder.mkdir()
        nbformat.write(nb, folder / f"{GRADED}.ipynb")
        otter(folder, "run", "--no-logo", "-a", str(autograder), "-o", str(folder), f"{GRADED}.ipynb")
        tests = json.loads((folder / "results.json").read_text(encoding="utf-8"))["tests"]
        results[student] = {t["name"]: (t["score"], t["max_score"], t["output"]) for t in tests
                            if "score" in t}
    return results


def questions():
    return [f"autodiff-ex{k}" for k in range(1, exercise_count(ROOT / "notebooks" / f"{GRADED}.ipynb") + 1)]


def test_otter_gives_the_full_submission_every_point(graded):
    assert sorted(graded["full"]) == questions()
    assert {q: score for q, (score, _, _) in graded["full"].items()} == dict.fromkeys(questions(), 1.0)
    assert all(max_score == 1.0 for _, max_score, _ in graded["full"].values())


def test_otter_gives_the_untouched_notebook_no_point_and_says_why(graded):
    assert {q: score for q, (score, _, _) in graded["untouched"].items()} == dict.fromkeys(questions(), 0)
    assert all(NOT_YET in output for _, _, output in graded["untouched"].values())


def test_otter_takes_the_point_of_the_slipped_exercise_only_and_names_the_slip(graded):
    scores = {q: score for q, (score, _, _) in graded["slip"].items()}
    assert scores == {q: 0 if q == SLIPPED else 1.0 for q in questions()}
    output = graded["slip"][SLIPPED][2]
    assert "AssertionError" in output and SLIP_NAME in output
