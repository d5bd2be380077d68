"""Grade submitted lesson notebooks: execute each, collect every exercise's verdict.

    python -m nnlib.grade alice/02_vectorized_network.ipynb bob/02*.ipynb --csv grades.csv

Each notebook runs top to bottom on a fresh kernel, with a time limit for the whole
notebook; a cell that raises does not stop it. Then, in the same kernel, the lesson's
checkers (nnlib.exercises.<lesson>.EXERCISES) judge the functions the notebook defined.
A notebook that cannot be read, times out or kills its kernel gets a row that says so,
and the others are still graded. The table (file × exercise) is printed and written as
CSV. This runs the students' code: run it in a container or a throw-away account.
"""

import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from .exercises import lesson_exercises, lessons

LESSON_IMPORT = re.compile(r"nnlib\.exercises\.(\w+)")
MIME = "application/vnd.nnlib.grade+json"   # the verdicts' own output, apart from stdout
KERNEL = "python3"


@dataclass
class Row:
    """One notebook's grades: {exercise: result} and what went wrong outside them."""
    path: Path
    lesson: str | None
    results: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def lesson_of(nb):
    """The lesson whose checkers a notebook imports ("vectorized_network"), or None."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            for found in LESSON_IMPORT.finditer(cell.source):
                if found.group(1) != "core":
                    return found.group(1)
    return None


def result_of(verdict):
    """A verdict as one table entry: "correct", "slip: <which>", "not implemented", …"""
    if verdict["slip"] and verdict["status"] != "changed inputs":
        return f"{verdict['status']}: {verdict['slip']}"
    return verdict["status"]


def grading_cell(lesson):
    """Code that displays every verdict of `lesson` on the kernel's globals, as an output
    of MIME type MIME: not printed, so that whatever the checked functions print (a line
    without its newline, a redirected sys.stdout) cannot garble or hide it.
    Written with no names of its own, so that a notebook's variables cannot shadow it."""
    return (f'__import__("IPython.display", fromlist=["display"]).display({{{MIME!r}: '
            f'__import__("nnlib.exercises", fromlist=["verdicts"]).verdicts({lesson!r}, '
            f'globals())}}, raw=True)')


def grade(path, timeout=120.0, lesson=None):
    """Execute the notebook at `path` and return its Row. Never raises for the
    notebook's sake: every failure becomes a note."""
    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, not there: all the same to a grader
        return Row(path, lesson, notes=[f"cannot read the notebook ({type(exc).__name__}: {exc})"])
    lesson = lesson or lesson_of(nb)
    row = Row(path, lesson)
    if lesson is None:
        row.notes.append("not a lesson notebook: it imports no lesson's nnlib.exercises module")
        return row
    try:
        exercises = list(lesson_exercises(lesson))
    except ValueError:  # no such lesson module
        return Row(path, None, notes=[f"nnlib has no checkers for {lesson}"])
    nb.cells.append(nbformat.v4.new_code_cell(grading_cell(lesson)))
    deadline = time.monotonic() + timeout
    client = NotebookClient(nb, kernel_name=KERNEL, allow_errors=True,
                            timeout_func=lambda cell: max(1, int(deadline - time.monotonic())),
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute(stderr=subprocess.DEVNULL)   # the kernel's own log, not the notebook's
    except CellTimeoutError:
        row.results = dict.fromkeys(exercises, "timed out")
        row.notes.append(f"timed out: still running after {timeout:g} s")
        return row
    except DeadKernelError:
        row.results = dict.fromkeys(exercises, "kernel died")
        row.notes.append("the kernel died (did the notebook exit or run out of memory?)")
        return row
    except Exception as exc:  # a kernel that will not start, a broken cell format, …
        row.results = dict.fromkeys(exercises, "not run")
        row.notes.append(f"could not run it ({type(exc).__name__}: {exc})")
        return row
    *cells, last = nb.cells
    for number, cell in enumerate(cells, start=1):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                row.notes.append(f"cell {number} raised {output.ename}: {output.evalue}")
    verdicts = _displayed_verdicts(last)
    if verdicts is None:
        row.results = dict.fromkeys(exercises, "not graded")
        row.notes.append("the checkers could not run after the notebook")
    else:
        row.results = {name: result_of(verdict) for name, verdict in verdicts.items()}
    return row


def _displayed_verdicts(cell):
    """The verdicts the grading cell displayed (the last such output), or None."""
    found = None
    for output in cell.get("outputs", []):
        data = output.get("data", {}).get(MIME)
        if data is not None:
            found = json.loads(data) if isinstance(data, str) else data
    return found


def table(rows):
    """(header, lines): one line per notebook, one column per exercise, then notes.
    Exercises of several lessons are told apart as vectorized_network.layer_forward."""
    lessons = list(dict.fromkeys(row.lesson for row in rows if row.lesson))
    columns = [(lesson, name) for lesson in lessons for name in lesson_exercises(lesson)]
    label = (lambda lesson, name: name) if len(lessons) == 1 else "{}.{}".format
    header = ["notebook"] + [label(*column) for column in columns] + ["notes"]
    lines = [[str(row.path)] + [row.results.get(name, "") if row.lesson == lesson else ""
                                for lesson, name in columns] + ["; ".join(row.notes)]
             for row in rows]
    return header, lines


def _csv_refusal(path, notebooks):
    """Why the table cannot be written to `path` (one line), or None. Checked before
    grading, so that no run's results are lost and no submission is written over."""
    target = path.resolve()
    for notebook in notebooks:
        if notebook.resolve() == target:
            return (f"--csv {path} is the submitted notebook {notebook}: writing the table "
                    "would overwrite it; choose another file, such as grades.csv")
    if path.is_dir():
        return f"--csv must be a file to write, got {path}, which is a folder"
    folder = target.parent
    if not folder.is_dir():
        return f"--csv {path}: the folder {folder} does not exist; create it first"
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"--csv {path}: not writable (check the permissions of {folder})"
    return None


def format_table(header, lines):
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines)]
    return "\n".join("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip()
                     for line in [header, ["-" * w for w in widths], *lines])


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nnlib.grade", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="the submitted .ipynb files")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds each notebook may run, all its cells together (default 120)")
    parser.add_argument("--csv", type=Path, default=Path("grades.csv"),
                        help="where to write the table as CSV (default grades.csv)")
    parser.add_argument("--lesson", help="grade as this lesson (e.g. vectorized_network) instead of "
                        "the one each notebook imports")
    args = parser.parse_args(argv)
    if not math.isfinite(args.timeout) or args.timeout <= 0:
        parser.error(f"--timeout must be a positive number of seconds, got {args.timeout:g}")
    refusal = _csv_refusal(args.csv, args.notebooks)
    if refusal:
        parser.error(refusal)
    if args.lesson is not None and args.lesson not in lessons():
        parser.error(f"--lesson must name a lesson with checkers, one of "
                     f"{', '.join(lessons())}; got {args.lesson!r}")
    rows = []
    for path in args.notebooks:
        print(f"grading {path} ...", file=sys.stderr, flush=True)
        rows.append(grade(path, args.timeout, args.lesson))
    header, lines = table(rows)
    print(format_table(header, lines))
    with open(args.csv, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *lines])
    print(f"\nwritten to {args.csv}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
