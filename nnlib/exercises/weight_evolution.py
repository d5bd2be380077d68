"""Checkers for the lesson "Weight evolution".

check_layer_history(layer_history)            one layer's weight matrix in every snapshot,
                                              cut out of the (n_frames, n_params) array
check_hidden_activations(hidden_activations)  the first hidden layer's tanh activations,
                                              computed from a flat weight vector
check_relative_changes(relative_changes)      how far each layer's W moves between two
                                              snapshots, relative to its size

Layout (as everywhere in the course): the flat vector holds W0, b0, W1, b1, ... with
W_l of shape (sizes[l+1], sizes[l]) stored row by row and b_l of shape (sizes[l+1],).
"""

import numpy as np
from scipy.special import expit

from .core import check


def _offset(sizes, layer):
    """Where W_layer starts in the flat vector."""
    return sum(n_out * n_in + n_out for n_in, n_out in zip(sizes[:layer], sizes[1:layer + 1]))


def _n_params(sizes):
    return _offset(sizes, len(sizes) - 1)


def _random_sizes(rng, n_layers):
    # at least 2 everywhere, so a column-by-column reshape gives other numbers
    return [int(n) for n in rng.integers(2, 6, size=n_layers + 1)]


# -- exercise 1: one layer in every frame ------------------------------------------------

def reference_layer_history(snapshots, sizes, layer):
    """snapshots (n_frames, n_params), sizes [n_in, ..., n_out], layer l ->
    (n_frames, sizes[l+1], sizes[l]): W_l in every frame."""
    n_in, n_out = sizes[layer], sizes[layer + 1]
    start = _offset(sizes, layer)
    return snapshots[:, start:start + n_out * n_in].reshape(len(snapshots), n_out, n_in)


def _weights_only_offset(sizes, layer):
    return sum(n_out * n_in for n_in, n_out in zip(sizes[:layer], sizes[1:layer + 1]))


def _history_biases_not_skipped(snapshots, sizes, layer):
    n_in, n_out = sizes[layer], sizes[layer + 1]
    start = _weights_only_offset(sizes, layer)
    return snapshots[:, start:start + n_out * n_in].reshape(len(snapshots), n_out, n_in)


def _history_column_major(snapshots, sizes, layer):
    n_in, n_out = sizes[layer], sizes[layer + 1]
    start = _offset(sizes, layer)
    block = snapshots[:, start:start + n_out * n_in].reshape(len(snapshots), n_in, n_out)
    return block.transpose(0, 2, 1)


LAYER_HISTORY_SLIPS = {
    "the biases of the earlier layers were not skipped":
        _history_biases_not_skipped,
    "the block was reshaped to (n_in, n_out) and transposed, but W is stored row by row":
        _history_column_major,
    "only the last frame was returned":
        lambda snapshots, sizes, layer: reference_layer_history(snapshots, sizes, layer)[-1],
}


def _layer_history_inputs(rng):
    sizes = _random_sizes(rng, int(rng.integers(2, 4)))
    n_frames = int(rng.integers(2, 6))
    layer = int(rng.integers(0, len(sizes) - 1))
    return rng.normal(size=(n_frames, _n_params(sizes))), sizes, layer


def check_layer_history(candidate):
    """Check layer_history(snapshots, sizes, layer) -> (n_frames, n_out, n_in) on random
    nets of 2 or 3 weight layers, first and later layers."""
    return check(candidate, reference_layer_history, _layer_history_inputs,
                 name="layer_history", trials=6, rtol=0, atol=0, slips=LAYER_HISTORY_SLIPS)


# -- exercise 2: the hidden layer of one snapshot ----------------------------------------

def _first_layer(flat, sizes, order="C"):
    n_in, n_hidden = sizes[0], sizes[1]
    W = flat[:n_hidden * n_in].reshape(n_hidden, n_in, order=order)
    return W, flat[n_hidden * n_in:n_hidden * n_in + n_hidden]


def reference_hidden_activations(flat, sizes, X):
    """flat (n_params,), sizes [n_in, n_hidden, ...], X (N, n_in) -> (N, n_hidden):
    tanh(X @ W0.T + b0)."""
    W, b = _first_layer(flat, sizes)
    return np.tanh(X @ W.T + b)


def _hidden_column_major(flat, sizes, X):
    W, b = _first_layer(flat, sizes, order="F")
    return np.tanh(X @ W.T + b)


HIDDEN_ACTIVATIONS_SLIPS = {
    "b0 was left out": lambda flat, sizes, X: np.tanh(X @ _first_layer(flat, sizes)[0].T),
    "W0 was reshaped to (n_in, n_hidden) and transposed, but W is stored row by row":
        _hidden_column_major,
    "σ was used instead of tanh":
        lambda flat, sizes, X: expit(X @ _first_layer(flat, sizes)[0].T
                                     + _first_layer(flat, sizes)[1]),
    "tanh is missing (that is Z, not the activation A)":
        lambda flat, sizes, X: X @ _first_layer(flat, sizes)[0].T + _first_layer(flat, sizes)[1],
}


def _hidden_inputs(rng):
    n_in, n_hidden = (int(n) for n in rng.choice(np.arange(2, 6), size=2, replace=False))
    sizes = [n_in, n_hidden, 1]
    X = rng.normal(size=(int(rng.integers(6, 10)), n_in))
    return rng.normal(size=_n_params(sizes)), sizes, X


def check_hidden_activations(candidate):
    """Check hidden_activations(flat, sizes, X) -> tanh(X @ W0.T + b0), shape (N, sizes[1])."""
    return check(candidate, reference_hidden_activations, _hidden_inputs,
                 name="hidden_activations", trials=4, slips=HIDDEN_ACTIVATIONS_SLIPS)


# -- exercise 3: how far each layer moves ------------------------------------------------

def _layer_blocks(snapshots, sizes, with_biases=False, skip_biases=True):
    """[(n_frames, k_l) per layer]: each layer's W (and b) entries in every frame."""
    blocks, start = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        stop = start + n_out * n_in + (n_out if with_biases else 0)
        blocks.append(snapshots[:, start:stop])
        start += n_out * n_in + (n_out if skip_biases else 0)
    return blocks


def _ratios(blocks, change, size, power=1):
    columns = [change(B) ** power / size(B) ** power for B in blocks]
    return np.stack(columns, axis=1)


def _norm(B):
    return np.linalg.norm(B, axis=1)


def reference_relative_changes(snapshots, sizes):
    """snapshots (n_frames, n_params), sizes [n_in, ..., n_out] ->
    (n_frames − 1, n_layers): entry [t, l] = ‖W_l(t+1) − W_l(t)‖ / ‖W_l(t)‖, the
    Frobenius norm (square root of the sum of squares), biases left out."""
    return _ratios(_layer_blocks(snapshots, sizes), lambda B: _norm(np.diff(B, axis=0)),
                   lambda B: _norm(B[:-1]))


def _step(B):
    return _norm(np.diff(B, axis=0))


RELATIVE_CHANGES_SLIPS = {
    "the biases were counted in the norms":
        lambda S, sizes: _ratios(_layer_blocks(S, sizes, with_biases=True), _step,
                                 lambda B: _norm(B[:-1])),
    "the biases of the earlier layers were not skipped":
        lambda S, sizes: _ratios(_layer_blocks(S, sizes, skip_biases=False), _step,
                                 lambda B: _norm(B[:-1])),
    "the change was divided by ‖W_l‖ after the step, not before it":
        lambda S, sizes: _ratios(_layer_blocks(S, sizes), _step, lambda B: _norm(B[1:])),
    "the change was measured from the first frame, not from the frame before":
        lambda S, sizes: _ratios(_layer_blocks(S, sizes), lambda B: _norm(B[1:] - B[0]),
                                 lambda B: _norm(B[:-1])),
    "the squared norms were divided (the square roots are missing)":
        lambda S, sizes: _ratios(_layer_blocks(S, sizes), _step, lambda B: _norm(B[:-1]),
                                 power=2),
    "the change was not divided by ‖W_l‖":
        lambda S, sizes: _ratios(_layer_blocks(S, sizes), _step, lambda B: 1.0),
}


def _relative_changes_inputs(rng):
    sizes = _random_sizes(rng, int(rng.integers(2, 4)))
    n_frames = int(rng.integers(5, 9))         # n_frames − 1 > n_layers: a transpose shows
    start = rng.normal(size=_n_params(sizes))
    steps = rng.normal(0.0, 0.3, size=(n_frames - 1, start.size))
    return np.vstack([start, start + np.cumsum(steps, axis=0)]), sizes


def check_relative_changes(candidate):
    """Check relative_changes(snapshots, sizes) -> (n_frames − 1, n_layers) on random
    walks of the weights of nets with 2 or 3 weight layers."""
    return check(candidate, reference_relative_changes, _relative_changes_inputs,
                 name="relative_changes", trials=4, slips=RELATIVE_CHANGES_SLIPS)


EXERCISES = {
    "layer_history": check_layer_history,
    "hidden_activations": check_hidden_activations,
    "relative_changes": check_relative_changes,
}
