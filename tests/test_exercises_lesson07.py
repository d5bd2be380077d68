"""Lesson 07 checkers: the references agree with nnlib's own layout and forward pass,
and every kind of wrong answer gets the right verdict."""

import numpy as np
import pytest

import nnlib
from nnlib.exercises.lesson07 import (
    check_hidden_activations,
    check_layer_history,
    reference_hidden_activations,
    reference_layer_history,
)

# -- the references are right ----------------------------------------------------------------

@pytest.mark.parametrize("sizes", [[3, 4, 2], [2, 5, 3, 1], [4, 1, 1]])
def test_layer_history_reference_matches_net_weights_split(sizes):
    net = nnlib.MLP(sizes, seed=0)
    snapshots = np.random.default_rng(1).normal(size=(4, net.weights.size))
    for layer in range(net.n_layers):
        expected = np.array([net.weights.split(flat)[2 * layer] for flat in snapshots])
        np.testing.assert_array_equal(reference_layer_history(snapshots, sizes, layer), expected)


def test_hidden_activations_reference_matches_forward_all():
    net = nnlib.MLP([3, 4, 1], activation="tanh", seed=2)
    X = np.random.default_rng(3).normal(size=(6, 3))
    expected = net.forward_all(X)[1][1]
    np.testing.assert_allclose(reference_hidden_activations(net.weights.flat, net.sizes, X),
                               expected, rtol=1e-14)


# -- the checkers' verdicts --------------------------------------------------------------

def stub(*args):
    raise NotImplementedError


def test_layer_history_checker_verdicts():
    def plain(snapshots, sizes, layer):        # an independent solution: one frame at a time
        start = sum(sizes[l] * sizes[l + 1] + sizes[l + 1] for l in range(layer))
        n_in, n_out = sizes[layer], sizes[layer + 1]
        return np.stack([flat[start:start + n_in * n_out].reshape(n_out, n_in)
                         for flat in snapshots])

    assert check_layer_history(plain)
    assert check_layer_history(stub).status == "not implemented"

    def forgot_biases(snapshots, sizes, layer):  # skips W's but not b's of earlier layers
        start = sum(sizes[l] * sizes[l + 1] for l in range(layer))
        n_in, n_out = sizes[layer], sizes[layer + 1]
        return snapshots[:, start:start + n_in * n_out].reshape(-1, n_out, n_in)

    assert check_layer_history(forgot_biases).status == "wrong values"

    def column_major(snapshots, sizes, layer):   # (n_in, n_out) then transposed
        return plain(snapshots, sizes, layer).reshape(len(snapshots), sizes[layer],
                                                      sizes[layer + 1]).transpose(0, 2, 1)

    assert check_layer_history(column_major).status == "wrong values"

    def last_frame_only(snapshots, sizes, layer):
        return plain(snapshots, sizes, layer)[-1]

    assert check_layer_history(last_frame_only).status == "wrong shape"


def test_hidden_activations_checker_verdicts():
    def plain(flat, sizes, X):
        n_in, n_hidden = sizes[:2]
        W = flat[:n_in * n_hidden].reshape(n_hidden, n_in)
        b = flat[n_in * n_hidden:n_in * n_hidden + n_hidden]
        return np.array([[np.tanh(W[j] @ x + b[j]) for j in range(n_hidden)] for x in X])

    assert check_hidden_activations(plain)
    assert check_hidden_activations(stub).status == "not implemented"

    def sigmoid_not_tanh(flat, sizes, X):
        return (np.tanh(np.arctanh(np.clip(plain(flat, sizes, X), -1 + 1e-12, 1 - 1e-12)) / 2)
                + 1) / 2                  # σ(z) = (tanh(z/2) + 1) / 2

    assert check_hidden_activations(sigmoid_not_tanh).status == "wrong values"

    def transposed(flat, sizes, X):
        return plain(flat, sizes, X).T

    verdict = check_hidden_activations(transposed)
    assert verdict.status in ("wrong shape", "wrong values") and not verdict
