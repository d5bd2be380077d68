"""Checkers for lesson 04 (flat weights and initialisation).

check_layer_views(layer_views)  the per-layer views of one flat vector: right shapes,
                                right values, and real views (they share memory with
                                the vector, so writing to one shows in the other)
check_xavier_std(xavier_std)    the standard deviation of Xavier/Glorot weights
check_adam_step(adam_step)      one Adam step in place on the flat vector, against
                                nnlib.optim.Adam over several steps
"""

import numpy as np

from ..optim import Adam
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


ADAM_SETTINGS = [dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8),
                 dict(lr=0.05, beta1=0.5, beta2=0.9, eps=1e-8)]


def check_adam_step(candidate, name="adam_step", steps=6):
    """Call `candidate(flat, grad, m, v, t, lr, beta1, beta2, eps)` for t = 1 … `steps` on
    seeded gradients, and compare `flat` after every step with nnlib.optim.Adam's.

    The candidate must update flat, m and v in place (m and v start at zeros) and may
    return anything; two settings of (lr, β₁, β₂) tell β₁ and β₂ apart.
    """
    rng = np.random.default_rng(5)
    for settings in ADAM_SETTINGS:
        n = int(rng.integers(5, 12))
        flat = rng.normal(size=n)
        ref_flat, ref = flat.copy(), Adam(**settings)
        m, v = np.zeros(n), np.zeros(n)
        for t in range(1, steps + 1):
            grad = rng.normal(size=n) * 10.0 ** rng.uniform(-3, 1, size=n)  # mixed scales
            before = flat.copy()
            try:
                candidate(flat, grad.copy(), m, v, t, **settings)
            except NotImplementedError:
                return Verdict("not implemented", f"{name}: not implemented yet. Write your code "
                               "in the cell above, run it, then run this cell again.")
            except Exception as exc:  # the learner's code may fail in any way: report it kindly
                return Verdict("error", f"{name} raised {type(exc).__name__}: {exc}")
            ref.step(ref_flat, grad)
            if np.array_equal(flat, before):
                return Verdict("not in place", f"{name}: flat did not change at step {t}. "
                               "Update it in place (flat -= ...), not with flat = flat - ...")
            if not np.allclose(flat, ref_flat, rtol=1e-9, atol=1e-12):
                diff = float(np.abs(flat - ref_flat).max())
                hint = ("check the bias correction and which β goes with m and which with v"
                        if t == 1 else "are m and v updated in place, and t used as given?")
                return Verdict("wrong values", f"{name}: wrong values after step {t} with "
                               f"{settings}, largest difference {diff:.3g} from nnlib.optim.Adam "
                               f"({hint}).", diff)
    return Verdict("correct", f"{name}: correct! flat matches nnlib.optim.Adam after each of "
                   f"{steps} steps, with {len(ADAM_SETTINGS)} settings of lr, β₁ and β₂.", 0.0)
