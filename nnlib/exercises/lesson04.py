"""Checkers for lesson 04 (flat weights and initialisation).

check_layer_views(layer_views)  the per-layer views of one flat vector: right shapes,
                                right values, and real views (they share memory with
                                the vector, so writing to one shows in the other)
check_xavier_std(xavier_std)    the standard deviation of Xavier/Glorot weights
"""

import numpy as np

from .core import Verdict, call, check

SHAPE_LISTS = [
    [(3, 2), (3,), (1, 3), (1,)],
    [(5, 2), (5,), (5, 5), (5,), (4, 5), (4,), (1, 4), (1,)],
    [(4,), (2, 3), (1, 1)],
]


def reference_layer_views(flat, shapes):
    """Views into the 1-D `flat`, one per shape, laid out one after the other."""
    views, start = [], 0
    for shape in shapes:
        stop = start + int(np.prod(shape))
        views.append(flat[start:stop].reshape(shape))
        start = stop
    return views


def check_layer_views(candidate, name="layer_views"):
    """Call `candidate(flat, shapes)` on a few layouts and say what is wrong, if anything.

    Beyond shapes and values, every returned array must share memory with `flat`:
    after writing new numbers into `flat`, the views must show them.
    """
    rng = np.random.default_rng(4)
    for shapes in SHAPE_LISTS:
        n = sum(int(np.prod(shape)) for shape in shapes)
        flat = rng.normal(size=n)
        expected = [view.copy() for view in reference_layer_views(flat, shapes)]
        got, verdict = call(candidate, name, flat, list(shapes))
        if verdict is not None:
            return verdict
        if not isinstance(got, (list, tuple)) or len(got) != len(shapes):
            what = f"{len(got)} items" if isinstance(got, (list, tuple)) else type(got).__name__
            return Verdict("wrong shape", f"{name} should return a list of {len(shapes)} arrays "
                           f"(one per shape in {shapes}), got {what}")
        for k, (view, want) in enumerate(zip(got, expected)):
            if not isinstance(view, np.ndarray):
                return Verdict("wrong shape", f"{name}: item {k} is a {type(view).__name__}, "
                               "expected a NumPy array")
            if view.shape != want.shape:
                return Verdict("wrong shape", f"{name}: item {k} has shape {view.shape}, "
                               f"expected {want.shape}")
            if not np.allclose(view, want, rtol=0, atol=0):
                diff = float(np.abs(view - want).max())
                return Verdict("wrong values", f"{name}: item {k} has wrong values, largest "
                               f"difference {diff:.3g} (are the pieces taken in order?)", diff)
            if not np.shares_memory(view, flat):
                return Verdict("copy", f"{name}: item {k} has the right values but is a copy, "
                               "not a view: it shares no memory with flat. Slice and reshape "
                               "instead of flatten(), np.array(...) or arithmetic.")
        flat[:] = rng.normal(size=n)
        for k, (view, want) in enumerate(zip(got, reference_layer_views(flat, shapes))):
            if not np.array_equal(view, want):
                return Verdict("copy", f"{name}: item {k} does not follow changes to flat: "
                               "it is not a view of the right part of flat.")
    return Verdict("correct", f"{name}: correct! Right shapes and values on "
                   f"{len(SHAPE_LISTS)} layouts, and every item is a view into flat.", 0.0)


def reference_xavier_std(n_in, n_out):
    """Standard deviation of Xavier/Glorot normal weights: √(2 / (n_in + n_out))."""
    return np.sqrt(2.0 / (n_in + n_out))


def _fan_ins_and_outs(rng):
    return int(rng.integers(1, 1000)), int(rng.integers(1, 1000))


def check_xavier_std(candidate):
    """Compare `candidate(n_in, n_out)` with √(2 / (n_in + n_out)) on random layer sizes."""
    return check(candidate, reference_xavier_std, _fan_ins_and_outs, name="xavier_std",
                 trials=5)
