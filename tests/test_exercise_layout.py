"""Every exercise is laid out as the student edition and the grader expect:

    ### Exercise k: …           the task
    code cell, tag `solution`   the function, its body between ### BEGIN/END SOLUTION
    code cell                   the checker call
    Hint 1, Hint 2, Solution    folded; the Solution cell tagged `solution`

and the student edition made from it keeps the task and hints, not the solutions.
"""

import ast
import re
import sys
from pathlib import Path

import nbformat
import pytest

from nnlib.exercises import lesson_exercises, lessons

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from nbgrader_course import lesson_id  # noqa: E402
from student_edition import FULL_EDITION_TAG, SOLUTION_TAG, student_cells  # noqa: E402

LESSONS = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
                 if not p.name.startswith("00_"))
HEADING = re.compile(r"^### Exercise (\d+): \S")
FOLDED = re.compile(r"^\s*<details><summary>(Hint 1|Hint 2|Solution)</summary>")
# three exercises a lesson; two in the four lessons that were split out of two
MIN_EXERCISES = {**dict.fromkeys(lessons(), 3),
                 **dict.fromkeys(["gradient_checking", "batched_backprop", "flat_weights",
                                  "optimizers"], 2)}


def tagged(cell):
    return SOLUTION_TAG in cell.metadata.get("tags", [])


def exercises(nb):
    """[(number, cells of the exercise)]: from its heading to the next heading of any level."""
    found = []
    for cell in nb.cells:
        heading = cell.cell_type == "markdown" and cell.source.lstrip().startswith("#")
        match = HEADING.match(cell.source) if cell.cell_type == "markdown" else None
        if match:
            found.append((int(match.group(1)), [cell]))
        elif heading:
            found.append((None, []))
        elif found:
            found[-1][1].append(cell)
    return [(number, cells) for number, cells in found if number is not None]


def defined_functions(source):
    return [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_exercise_has_one_solution_cell_a_checker_and_folded_help_in_order(path):
    nb = nbformat.read(path, as_version=4)
    found = exercises(nb)
    assert [number for number, _ in found] == list(range(1, len(found) + 1)), "number them 1, 2, …"
    assert len(found) >= MIN_EXERCISES.get(lesson_id(path), 0)
    for number, cells in found:
        where = f"exercise {number}"
        code = [c for c in cells if c.cell_type == "code"]
        solutions = [c for c in code if tagged(c)]
        assert len(solutions) == 1, f"{where}: {len(solutions)} code cells tagged solution"
        source = solutions[0].source
        assert source.count("### BEGIN SOLUTION") == source.count("### END SOLUTION") >= 1, where
        after = code[code.index(solutions[0]) + 1:]
        assert after and re.search(r"\bcheck_\w+\(", after[0].source), f"{where}: no checker call"
        folded = [FOLDED.match(c.source).group(1) for c in cells
                  if c.cell_type == "markdown" and FOLDED.match(c.source)]
        assert folded == ["Hint 1", "Hint 2", "Solution"], f"{where}: help is {folded}"
        answer = next(c for c in cells if c.cell_type == "markdown"
                      and "<summary>Solution</summary>" in c.source)
        assert tagged(answer), f"{where}: the folded solution must be tagged {SOLUTION_TAG!r}"


def solution_lines(source):
    """The lines of code between BEGIN and END SOLUTION, without spaces, that are long
    enough to give something away (`return s`, `pass` are not)."""
    body = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", source, re.DOTALL)
    lines = {re.sub(r"\s+", "", line.split("#")[0]) for part in body for line in part.splitlines()}
    return {line for line in lines if len(line) >= 12}


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_a_hint_nudges_and_never_holds_a_line_of_the_solution(path):
    nb = nbformat.read(path, as_version=4)
    for number, cells in exercises(nb):
        solution = next(c for c in cells if c.cell_type == "code" and tagged(c))
        for cell in cells:
            match = FOLDED.match(cell.source) if cell.cell_type == "markdown" else None
            if match and match.group(1).startswith("Hint"):
                hint = re.sub(r"\s+", "", cell.source)
                given = [line for line in solution_lines(solution.source) if line in hint]
                assert given == [], f"exercise {number}, {match.group(1)} gives away {given}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_the_graded_functions_are_the_ones_the_solution_cells_define(path):
    nb = nbformat.read(path, as_version=4)
    solution_cells = [c for c in nb.cells if c.cell_type == "code" and tagged(c)]
    in_cells = [defined_functions(c.source) for c in solution_cells]
    graded = list(lesson_exercises(lesson_id(path)))
    flat = [name for names in in_cells for name in names if name in graded]
    assert flat == graded, "EXERCISES must list the solution cells' functions, in lesson order"
    assert all(set(names) & set(graded) for names in in_cells), "a solution cell grades nothing"
    outside = [c for _, cells in exercises(nb) for c in cells]
    assert all(c in outside for c in nb.cells if tagged(c)), "a solution outside an exercise"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_the_student_edition_stubs_every_solution_and_keeps_tasks_hints_and_folded_answers(path):
    nb = nbformat.read(path, as_version=4)
    student = student_cells(nb.cells, path.name)
    text = "\n".join(c.source for c in student)
    assert "### BEGIN SOLUTION" not in text
    # the worked solution stays, folded below the hints, for a self-learner to check against
    assert text.count("<details><summary>Solution</summary>") == len(exercises(nb))
    assert text.count("<summary>Hint 1</summary>") == len(exercises(nb))
    assert text.count("<summary>Hint 2</summary>") == len(exercises(nb))
    assert len(re.findall(HEADING.pattern, text, re.MULTILINE)) == len(exercises(nb))
    for cell in (c for c in student if c.cell_type == "code" and tagged(c)):
        assert "raise NotImplementedError" in cell.source and not cell.outputs
        compile(cell.source, path.name, "exec")   # still valid Python


def test_text_about_the_full_lessons_stays_out_of_the_student_edition():
    index = nbformat.read(ROOT / "notebooks" / "00_index.ipynb", as_version=4)
    full_only = [c for c in index.cells if FULL_EDITION_TAG in c.metadata.get("tags", [])]
    assert full_only and all("BEGIN SOLUTION" in c.source for c in full_only)
    student = "\n".join(c.source for c in student_cells(index.cells, "00_index.ipynb"))
    assert "## How the exercises work" in student and "BEGIN SOLUTION" not in student


def test_the_student_edition_tool_names_what_is_wrong(tmp_path, capsys):
    from student_edition import main, stub

    with pytest.raises(SystemExit):
        main(["no/such.ipynb", "--out", str(tmp_path)])
    assert "these do not exist: no/such.ipynb" in capsys.readouterr().err
    cell = nbformat.v4.new_code_cell("def f(x):\n    return x\n", metadata={"tags": ["solution"]})
    with pytest.raises(ValueError, match="cell 1: a cell tagged 'solution' needs"):
        student_cells([cell], "lesson.ipynb")
    assert stub("    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION") == \
        "    # YOUR CODE HERE\n    raise NotImplementedError"


def _lesson_copy(folder):
    """A copy of lesson 11 in `folder`, and its bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "11_autodiff.ipynb"
    path.write_bytes((ROOT / "notebooks" / "11_autodiff.ipynb").read_bytes())
    return path, path.read_bytes()


@pytest.mark.parametrize("out", [".", "sub/..", "./sub/../."])
def test_the_student_edition_never_overwrites_a_full_lesson(tmp_path, capsys, out):
    from student_edition import main

    path, before = _lesson_copy(tmp_path / "lessons")
    (tmp_path / "lessons" / "sub").mkdir()
    with pytest.raises(SystemExit) as exited:
        main(["--no-run", "--out", str(tmp_path / "lessons" / out), str(path)])
    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert "--out" in err and "would overwrite the notebook" in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_the_student_edition_refuses_an_input_named_twice_as_output(tmp_path, capsys):
    # lessons/10 is an input; a second input of the same name would be written over it
    from student_edition import main

    path, before = _lesson_copy(tmp_path / "lessons")
    other, _ = _lesson_copy(tmp_path / "other")
    with pytest.raises(SystemExit):
        main(["--no-run", "--out", str(tmp_path / "lessons"), str(other), str(path)])
    assert "would overwrite the notebook" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_the_student_edition_refuses_two_inputs_of_one_name(tmp_path, capsys):
    # a/08 and b/08 would both be written to out/08: the second would replace the first
    from student_edition import main

    first, _ = _lesson_copy(tmp_path / "a")
    second, _ = _lesson_copy(tmp_path / "b")
    out = tmp_path / "out"
    with pytest.raises(SystemExit):
        main(["--no-run", "--out", str(out), str(first), str(second)])
    assert "have the same name" in capsys.readouterr().err
    assert not out.exists()


def test_write_student_edition_refuses_to_overwrite_its_input(tmp_path):
    from student_edition import write_student_edition

    path, before = _lesson_copy(tmp_path)
    with pytest.raises(ValueError, match="would overwrite the full lesson"):
        write_student_edition(path, tmp_path / ".")
    assert path.read_bytes() == before


@pytest.mark.parametrize("text, expected", [
    ("not json", "is not a readable notebook (NotJSONError"),
    ('{"a": 1}', "is not a readable notebook"),
])
def test_the_student_edition_names_a_file_that_is_not_a_notebook(tmp_path, capsys, text, expected):
    from student_edition import main

    bad = tmp_path / "bad.ipynb"
    bad.write_text(text)
    with pytest.raises(SystemExit) as exited:
        main(["--no-run", "--out", str(tmp_path / "out"), str(bad)])
    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert "notebooks:" in err and "bad.ipynb" in err and expected in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_the_student_edition_out_must_be_a_folder(tmp_path, capsys):
    from student_edition import main

    path, before = _lesson_copy(tmp_path / "lessons")
    existing = tmp_path / "out.ipynb"
    existing.write_text("keep me")
    with pytest.raises(SystemExit):
        main(["--no-run", "--out", str(existing), str(path)])
    assert "--out must be a folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--no-run", "--out", str(existing / "inside"), str(path)])
    assert "--out: cannot make the folder" in capsys.readouterr().err
    assert existing.read_text() == "keep me" and path.read_bytes() == before


STUDENT = ROOT / "student"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda p: p.name)
def test_the_committed_student_edition_is_made_from_the_lessons_as_they_are(path):
    """student/ is what `make student` writes now: the same cells, in the same order, and
    executed (a fresh run's counts, no stored error)."""
    committed = STUDENT / path.name
    assert committed.is_file(), f"{committed} is missing: run `make student` and commit student/"
    nb = nbformat.read(committed, as_version=4)
    expected = student_cells(nbformat.read(path, as_version=4).cells, path.name)
    assert [(c.cell_type, c.source) for c in nb.cells] == \
        [(c.cell_type, c.source) for c in expected], \
        f"{committed} is out of date with {path}: run `make student` and commit student/"
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert not any(o.output_type == "error" for c in code for o in c.outputs)


def test_the_student_edition_holds_the_lessons_and_nothing_else():
    lessons = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert {p.name for p in STUDENT.glob("*")} == lessons
