"""Checkers for lesson 07 (weight evolution).

check_layer_history(layer_history)          one layer's weight matrix in every snapshot,
                                            cut out of the (n_frames, n_params) array
check_hidden_activations(hidden_activations) the first hidden layer's tanh activations,
                                            computed from a flat weight vector

Layout (as everywhere in the course): the flat vector holds W0, b0, W1, b1, ... with
W_l of shape (sizes[l+1], sizes[l]) stored row by row and b_l of shape (sizes[l+1],).
"""

import numpy as np

from .core import check


def _offset(sizes, layer):
    """Where W_layer starts in the flat vector."""
    return sum(n_out * n_in + n_out for n_in, n_out in zip(sizes[:layer], sizes[1:layer + 1]))


def reference_layer_history(snapshots, sizes, layer):
    """snapshots (n_frames, n_params), sizes [n_in, ..., n_out], layer l ->
    (n_frames, sizes[l+1], sizes[l]): W_l in every frame."""
    n_in, n_out = sizes[layer], sizes[layer + 1]
    start = _offset(sizes, layer)
    return snapshots[:, start:start + n_out * n_in].reshape(len(snapshots), n_out, n_in)


def reference_hidden_activations(flat, sizes, X):
    """flat (n_params,), sizes [n_in, n_hidden, ...], X (N, n_in) -> (N, n_hidden):
    tanh(X @ W0.T + b0)."""
    n_in, n_hidden = sizes[0], sizes[1]
    W = flat[:n_hidden * n_in].reshape(n_hidden, n_in)
    b = flat[n_hidden * n_in:n_hidden * n_in + n_hidden]
    return np.tanh(X @ W.T + b)


def _n_params(sizes):
    return _offset(sizes, len(sizes) - 1)


def _layer_history_inputs(rng):
    sizes = [int(n) for n in rng.integers(1, 6, size=rng.integers(3, 5))]
    n_frames = int(rng.integers(2, 6))
    layer = int(rng.integers(0, len(sizes) - 1))
    return rng.normal(size=(n_frames, _n_params(sizes))), sizes, layer


def _hidden_inputs(rng):
    sizes = [int(rng.integers(2, 5)), int(rng.integers(2, 5)), 1]
    X = rng.normal(size=(int(rng.integers(3, 9)), sizes[0]))
    return rng.normal(size=_n_params(sizes)), sizes, X


def check_layer_history(candidate):
    """Check layer_history(snapshots, sizes, layer) -> (n_frames, n_out, n_in) on random
    nets of 2 or 3 weight layers, first and later layers."""
    return check(candidate, reference_layer_history, _layer_history_inputs,
                 name="layer_history", trials=6, rtol=0, atol=0)


def check_hidden_activations(candidate):
    """Check hidden_activations(flat, sizes, X) -> tanh(X @ W0.T + b0), shape (N, sizes[1])."""
    return check(candidate, reference_hidden_activations, _hidden_inputs,
                 name="hidden_activations", trials=4)
