"""Auto-checkers for the lessons' exercises.

A checker calls the learner's function on fresh random inputs, compares it with
the reference solution and returns a Verdict that prints a friendly message:
not implemented yet / raised an error / wrong shape / wrong values (naming the usual
slip when it recognises one) / changed its inputs / correct. Checkers never raise, so
a lesson with an unfinished exercise still runs.

Each lesson's module is named after its notebook without the number
(`vectorized_network` for 02_vectorized_network.ipynb), so that lessons can move without
renaming their checkers. It lists its exercises in EXERCISES, {function name: checker}, in
the order the lesson asks for them; `verdicts` runs them all, as the grader does.
"""

import importlib

from .core import Verdict, check

LESSONS = ("one_dimensional_network", "vectorized_network", "gradient_checking",
           "batched_backprop", "flat_weights", "optimizers", "xor", "learning_rate_explorer",
           "weight_evolution", "hidden_representations", "autodiff", "digits")


def lessons():
    """The lessons that have checkers, in course order: ["one_dimensional_network", …]."""
    return list(LESSONS)


def lesson_exercises(lesson):
    """{function name: checker} of lesson `lesson` ("vectorized_network"), in lesson order.
    Any other lesson is refused with the valid ones named."""
    if not isinstance(lesson, str):
        raise TypeError(f"lesson must be a lesson's name such as {LESSONS[0]!r}, "
                        f"got {lesson!r} ({type(lesson).__name__})")
    if lesson not in LESSONS:
        raise ValueError(f"lesson {lesson!r} has no checkers; expected one of: "
                         f"{', '.join(LESSONS)}")
    return importlib.import_module(f"{__name__}.{lesson}").EXERCISES


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
