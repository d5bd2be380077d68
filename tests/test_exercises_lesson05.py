"""Checkers of lesson 05: the right verdict for right, wrong and unfinished answers,
and references that agree with nnlib and with finite differences."""

import numpy as np

import nnlib
from nnlib.exercises.lesson05 import (
    check_affine_backward,
    check_forward_221,
    reference_affine_backward,
    reference_forward_221,
)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- forward_221 ------------------------------------------------------------------------
def explicit_forward_221(X, W0, b0, W1, b1):
    """Neuron by neuron, as the lesson writes it out by hand."""
    x0, x1 = X[:, 0], X[:, 1]
    h0 = sigmoid(x0 * W0[0, 0] + x1 * W0[0, 1] + b0[0])
    h1 = sigmoid(x0 * W0[1, 0] + x1 * W0[1, 1] + b0[1])
    return sigmoid(h0 * W1[0, 0] + h1 * W1[0, 1] + b1[0]).reshape(-1, 1)


def test_forward_221_reference_agrees_with_nnlib():
    net = nnlib.MLP([2, 2, 1], activation="sigmoid", seed=3)
    X = np.random.default_rng(0).normal(size=(7, 2))
    expected = net.forward(X)
    got = reference_forward_221(X, net.Ws[0], net.bs[0], net.Ws[1], net.bs[1])
    assert np.allclose(got, expected, rtol=0, atol=1e-14)


def test_forward_221_verdicts():
    assert check_forward_221(explicit_forward_221).status == "correct"

    def swapped_from_to(X, W0, b0, W1, b1):     # W[from, to] instead of W[to, from]
        return explicit_forward_221(X, W0.T, b0, W1, b1)

    def relu_hidden(X, W0, b0, W1, b1):         # the mix-up of the original notes
        H = np.maximum(X @ W0.T + b0, 0)
        return sigmoid(H @ W1.T + b1)

    for wrong in (swapped_from_to, relu_hidden):
        verdict = check_forward_221(wrong)
        assert verdict.status == "wrong values" and verdict.max_difference > 0

    flat = check_forward_221(lambda X, W0, b0, W1, b1: explicit_forward_221(X, W0, b0, W1, b1).ravel())
    assert flat.status == "wrong shape" and "shape (8,), expected (8, 1)" in repr(flat)

    def stub(X, W0, b0, W1, b1):
        raise NotImplementedError

    assert check_forward_221(stub).status == "not implemented"


# -- affine_backward ---------------------------------------------------------------------
def test_affine_backward_reference_matches_finite_differences():
    rng = np.random.default_rng(1)
    A_in, W, b = rng.normal(size=(5, 3)), rng.normal(size=(2, 3)), rng.normal(size=2)
    target = rng.normal(size=(5, 2))

    def loss():            # any scalar function of Z works; this one has dL/dZ = Z - target
        Z = A_in @ W.T + b
        return 0.5 * np.sum((Z - target) ** 2)

    grad_out = A_in @ W.T + b - target
    grad_A, grad_W, grad_b = reference_affine_backward(grad_out, A_in, W)
    for array, analytic in ((A_in, grad_A), (W, grad_W), (b, grad_b)):
        numeric = nnlib.numerical_gradient(lambda _: loss(), array.reshape(-1)).reshape(array.shape)
        assert nnlib.relative_error(analytic, numeric) < 1e-8


def test_affine_backward_verdicts():
    def solution(grad_out, A_in, W):
        return grad_out @ W, grad_out.T @ A_in, grad_out.sum(axis=0)

    assert check_affine_backward(solution).status == "correct"

    def transposed_bug(grad_out, A_in, W):      # per sample: M @ g instead of M.T @ g
        return grad_out @ W.T, grad_out.T @ A_in, grad_out.sum(axis=0)

    verdict = check_affine_backward(transposed_bug)
    assert verdict.status == "wrong values" and "result 0" in repr(verdict)

    def mean_bias(grad_out, A_in, W):
        return grad_out @ W, grad_out.T @ A_in, grad_out.mean(axis=0)

    assert check_affine_backward(mean_bias).status == "wrong values"

    def transposed_weight_gradient(grad_out, A_in, W):
        return grad_out @ W, A_in.T @ grad_out, grad_out.sum(axis=0)

    # The first input set is square, so the transposed (n_in, n_out) result has the right
    # shape there and is caught by its values.
    verdict = check_affine_backward(transposed_weight_gradient)
    assert verdict.status == "wrong values" and "result 1" in repr(verdict)

    def two_results(grad_out, A_in, W):
        return grad_out @ W, grad_out.T @ A_in

    assert check_affine_backward(two_results).status == "wrong shape"

    def keepdims_bias(grad_out, A_in, W):
        return grad_out @ W, grad_out.T @ A_in, grad_out.sum(axis=0, keepdims=True)

    verdict = check_affine_backward(keepdims_bias)
    assert verdict.status == "wrong shape" and "(1, 3)" in repr(verdict)

    def stub(grad_out, A_in, W):
        raise NotImplementedError

    assert check_affine_backward(stub).status == "not implemented"
