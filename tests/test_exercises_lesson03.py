"""Lesson 03 checkers: the references agree with independent computations (plain loops,
nnlib's batched backprop, nnlib.relative_error), and every kind of wrong answer gets the
right verdict."""

import numpy as np
import pytest

import nnlib
from nnlib.exercises.lesson03 import (
    check_batched_weight_gradient,
    check_relative_error,
    check_stacked_outer,
    reference_batched_weight_gradient,
    reference_relative_error,
    reference_stacked_outer,
)


def loop_outer(delta, A_prev):
    B, j = delta.shape
    k = A_prev.shape[1]
    out = np.zeros((B, j, k))
    for s in range(B):
        for i in range(j):
            for m in range(k):
                out[s, i, m] = delta[s, i] * A_prev[s, m]
    return out


def stub(*args):
    raise NotImplementedError


# -- the references are right ----------------------------------------------------------

def test_relative_error_reference_matches_a_plain_formula_and_nnlib():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=7), rng.normal(size=7)
    plain = np.sqrt(np.sum((a - b) ** 2)) / (np.sqrt(np.sum(a ** 2)) + np.sqrt(np.sum(b ** 2)))
    assert reference_relative_error(a, b) == pytest.approx(plain, rel=1e-14)
    assert reference_relative_error(a, b) == pytest.approx(nnlib.relative_error(a, b), rel=1e-14)
    assert reference_relative_error(a, a) == 0.0
    assert reference_relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert reference_relative_error(a, -a) == pytest.approx(1.0)


def test_stacked_outer_reference_matches_a_triple_loop():
    rng = np.random.default_rng(1)
    delta, A_prev = rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    got = reference_stacked_outer(delta, A_prev)
    assert got.shape == (5, 3, 4)
    assert np.allclose(got, loop_outer(delta, A_prev), rtol=1e-14, atol=0)


def test_batched_weight_gradient_reference_is_the_sum_of_outer_products():
    rng = np.random.default_rng(2)
    delta, A_prev = rng.normal(size=(6, 2)), rng.normal(size=(6, 5))
    expected = sum(np.outer(d, a) for d, a in zip(delta, A_prev))
    assert np.allclose(reference_batched_weight_gradient(delta, A_prev), expected,
                       rtol=1e-13, atol=1e-15)


def test_batched_weight_gradient_reproduces_nnlib_output_layer_gradient():
    """For an identity output with MSE, delta = (A − Y)/N, so Σ δ aᵀ is dLoss/dW of the last layer."""
    rng = np.random.default_rng(3)
    net = nnlib.MLP([3, 4, 2], activation="tanh", output_activation="identity", seed=3)
    X, Y = rng.normal(size=(9, 3)), rng.normal(size=(9, 2))
    _, As = net.forward_all(X)
    delta = (As[-1] - Y) / len(X)
    grad_W1 = net.weights.split(net.gradient(X, Y))[2]
    assert np.allclose(reference_batched_weight_gradient(delta, As[1]), grad_W1,
                       rtol=1e-12, atol=1e-15)


# -- the checkers' verdicts --------------------------------------------------------------

def test_relative_error_checker_verdicts():
    def good(a, b):
        return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))

    assert check_relative_error(good)
    assert check_relative_error(stub).status == "not implemented"
    assert check_relative_error(lambda a, b: None).status == "not implemented"
    # forgot the denominator: wrong values
    wrong = check_relative_error(lambda a, b: np.linalg.norm(a - b))
    assert wrong.status == "wrong values" and wrong.max_difference > 0
    # element-wise instead of norms: wrong shape (an array, not one number)
    elementwise = check_relative_error(lambda a, b: np.abs(a - b) / (np.abs(a) + np.abs(b)))
    assert elementwise.status == "wrong shape"
    assert check_relative_error(lambda a, b: 1 / 0).status == "error"


def test_stacked_outer_checker_verdicts():
    assert check_stacked_outer(lambda d, a: d[:, :, None] * a[:, None, :])
    assert check_stacked_outer(lambda d, a: np.matmul(d[:, :, None], a[:, None, :]))
    assert check_stacked_outer(stub).status == "not implemented"
    # the summed (j, k) gradient instead of the stack
    assert check_stacked_outer(lambda d, a: d.T @ a).status == "wrong shape"
    # swapped factors: (B, k, j)
    assert check_stacked_outer(lambda d, a: np.einsum("bj,bk->bkj", d, a)).status == "wrong shape"
    # right shape, wrong values (an extra factor)
    wrong = check_stacked_outer(lambda d, a: 2 * np.einsum("bj,bk->bjk", d, a))
    assert wrong.status == "wrong values"


def test_batched_weight_gradient_checker_verdicts():
    assert check_batched_weight_gradient(lambda d, a: np.einsum("bj,bk->jk", d, a))
    assert check_batched_weight_gradient(stub).status == "not implemented"
    assert check_batched_weight_gradient(lambda d, a: a.T @ d).status == "wrong shape"
    assert check_batched_weight_gradient(lambda d, a: np.einsum("bj,bk->bjk", d, a)).status \
        == "wrong shape"
    # averaged instead of summed: right shape, wrong values
    wrong = check_batched_weight_gradient(lambda d, a: d.T @ a / len(d))
    assert wrong.status == "wrong values" and wrong.max_difference > 0
