"""Checkers for the lesson "Gradient checking".

check_best_eps(best_eps)                        the ε that minimises the modelled error
                                                |f‴| ε²/6 + u |f| / ε of a centred difference:
                                                (3 u |f| / |f‴|)^(1/3)
check_group_errors(group_errors)                the gradient check's relative error
                                                ‖a − b‖ / (‖a‖ + ‖b‖) of each group
                                                W0, b0, W1, b1, … of two flat vectors

Each checker runs the learner's function and a reference on seeded random inputs and
returns a Verdict (see `nnlib.exercises.check`) that names the usual slip when it sees
one, and reports a wrong answer by its difference relative to the reference; never raises.
"""

import warnings

import numpy as np

from .core import Verdict, _not_real, call, check

U = 2.0 ** -52          # float64's relative precision (np.finfo(float).eps)


def _check(candidate, reference, make_inputs, name, trials, seed=0, rtol=1e-6, atol=1e-9,
           slips=None):
    return check(candidate, reference, make_inputs, name=name, trials=trials, rtol=rtol,
                 atol=atol, seed=seed, slips=slips)


# -- Exercise 1: the best ε of a centred difference -----------------------------------------


def reference_best_eps(f_value, third_derivative, u=U):
    """The ε > 0 that minimises E(ε) = |f‴| ε²/6 + u |f| / ε: E′(ε) = |f‴| ε/3 − u |f|/ε² = 0,
    so ε = (3 u |f| / |f‴|)^(1/3)."""
    return float(np.cbrt(3.0 * u * abs(f_value) / abs(third_derivative)))


BEST_EPS_SLIPS = {
    "a square root where the cube root belongs (E′ = 0 gives ε³, not ε²)":
        lambda f, f3, u=U: float(np.sqrt(3.0 * u * abs(f) / abs(f3))),
    "the factor 3 is missing (the derivative of ε²/6 is ε/3)":
        lambda f, f3, u=U: float(np.cbrt(u * abs(f) / abs(f3))),
    "the factor is 6, not 3 (the derivative of ε²/6 is 2ε/6 = ε/3)":
        lambda f, f3, u=U: float(np.cbrt(6.0 * u * abs(f) / abs(f3))),
    "the factor is 3/2, not 3 (the rounding term is u |f| / ε: two values off by u |f| each, "
    "divided by 2ε)":
        lambda f, f3, u=U: float(np.cbrt(1.5 * u * abs(f) / abs(f3))),
    "f and f‴ are swapped (|f‴| belongs below)":
        lambda f, f3, u=U: float(np.cbrt(3.0 * u * abs(f3) / abs(f))),
    "u is missing (the rounding error is u |f|, not |f|)":
        lambda f, f3, u=U: float(np.cbrt(3.0 * abs(f) / abs(f3))),
}
NO_ABS = "the sizes |f| and |f‴| are missing: with f‴ < 0 the formula gives no positive ε"


def _values(rng):
    """f(θ) and f‴(θ) of opposite signs, each of size 1e-2 to 1e2; u as float64's."""
    f = float(rng.choice([-1.0, 1.0]) * 10.0 ** rng.uniform(-2.0, 2.0))
    f3 = float(-np.sign(f) * 10.0 ** rng.uniform(-2.0, 2.0))
    return f, f3, U


def check_best_eps(candidate, name="best_eps"):
    """Check best_eps(f_value, third_derivative, u) -> the ε > 0 that minimises the modelled
    error |f‴| ε²/6 + u |f| / ε of a centred difference."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        verdict = _check(candidate, reference_best_eps, _values, name, trials=5,
                         slips=BEST_EPS_SLIPS)
        if verdict or verdict.slip:
            return verdict
        got, failed = call(candidate, name, 1.0, -1.0, U)
    if failed is not None:
        return verdict
    try:
        positive = not _not_real(got) and float(np.real(got)) > 0 and np.isfinite(float(got))
    except Exception:  # complex, text, an array: not one positive number
        positive = False
    if not positive:
        return Verdict(verdict.status, f"{name}(1.0, -1.0) gives {got!r}, not a positive ε. "
                       f"It looks like {NO_ABS}.", verdict.max_difference, slip=NO_ABS)
    return verdict


# -- Exercise 2: the relative error of each group ---------------------------------------------


def _group_slices(sizes, weights_first=False):
    """The slices of W0, b0, W1, b1, … in a flat vector, for the widths `sizes`."""
    counts = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        counts += [n_out * n_in, n_out]
    if weights_first:
        counts = counts[0::2] + counts[1::2]
    stops = np.cumsum(counts)
    slices = [slice(int(stop - count), int(stop)) for stop, count in zip(stops, counts)]
    if weights_first:                       # back to the order W0, b0, W1, b1, …
        half = len(slices) // 2
        slices = [s for pair in zip(slices[:half], slices[half:]) for s in pair]
    return slices


def _relative(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def reference_group_errors(analytic, numeric, sizes):
    """One relative error ‖a − b‖ / (‖a‖ + ‖b‖) per group W0, b0, W1, b1, … of the flat
    vectors `analytic` and `numeric`, laid out as pack's for a network of widths `sizes`."""
    return np.array([_relative(analytic[s], numeric[s]) for s in _group_slices(sizes)])


GROUP_ERRORS_SLIPS = {
    "it gives the whole vector's relative error for every group (a group must be compared "
    "only with its own size)":
        lambda a, b, sizes: np.full(len(_group_slices(sizes)), _relative(a, b)),
    "it gives ‖a − b‖ alone, the absolute error (divide by ‖a‖ + ‖b‖ of the group)":
        lambda a, b, sizes: np.array([np.linalg.norm(a[s] - b[s]) for s in _group_slices(sizes)]),
    "it divides by the norm of one vector only (the norm form divides by ‖a‖ + ‖b‖)":
        lambda a, b, sizes: np.array([np.linalg.norm(a[s] - b[s]) / np.linalg.norm(b[s])
                                      for s in _group_slices(sizes)]),
    "it uses CS231n's worst-entry form (this exercise asks for the norm form of each group)":
        lambda a, b, sizes: np.array([np.max(np.abs(a[s] - b[s]) / np.maximum(
            1e-8, np.abs(a[s]) + np.abs(b[s]))) for s in _group_slices(sizes)]),
    "the groups are cut as if all weights came first (the layout is W0, b0, W1, b1, …)":
        lambda a, b, sizes: np.array([_relative(a[s], b[s])
                                      for s in _group_slices(sizes, weights_first=True)]),
}


def _group_inputs(rng):
    """Widths of 2 to 4 weight layers; a flat 'analytic' vector whose groups differ in size
    by up to 1e5, and a 'numeric' one that agrees to about 1e-9 except in one or two
    groups, spoiled by 0.1 % to 30 %."""
    depth = int(rng.integers(2, 5))
    sizes = [int(s) for s in rng.integers(2, 6, size=depth + 1)]
    slices = _group_slices(sizes)
    analytic = np.concatenate([rng.normal(size=s.stop - s.start) * 10.0 ** rng.uniform(-4, 1)
                               for s in slices])
    numeric = analytic * (1 + 1e-9 * rng.normal(size=analytic.size))
    for g in rng.choice(len(slices), size=int(rng.integers(1, 3)), replace=False):
        s = slices[g]
        numeric[s] = analytic[s] * (1 + 10.0 ** rng.uniform(-3, -0.5)
                                    * rng.normal(size=s.stop - s.start))
    return analytic, numeric, sizes


def check_group_errors(candidate, name="group_errors"):
    """Check group_errors(analytic, numeric, sizes) -> one relative error
    ‖a − b‖ / (‖a‖ + ‖b‖) per group W0, b0, W1, b1, … (an array of 2 (L + 1) numbers)."""
    return _check(candidate, reference_group_errors, _group_inputs, name, trials=5,
                  rtol=1e-6, atol=1e-15, slips=GROUP_ERRORS_SLIPS)


EXERCISES = {
    "best_eps": check_best_eps,
    "group_errors": check_group_errors,
}
