"""Lesson 02 checkers: references agree with independent computations (plain loops,
centred differences, nnlib), and every kind of wrong answer gets the right verdict."""

import numpy as np

import nnlib
from nnlib.exercises.lesson02 import (
    check_layer_backward,
    check_layer_forward,
    check_softmax_ce_delta,
    reference_layer_backward,
    reference_layer_forward,
    reference_softmax_ce_delta,
)


def plain_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- the references are right ----------------------------------------------------------

def test_layer_forward_reference_matches_a_loop_over_samples_and_neurons():
    rng = np.random.default_rng(1)
    A, W, b = rng.normal(size=(5, 3)), rng.normal(size=(4, 3)), rng.normal(size=4)
    Z = np.array([[sum(W[j, k] * A[n, k] for k in range(3)) + b[j] for j in range(4)]
                  for n in range(5)])
    assert np.allclose(reference_layer_forward(A, W, b), Z)


def test_layer_backward_reference_matches_centred_differences():
    # A two-layer sigmoid net, mean cost ½‖a − y‖²: the reference must give layer 2's
    # gradients and layer 1's delta (= dC/dZ1) that finite differences agree with.
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))
    W1, b1, W2, b2 = (rng.normal(size=s) for s in [(4, 3), (4,), (2, 4), (2,)])

    def cost_from_Z1(Z1):
        A2 = plain_sigmoid(plain_sigmoid(Z1) @ W2.T + b2)
        return 0.5 * np.sum((A2 - Y) ** 2) / len(X)

    Z1 = X @ W1.T + b1
    A1 = plain_sigmoid(Z1)
    A2 = plain_sigmoid(A1 @ W2.T + b2)
    delta2 = (A2 - Y) * A2 * (1 - A2) / len(X)
    dW2, db2, delta1 = reference_layer_backward(delta2, W2, A1)

    flat_Z1 = Z1.ravel().copy()
    numeric = nnlib.numerical_gradient(lambda z: cost_from_Z1(z.reshape(Z1.shape)), flat_Z1)
    assert nnlib.relative_error(delta1.ravel(), numeric) < 1e-7

    net = nnlib.MLP([3, 4, 2], loss="mse")
    net.Ws[0][:], net.bs[0][:], net.Ws[1][:], net.bs[1][:] = W1, b1, W2, b2
    grad = net.weights.split(net.gradient(X, Y))
    assert np.allclose(grad[2], dW2) and np.allclose(grad[3], db2)
    dW1, db1, _ = reference_layer_backward(delta1, W1, X)   # delta_prev unused for inputs
    assert np.allclose(grad[0], dW1) and np.allclose(grad[1], db1)


# -- the checkers' verdicts --------------------------------------------------------------

def test_layer_forward_checker_verdicts():
    assert check_layer_forward(lambda A, W, b: np.einsum("nk,jk->nj", A, W) + b)

    def stub(A, W, b):
        raise NotImplementedError

    assert check_layer_forward(stub).status == "not implemented"
    assert check_layer_forward(lambda A, W, b: A @ W.T).status == "wrong values"
    columns = check_layer_forward(lambda A, W, b: W @ A.T + b[:, None])   # samples as columns
    assert columns.status == "wrong shape"


def plain_layer_backward(delta, W, A_prev):
    """An independent solution with explicit sums over samples and neurons."""
    N, n_out = delta.shape
    n_in = W.shape[1]
    dW = np.zeros((n_out, n_in))
    db = np.zeros(n_out)
    delta_prev = np.zeros((N, n_in))
    for n in range(N):
        for j in range(n_out):
            db[j] += delta[n, j]
            for k in range(n_in):
                dW[j, k] += delta[n, j] * A_prev[n, k]
        for k in range(n_in):
            upstream = sum(W[j, k] * delta[n, j] for j in range(n_out))
            delta_prev[n, k] = upstream * A_prev[n, k] * (1 - A_prev[n, k])
    return dW, db, delta_prev


def test_layer_backward_checker_verdicts():
    assert check_layer_backward(plain_layer_backward)

    def stub(delta, W, A_prev):
        raise NotImplementedError

    assert check_layer_backward(stub).status == "not implemented"

    def no_derivative(delta, W, A_prev):          # forgot ⊙ σ'(Z_prev)
        dW, db, _ = plain_layer_backward(delta, W, A_prev)
        return dW, db, delta @ W

    assert check_layer_backward(no_derivative).status == "wrong values"

    def transposed_dW(delta, W, A_prev):
        dW, db, delta_prev = plain_layer_backward(delta, W, A_prev)
        return dW.T, db, delta_prev

    verdict = check_layer_backward(transposed_dW)
    assert verdict.status == "wrong shape" and "result 0" in repr(verdict)

    def two_results(delta, W, A_prev):
        return plain_layer_backward(delta, W, A_prev)[:2]

    assert check_layer_backward(two_results).status == "wrong shape"


# -- softmax_ce_delta -------------------------------------------------------------------

def plain_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_softmax_ce_delta_reference_matches_finite_differences_and_nnlib():
    rng = np.random.default_rng(3)
    Z = rng.normal(0, 3, size=(6, 4))
    Y = np.eye(4)[rng.integers(0, 4, size=6)]

    def mean_cross_entropy(z):
        return -np.sum(Y * np.log(plain_softmax(z.reshape(Z.shape)))) / len(Z)

    delta = reference_softmax_ce_delta(Z, Y)
    numeric = nnlib.numerical_gradient(mean_cross_entropy, Z.ravel().copy())
    assert nnlib.relative_error(delta.ravel(), numeric) < 1e-7

    # nnlib's gradient of a one-layer softmax net is Δᵀ X and the column sums of Δ
    X = rng.normal(size=(6, 3))
    net = nnlib.MLP([3, 4], output_activation="softmax", loss="cross_entropy", seed=0)
    dW, db = net.weights.split(net.gradient(X, Y))
    delta = reference_softmax_ce_delta(X @ net.Ws[0].T + net.bs[0], Y)
    assert np.allclose(dW, delta.T @ X, rtol=1e-12) and np.allclose(db, delta.sum(axis=0))


def test_softmax_ce_delta_checker_verdicts():
    def by_the_jacobian(Z, Y):       # an independent solution: J(z)ᵀ ∇ₐC, one row at a time
        A = plain_softmax(Z)
        rows = [(np.diag(a) - np.outer(a, a)).T @ (-y / a) for a, y in zip(A, Y)]
        return np.array(rows) / len(Z)

    assert check_softmax_ce_delta(by_the_jacobian)

    def stub(Z, Y):
        raise NotImplementedError

    assert check_softmax_ce_delta(stub).status == "not implemented"

    def with_sigmoid_prime(Z, Y):    # ⊙ a(1 − a), as if softmax were element-wise
        A = plain_softmax(Z)
        return (A - Y) * A * (1 - A) / len(Z)

    def without_the_mean(Z, Y):
        return plain_softmax(Z) - Y

    def softmax_over_columns(Z, Y):  # normalised down the samples, not across a row
        E = np.exp(Z - Z.max(axis=0))
        return (E / E.sum(axis=0) - Y) / len(Z)

    for wrong in (with_sigmoid_prime, without_the_mean, softmax_over_columns):
        verdict = check_softmax_ce_delta(wrong)
        assert verdict.status == "wrong values" and verdict.max_difference > 1e-3, wrong.__name__

    transposed = check_softmax_ce_delta(lambda Z, Y: by_the_jacobian(Z, Y).T)
    assert transposed.status == "wrong shape"
