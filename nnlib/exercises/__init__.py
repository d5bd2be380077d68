"""Auto-checkers for the lessons' exercises.

A checker calls the learner's function on fresh random inputs, compares it with
the reference solution and returns a Verdict that prints a friendly message:
not implemented yet / raised an error / wrong shape / wrong values (naming the usual
slip when it recognises one) / changed its inputs / correct. Checkers never raise, so
a lesson with an unfinished exercise still runs.

Each lesson module `lessonNN` lists its exercises in EXERCISES, {function name: checker},
in the order the lesson asks for them; `verdicts` runs them all, as the grader does.
"""

import importlib
import numbers
import pkgutil
import re

from .core import Verdict, check


def lessons():
    """The lessons that have checkers: ["lesson01", "lesson02", …]."""
    return sorted(module.name for module in pkgutil.iter_modules(__path__)
                  if re.fullmatch(r"lesson\d\d", module.name))


def lesson_exercises(lesson):
    """{function name: checker} of lesson `lesson` ("lesson02" or 2), in lesson order.
    Any other lesson is refused with the valid ones named."""
    valid = lessons()
    if isinstance(lesson, numbers.Integral) and not isinstance(lesson, bool):
        module = f"lesson{lesson:02d}"
    elif isinstance(lesson, str):
        module = lesson
    else:
        raise TypeError(f"lesson must be a lesson's name such as {valid[0]!r} or its number, "
                        f"got {lesson!r} ({type(lesson).__name__})")
    if module not in valid:
        by_number = ", ".join(str(int(v[len("lesson"):])) for v in valid)
        raise ValueError(f"lesson {lesson!r} has no checkers; expected one of: "
                         f"{', '.join(valid)} (or its number: {by_number})")
    return importlib.import_module(f"{__name__}.{module}").EXERCISES


def verdicts(lesson, namespace):
    """{function name: Verdict.as_dict()} for every exercise of `lesson`, judged on the
    functions of that name in `namespace` (a notebook's globals()); status "missing"
    where the notebook defines no such function."""
    results = {}
    for name, checker in lesson_exercises(lesson).items():
        if not callable(namespace.get(name)):
            results[name] = {"status": "missing", "slip": None,
                             "message": f"{name}: the notebook defines no function {name}."}
            continue
        try:
            results[name] = checker(namespace[name]).as_dict()
        except (Exception, SystemExit) as exc:  # a checker must never stop the grading of the others
            results[name] = {"status": "error", "slip": None,
                             "message": f"checking {name} raised {type(exc).__name__}: {exc}"}
    return results


__all__ = ["Verdict", "check", "lesson_exercises", "lessons", "verdicts"]
