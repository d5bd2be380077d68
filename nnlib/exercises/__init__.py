"""Auto-checkers for the lessons' exercises.

A checker calls the learner's function on fresh random inputs, compares it with
the reference solution and returns a Verdict that prints a friendly message:
not implemented yet / raised an error / wrong shape / wrong values / correct.
Checkers never raise, so a lesson with an unfinished exercise still runs.
"""

from .core import Verdict, check

__all__ = ["Verdict", "check"]
