"""nnlib.experiments against independent references: a plain gradient-descent loop,
nnlib.train from the same checkpoint, nnlib.gradient_check, and separate runs per rate."""

import functools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib
from nnlib.data import make_data, target_data
from nnlib.experiments import (
    GRADCHECK_EPS,
    GRADCHECK_MAX_PARAMS,
    GRADCHECK_SAMPLES,
    build_net,
    gradient_descent_losses,
    learning_potential,
    lr_grid_search,
    sharpness_every_step,
    train_run,
)


# -- the network and the potential ----------------------------------------------------
@pytest.mark.parametrize("activation, init", [("tanh", "xavier"), ("relu", "he"),
                                              ("leaky_relu", "he"), ("sigmoid", "xavier")])
def test_build_net_is_the_mlp_it_describes(activation, init):
    net = build_net(3, [5, 4], activation, seed=7)
    twin = nnlib.MLP([3, 5, 4, 1], activation=activation, output_activation="sigmoid",
                     loss="cross_entropy", init=init, seed=7)
    np.testing.assert_array_equal(net.weights.flat, twin.weights.flat)
    X = np.random.default_rng(0).normal(size=(6, 3))
    Y = (X[:, :1] > 0).astype(float)
    np.testing.assert_array_equal(net.forward(X), twin.forward(X))
    assert net.loss(X, Y) == twin.loss(X, Y)


@given(st.floats(1e-12, 1e6), st.floats(1e-12, 1e6))
def test_learning_potential_differences_count_factors_of_e(loss, start):
    assert learning_potential(loss) == pytest.approx(-math.log(loss))
    # what the potential does count: factors of e between two losses
    gained = learning_potential(loss) - learning_potential(start)
    assert gained == pytest.approx(math.log(start / loss), rel=1e-9, abs=1e-9)


def test_learning_potential_is_never_nan():
    assert learning_potential(float("inf")) == -math.inf
    assert learning_potential(float("nan")) == -math.inf
    assert learning_potential(0.0) == math.inf


# -- one run against references ----------------------------------------------------------
def plain_full_batch_sgd(net, X, Y, lr, steps):
    """Reference: full-batch gradient descent written out, with per-layer gradient norms."""
    losses, norms = [], []
    for _ in range(steps):
        losses.append(net.loss(X, Y))
        grad = net.gradient(X, Y)
        views = net.weights.split(grad)
        norms.append([np.sqrt(np.sum(views[2 * l] ** 2) + np.sum(views[2 * l + 1] ** 2))
                      for l in range(net.n_layers)])
        net.weights.flat[:] = net.weights.flat - lr * grad
    return np.array(losses), np.array(norms)


def test_train_run_matches_a_plain_loop_from_the_checkpoint():
    data = make_data("moons", n=80, noise=0.2, seed=1)
    net = build_net(2, [5, 3], "tanh", seed=1)
    checkpoint = net.weights.flat.copy()
    run = train_run(net, data, lr=0.5, steps=140, batch_size=None, checkpoint=checkpoint)
    trained = net.weights.flat.copy()

    net.weights.flat[:] = checkpoint   # (140 steps: more than two of the recorder's blocks)
    losses, norms = plain_full_batch_sgd(net, data[0], data[1], 0.5, 140)
    np.testing.assert_allclose(run.history.losses, losses, rtol=1e-10)
    np.testing.assert_allclose(run.grad_norms, norms, rtol=1e-10)
    np.testing.assert_allclose(trained, net.weights.flat, rtol=1e-10)
    assert run.final_loss == pytest.approx(net.loss(data[0], data[1]))
    assert run.initial_loss == pytest.approx(losses[0])
    assert run.potential == pytest.approx(-np.log(run.final_loss))
    assert run.batch_size == len(data[0]) and run.message == "" and not run.diverged

    # the same settings from the same checkpoint give the same run, however the net was left
    net.weights.flat[:] = 123.0
    again = train_run(net, data, lr=0.5, steps=140, batch_size=None, checkpoint=checkpoint)
    np.testing.assert_array_equal(again.history.losses, run.history.losses)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "rmsprop", "adam"])
def test_train_run_is_nnlib_train_from_the_same_checkpoint(optimizer):
    data = make_data("circles", n=100, noise=0.1, seed=0)  # 75 training samples
    X, Y, X_test, Y_test = data
    net = build_net(2, [6], "relu", seed=0)
    checkpoint = net.weights.flat.copy()
    run = train_run(net, data, lr=0.05, steps=50, optimizer=optimizer, batch_size=16, seed=3,
                    checkpoint=checkpoint)

    twin = build_net(2, [6], "relu", seed=0)
    # train_run records gradient norms with a callback, so plain SGD takes its unfused
    # update (flat -= lr * grad, rounded once more); the twin gets a callback too
    history = nnlib.train(twin, X, Y, optimizer=optimizer, lr=0.05, steps=50, batch_size=16,
                          seed=3, test_data=(X_test, Y_test), callback=lambda *_: False)
    np.testing.assert_array_equal(run.history.losses, history.losses)
    np.testing.assert_array_equal(net.weights.flat, twin.weights.flat)
    # 5 steps per epoch (75 / 16 rounded up): the test loss after epochs 1 … 10
    np.testing.assert_array_equal(run.test_steps, np.arange(5, 51, 5))
    np.testing.assert_array_equal(run.test_losses, history.test_losses)
    assert run.test_losses[-1] == pytest.approx(twin.loss(X_test, Y_test))
    assert run.final_test_loss == pytest.approx(twin.loss(X_test, Y_test))
    assert run.accuracy == pytest.approx(np.mean((twin.forward(X_test) > 0.5) == (Y_test > 0.5)))
    assert run.grad_norms.shape == (50, 2) and np.isfinite(run.grad_norms).all()


def test_a_run_stopped_mid_epoch_scores_the_test_set_at_its_last_step():
    data = make_data("moons", n=100, noise=0.1, seed=0)  # 75 samples: 3 steps per epoch of 32
    net = build_net(2, [4], "tanh", seed=0)
    run = train_run(net, data, lr=0.1, steps=7, batch_size=32)
    np.testing.assert_array_equal(run.test_steps, [3, 6, 7])
    assert run.test_losses[-1] == pytest.approx(net.loss(data[2], data[3]))


def test_scipy_methods_count_iterations():
    data = make_data("XOR", n=40, noise=0.1, seed=0)
    net = build_net(2, [4], "tanh", seed=0)
    run = train_run(net, data, steps=15, optimizer="lbfgs")
    assert run.history.steps <= 15
    np.testing.assert_array_equal(run.test_steps, np.arange(1, run.history.steps + 1))
    assert run.final_loss < run.initial_loss and run.message == ""


def test_the_gradient_check_is_nnlib_gradient_check_of_the_trained_net():
    data = make_data("moons", n=100, seed=0)
    X, Y = data[0][:GRADCHECK_SAMPLES], data[1][:GRADCHECK_SAMPLES]
    net = build_net(2, [6], "tanh", seed=0)
    run = train_run(net, data, lr=0.3, steps=30)
    reference = nnlib.gradient_check(net, X, Y, eps=GRADCHECK_EPS)
    assert run.grad_check.max_error == reference.max_error
    assert run.grad_check_verdict == reference.verdict == "passed"

    skipped = train_run(net, data, lr=0.3, steps=5, grad_check=False)
    assert skipped.grad_check is None and skipped.grad_check_verdict == "skipped"
    wide = build_net(2, [40, 40], "tanh", seed=0)
    assert wide.weights.size > GRADCHECK_MAX_PARAMS
    too_big = train_run(wide, data, lr=0.3, steps=5)
    assert too_big.grad_check is None and too_big.grad_check_verdict == "skipped"


def test_a_diverging_run_is_reported_not_raised():
    data = make_data("moons", n=100, noise=0.1, seed=0)
    net = build_net(2, [8, 8], "identity", seed=0)
    with pytest.raises(nnlib.TrainingDiverged) as raised:
        nnlib.train(build_net(2, [8, 8], "identity", seed=0), data[0], data[1], lr=10.0,
                    steps=200, batch_size=32, seed=0)
    run = train_run(net, data, lr=10.0, steps=200, batch_size=32)
    assert run.diverged and run.history.steps == raised.value.history.steps < 200
    assert run.final_loss == run.final_test_loss == math.inf and run.accuracy == 0.0
    assert run.potential == -math.inf and run.message
    assert run.grad_check is None and run.grad_check_verdict == "skipped"
    assert np.isfinite(run.history.losses).all()
    assert run.grad_norms.shape == (run.history.steps, net.n_layers)


def test_a_too_large_rate_that_does_not_blow_up_is_flagged():
    data = make_data("moons", n=200, noise=0.15, seed=0)
    net = build_net(2, [8, 8], "tanh", seed=0)
    run = train_run(net, data, lr=10.0, steps=200, batch_size=32)
    assert not run.diverged and run.final_loss > run.initial_loss
    assert run.message  # says the rate is probably too large
    # saturated tanh units: tiny gradients, so differences drown in rounding
    assert run.grad_check_verdict in ("passed", "rounding")


# -- grid search over the rate ---------------------------------------------------------------------
XOR_DATA = make_data("XOR", n=40, noise=0.1, seed=0)
RATES = np.array([1e-3, 1e-1, 1.0, 30.0, 1e4])


def separate_runs(lrs, steps=30):
    """Reference: one fresh network per rate, trained full batch by nnlib.train."""
    X, Y = XOR_DATA[0], XOR_DATA[1]
    finals = []
    for lr in lrs:
        twin = build_net(2, [4], "tanh", seed=2)
        try:
            nnlib.train(twin, X, Y, lr=lr, steps=steps)
            finals.append(twin.loss(X, Y))
        except nnlib.TrainingDiverged:
            finals.append(np.inf)
    return np.array(finals)


def test_lr_grid_search_agrees_with_separate_runs_and_keeps_the_weights():
    X, Y = XOR_DATA[0], XOR_DATA[1]
    net = build_net(2, [4], "tanh", seed=2)
    start = net.weights.flat.copy()
    result = lr_grid_search(net, X, Y, lrs=RATES, steps=30, batch_size=None)
    np.testing.assert_array_equal(net.weights.flat, start)
    np.testing.assert_array_equal(result.lrs, RATES)
    expected = separate_runs(RATES)
    np.testing.assert_allclose(result.final_losses, expected, rtol=1e-10)
    initial = net.loss(X, Y)
    assert result.initial_loss == initial
    diverged = ~np.isfinite(expected) | (expected > initial)
    np.testing.assert_array_equal(result.diverged, diverged)
    assert diverged[-1] and not diverged[0]
    assert result.best_lr == RATES[~diverged][np.argmin(expected[~diverged])]
    assert result.divergence_lr == RATES[diverged].min()


@functools.cache
def grid_in_order():
    return lr_grid_search(build_net(2, [4], "tanh", seed=2), XOR_DATA[0], XOR_DATA[1],
                         lrs=RATES, steps=10)


@settings(max_examples=15, deadline=None)
@given(st.permutations(RATES.tolist()))
def test_the_order_of_the_rates_does_not_matter(lrs):
    X, Y = XOR_DATA[0], XOR_DATA[1]
    reference = grid_in_order()
    result = lr_grid_search(build_net(2, [4], "tanh", seed=2), X, Y, lrs=lrs, steps=10)
    np.testing.assert_array_equal(result.lrs, RATES)  # reported in increasing order
    np.testing.assert_array_equal(result.final_losses, reference.final_losses)
    diverged = [lr for lr in lrs if reference.diverged[RATES == lr][0]]  # in the given order
    assert len(diverged) >= 2 and result.divergence_lr == min(diverged)
    assert result.best_lr == reference.best_lr


def test_lr_grid_search_restores_the_weights_when_training_raises(monkeypatch):
    X, Y = XOR_DATA[0], XOR_DATA[1]
    net = build_net(2, [4], "tanh", seed=2)
    start = net.weights.flat.copy()
    calls = []

    def train_then_fail(net, *args, **kwargs):
        calls.append(kwargs["lr"])
        net.weights.flat[:] += 1.0
        if len(calls) == 2:
            raise KeyboardInterrupt  # e.g. the learner stops the cell
    monkeypatch.setattr("nnlib.experiments.train", train_then_fail)
    with pytest.raises(KeyboardInterrupt):
        lr_grid_search(net, X, Y, lrs=RATES, steps=5)
    assert len(calls) == 2
    np.testing.assert_array_equal(net.weights.flat, start)


@pytest.mark.parametrize("lrs, got", [
    ([], "no rates"),
    ([0.1, 0.0], "0.0"),
    ([0.1, -1.0], "-1.0"),
    ([0.1, np.inf], "inf"),
    ([0.1, np.nan], "nan"),
    ([[0.1, 1.0]], r"shape \(1, 2\)"),
    (0.1, r"shape \(\)"),
    (["fast"], "fast"),
])
def test_lr_grid_search_refuses_bad_rates(lrs, got):
    net = build_net(2, [4], "tanh", seed=2)
    error = TypeError if lrs == ["fast"] else ValueError  # text is the wrong kind, as for lr
    with pytest.raises(error, match=rf"lrs must be .*1-D.*finite.*> 0.*; got .*{got}"):
        lr_grid_search(net, XOR_DATA[0], XOR_DATA[1], lrs=lrs, steps=5)


def test_gradient_descent_losses_are_separate_runs_of_nnlib_train_at_once():
    """Each row is nnlib.train's full-batch run at that rate (loss before each step, then
    after the last), for cross-entropy and for squared error; the net is not moved."""
    X, Y = XOR_DATA[0], XOR_DATA[1]
    for net in (build_net(2, [4, 3], "tanh", seed=2),
                build_net(2, [5], "sigmoid", seed=4, loss="mse", output="identity")):
        start, rates = net.weights.flat.copy(), [0.3, 0.05, 1.0]
        losses = gradient_descent_losses(net, X, Y, rates, steps=25)
        np.testing.assert_array_equal(net.weights.flat, start)
        assert losses.shape == (3, 26)
        for row, lr in zip(losses, rates):
            twin = net.copy()
            history = nnlib.train(twin, X, Y, lr=lr, steps=25)
            np.testing.assert_allclose(row[:-1], history.losses, rtol=1e-10)
            assert row[-1] == pytest.approx(twin.loss(X, Y), rel=1e-10)


def test_gradient_descent_losses_marks_a_blown_up_run_inf_and_refuses_softmax():
    net = build_net(2, [4], "leaky_relu", seed=0, loss="mse", output="identity")
    losses = gradient_descent_losses(net, XOR_DATA[0], XOR_DATA[1], [0.1, 1e6], steps=40)
    assert np.isfinite(losses[0]).all() and losses[1, -1] == np.inf
    soft = nnlib.MLP([2, 3, 2], output_activation="softmax", loss="cross_entropy", seed=0)
    with pytest.raises(ValueError, match="softmax"):
        gradient_descent_losses(soft, XOR_DATA[0], np.eye(2)[XOR_DATA[1][:, 0].astype(int)],
                                [0.1])
    with pytest.raises(ValueError, match="lrs must be"):
        gradient_descent_losses(net, XOR_DATA[0], XOR_DATA[1], [0.1, -1.0])


def test_sharpness_every_step_on_a_quadratic_loss():
    """A linear net with squared error has a constant Hessian H = X̃ᵀX̃/N: the sharpness is
    its top eigenvalue at every step, and the offset along the eigenvector is the weights'
    distance from the least-squares minimum along it; the losses are a plain run's."""
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(40, 2)) * [1.0, 3.0], rng.normal(size=(40, 1))
    net = nnlib.MLP([2, 1], activation="identity", output_activation="identity", loss="mse",
                    seed=1)
    start = net.weights.flat.copy()
    X1 = np.column_stack([X, np.ones(len(X))])
    values, vectors = np.linalg.eigh(X1.T @ X1 / len(X))
    best = np.linalg.lstsq(X1, Y, rcond=None)[0].ravel()     # the flat layout is w₁, w₂, b
    lr = 1.9 / values[-1]
    losses, lams, offsets = sharpness_every_step(net, X, Y, lr, steps=30, iterations=30)
    np.testing.assert_array_equal(net.weights.flat, start)
    np.testing.assert_allclose(lams, values[-1], rtol=1e-6)
    twin, theta = net.copy(), start.copy()
    history = nnlib.train(twin, X, Y, lr=lr, steps=30)
    np.testing.assert_allclose(losses[:-1], history.losses, rtol=1e-12)
    for step in range(30):
        along = (theta - best) @ vectors[:, -1]
        assert abs(offsets[step]) == pytest.approx(abs(along), rel=1e-5)
        theta = theta - lr * (X1.T @ (X1 @ theta - Y[:, 0]) / len(X))
    assert np.all(np.sign(offsets[1:]) == -np.sign(offsets[:-1]))  # lr·λ > 1: it flips


# -- regression: an identity output, squared error, R² instead of accuracy -----------------
def test_build_net_for_regression_has_an_identity_output_and_squared_error():
    net = build_net(2, [5], "tanh", seed=3, loss="mse", output="identity")
    twin = nnlib.MLP([2, 5, 1], activation="tanh", output_activation="identity", loss="mse",
                     init="xavier", seed=3)
    np.testing.assert_array_equal(net.weights.flat, twin.weights.flat)
    X = np.random.default_rng(1).uniform(-1, 1, size=(7, 2))
    Y = X[:, :1] * 3.0 - 2.0                      # targets far outside (0, 1)
    W0, b0, W1, b1 = net.Ws[0], net.bs[0], net.Ws[1], net.bs[1]
    by_hand = np.tanh(X @ W0.T + b0) @ W1.T + b1  # no squashing at the output
    np.testing.assert_allclose(net.forward(X), by_hand, rtol=1e-12)
    assert net.loss(X, Y) == pytest.approx(0.5 * np.mean((by_hand - Y) ** 2), rel=1e-12)
    with pytest.raises(ValueError, match="loss must be 'mse' for a regression net"):
        build_net(2, [5], output="identity")      # cross-entropy, the default loss
    with pytest.raises(ValueError, match="unknown output 'softmax'"):
        build_net(2, [5], output="softmax")


def test_a_regression_run_scores_r_squared_and_no_accuracy():
    data = target_data(lambda X: np.sin(2 * X[:, 0]) + X[:, 1], n=200, noise=0.05, seed=4)
    net = build_net(2, [8], "tanh", seed=4, loss="mse", output="identity")
    run = train_run(net, data, lr=0.2, steps=300, batch_size=None)
    X_test, Y_test = data[2], data[3]
    residual = np.sum((Y_test - net.forward(X_test)) ** 2)
    assert run.r_squared == pytest.approx(1 - residual / np.sum((Y_test - Y_test.mean()) ** 2),
                                          rel=1e-12)
    assert run.accuracy is None and run.r_squared > 0.9   # seed 4: 0.965 (measured)
    assert run.grad_check_verdict == "passed"
    classified = train_run(build_net(2, [4], seed=0), make_data("moons", n=80, seed=0), steps=20)
    assert classified.r_squared is None and 0 <= classified.accuracy <= 1
    with np.errstate(all="ignore"):
        blown = train_run(net, data, lr=100.0, steps=200, batch_size=None, grad_check=False)
    assert blown.diverged and blown.r_squared == -math.inf and blown.accuracy is None


def test_feature_inputs_is_the_net_seen_from_the_points():
    from nnlib.experiments import FeatureInputs

    net = build_net(3, [4], seed=0)
    view = FeatureInputs(net, ["x0*x1", "x0", "sin x1"])
    assert view.features == ("x0", "x0*x1", "sin x1") and view.sizes == net.sizes
    X = np.random.default_rng(0).normal(size=(5, 2))
    inputs = np.column_stack([X[:, 0], X[:, 0] * X[:, 1], np.sin(X[:, 1])])
    np.testing.assert_array_equal(view.forward(X), net.forward(inputs))
    assert np.array_equal(view.forward_all(X)[1][0], inputs)
    net.weights.flat[:] = 0.0                      # the same weights, not a copy
    np.testing.assert_array_equal(view.forward(X), np.full((5, 1), 0.5))
    with pytest.raises(ValueError, match="2 features .* for a net of 3 inputs"):
        FeatureInputs(net, ["x0", "x1"])
