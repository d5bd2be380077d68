"""Lesson 01 checkers: references agree with independent computations, and every
kind of wrong answer gets the right verdict."""

import numpy as np
import pytest

import nnlib
from nnlib.exercises.lesson01 import (
    check_backprop_chain,
    check_sigmoid_prime,
    reference_backprop_chain,
    reference_sigmoid_prime,
)


def plain_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- the references are right ----------------------------------------------------------

def test_sigmoid_prime_reference_matches_centred_differences():
    z = np.linspace(-8, 8, 41)
    h = 1e-5
    numeric = (plain_sigmoid(z + h) - plain_sigmoid(z - h)) / (2 * h)
    assert np.allclose(reference_sigmoid_prime(z), numeric, rtol=1e-7, atol=1e-10)
    assert reference_sigmoid_prime(np.zeros((2, 3))).shape == (2, 3)


def chain_cost(X, Y, w, b):
    a = X
    for w_l, b_l in zip(w, b):
        a = plain_sigmoid(w_l * a + b_l)
    return float(np.mean(0.5 * (a - Y) ** 2))


@pytest.mark.parametrize("n_layers", [1, 2, 3, 5])
def test_backprop_chain_reference_matches_finite_differences_and_nnlib(n_layers):
    rng = np.random.default_rng(n_layers)
    X = rng.normal(0, 2, size=(7, 1))
    Y = rng.uniform(0, 1, size=(7, 1))
    w = rng.normal(0, 1.5, size=n_layers)
    b = rng.normal(0, 1, size=n_layers)
    dw, db = reference_backprop_chain(X, Y, w, b)

    theta = np.column_stack([w, b]).ravel()          # w1, b1, w2, b2, ...
    numeric = nnlib.numerical_gradient(
        lambda t: chain_cost(X, Y, t[0::2], t[1::2]), theta)
    assert nnlib.relative_error(np.column_stack([dw, db]).ravel(), numeric) < 1e-7

    net = nnlib.MLP([1] * (n_layers + 1), loss="mse")
    for l in range(n_layers):
        net.Ws[l][:] = w[l]
        net.bs[l][:] = b[l]
    assert nnlib.relative_error(np.column_stack([dw, db]).ravel(), net.gradient(X, Y)) < 1e-12


# -- the checkers' verdicts --------------------------------------------------------------

def test_sigmoid_prime_checker_verdicts():
    assert check_sigmoid_prime(lambda z: plain_sigmoid(z) * (1 - plain_sigmoid(z)))

    def stub(z):
        raise NotImplementedError

    assert check_sigmoid_prime(stub).status == "not implemented"
    slip = check_sigmoid_prime(lambda z: plain_sigmoid(z) * (1 - z))     # σ(z)(1 − z)
    assert slip.status == "wrong values" and slip.max_difference > 0.1
    assert check_sigmoid_prime(lambda z: np.sum(plain_sigmoid(z) * (1 - plain_sigmoid(z)))
                               ).status == "wrong shape"


def plain_backprop_chain(X, Y, w, b):
    """An independent solution: one sample at a time, scalar formulas."""
    L = len(w)
    dw, db = np.zeros(L), np.zeros(L)
    for x, y in zip(X[:, 0], Y[:, 0]):
        a = [x]
        for l in range(L):
            a.append(plain_sigmoid(w[l] * a[-1] + b[l]))
        delta = (a[-1] - y) * a[-1] * (1 - a[-1])
        for l in reversed(range(L)):
            dw[l] += a[l] * delta
            db[l] += delta
            delta = w[l] * delta * a[l] * (1 - a[l])
    return dw / len(X), db / len(X)


def test_backprop_chain_checker_verdicts():
    assert check_backprop_chain(plain_backprop_chain)
    assert check_backprop_chain(reference_backprop_chain)

    def stub(X, Y, w, b):
        raise NotImplementedError

    assert check_backprop_chain(stub).status == "not implemented"

    def summed_not_mean(X, Y, w, b):
        dw, db = plain_backprop_chain(X, Y, w, b)
        return dw * len(X), db * len(X)

    assert check_backprop_chain(summed_not_mean).status == "wrong values"

    def per_sample(X, Y, w, b):           # returns (N, L) arrays: forgot to average
        rows = [plain_backprop_chain(X[i:i + 1], Y[i:i + 1], w, b) for i in range(len(X))]
        return np.array([r[0] for r in rows]), np.array([r[1] for r in rows])

    assert check_backprop_chain(per_sample).status == "wrong shape"

    def only_weights(X, Y, w, b):
        return plain_backprop_chain(X, Y, w, b)[0]

    assert check_backprop_chain(only_weights).status == "wrong shape"
