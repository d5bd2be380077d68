"""Checkers for lesson 01 (a one-dimensional network).

Each checker runs the learner's function and a reference solution on seeded
random inputs and returns a Verdict (see `nnlib.exercises.check`); it never raises.

The chain: n one-neuron sigmoid layers counted from 0, z_l = w_l a_l + b_l,
a_{l+1} = σ(z_l), a_0 = x; cost per sample ½(a_n − y)² of the output a_n, averaged
over the N samples.
"""

import numpy as np
from scipy.special import expit

from .core import check


def reference_sigmoid_prime(z):
    """σ'(z) = σ(z)(1 − σ(z)), element-wise; same shape as z."""
    s = expit(z)
    return s * (1.0 - s)


def reference_backprop_chain(X, Y, w, b):
    """Gradient of the mean cost of a chain of one-neuron sigmoid layers.

    X, Y: (N, 1) inputs and targets; w, b: (n,) weights and biases, layer 0 first.
    Returns (dw, db), each (n,): dC/dw_l and dC/db_l of C = mean over samples of
    ½(a_n − y)².
    """
    w = np.asarray(w, dtype=float)
    b = np.asarray(b, dtype=float)
    As = [np.asarray(X, dtype=float)]
    for w_l, b_l in zip(w, b):
        As.append(expit(w_l * As[-1] + b_l))
    dw, db = np.empty(len(w)), np.empty(len(w))
    delta = (As[-1] - Y) * As[-1] * (1.0 - As[-1])                     # BP1
    for l in range(len(w) - 1, -1, -1):
        db[l] = delta.mean()                                            # BP3
        dw[l] = (As[l] * delta).mean()                                  # BP4
        if l > 0:
            delta = w[l] * delta * As[l] * (1.0 - As[l])                # BP2
    return dw, db


def _sigmoid_inputs(rng):
    shape = tuple(rng.integers(1, 6, size=rng.integers(1, 3)))
    return (rng.normal(0.0, 4.0, size=shape),)


def _chain_inputs(rng):
    n_layers = int(rng.integers(2, 6))
    n = int(rng.integers(3, 9))
    X = rng.normal(0.0, 2.0, size=(n, 1))
    Y = rng.uniform(0.0, 1.0, size=(n, 1))
    return X, Y, rng.normal(0.0, 1.5, size=n_layers), rng.normal(0.0, 1.0, size=n_layers)


def check_sigmoid_prime(candidate):
    """Check sigmoid_prime(z) -> σ'(z), element-wise, for arrays z of any shape."""
    return check(candidate, reference_sigmoid_prime, _sigmoid_inputs, name="sigmoid_prime",
                 trials=4)


def check_backprop_chain(candidate):
    """Check backprop_chain(X, Y, w, b) -> (dw, db) on chains of 2 to 5 layers."""
    return check(candidate, reference_backprop_chain, _chain_inputs, name="backprop_chain",
                 trials=5)
