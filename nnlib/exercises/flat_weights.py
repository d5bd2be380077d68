"""Checkers for the lesson "Flat weights and initialisation".

check_layer_views(layer_views)  the per-layer views of one flat vector: right shapes,
                                right values, and real views (writing into flat shows in
                                them, and writing into them changes flat)
check_he_std(he_std)            the standard deviation √(2 / n_in) of He normal weights
                                for a ReLU layer, derived by the learner

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


REVERSED = ("the shape was reversed: (n_in, n_out) instead of (n_out, n_in); each W has a row per "
            "neuron it feeds")


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
                if view.shape == want.shape[::-1]:
                    return Verdict("wrong shape", f"{name}: item {k} has shape {view.shape}, "
                                   f"expected {want.shape}. It looks like {REVERSED}.",
                                   slip=REVERSED)
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


# -- Exercise 2: he_std ---------------------------------------------------------------------

def reference_he_std(n_in):
    """Standard deviation of He normal weights for a ReLU layer: √(2 / n_in)."""
    return np.sqrt(2.0 / n_in)


# Each name says what went wrong without handing over the corrected formula.
HE_STD_SLIPS = {
    "the half of Var(z_{l−1}) that ReLU throws away is not made up for (Var(z) halves in every ReLU "
    "layer)": lambda n_in: np.sqrt(1.0 / n_in),
    "ReLU's factor ½ ended up on the wrong side of the equation (Var(z) quarters in every ReLU "
    "layer)": lambda n_in: np.sqrt(1.0 / (2.0 * n_in)),
    "the answer is a variance, not a standard deviation": lambda n_in: 2.0 / n_in,
    "the answer is the edge r of a uniform distribution (whose variance is r²/3), not the "
    "standard deviation of a normal one": lambda n_in: np.sqrt(6.0 / n_in),
    "the square root is taken of part of the variance only": lambda n_in: 2.0 / np.sqrt(n_in),
}


def _fan_in(rng):
    """A layer size in 2..999 (not 1, where some slips coincide with the answer)."""
    return (int(rng.integers(2, 1000)),)


def relu_gain_per_layer(std, n_in=256, layers=8, samples=512, seed=0):
    """By how much Var(z) changes per layer, on average (the geometric mean over the
    layers), in a chain of `layers` ReLU layers of width n_in with weights Normal(0, std²)
    and biases 0: 1 keeps the spread, ½ halves it in every layer."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(samples, n_in))
    variances = []
    for _ in range(layers):
        z = a @ rng.normal(0.0, std, size=(n_in, n_in))
        variances.append(z.var())
        a = np.maximum(0.0, z)
    return (variances[-1] / variances[0]) ** (1 / (layers - 1))


def _measured_gain(candidate):
    """The per-layer gain of Var(z) in a ReLU chain with the candidate's standard deviation
    for n_in = 256, or None if its answer there is not one positive number."""
    try:
        std = float(np.asarray(candidate(256), dtype=np.float64))
    except Exception:  # the learner's function may fail in any way; then say nothing more
        return None
    return relu_gain_per_layer(std) if np.isfinite(std) and 0 < std < 1 else None


def check_he_std(candidate):
    """Compare `candidate(n_in)` with √(2 / n_in) on random layer sizes, and measure what
    the answer does to Var(z) in a chain of ReLU layers."""
    verdict = check(candidate, reference_he_std, _fan_in, name="he_std", trials=5,
                    slips=HE_STD_SLIPS)
    if verdict.status == "wrong values":
        gain = _measured_gain(candidate)
        if gain is not None:
            verdict.message += (f" Measured on 8 ReLU layers of width 256, your standard deviation "
                                f"makes Var(z) change by a factor of {gain:.2g} per layer; He's keeps "
                                "it near 1.")
        return verdict
    if not verdict:
        return verdict
    gains = [relu_gain_per_layer(reference_he_std(256), seed=seed) for seed in range(10)]
    level = ("within 15 % per layer on each of 10 draws" if all(0.85 < g < 1.15 for g in gains)
             else f"a factor of {min(gains):.2g} to {max(gains):.2g} per layer over 10 draws")
    return Verdict("correct", "he_std: correct! It matches √(2 / n_in) on 5 random layer sizes, and "
                   f"measured on 8 ReLU layers of width 256 it keeps Var(z) about level: {level}.",
                   0.0)


EXERCISES = {
    "layer_views": check_layer_views,
    "he_std": check_he_std,
}
