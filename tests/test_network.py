import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.special import expit
from sklearn.metrics import log_loss

from nnlib import MLP, numerical_gradient, relative_error
from nnlib.activations import HIDDEN

OUTPUT_AND_LOSS = [("identity", "mse"), ("sigmoid", "mse"), ("tanh", "mse"), ("relu", "mse"),
                   ("softmax", "mse"), ("sigmoid", "cross_entropy"), ("softmax", "cross_entropy")]


def random_problem(net, n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, net.sizes[0]))
    Y = rng.uniform(size=(n, net.sizes[-1]))
    if net.output_activation.name == "softmax":
        Y /= Y.sum(axis=1, keepdims=True)
    return X, Y


def widen_softmax(sizes, output):
    """sizes with at least 2 outputs for a softmax output layer (MLP refuses 1)."""
    return [*sizes[:-1], max(sizes[-1], 2)] if output == "softmax" else sizes


def group_errors(net, X, Y):
    """Relative error of the analytic gradient per parameter group vs centred differences."""
    analytic = net.gradient(X, Y)
    # eps = 1e-5 balances truncation (~eps²) against rounding (~1e-16 · loss / eps)
    numeric = numerical_gradient(lambda _: net.loss(X, Y), net.weights.flat, eps=1e-5)
    return [relative_error(a, n) for a, n in
            zip(net.weights.split(analytic), net.weights.split(numeric))]


@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4),
       activation=st.sampled_from(sorted(HIDDEN)),
       output_and_loss=st.sampled_from(OUTPUT_AND_LOSS),
       n=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_gradient_matches_centred_differences_for_every_group(sizes, activation,
                                                               output_and_loss, n, seed):
    output, loss = output_and_loss
    net = MLP(widen_softmax(sizes, output), activation, output, loss, init="uniform", seed=seed)
    X, Y = random_problem(net, n, seed)
    Zs, _ = net.forward_all(X)
    # centred differences across a ReLU kink are not derivatives: keep away from them
    assume(all(np.abs(Z).min() > 1e-4 for Z in Zs))
    norms = [np.linalg.norm(g) for g in net.weights.split(net.gradient(X, Y))]
    assume(min(norms) > 1e-4)  # below this, finite-difference rounding noise dominates
    assert max(group_errors(net, X, Y)) <= 1e-7


@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),
       activation=st.sampled_from(sorted(HIDDEN)),
       output_and_loss=st.sampled_from(OUTPUT_AND_LOSS),
       n=st.integers(1, 20), seed=st.integers(0, 2**16))
def test_batched_gradient_equals_per_example_gradient(sizes, activation, output_and_loss, n, seed):
    output, loss = output_and_loss
    net = MLP(widen_softmax(sizes, output), activation, output, loss, seed=seed)
    X, Y = random_problem(net, n, seed)
    assert np.abs(net.gradient(X, Y) - net.gradient_per_example(X, Y)).max() <= 1e-12


def test_forward_matches_a_hand_written_two_layer_net():
    net = MLP([3, 4, 2], activation="tanh", output_activation="sigmoid", seed=1)
    X = np.random.default_rng(2).normal(size=(5, 3))
    W0, W1 = net.Ws
    b0, b1 = net.bs
    expected = expit(np.tanh(X @ W0.T + b0) @ W1.T + b1)
    assert np.allclose(net.forward(X), expected, rtol=0, atol=1e-15)
    Zs, As = net.forward_all(X)
    assert [Z.shape for Z in Zs] == [(5, 4), (5, 2)]
    assert As[0] is not None and np.array_equal(As[0], X) and np.array_equal(As[2], net.forward(X))


def test_mse_is_the_mean_of_half_squared_errors():
    net = MLP([2, 3, 2], output_activation="identity", seed=0)
    X, Y = random_problem(net, 7, 0)
    A = net.forward(X)
    assert net.loss(X, Y) == pytest.approx(np.mean(0.5 * np.sum((A - Y) ** 2, axis=1)))


def test_cross_entropy_agrees_with_scikit_learn():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    binary = MLP([2, 3, 1], output_activation="sigmoid", loss="cross_entropy", seed=0)
    y = (rng.uniform(size=40) > 0.5).astype(float)
    p = binary.forward(X)[:, 0]
    assert binary.loss(X, y[:, None]) == pytest.approx(log_loss(y, p), rel=1e-10)
    categorical = MLP([2, 3, 4], output_activation="softmax", loss="cross_entropy", seed=0)
    labels = rng.integers(0, 4, size=40)
    P = categorical.forward(X)
    assert categorical.loss(X, np.eye(4)[labels]) == pytest.approx(
        log_loss(labels, P, labels=range(4)), rel=1e-10)


def test_cross_entropy_is_stable_when_the_output_saturates():
    net = MLP([1, 1], output_activation="sigmoid", loss="cross_entropy", seed=0)
    net.Ws[0][:] = 1000.0
    X, Y = np.array([[1.0], [-1.0]]), np.array([[0.0], [1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = net.loss(X, Y)
        grad = net.gradient(X, Y)
    assert loss == pytest.approx(1000.0) and np.all(np.isfinite(grad))


def test_layout_and_views():
    net = MLP([2, 3, 1], seed=0)
    assert net.weights.shapes == [(3, 2), (3,), (1, 3), (1,)]
    for view in (*net.Ws, *net.bs):
        assert np.shares_memory(view, net.weights.flat)
    net.Ws[1][:] = 7.0
    assert np.all(net.weights.flat[9:12] == 7.0)


def test_weights_cannot_be_rebound_by_mistake():
    net = MLP([2, 3, 1], seed=0)
    with pytest.raises(TypeError, match=r"net.Ws\[0\]\[:\] = "):
        net.Ws[0] = np.zeros((3, 2))
    with pytest.raises(TypeError, match=r"net.bs\[1\]\[:\] = "):
        net.bs[1] = np.zeros(1)
    with pytest.raises(AttributeError, match="in place"):
        net.Ws = []


def test_in_place_updates_through_the_views_keep_the_link():
    # `net.Ws[0] /= 2` divides in place and then assigns the same view back: allowed.
    net = MLP([2, 3, 1], seed=0)
    W0, b1, before = net.Ws[0], net.bs[1], net.weights.flat.copy()
    net.Ws[0] /= 2
    net.bs[-1] += 1.0
    assert net.Ws[0] is W0 and net.bs[1] is b1 and np.shares_memory(W0, net.weights.flat)
    assert np.array_equal(net.weights.flat[:6], before[:6] / 2)
    assert net.weights.flat[-1] == before[-1] + 1.0
    # Any other array is still refused, even an equal one or another layer's view.
    for value in (W0.copy(), net.Ws[1]):
        with pytest.raises(TypeError, match=r"net.Ws\[0\]\[:\] = "):
            net.Ws[0] = value
    with pytest.raises(TypeError, match="view into net.weights.flat"):
        net.Ws[5] = W0


@pytest.mark.parametrize("init, variance", [("xavier", lambda i, o: 2 / (i + o)),
                                            ("he", lambda i, o: 2 / i),
                                            ("uniform", lambda i, o: 1 / (3 * i))])
def test_initial_weights_have_the_scheme_variance(init, variance):
    net = MLP([400, 300, 200], init=init, seed=0)
    for W in net.Ws:
        n_out, n_in = W.shape
        assert W.mean() == pytest.approx(0, abs=0.01 * np.sqrt(variance(n_in, n_out)) * 10)
        assert W.var() == pytest.approx(variance(n_in, n_out), rel=0.02)


def test_seed_makes_initial_weights_reproducible():
    a, b, c = MLP([3, 4, 1], seed=5), MLP([3, 4, 1], seed=5), MLP([3, 4, 1], seed=6)
    assert np.array_equal(a.weights.flat, b.weights.flat)
    assert not np.array_equal(a.weights.flat, c.weights.flat)


def test_copy_is_independent_and_equal():
    net = MLP([2, 3, 1], activation="relu", seed=0)
    twin = net.copy()
    X = np.ones((2, 2))
    assert np.array_equal(twin.forward(X), net.forward(X))
    twin.weights.flat[:] = 0
    assert not np.array_equal(twin.forward(X), net.forward(X))
    assert twin.activation.name == "relu"


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_general_bp1_equals_the_a_minus_y_shortcut_for_cross_entropy(output):
    net = MLP([3, 4], output_activation=output, loss="cross_entropy", seed=0)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 3))
    Y = np.eye(4)[rng.integers(0, 4, size=6)] if output == "softmax" else rng.uniform(size=(6, 4))
    Zs, As = net.forward_all(X)
    general = net.output_activation.backward(net.loss_fn.grad_A(As[-1], Y), Zs[-1], As[-1])
    assert np.abs(general - (As[-1] - Y)).max() <= 1e-12


def test_softmax_cross_entropy_refuses_rows_that_do_not_sum_to_one():
    net = MLP([2, 3], output_activation="softmax", loss="cross_entropy", seed=0)
    X = np.ones((2, 2))
    Y = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5 + 1e-6]])
    with pytest.raises(ValueError, match=r"row 1 sums to 1\.000001"):
        net.gradient(X, Y)
