"""Write the student edition of the lessons: exercises as stubs, solutions folded below.

    python tools/student_edition.py --out student notebooks/*.ipynb

In every notebook, each code cell tagged `solution` keeps what it gives the student (the
signature and docstring) and each region between `### BEGIN SOLUTION` and
`### END SOLUTION` becomes `raise NotImplementedError`; the hints and the folded worked
solution (the markdown cell tagged `solution`) stay below it, so that a self-learner can
check their work after trying. Cells tagged `full-edition` (text about the full lessons)
are dropped. Each notebook is then executed, so its stored outputs are what a student
sees: every checker says "not implemented yet". `make student` writes the edition into
student/, which is committed: the Colab badges and the Binder link open it.
(For graded work, the nbgrader and Otter releases drop the folded solutions too.)
"""

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from colab_cells import BADGE_TAG  # noqa: E402
from run_notebooks import run  # noqa: E402

SOLUTION_TAG = "solution"
FULL_EDITION_TAG = "full-edition"
# a solution region: its indent (group 1) and its body (group 2)
REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*### END SOLUTION[ \t]*$",
                    re.MULTILINE | re.DOTALL)
STUB = r"\1# YOUR CODE HERE\n\1raise NotImplementedError"


def tags(cell):
    return cell.metadata.get("tags", [])


def stub(source):
    """`source` with every solution region replaced by a stub that raises."""
    return REGION.sub(STUB, source)


def dropped(cell):
    """Whether the student edition leaves `cell` out: text about the full lessons."""
    return FULL_EDITION_TAG in tags(cell)


def released(cell):
    """Whether a graded release (nbgrader, Otter) keeps `cell`: not what the student
    edition drops, nor the Colab badge (it opens the self-learners' edition), nor the
    folded solutions."""
    return not (dropped(cell) or BADGE_TAG in tags(cell)
                or (SOLUTION_TAG in tags(cell) and cell.cell_type == "markdown"))


def stubbed(cell, where):
    """The source of a code cell tagged `solution` with each solution region stubbed;
    ValueError (naming `where`) unless its BEGIN/END SOLUTION lines come in pairs."""
    source = stub(cell.source)
    if source == cell.source or "### BEGIN SOLUTION" in source or "### END" in source:
        raise ValueError(f"{where}: a cell tagged {SOLUTION_TAG!r} needs "
                         "'### BEGIN SOLUTION' … '### END SOLUTION' lines, in pairs")
    return source


def student_cells(cells, where):
    """The cells of a student notebook, made from the full lesson's `cells`."""
    kept = []
    for number, cell in enumerate(cells, start=1):
        if dropped(cell):
            continue
        if SOLUTION_TAG in tags(cell) and cell.cell_type == "code":
            source = stubbed(cell, f"{where}, cell {number}")
            cell = copy.deepcopy(cell)
            cell.source, cell.outputs, cell.execution_count = source, [], None
        kept.append(cell)
    return kept


def student_notebook(path):
    """The student edition of the notebook at `path`, in memory."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = student_cells(nb.cells, path.name)
    return nb


def write_student_edition(path, out_dir):
    """Write the student edition of the notebook at `path` into `out_dir`; return its path."""
    target = out_dir / path.name
    if target.resolve() == path.resolve():
        raise ValueError(f"{target} would overwrite the full lesson {path}: "
                         "choose another output folder")
    nbformat.write(student_notebook(path), target)
    return target


def _refusal(args):
    """Why the notebooks and --out of `args` cannot be used (one line), or None.
    Checked before anything is written, so that a refusal changes nothing."""
    absent = [str(path) for path in args.notebooks if not path.is_file()]
    if absent:
        return f"notebooks: expected .ipynb files, these do not exist: {', '.join(absent)}"
    if args.out.exists() and not args.out.is_dir():
        return f"--out must be a folder, got {args.out}, which is an existing file"
    inputs = {path.resolve(): path for path in args.notebooks}
    for path in args.notebooks:
        target = args.out / path.name
        if target.resolve() in inputs:
            return (f"--out {args.out}: writing {target} would overwrite the notebook "
                    f"{inputs[target.resolve()]}; choose a folder that holds none of the inputs")
    by_name = {}
    for path in inputs.values():   # two inputs of one name would share one output
        if path.name in by_name:
            return (f"notebooks: {by_name[path.name]} and {path} have the same name, so the "
                    f"second's student edition would replace the first's in --out; give one")
        by_name[path.name] = path
    for path in args.notebooks:
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as exc:  # not JSON, not a notebook, not readable
            reason = (str(exc).strip().splitlines() or [""])[0][:120]
            return (f"notebooks: expected .ipynb files, {path} is not a readable notebook "
                    f"({type(exc).__name__}: {reason})")
        try:
            student_cells(nb.cells, path.name)
        except ValueError as exc:  # a solution cell without its markers
            return str(exc)
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("student"))
    parser.add_argument("--no-run", action="store_true",
                        help="write the notebooks without executing them")
    args = parser.parse_args(argv)
    refusal = _refusal(args)
    if refusal:
        parser.error(refusal)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.error(f"--out: cannot make the folder {args.out} ({exc.strerror})")
    for path in args.notebooks:
        target = write_student_edition(path, args.out)
        if args.no_run:
            print(f"{target}: written")
        else:
            print(f"{target}: written, ran in {run(target):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
