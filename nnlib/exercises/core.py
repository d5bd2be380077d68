"""check(): compare a learner's function with a reference on random inputs, and name
the usual slip when the answer is wrong."""

import copy
import inspect

import numpy as np

STATUSES = ("correct", "not implemented", "error", "wrong shape", "wrong values",
            "changed inputs", "not in place")


class Verdict:
    """The outcome of a check; `bool(verdict)` is True only when it is correct.

    status: one of STATUSES. slip: a short name of the recognised mistake (for example
    "σ′ is missing"), or None. message: what the learner reads.
    """

    def __init__(self, status, message, max_difference=None, slip=None):
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
        self.status = status
        self.message = message
        self.max_difference = max_difference
        self.slip = slip

    def __bool__(self):
        return self.status == "correct"

    def __repr__(self):
        return self.message

    def as_dict(self):
        """The verdict as plain data, as the grader records it."""
        return {"status": self.status, "slip": self.slip, "message": self.message}


def not_implemented(name):
    return Verdict("not implemented", f"{name}: not implemented yet. "
                   "Write your code in the cell above, run it, then run this cell again.")


def raised(name, exc):
    return Verdict("error", f"{name} raised {type(exc).__name__}: {exc}")


def check(candidate, reference, make_inputs, name=None, trials=3, rtol=1e-6, atol=1e-9,
          seed=0, slips=None, in_words=None):
    """Run `candidate(*args)` and `reference(*args)` on `trials` input sets.

    make_inputs(rng) -> tuple of arguments, drawn from a seeded Generator. Each call gets
    its own copies, so a candidate that edits its inputs cannot spoil the comparison;
    it is told that it changed them. Results may be arrays, numbers or tuples of them.

    slips: {name: wrong(*args)}, the usual mistakes of this exercise, each as a function
    that makes it. A wrong answer that equals one of them gets a verdict naming it. A
    result that is the transpose of the right one is recognised without being listed.

    in_words: in_words(got, expected, args) -> the message for wrong values in the
    exercise's own terms (a count, say, rather than an array's entries), or None to keep
    compare's. The slip's name, if any, is added after it.
    """
    name = name or getattr(candidate, "__name__", "your function")
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        args = make_inputs(rng)
        expected = reference(*_copies(args))
        given = _copies(args)
        got, verdict = call(candidate, name, *given)
        if verdict is None:
            verdict = _changed_inputs(name, reference, args, given)
        if verdict is None:
            verdict = compare(name, got, expected, rtol, atol)
        if verdict is not None and verdict.status == "wrong values" and in_words is not None:
            message = in_words(got, expected, args)
            if message is not None:
                verdict = Verdict(verdict.status, message, verdict.max_difference, verdict.slip)
        if verdict is not None and verdict.status in ("wrong shape", "wrong values"):
            verdict = _diagnose(verdict, got, args, slips or {}, rtol, atol)
        if verdict is not None:
            return verdict
    return Verdict("correct", f"{name}: correct! It matches the reference on {trials} random "
                   "inputs.", 0.0)


def call(candidate, name, *args):
    """(result, None) if `candidate(*args)` returned something, else (None, Verdict)
    for a stub (NotImplementedError or no return value) or an error it raised."""
    try:
        got = candidate(*args)
    except NotImplementedError:
        return None, not_implemented(name)
    except (Exception, SystemExit) as exc:  # the learner's code may fail in any way, even
        return None, raised(name, exc)         # exit(): report it kindly, never stop
    if got is None:
        return None, Verdict("not implemented", f"{name} returned None: not implemented yet "
                             "(did you forget the return statement?)")
    return got, None


def _copies(args):
    """Fresh copies of the arguments, arrays in lists and tuples included."""
    return copy.deepcopy(tuple(args))


def _unchanged(before, after):
    """Whether `after` still holds what `before` did (arrays, in lists and tuples too)."""
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape
                and np.array_equal(before, after, equal_nan=True))
    if isinstance(before, (list, tuple)):
        return (isinstance(after, (list, tuple)) and len(before) == len(after)
                and all(_unchanged(b, a) for b, a in zip(before, after)))
    return True


def _changed_inputs(name, reference, original, given):
    """A Verdict if the candidate wrote into one of its array arguments, else None."""
    try:
        names = list(inspect.signature(reference).parameters)
    except (TypeError, ValueError):
        names = []
    for k, (before, after) in enumerate(zip(original, given)):
        if not _unchanged(before, after):
            arg = f"`{names[k]}`" if k < len(names) else f"number {k + 1}"
            return Verdict("changed inputs", f"{name} changed its argument {arg} in place. "
                           "A function must leave its inputs as they were: compute into a new "
                           "array (x = x * 2, not x *= 2).", slip="it changed its inputs")
    return None


def _diagnose(verdict, got, args, slips, rtol, atol):
    """`verdict`, with the slip named if `got` is what one of `slips` gives."""
    if verdict.slip:
        return verdict
    for slip, wrong in slips.items():
        try:
            expected_if_slipped = wrong(*_copies(args))
        except Exception:  # a slip that cannot apply to these inputs is not this one
            continue
        if matches(got, expected_if_slipped, rtol, atol):
            return Verdict(verdict.status, f"{verdict.message} It looks like {slip}.",
                           verdict.max_difference, slip=slip)
    return verdict


def _is_numeric_list(value):
    return isinstance(value, list) and all(isinstance(v, (int, float)) for v in value)


def _not_real(value):
    """What is not a real number in `value` ("text", "complex numbers"), or None.
    float64 conversion would parse text and drop imaginary parts without a word."""
    try:
        arr = np.asarray(value)
        items = arr.ravel() if arr.dtype.kind == "O" else [arr.dtype.type()]
        kinds = {np.asarray(item).dtype.kind for item in items}
    except Exception:  # ragged, or an object whose conversion raises: told apart below
        return None
    if kinds & set("USa"):
        return "text"
    if "c" in kinds:
        return "complex numbers"
    return None


TRANSPOSED = "the result is the transpose of the right one"


def matches(got, expected, rtol=1e-6, atol=1e-9):
    """Whether `got` equals `expected` to the checkers' tolerance: arrays, numbers, and
    tuples or lists of them, shapes included."""
    return compare("", got, expected, rtol, atol) is None


def compare(name, got, expected, rtol, atol, index=""):
    """None if `got` matches `expected`, else a Verdict saying how it differs.
    Results nested in tuples or lists are named by their index: "backprop (result 1, 0)"."""
    if index:
        name = f"{name.split(' (result')[0]} (result {index})"
    if isinstance(expected, (tuple, list)) and not _is_numeric_list(expected):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return Verdict("wrong shape", f"{name} should return {len(expected)} values, "
                           f"got {type(got).__name__}")
        for k, (g, e) in enumerate(zip(got, expected)):
            verdict = compare(name, g, e, rtol, atol, f"{index}, {k}" if index else str(k))
            if verdict is not None:
                return verdict
        return None
    got, verdict = as_floats(name, got)
    if verdict is not None:
        return verdict
    expected = np.asarray(expected, dtype=np.float64)
    transposed = (got.ndim == 2 and got.shape == expected.T.shape
                  and np.allclose(got.T, expected, rtol=rtol, atol=atol))
    slip = TRANSPOSED if transposed else None
    note = " It is the transpose of the right result." if transposed else ""
    if got.shape != expected.shape:
        return Verdict("wrong shape", f"{name} returned shape {got.shape}, expected "
                       f"{expected.shape}.{note}", slip=slip)
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        diff, words = _difference(got, expected)
        return Verdict("wrong values", f"{name}: wrong values, {words}.{note}", diff, slip=slip)
    return None


def _difference(got, expected):
    """(largest difference, in words) of two arrays of one shape that differ: where one is
    inf or nan and the other is not (or is the other inf), that is said; else the largest
    difference where both are finite, relative to the reference's largest finite entry."""
    finite_got, finite_expected = np.isfinite(got), np.isfinite(expected)
    with np.errstate(invalid="ignore"):
        same_kind = (got == expected) | (np.isnan(got) & np.isnan(expected))
    for wrong, words in ((~finite_got & finite_expected, "inf or nan where the reference is finite"),
                         (finite_got & ~finite_expected, "a finite number where the reference "
                                                         "is inf or nan"),
                         (~finite_got & ~finite_expected & ~same_kind,
                          "inf or nan of another kind where the reference is inf or nan")):
        if wrong.any():
            where = f" ({np.count_nonzero(wrong)} of {got.size} entries)" if got.size > 1 else ""
            return float("inf"), words + where
    both = finite_got & finite_expected
    diff = float(np.abs(got[both] - expected[both]).max())
    return diff, how_far(diff, expected[both])


def as_floats(name, got):
    """(`got` as a float64 array, None), or (None, a Verdict saying why it is not real numbers):
    text, complex numbers, an int too large for a float, a ragged list, an object whose
    conversion raises. Whatever a learner's function returns, this never raises."""
    not_real = _not_real(got)
    if not_real:
        return None, Verdict("wrong values", f"{name} returned {not_real}, expected real numbers "
                             "(floats, not text or complex numbers)")
    try:
        return np.asarray(got, dtype=np.float64), None
    except OverflowError:  # an int too large for a float, such as 2**2000
        return None, Verdict("wrong values", f"{name} returned a number too large for a float "
                             "(an int beyond 1.8e308), expected floats")
    except Exception:  # ragged, not numbers, or an object whose conversion raises
        return None, Verdict("wrong shape", f"{name} returned {type(got).__name__}, "
                             "expected numbers")


def how_far(diff, expected):
    """The largest difference `diff` from the reference `expected`, in words and relative to
    its largest entry ("4.5 % of", "3.3 times"), so that it never reads like rounding."""
    scale = float(np.abs(np.asarray(expected, dtype=np.float64)).max(initial=0.0))
    if not np.isfinite(diff):
        return "inf or nan where the reference is finite"
    if scale == 0.0:
        return f"largest difference {diff:.3g} from the reference, whose entries are all 0"
    share = diff / scale
    words = (f"{share:.3g} times" if share >= 1
             else f"{100 * share:.3g} % of" if share >= 1e-4 else f"{100 * share:.1e} % of")
    return f"the largest difference is {words} the reference's largest entry"
