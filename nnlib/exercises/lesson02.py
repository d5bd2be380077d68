"""Checkers for lesson 02 (vectorised notation).

Conventions: samples are rows. A layer has W (n_out, n_in) and b (n_out,);
its input A_prev is (N, n_in) and Z = A_prev @ W.T + b is (N, n_out). `delta`
is dC/dZ of a layer for the batch, shape (N, n_out), already including the 1/N of
the mean cost, so the gradients are plain sums over the rows.

check_layer_forward       Z = A @ W.T + b
check_layer_backward      BP2–BP4 through one layer fed by a sigmoid layer
check_softmax_ce_delta    BP1 of a softmax output under categorical cross-entropy
"""

import numpy as np
from scipy.special import expit

from .core import check


def reference_layer_forward(A, W, b):
    """Z = A @ W.T + b: A (N, n_in), W (n_out, n_in), b (n_out,) -> Z (N, n_out)."""
    return A @ W.T + b


def reference_layer_backward(delta, W, A_prev):
    """One step of vectorised backprop through a layer whose input comes from a
    sigmoid layer (A_prev = σ(Z_prev), so σ'(Z_prev) = A_prev (1 − A_prev)).

    delta (N, n_out), W (n_out, n_in), A_prev (N, n_in).
    Returns (dW, db, delta_prev): dW = delta.T @ A_prev (n_out, n_in) (BP4),
    db = column sums of delta (n_out,) (BP3), delta_prev = (delta @ W) ⊙ σ'(Z_prev)
    (N, n_in) (BP2).
    """
    dW = delta.T @ A_prev
    db = delta.sum(axis=0)
    delta_prev = (delta @ W) * A_prev * (1.0 - A_prev)
    return dW, db, delta_prev


def _shapes(rng):
    # Distinct sizes, so that a transposed result is always the wrong shape.
    n, n_in, n_out = rng.choice(np.arange(2, 9), size=3, replace=False)
    return int(n), int(n_in), int(n_out)


def _forward_inputs(rng):
    n, n_in, n_out = _shapes(rng)
    return (rng.normal(size=(n, n_in)), rng.normal(size=(n_out, n_in)),
            rng.normal(size=n_out))


def _backward_inputs(rng):
    n, n_in, n_out = _shapes(rng)
    return (rng.normal(size=(n, n_out)) / n, rng.normal(size=(n_out, n_in)),
            expit(rng.normal(0.0, 2.0, size=(n, n_in))))


def check_layer_forward(candidate):
    """Check layer_forward(A, W, b) -> Z = A @ W.T + b, shape (N, n_out)."""
    return check(candidate, reference_layer_forward, _forward_inputs, name="layer_forward",
                 trials=4)


def check_layer_backward(candidate):
    """Check layer_backward(delta, W, A_prev) -> (dW, db, delta_prev)."""
    return check(candidate, reference_layer_backward, _backward_inputs, name="layer_backward",
                 trials=4)


def reference_softmax_ce_delta(Z, Y):
    """Δ of a softmax output layer under the mean categorical cross-entropy.

    Z (N, n_out) pre-activations, Y (N, n_out) targets whose rows sum to 1.
    Returns (softmax(Z) − Y) / N, shape (N, n_out): the 1/N of the mean included (BP1).
    """
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return (E / E.sum(axis=1, keepdims=True) - Y) / len(Z)


def _softmax_inputs(rng):
    n, _, n_out = _shapes(rng)
    Y = np.eye(n_out)[rng.integers(0, n_out, size=n)]        # one-hot rows
    return rng.normal(0.0, 3.0, size=(n, n_out)), Y


def check_softmax_ce_delta(candidate):
    """Check softmax_ce_delta(Z, Y) -> (softmax(Z) − Y) / N, shape (N, n_out)."""
    return check(candidate, reference_softmax_ce_delta, _softmax_inputs,
                 name="softmax_ce_delta", trials=4)
