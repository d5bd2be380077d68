"""The instructor kit, end to end: the grader on the full lessons, on the student
edition, on planted wrong answers, and on notebooks that loop, crash or lose cells."""

import csv
import sys
from pathlib import Path

import nbformat
import pytest

from nnlib.exercises import lesson_exercises
from nnlib.grade import format_table, grade, lesson_of, main, result_of, table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from student_edition import REGION, write_student_edition  # noqa: E402

LESSONS = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
                 if not p.name.startswith("00_"))


def notebook(path, *sources):
    """Write a notebook of code cells `sources` to `path`; return the path."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def student_edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    return {path.name: write_student_edition(path, out) for path in LESSONS}


def plant(path, function, body):
    """Fill the student's stub of `function` in the notebook at `path` with `body`."""
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and f"def {function}(" in c.source
                and "NotImplementedError" in c.source)
    start = cell.source.index(f"def {function}(")
    head, _, tail = cell.source[start:].partition("# YOUR CODE HERE\n")
    indent = head.rsplit("\n", 1)[-1]
    lines = "\n".join(indent + line for line in body.strip().splitlines())
    cell.source = cell.source[:start] + head.rstrip(" ") + lines + tail.split(
        "raise NotImplementedError", 1)[1]
    nbformat.write(nb, path)


# -- the whole course --------------------------------------------------------------------

@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_the_full_lessons_grade_correct_everywhere(path):
    row = grade(path)
    assert row.notes == []
    assert row.results == dict.fromkeys(lesson_exercises(row.lesson), "correct")


@pytest.mark.parametrize("name", [p.name for p in LESSONS])
def test_the_student_edition_runs_and_grades_not_implemented_everywhere(student_edition, name):
    row = grade(student_edition[name])
    assert row.notes == [], "a student notebook must run top to bottom without an error"
    assert row.results == dict.fromkeys(lesson_exercises(row.lesson), "not implemented")


# -- planted answers: the grader names the slip -------------------------------------------

def planted(tmp_path, lesson, function, body):
    """The student edition of `lesson` with the stub of `function` filled by `body`."""
    path = write_student_edition(ROOT / "notebooks" / lesson, tmp_path)
    plant(path, function, body)
    return path


def test_a_planted_slip_of_sigmoid_prime_is_named(tmp_path):
    path = planted(tmp_path, "01_one_dimensional_network.ipynb", "sigmoid_prime",
                   "return sigmoid(z) * (1 - z)")
    assert grade(path).results["sigmoid_prime"] == \
        "wrong values: σ(z)(1 − z) was used instead of σ(z)(1 − σ(z))"


@pytest.mark.parametrize("body, diagnosis", [
    ("return A_prev.T @ delta, delta.sum(axis=0), (delta @ W) * A_prev * (1 - A_prev)",
     "wrong shape: the result is the transpose of the right one"),
    ("return delta.T @ A_prev, delta.sum(axis=0), delta @ W", "wrong values: σ′ is missing"),
], ids=["transposed", "no sigma prime"])
def test_a_planted_slip_of_layer_backward_is_named(tmp_path, body, diagnosis):
    path = planted(tmp_path, "02_vectorized_network.ipynb", "layer_backward", body)
    assert grade(path).results["layer_backward"] == diagnosis


# -- notebooks that loop, crash, lose cells or are not notebooks ---------------------------

LESSON01 = "from nnlib.exercises.one_dimensional_network import check_sigmoid_prime\nimport numpy as np"
SIGMOID_PRIME = "def sigmoid_prime(z):\n    s = 1 / (1 + np.exp(-z))\n    return s * (1 - s)"


def test_a_looping_notebook_times_out_and_the_others_are_still_graded(tmp_path):
    looping = notebook(tmp_path / "looping.ipynb", LESSON01, "while True:\n    pass")
    crashing = notebook(tmp_path / "crashing.ipynb", LESSON01, SIGMOID_PRIME, "1 / 0",
                        "print('after the error')")
    garbage = tmp_path / "garbage.ipynb"
    garbage.write_text("{ this is not a notebook")
    unrelated = notebook(tmp_path / "unrelated.ipynb", "x = 1")
    grades = tmp_path / "grades.csv"
    assert main([str(p) for p in (looping, crashing, garbage, unrelated)]
                + ["--timeout", "8", "--csv", str(grades)]) == 0
    rows = {Path(r["notebook"]).name: r for r in csv.DictReader(grades.open(encoding="utf-8"))}
    assert rows["looping.ipynb"]["sigmoid_prime"] == "timed out"
    assert "timed out" in rows["looping.ipynb"]["notes"]
    assert rows["crashing.ipynb"]["sigmoid_prime"] == "correct"
    assert "cell 3 raised ZeroDivisionError" in rows["crashing.ipynb"]["notes"]
    others = set(lesson_exercises("one_dimensional_network")) - {"sigmoid_prime"}
    assert others and all(rows["crashing.ipynb"][name] == "missing" for name in others)
    assert "cannot read the notebook" in rows["garbage.ipynb"]["notes"]
    assert "not a lesson notebook" in rows["unrelated.ipynb"]["notes"]


@pytest.mark.parametrize("printing", [
    "print('.', end='')",                                    # no newline before the verdicts
    "print('.', end='')\n    print('NNLIB-GRADE {}', end='')",  # the old marker, garbled
    "import sys, io\n    sys.stdout = io.StringIO()",         # stdout taken away for good
], ids=["no newline", "fake marker", "stdout replaced"])
def test_verdicts_arrive_whatever_the_checked_function_prints(tmp_path, printing):
    body = SIGMOID_PRIME.replace("    s = ", f"    {printing}\n    s = ")
    row = grade(notebook(tmp_path / "printing.ipynb", LESSON01, body), timeout=60)
    assert row.notes == []
    assert row.results["sigmoid_prime"] == "correct"
    assert set(row.results.values()) == {"correct", "missing"}


def test_a_notebook_that_kills_its_kernel_gets_a_row_saying_so(tmp_path):
    dying = notebook(tmp_path / "dying.ipynb", LESSON01, "import os\nos._exit(3)")
    row = grade(dying, timeout=30)
    assert set(row.results.values()) == {"kernel died"} and "kernel died" in row.notes[0]


def test_the_lesson_is_the_one_whose_checkers_the_notebook_imports(tmp_path):
    nb = nbformat.read(notebook(tmp_path / "a.ipynb", "x = 1", LESSON01), as_version=4)
    assert lesson_of(nb) == "one_dimensional_network"
    assert lesson_of(nbformat.v4.new_notebook()) is None


def test_entries_and_table_layout():
    assert result_of({"status": "correct", "slip": None}) == "correct"
    assert result_of({"status": "wrong values", "slip": "σ′ is missing"}) == \
        "wrong values: σ′ is missing"
    assert result_of({"status": "changed inputs", "slip": "it changed its inputs"}) == \
        "changed inputs"

    class Row:
        def __init__(self, path, lesson, results, notes=()):
            self.path, self.lesson, self.results, self.notes = path, lesson, results, list(notes)

    rows = [Row("a.ipynb", "one_dimensional_network", {"sigmoid_prime": "correct"}),
            Row("b.ipynb", "vectorized_network", {"layer_forward": "not implemented"}, ["late"])]
    header, lines = table(rows)
    assert header[0] == "notebook" and header[-1] == "notes"
    assert "one_dimensional_network.sigmoid_prime" in header and "vectorized_network.layer_forward" in header
    assert lines[0][header.index("one_dimensional_network.sigmoid_prime")] == "correct"
    assert lines[0][header.index("vectorized_network.layer_forward")] == ""
    assert lines[1][-1] == "late"
    printed = format_table(header, lines).splitlines()
    assert printed[0].startswith("notebook") and len(printed) == 4


def test_bad_arguments_name_what_was_expected(capsys):
    with pytest.raises(SystemExit):
        main(["x.ipynb", "--timeout", "0"])
    assert "--timeout must be a positive number of seconds, got 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["x.ipynb", "--lesson", "lesson99"])
    err = capsys.readouterr().err
    assert "--lesson must name a lesson with checkers" in err
    assert "one_dimensional_network, vectorized_network" in err


def test_the_stub_region_pattern_needs_both_markers():
    assert REGION.search("    ### BEGIN SOLUTION\n    x = 1\n    ### END SOLUTION")
    assert not REGION.search("    ### BEGIN SOLUTION\n    x = 1\n")


def test_a_notebook_of_a_lesson_without_checkers_gets_a_row(tmp_path):
    unknown = notebook(tmp_path / "unknown.ipynb", "import nnlib.exercises.lesson99")
    grades = tmp_path / "grades.csv"
    assert main([str(unknown), "--csv", str(grades)]) == 0
    (row,) = csv.DictReader(grades.open(encoding="utf-8"))
    assert row["notes"] == "nnlib has no checkers for lesson99"


@pytest.mark.parametrize("timeout", ["nan", "inf", "-inf"])
def test_a_timeout_that_is_not_a_finite_number_is_refused(capsys, timeout):
    with pytest.raises(SystemExit) as exited:
        main(["x.ipynb", f"--timeout={timeout}"])
    assert exited.value.code != 0
    assert f"--timeout must be a positive number of seconds, got {timeout}" in capsys.readouterr().err


def _no_grading(monkeypatch):
    """Make grading fail the test: a refusal must come before it."""
    def grade(*args, **kwargs):
        raise AssertionError("graded before the --csv check")
    monkeypatch.setattr("nnlib.grade.grade", grade)


@pytest.mark.parametrize("spelling", ["{sub}", "{tmp}/sub/../sub.ipynb"])
def test_the_csv_is_never_written_over_a_submission(tmp_path, capsys, monkeypatch, spelling):
    _no_grading(monkeypatch)
    (tmp_path / "sub").mkdir()
    sub = notebook(tmp_path / "sub.ipynb", "x = 1")
    before = sub.read_bytes()
    csv_path = spelling.format(sub=sub, tmp=tmp_path)
    with pytest.raises(SystemExit) as exited:
        main([str(sub), "--csv", csv_path])
    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert "--csv" in err and "would overwrite it" in err and "Traceback" not in err
    assert sub.read_bytes() == before


def test_the_csv_location_is_checked_before_grading(tmp_path, capsys, monkeypatch):
    _no_grading(monkeypatch)
    sub = notebook(tmp_path / "sub.ipynb", "x = 1")
    with pytest.raises(SystemExit):
        main([str(sub), "--csv", str(tmp_path / "no" / "such" / "grades.csv")])
    assert "the folder" in capsys.readouterr().err and not (tmp_path / "no").exists()
    with pytest.raises(SystemExit):
        main([str(sub), "--csv", str(tmp_path)])
    assert "--csv must be a file to write" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub.ipynb"]


def test_a_csv_folder_that_is_not_writable_is_refused_before_grading(tmp_path, capsys,
                                                                     monkeypatch):
    _no_grading(monkeypatch)
    sub = notebook(tmp_path / "sub.ipynb", "x = 1")
    monkeypatch.setattr("nnlib.grade.os.access", lambda path, mode: False)
    with pytest.raises(SystemExit):
        main([str(sub), "--csv", str(tmp_path / "grades.csv")])
    assert "grades.csv: not writable" in capsys.readouterr().err
    assert not (tmp_path / "grades.csv").exists()
