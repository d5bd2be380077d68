"""Checkers for lesson 03 (batched backprop).

check_relative_error(relative_error)            ‖a − b‖ / (‖a‖ + ‖b‖), a single number
check_stacked_outer(stacked_outer)              per-sample outer products δ_b a_bᵀ, (B, j, k)
check_batched_weight_gradient(batched_weight_gradient)
                                                Σ_b δ_b a_bᵀ = deltaᵀ A_prev, (j, k)

Each checker runs the learner's function and a reference on seeded random inputs and
returns a Verdict (see `nnlib.exercises.check`); it never raises. The sizes B, j and k
are drawn different from each other, so a swapped axis shows up as a wrong shape.
"""

import numpy as np

from .core import check


def reference_relative_error(a, b):
    """‖a − b‖ / max(‖a‖ + ‖b‖, 1e-300) for arrays a, b of the same shape: a float."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)
    return float(np.linalg.norm(a - b) / scale)


def reference_stacked_outer(delta, A_prev):
    """The outer product of row b of delta (B, j) with row b of A_prev (B, k), for
    every b, stacked: shape (B, j, k), entry [b, i, m] = delta[b, i] · A_prev[b, m]."""
    return np.einsum("bj,bk->bjk", delta, A_prev)


def reference_batched_weight_gradient(delta, A_prev):
    """Σ over the batch of the outer products above, as one matrix product:
    delta (B, j), A_prev (B, k) -> deltaᵀ A_prev, shape (j, k)."""
    return delta.T @ A_prev


def _three_sizes(rng):
    """Three different sizes B, j, k in 2..9 (different, so transposes cannot hide)."""
    B, j, k = rng.choice(np.arange(2, 10), size=3, replace=False)
    return int(B), int(j), int(k)


def _pair_inputs(rng):
    n = int(rng.integers(3, 40))
    a = rng.normal(0.0, rng.uniform(0.1, 10.0), size=n)
    b = a + rng.normal(0.0, rng.choice([1e-6, 1e-2, 1.0]), size=n)
    return a, b


def _delta_and_activations(rng):
    B, j, k = _three_sizes(rng)
    return rng.normal(size=(B, j)), rng.uniform(-1.0, 1.0, size=(B, k))


def check_relative_error(candidate):
    """Check relative_error(a, b) -> ‖a − b‖ / (‖a‖ + ‖b‖), one number, on random vectors."""
    return check(candidate, reference_relative_error, _pair_inputs, name="relative_error",
                 trials=5)


def check_stacked_outer(candidate):
    """Check stacked_outer(delta, A_prev) -> (B, j, k) stack of per-sample outer products."""
    return check(candidate, reference_stacked_outer, _delta_and_activations,
                 name="stacked_outer", trials=4)


def check_batched_weight_gradient(candidate):
    """Check batched_weight_gradient(delta, A_prev) -> (j, k) sum over the batch of the
    outer products, for delta (B, j) and A_prev (B, k)."""
    return check(candidate, reference_batched_weight_gradient, _delta_and_activations,
                 name="batched_weight_gradient", trials=4)
