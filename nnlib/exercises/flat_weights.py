"""Checkers for the lesson "Flat weights and initialisation".

check_layer_views(layer_views)  the per-layer views of one flat vector: right shapes,
                                right values, and real views (writing into flat shows in
                                them, and writing into them changes flat)
check_xavier_std(xavier_std)    the standard deviation √(2 / (n_in + n_out)) of
                                Xavier/Glorot normal weights

Each returns a Verdict (see `nnlib.exercises.check`) that names the usual slip when it
sees one, and never raises.
"""


import numpy as np

from .core import TRANSPOSED, Verdict, call, check, how_far

# -- Exercise 1: layer_views ---------------------------------------------------------------

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


def _column_by_column(flat, shapes):
    return [flat[start:start + size].reshape(shape, order="F")
            for start, size, shape in zip(_starts(shapes), _sizes(shapes), shapes)]


def _sizes(shapes):
    return [int(np.prod(shape)) for shape in shapes]


def _starts(shapes):
    return np.cumsum([0] + _sizes(shapes))[:-1].tolist()


def _all_from_the_start(flat, shapes):
    return [flat[:int(np.prod(shape))].reshape(shape) for shape in shapes]


COPIES = "the arrays are copies, not views of flat"
LAYER_VIEWS_SLIPS = {
    "each piece is filled column by column (order=\"F\"), not row by row": _column_by_column,
    "every piece starts at the beginning of flat (the offsets are not added up)":
        _all_from_the_start,
}


def _same(got, want):
    return all(isinstance(g, np.ndarray) and g.shape == w.shape and np.array_equal(g, w)
               for g, w in zip(got, want)) and len(got) == len(want)


def check_layer_views(candidate, name="layer_views"):
    """Call `candidate(flat, shapes)` on a few layouts and say what is wrong, if anything.

    Beyond shapes and values, every returned array must be a view of `flat`: after new
    numbers are written into `flat`, the arrays must show them, and numbers written into
    an array must show up in the right place of `flat`.
    """
    rng = np.random.default_rng(4)
    for shapes in SHAPE_LISTS:
        n = sum(int(np.prod(shape)) for shape in shapes)
        flat = rng.normal(size=n)
        before = flat.copy()
        expected = reference_layer_views(before, shapes)
        got, verdict = call(candidate, name, flat, list(shapes))
        if verdict is not None:
            return verdict
        if not np.array_equal(flat, before):
            return Verdict("changed inputs", f"{name} changed the numbers in flat. It should only "
                           "look at flat through views, not write into it.",
                           slip="it changed its inputs")
        if not isinstance(got, (list, tuple)) or len(got) != len(shapes):
            what = f"{len(got)} items" if isinstance(got, (list, tuple)) else type(got).__name__
            return Verdict("wrong shape", f"{name} should return a list of {len(shapes)} arrays "
                           f"(one per shape in {shapes}), got {what}")
        for k, (view, want) in enumerate(zip(got, expected)):
            if not isinstance(view, np.ndarray):
                return Verdict("wrong shape", f"{name}: item {k} is a {type(view).__name__}, "
                               "expected a NumPy array")
            if view.shape != want.shape:
                if view.shape == want.T.shape and np.array_equal(view, want.T):
                    return Verdict("wrong shape", f"{name}: item {k} has shape {view.shape}, "
                                   f"expected {want.shape} (n_out, n_in). It looks like "
                                   f"{TRANSPOSED}.", slip=TRANSPOSED)
                return Verdict("wrong shape", f"{name}: item {k} has shape {view.shape}, "
                               f"expected {want.shape}")
        for k, (view, want) in enumerate(zip(got, expected)):
            if not np.array_equal(view, want):
                diff = float(np.abs(view - want).max())
                for slip, wrong in LAYER_VIEWS_SLIPS.items():
                    if _same(got, wrong(before, shapes)):
                        return Verdict("wrong values", f"{name}: item {k} has wrong values, "
                                       f"{how_far(diff, want)}. It looks like {slip}.",
                                       diff, slip=slip)
                return Verdict("wrong values", f"{name}: item {k} has wrong values, "
                               f"{how_far(diff, want)} (are the pieces taken in order?)", diff)
        for k, view in enumerate(got):
            if not np.shares_memory(view, flat):
                return Verdict("not in place", f"{name}: item {k} has the right values but is a "
                               f"copy: it shares no memory with flat. It looks like {COPIES}. "
                               "Slice and reshape instead of flatten(), np.array(...) or "
                               "arithmetic.", slip=COPIES)
        flat[:] = rng.normal(size=n)
        for k, (view, want) in enumerate(zip(got, reference_layer_views(flat, shapes))):
            if not np.array_equal(view, want):
                return Verdict("not in place", f"{name}: item {k} does not follow changes to "
                               "flat: it is not a view of the right part of flat.", slip=COPIES)
        for k, (view, want) in enumerate(zip(got, reference_layer_views(flat, shapes))):
            new = rng.normal(size=view.shape)
            outside = flat.copy()
            try:
                view[...] = new
            except ValueError:  # a read-only array
                return Verdict("not in place", f"{name}: item {k} is read-only, so nothing can "
                               "write the weights through it. Return plain slices of flat.")
            if not np.array_equal(want, new):
                return Verdict("not in place", f"{name}: writing into item {k} does not change "
                               "the right part of flat.", slip=COPIES)
            start = _starts(shapes)[k]
            outside[start:start + view.size] = new.ravel()
            if not np.array_equal(flat, outside):
                return Verdict("not in place", f"{name}: writing into item {k} changes other "
                               "parts of flat too.", slip=COPIES)
    return Verdict("correct", f"{name}: correct! Right shapes and values on "
                   f"{len(SHAPE_LISTS)} layouts, and every item is a view into flat: writing "
                   "into either shows in the other.", 0.0)


# -- Exercise 2: xavier_std -----------------------------------------------------------------

def reference_xavier_std(n_in, n_out):
    """Standard deviation of Xavier/Glorot normal weights: √(2 / (n_in + n_out))."""
    return np.sqrt(2.0 / (n_in + n_out))


XAVIER_STD_SLIPS = {
    "only n_in is used (that is He's √(2 / n_in))": lambda n_in, n_out: np.sqrt(2.0 / n_in),
    "only n_out is used": lambda n_in, n_out: np.sqrt(2.0 / n_out),
    "the square root is missing (that is the variance)": lambda n_in, n_out: 2.0 / (n_in + n_out),
    "the square root is taken of the denominator only (2 / √(n_in + n_out))":
        lambda n_in, n_out: 2.0 / np.sqrt(n_in + n_out),
    "the 2 is missing (√(1 / (n_in + n_out)))": lambda n_in, n_out: np.sqrt(1.0 / (n_in + n_out)),
}


def _fan_ins_and_outs(rng):
    """Two different layer sizes in 1..999 (different, so n_in and n_out can be told apart)."""
    n_in, n_out = rng.choice(np.arange(1, 1000), size=2, replace=False)
    return int(n_in), int(n_out)


def check_xavier_std(candidate):
    """Compare `candidate(n_in, n_out)` with √(2 / (n_in + n_out)) on random layer sizes."""
    return check(candidate, reference_xavier_std, _fan_ins_and_outs, name="xavier_std",
                 trials=5, slips=XAVIER_STD_SLIPS)


EXERCISES = {
    "layer_views": check_layer_views,
    "xavier_std": check_xavier_std,
}
