"""check(): compare a learner's function with a reference on random inputs."""

import numpy as np


class Verdict:
    """The outcome of a check. `status` is one of 'not implemented', 'error',
    'wrong shape', 'wrong values', 'correct'; `bool(verdict)` is True only when correct."""

    def __init__(self, status, message, max_difference=None):
        self.status = status
        self.message = message
        self.max_difference = max_difference

    def __bool__(self):
        return self.status == "correct"

    def __repr__(self):
        return self.message


def check(candidate, reference, make_inputs, name=None, trials=3, rtol=1e-6, atol=1e-9,
          seed=0):
    """Run `candidate(*args)` and `reference(*args)` on `trials` input sets.

    make_inputs(rng) -> tuple of arguments, drawn from a seeded Generator; each
    call gets its own copies, so a function that edits its inputs cannot spoil
    the comparison. Results may be arrays, numbers or tuples of them.
    """
    name = name or getattr(candidate, "__name__", "your function")
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        args = make_inputs(rng)
        expected = reference(*_copies(args))
        got, verdict = call(candidate, name, *_copies(args))
        if verdict is None:
            verdict = _compare(name, got, expected, rtol, atol)
        if verdict is not None:
            return verdict
    return Verdict("correct", f"{name}: correct! It matches the reference on {trials} random inputs.",
                   0.0)


def call(candidate, name, *args):
    """(result, None) if `candidate(*args)` returned something, else (None, Verdict)
    for a stub (NotImplementedError or no return value) or an error it raised."""
    try:
        got = candidate(*args)
    except NotImplementedError:
        return None, Verdict("not implemented", f"{name}: not implemented yet. "
                             "Write your code in the cell above, run it, then run this cell again.")
    except Exception as exc:  # the learner's code may fail in any way: report it kindly
        return None, Verdict("error", f"{name} raised {type(exc).__name__}: {exc}")
    if got is None:
        return None, Verdict("not implemented", f"{name} returned None: not implemented yet "
                             "(did you forget the return statement?)")
    return got, None


def _copies(args):
    return tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args)


def _compare(name, got, expected, rtol, atol):
    """None if `got` matches `expected`, else a Verdict saying how it differs."""
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return Verdict("wrong shape", f"{name} should return {len(expected)} values, "
                           f"got {type(got).__name__}")
        for k, (g, e) in enumerate(zip(got, expected)):
            verdict = _compare(f"{name} (result {k})", g, e, rtol, atol)
            if verdict is not None:
                return verdict
        return None
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return Verdict("wrong shape", f"{name} returned {type(got).__name__}, expected numbers")
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return Verdict("wrong shape", f"{name} returned shape {got.shape}, expected {expected.shape}")
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        diff = float(np.nanmax(np.abs(got - expected))) if np.isfinite(got).all() else float("inf")
        return Verdict("wrong values", f"{name}: wrong values, largest difference {diff:.3g} "
                       "from the reference.", diff)
    return None
