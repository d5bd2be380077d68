"""Bad input is refused at the public door, and divergence is never returned as a result.

Each refusal is checked three ways: the exception type, a message that names the argument
and what was expected, and weights left exactly as they were. docs/refusals.md lists
what is refused and why.
"""

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import (
    MLP,
    OPTIMIZERS,
    FlatWeights,
    TrainingDiverged,
    data,
    gradient_check,
    metrics,
    numerical_gradient,
    relative_error,
    train,
)
from nnlib.experiments import build_net, lr_grid_search, train_run
from nnlib.optim import Adam, Momentum

X, Y = data.xor()


def refused(call, error, *words, net=None):
    """Assert that call() raises `error` whose message contains every one of `words`, and
    that `net`'s weights are unchanged."""
    before = None if net is None else net.weights.flat.copy()
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    if net is not None:
        np.testing.assert_array_equal(net.weights.flat, before)
    return info.value


# -- seeds ----------------------------------------------------------------------------
BAD_SEEDS = st.one_of(st.integers(max_value=-1), st.floats(allow_nan=True),
                      st.text(max_size=3), st.booleans(), st.just([1, 2]))

SEED_TAKERS = {
    "MLP": lambda seed: MLP([2, 3, 1], seed=seed),
    "MLP.reset": lambda seed: SEED_NET.reset(seed),
    "train": lambda seed: train(SEED_NET, X, Y, seed=seed),
    "toy_1d": lambda seed: data.toy_1d(n=5, seed=seed),
    "xor": lambda seed: data.xor(seed=seed),
    "circles": lambda seed: data.circles(n=10, seed=seed),
    "moons": lambda seed: data.moons(n=10, seed=seed),
    "noisy_halfplane": lambda seed: data.noisy_halfplane(n=10, seed=seed),
    "train_test_split": lambda seed: data.train_test_split(*data.moons(n=20, seed=0), seed=seed),
    "make_data": lambda seed: data.make_data("moons", n=20, seed=seed),
    "build_net": lambda seed: build_net(2, [3], seed=seed),
    "train_run": lambda seed: train_run(SEED_NET, SEED_DATA, steps=2, seed=seed),
    "lr_grid_search": lambda seed: lr_grid_search(SEED_NET, X, Y, lrs=[0.1], steps=2, seed=seed),
}
SEED_NET = MLP([2, 3, 1], seed=0)
SEED_DATA = data.make_data("XOR", n=16, seed=0)


@settings(max_examples=20)
@given(seed=BAD_SEEDS)
@pytest.mark.parametrize("name", list(SEED_TAKERS))
def test_every_seed_must_be_none_or_a_non_negative_integer(name, seed):
    error = refused(lambda: SEED_TAKERS[name](seed), (TypeError, ValueError), "seed",
                    "None", "integer ≥ 0", net=SEED_NET)
    negative = isinstance(seed, int) and not isinstance(seed, bool) and seed < 0
    assert isinstance(error, ValueError if negative else TypeError)


@pytest.mark.parametrize("name", list(SEED_TAKERS))
def test_none_and_non_negative_integers_are_seeds(name):
    for seed in (None, 0, np.int64(7), 2**32 - 1):
        SEED_TAKERS[name](seed)
    if name in ("circles", "moons", "train_test_split", "make_data"):  # scikit-learn draws
        refused(lambda: SEED_TAKERS[name](2**32), ValueError, "seed", "< 4294967296")
    else:
        SEED_TAKERS[name](2**70)


# -- train: every argument checked before a weight changes -------------------------------
BAD_TRAIN_ARGUMENTS = [
    ({"callback": 5}, TypeError, ["callback", "function or None", "5"]),
    ({"callback": "print"}, TypeError, ["callback", "function or None"]),
    ({"test_data": X}, TypeError, ["test_data", "pair (X_test, Y_test)", "ndarray"]),
    ({"test_data": (X,)}, TypeError, ["test_data", "pair", "length 1"]),
    ({"test_data": (X, Y, Y)}, TypeError, ["test_data", "pair", "length 3"]),
    ({"test_data": (np.ones((4, 3)), Y)}, ValueError, ["test_data", "X has 3 features", "expected 2"]),
    ({"test_data": (X, np.ones((4, 2)))}, ValueError, ["test_data", "Y has 2 outputs", "expected 1"]),
    ({"test_data": (X, Y[:3])}, ValueError, ["test_data", "Y has 3 rows but X has 4"]),
    ({"test_data": (X + 1j, Y)}, TypeError, ["test_data", "real"]),
    ({"shuffle": "no"}, TypeError, ["shuffle", "True or False", "'no'"]),
    ({"batch_size": 0}, ValueError, ["batch_size", "positive integer", "0"]),
    ({"steps": -3}, ValueError, ["steps", "positive integer", "-3"]),
    ({"epochs": 2.0}, TypeError, ["epochs", "positive integer"]),
    ({"lr": float("inf")}, ValueError, ["lr", "positive number", "inf"]),
    ({"optimizer": "Adam"}, ValueError, ["optimizer", "'Adam'", "'sgd'", "'cg'"]),
]


@pytest.mark.parametrize("kwargs, error, words", BAD_TRAIN_ARGUMENTS)
@pytest.mark.parametrize("optimizer", ["sgd", "lbfgs"])
def test_bad_training_arguments_are_refused_before_any_step(kwargs, error, words, optimizer):
    net = MLP([2, 3, 1], seed=0)
    kwargs = {"optimizer": optimizer, "epochs": 3, **kwargs}
    refused(lambda: train(net, X, Y, **kwargs), error, *words, net=net)


def test_the_arguments_in_the_wrong_order_name_the_net():
    net = MLP([2, 3, 1], seed=0)
    refused(lambda: train(X, net, Y), TypeError, "net must be an nnlib.MLP", "ndarray",
            "train(net, X, Y)")
    refused(lambda: gradient_check(None, X, Y), TypeError, "net must be an nnlib.MLP",
            "NoneType")
    refused(lambda: train_run(SEED_DATA, net), TypeError, "net must be an nnlib.MLP", net=net)
    refused(lambda: lr_grid_search(X, net, Y), TypeError, "net must be an nnlib.MLP", net=net)


@pytest.mark.parametrize("batch_size", [4, 5, 10**30])
def test_a_batch_larger_than_the_data_is_the_whole_set(batch_size):
    full, large = MLP([2, 3, 1], seed=0), MLP([2, 3, 1], seed=0)
    train(full, X, Y, lr=0.5, epochs=3, seed=0)
    history = train(large, X, Y, lr=0.5, epochs=3, batch_size=batch_size, seed=0)
    assert history.steps == 3
    np.testing.assert_array_equal(large.weights.flat, full.weights.flat)


# -- data that would be changed quietly ---------------------------------------------------
@pytest.mark.parametrize("bad, error, words", [
    (X + 1j * X, TypeError, ["X must be real", "complex"]),
    (X.astype(str), TypeError, ["X must be an array of numbers", "dtype <U"]),
    ([["0", "1"], ["1", "0"]], TypeError, ["X must be an array of numbers"]),
    (X.astype(object), TypeError, ["X must be an array of numbers", "dtype object"]),
])
def test_inputs_that_would_be_converted_quietly_are_refused(bad, error, words):
    net = MLP([2, 3, 1], seed=0)
    for call in (lambda: net.forward(bad), lambda: net.loss(bad, Y),
                 lambda: train(net, bad, Y), lambda: gradient_check(net, bad, Y)):
        refused(call, error, *words, net=net)


def test_integer_and_boolean_inputs_are_still_numbers():
    net = MLP([2, 3, 1], seed=0)
    np.testing.assert_array_equal(net.forward(X.astype(int)), net.forward(X))
    np.testing.assert_array_equal(net.forward(X.astype(bool)), net.forward(X))


@pytest.mark.parametrize("make", [
    lambda noise: data.toy_1d(n=5, noise=noise, seed=0),
    lambda noise: data.xor(noise=noise, seed=0),
    lambda noise: data.circles(n=10, noise=noise, seed=0),
    lambda noise: data.moons(n=10, noise=noise, seed=0),
    lambda noise: data.noisy_halfplane(n=10, noise=noise, seed=0),
    lambda noise: data.make_data("moons", n=20, noise=noise, seed=0),
], ids=["toy_1d", "xor", "circles", "moons", "noisy_halfplane", "make_data"])
@pytest.mark.parametrize("noise, error", [(-0.1, ValueError), (math.nan, ValueError),
                                          (math.inf, ValueError), ("0.1", TypeError),
                                          (None, TypeError), (True, TypeError)])
def test_noise_must_be_a_finite_number_at_least_zero(make, noise, error):
    refused(lambda: make(noise), error, "noise", "finite number ≥ 0")


@given(noise=st.floats(0, 10), seed=st.integers(0, 2**32))
def test_accepted_noise_gives_finite_data(noise, seed):
    for X_, Y_ in (data.toy_1d(n=5, noise=noise, seed=seed), data.xor(noise=noise, seed=seed)):
        assert np.isfinite(X_).all() and np.isfinite(Y_).all()


@pytest.mark.parametrize("call, error, words", [
    (lambda: data.make_data("moons", n=20.5), TypeError, ["n", "positive integer", "20.5"]),
    (lambda: data.make_data("moons", n=5), ValueError, ["n must be an integer ≥ 8", "5"]),
    (lambda: data.make_data("moons", n=20, test_size=1.5), ValueError, ["test_size", "1.5"]),
    (lambda: data.circles(n=10, factor=1.0), ValueError, ["factor", "(0, 1)", "1.0"]),
    (lambda: data.train_test_split(X, Y, test_size=0), ValueError, ["test_size", "(0, 1)"]),
])
def test_data_set_arguments_are_checked(call, error, words):
    refused(call, error, *words)


def test_noisy_halfplane_labels_ignore_the_second_input():
    # x1 has the spread of x0, and the label is the sign of x0 whatever x1 is
    X_, Y_ = data.noisy_halfplane(n=2000, seed=5)
    np.testing.assert_array_equal(Y_[:, 0], X_[:, 0] > 0)
    assert 0.9 < X_[:, 1].std() / X_[:, 0].std() < 1.1
    assert abs(np.corrcoef(X_[:, 1], Y_[:, 0])[0, 1]) < 0.05


# -- FlatWeights and the link between the buffer and its views ---------------------------
@pytest.mark.parametrize("shapes, error, words", [
    (5, TypeError, ["shapes must be", "list of shape tuples", "5"]),
    ("3, 2", TypeError, ["shapes must be"]),
    ([3, 2], TypeError, ["the entry 3 is not a tuple", "(3,)"]),
    ([(2.5,)], TypeError, ["every dimension must be an integer ≥ 0", "2.5"]),
    ([(3, 2), (-1,)], ValueError, ["every dimension must be an integer ≥ 0", "-1"]),
    ([("a", 2)], TypeError, ["every dimension must be an integer ≥ 0", "'a'"]),
    ([(2, None)], TypeError, ["every dimension", "None"]),
    ([(True, 2)], TypeError, ["every dimension", "True"]),
])
def test_bad_shapes_are_refused(shapes, error, words):
    refused(lambda: FlatWeights(shapes), error, *words)


@given(st.lists(st.lists(st.integers(-3, 4), max_size=3).map(tuple), max_size=4))
def test_shapes_of_non_negative_integers_make_views_that_tile_the_buffer(shapes):
    if any(n < 0 for shape in shapes for n in shape):
        refused(lambda: FlatWeights(shapes), ValueError, "integer ≥ 0")
        return
    fw = FlatWeights(shapes)
    assert fw.size == sum(math.prod(shape) for shape in shapes)
    assert [view.shape for view in fw.views] == shapes
    fw.flat[:] = np.arange(fw.size)
    np.testing.assert_array_equal(
        np.concatenate([v.ravel() for v in fw.views] + [np.empty(0)]), np.arange(fw.size))


def test_split_needs_an_array_to_make_views_into():
    fw = FlatWeights([(2,), (1,)])
    refused(lambda: fw.split([1.0, 2.0, 3.0]), TypeError, "vector must be a NumPy array",
            "list", "np.asarray")


def test_rebinding_the_weights_is_refused_with_the_in_place_way():
    net = MLP([2, 3, 1], seed=0)
    views = list(net.Ws) + list(net.bs)
    refused(lambda: setattr(net.weights, "flat", np.zeros(net.weights.size)), AttributeError,
            "weights.flat cannot be rebound", "weights.flat[:] =", net=net)
    refused(lambda: setattr(net, "weights", FlatWeights(net.weights.shapes)), AttributeError,
            "net.weights cannot be replaced", "net.weights.flat[:] =", net=net)
    # in-place arithmetic assigns the same buffer back: allowed, and the views follow
    before = net.weights.flat.copy()
    net.weights.flat -= 1.0
    np.testing.assert_array_equal(net.weights.flat, before - 1.0)
    assert all(np.shares_memory(view, net.weights.flat) for view in views)


def test_a_softmax_output_of_width_one_is_refused_saying_why():
    for loss in ("mse", "cross_entropy"):
        refused(lambda loss=loss: MLP([2, 3, 1], output_activation="softmax", loss=loss), ValueError,
                "output_activation 'softmax'", "at least 2 outputs", "always 1", "sigmoid")
    assert MLP([2, 3, 2], output_activation="softmax").sizes == [2, 3, 2]


@pytest.mark.parametrize("make, words", [
    (lambda: Momentum(0.1, beta=1.0), ["beta", "[0, 1)"]),
    (lambda: Momentum(0.1, beta=-0.5), ["beta", "≥ 0"]),
    (lambda: Adam(0.1, beta2=1.5), ["beta2", "[0, 1)"]),
    (lambda: Adam(0.1, eps=0.0), ["eps", "positive"]),
])
def test_optimizer_constants_are_checked(make, words):
    refused(make, ValueError, *words)


# -- relative error and the gradient check ---------------------------------------------------
def test_relative_error_at_the_edges_of_float64():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(1e200 * a, -1e200 * a) == pytest.approx(1.0, rel=1e-15)
    assert relative_error(1e-170 * a, 2e-170 * a) == pytest.approx(1 / 3, rel=1e-15)
    assert math.isnan(relative_error(a, [1.0, np.nan, 3.0]))
    assert math.isnan(relative_error([np.inf, 0.0, 0.0], a))


@pytest.mark.parametrize("a, b, error, words", [
    ([1.0, 2.0], [1.0 + 1j, 2.0], TypeError, ["b must be real", "complex"]),
    (np.array([1.0, 2.0]) + 1j, [1.0, 2.0], TypeError, ["a must be real", "complex"]),
    ([1.0, 2.0], ["1.0", "2.0"], TypeError, ["b must be an array of numbers", "<U3"]),
])
def test_relative_error_refuses_complex_and_text(a, b, error, words):
    # relative_error(a, a + 1j) was 0.0: the imaginary part was dropped
    kept = [np.array(a, copy=True), np.array(b, copy=True)]
    refused(lambda: relative_error(a, b), error, *words)
    assert np.array_equal(kept[0], a) and np.array_equal(kept[1], b)


@given(a=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=6), data_=st.data(),
       exponent=st.integers(-300, 300))
def test_relative_error_is_scale_free(a, data_, exponent):
    b = data_.draw(st.lists(st.floats(-1e3, 1e3), min_size=len(a), max_size=len(a)))
    a, b = np.array(a), np.array(b)
    if max(np.abs(a).max(), np.abs(b).max()) < 1e-3:
        return  # entries this small would underflow to subnormals at 1e-300
    scale = 10.0 ** exponent
    reference = np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))
    assert relative_error(scale * a, scale * b) == pytest.approx(reference, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"tolerance": -1}, ValueError, ["tolerance", "positive number", "-1"]),
    ({"tolerance": "1e-7"}, TypeError, ["tolerance", "positive number", "'1e-7'"]),
    ({"tolerance": math.nan}, ValueError, ["tolerance", "positive number"]),
    ({"eps": 0}, ValueError, ["eps", "positive number"]),
])
def test_gradient_check_arguments_are_checked(kwargs, error, words):
    net = MLP([2, 3, 1], seed=0)
    refused(lambda: gradient_check(net, X, Y, **kwargs), error, *words, net=net)


MOONS = data.moons(n=20, seed=0)


@pytest.mark.parametrize("group", range(4))
def test_a_zeroed_parameter_group_fails_the_gradient_check(group):
    net = MLP([2, 3, 1], "tanh", seed=0)
    honest = net.gradient

    def zeroed(X, Y):
        grad = honest(X, Y)
        net.weights.split(grad)[group][:] = 0.0
        return grad

    net.gradient = zeroed
    report = gradient_check(net, *MOONS)
    assert report.verdict == "FAILED" and "FAILED" in repr(report)
    failing = [k for k, row in enumerate(report.rows) if row[2] > report.tolerance]
    assert failing == [group]


def test_an_all_zero_gradient_and_nan_weights_fail_the_gradient_check():
    net = MLP([2, 3, 1], "tanh", seed=0)
    net.gradient = lambda X, Y: np.zeros(net.weights.size)
    assert gradient_check(net, *MOONS).verdict == "FAILED"
    poisoned = MLP([2, 3, 1], "tanh", seed=0)
    poisoned.weights.flat[4] = np.nan
    with np.errstate(invalid="ignore"):
        report = gradient_check(poisoned, *MOONS)
    assert report.verdict == "FAILED" and not report.passed and math.isnan(report.max_error)


def test_rounding_is_judged_by_the_difference_noise_not_the_gradient_size():
    # a correct net whose gradient entries are below the noise of a centred difference:
    # near-saturated sigmoid outputs on targets they already match
    net = MLP([2, 3, 1], "tanh", seed=0)
    net.bs[1][:] = 30.0
    X_, Y_ = MOONS[0], np.ones((20, 1))
    report = gradient_check(net, X_, Y_)
    assert report.verdict == "rounding", report
    assert all(d <= 10 * report.noise * math.sqrt(row[3])
               for d, row in zip(report.differences, report.rows))


def test_a_kink_straddled_by_large_inputs_is_a_kink_not_a_failure():
    # z = 1000 · 1e-6 = 1e-3 lies 100 times beyond a fixed 1e-5 window, but the nudge
    # ±1e-5 of its weight moves it by ±1e-2: across the kink
    net = MLP([1, 2, 1], "relu", "identity", seed=0)
    net.Ws[0][:] = [[1e-6], [1.0]]
    net.bs[0][:] = 0.0
    report = gradient_check(net, np.array([[1000.0]]), np.array([[0.3]]))
    assert not report.passed and report.kinks == 1 and report.verdict == "kink"
    far = MLP([1, 2, 1], "relu", "identity", seed=0)  # the same unit well away from 0
    far.Ws[0][:] = [[1e-3], [1.0]]
    far.bs[0][:] = 0.0
    assert gradient_check(far, np.array([[1000.0]]), np.array([[0.3]])).verdict == "passed"


@pytest.mark.parametrize("interrupt", [ValueError("no"), KeyboardInterrupt()])
def test_numerical_gradient_restores_theta_when_f_raises(interrupt):
    theta = np.array([0.5, -1.5, 2.0])
    before = theta.copy()
    calls = []

    def f(t):
        calls.append(t.copy())
        if len(calls) == 4:  # nudging entry 1 down
            raise interrupt
        return float(t @ t)

    with pytest.raises(type(interrupt)):
        numerical_gradient(f, theta)
    np.testing.assert_array_equal(theta, before)
    assert not np.array_equal(calls[-1], before)  # it did raise while nudged


def test_gradient_check_restores_the_weights_on_ctrl_c():
    net = MLP([2, 3, 1], seed=0)
    before = net.weights.flat.copy()
    honest, calls = net.loss_unchecked, []

    def interrupted(X, Y):
        calls.append(1)
        if len(calls) == 7:
            raise KeyboardInterrupt
        return honest(X, Y)

    net.loss_unchecked = interrupted
    with pytest.raises(KeyboardInterrupt):
        gradient_check(net, X, Y)
    np.testing.assert_array_equal(net.weights.flat, before)


# -- divergence: never returned, whichever optimizer --------------------------------------
def test_the_issue_example_blows_up_on_the_last_step_and_is_caught():
    Xm, Ym = data.moons(seed=0)
    net = MLP([2, 8, 1], "relu", "identity", seed=0)
    error = refused(lambda: train(net, 10 * Xm, 10 * Ym, lr=1e4, epochs=4), TrainingDiverged,
                    "after step 4 of sgd", "lr=10000", "last mini-batch", "smaller learning rate")
    assert error.step == 4 and error.history.steps == 4
    assert np.isfinite(error.history.losses).all()


@pytest.mark.parametrize("optimizer, lr", [("sgd", 1e300), ("momentum", 1e300), ("adam", 1e300)])
def test_a_blow_up_on_the_only_step_is_caught(optimizer, lr):
    net = MLP([2, 8, 1], "relu", "identity", seed=0)
    error = refused(lambda: train(net, 10 * X, 10 * Y, optimizer=optimizer, lr=lr, steps=1),
                    TrainingDiverged, f"after step 1 of {optimizer}", f"lr={lr:g}")
    assert error.step == 1 and error.history.steps == 1


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_a_callback_that_poisons_the_last_step_is_caught(optimizer):
    def poison(step, net, loss, grad):
        if step == 3:
            net.weights.flat[0] = np.inf

    with pytest.raises(TrainingDiverged, match=f"of {optimizer}.*weights are NaN or inf"):
        train(MLP([2, 3, 1], "tanh", seed=0), X, Y, optimizer=optimizer, steps=3,
              callback=poison)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_an_infinite_starting_loss_is_not_blamed_on_the_learning_rate(optimizer):
    net = MLP([2, 3, 1], "tanh", "identity", seed=0)
    error = refused(lambda: train(net, X, 1e200 * Y, optimizer=optimizer, epochs=3),
                    TrainingDiverged, f"before the first step of {optimizer}", "inf",
                    "learning rate is not the cause", net=net)
    assert error.step == 0 and error.history.steps == 0


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_non_finite_starting_weights_are_named_as_the_cause(optimizer):
    net = MLP([2, 3, 1], seed=0)
    net.weights.flat[[1, 5]] = [np.nan, -np.inf]
    error = refused(lambda: train(net, X, Y, optimizer=optimizer), TrainingDiverged,
                    "2 of the net's 13 weights are NaN or inf", "before training",
                    "net.reset(seed)", net=net)
    assert error.step == 0


@settings(max_examples=40)
@given(optimizer=st.sampled_from(OPTIMIZERS), log_lr=st.floats(-2, 300),
       log_scale=st.floats(0, 150), steps=st.integers(1, 6), seed=st.integers(0, 50))
def test_train_never_returns_non_finite_weights_or_loss(optimizer, log_lr, log_scale, steps,
                                                        seed):
    net = MLP([2, 4, 1], "relu", "identity", seed=seed)
    scale = 10.0 ** log_scale
    try:
        with np.errstate(all="ignore"):
            train(net, scale * X, scale * Y, optimizer=optimizer, lr=10.0 ** log_lr,
                  steps=steps)
    except TrainingDiverged as error:
        assert f"of {optimizer}" in str(error) and f"lr={10.0 ** log_lr:g}" in str(error)
        return
    assert np.isfinite(net.weights.flat).all()
    with np.errstate(all="ignore"):
        assert math.isfinite(net.loss(scale * X, scale * Y))  # full batch: the last batch


@pytest.mark.parametrize("optimizer", ["lbfgs", "cg"])
def test_a_callback_that_moves_the_weights_restarts_scipy_from_them(optimizer):
    Xm, Ym = data.moons(n=40, seed=1)
    moved_to = MLP([2, 4, 1], "tanh", seed=9).weights.flat.copy()

    def move(step, net, loss, grad):
        if step == 3:
            net.weights.flat[:] = moved_to

    net = MLP([2, 4, 1], "tanh", seed=0)
    history = train(net, Xm, Ym, optimizer=optimizer, epochs=10, callback=move)
    # reference: a fresh SciPy run from the moved weights, for the remaining iterations
    reference = MLP([2, 4, 1], "tanh", seed=0)
    reference.weights.flat[:] = moved_to
    rest = train(reference, Xm, Ym, optimizer=optimizer, epochs=7)
    assert history.steps == 10 and rest.steps == 7
    np.testing.assert_array_equal(history.losses[3:], rest.losses)
    np.testing.assert_array_equal(net.weights.flat, reference.weights.flat)


# -- experiments --------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, words", [
    ({"steps": 0}, ValueError, ["steps", "positive integer", "0"]),
    ({"steps": -5}, ValueError, ["steps", "positive integer", "-5"]),
    ({"steps": 2.5}, TypeError, ["steps", "positive integer"]),
    ({"batch_size": 0}, ValueError, ["batch_size", "positive integer", "0"]),
    ({"lr": 0}, ValueError, ["lr", "positive number"]),
    ({"optimizer": "newton"}, ValueError, ["optimizer", "'newton'", "'adam'"]),
    ({"checkpoint": np.zeros(3)}, ValueError, ["checkpoint has 3 entries", "expected 17"]),
    ({"checkpoint": np.full(17, np.nan)}, ValueError, ["checkpoint", "NaN or inf"]),
    ({"data": SEED_DATA[:2]}, TypeError, ["data must be four arrays", "length 2"]),
    ({"data": (*SEED_DATA[:3], SEED_DATA[3][:, :0])}, ValueError,
     ["data, test part", "Y has 0 outputs"]),
])
def test_train_run_checks_its_arguments_before_the_weights_change(kwargs, error, words):
    net = build_net(2, [4], seed=0)
    kwargs = {"data": SEED_DATA, "checkpoint": np.zeros(net.weights.size), **kwargs}
    refused(lambda: train_run(net, **kwargs), error, *words, net=net)


def test_a_run_that_blows_up_on_its_last_step_is_reported_as_diverged():
    net = build_net(2, [8], "relu", seed=0)
    run = train_run(net, SEED_DATA, lr=1e300, steps=1, optimizer="adam")
    assert run.diverged and run.history.steps == 1 and run.potential == -math.inf
    assert run.message.startswith("Diverged after step 1")


def test_build_net_needs_a_sequence_of_widths():
    refused(lambda: build_net(2, 8), TypeError, "hidden", "[8, 8]", "[8]")


def test_lr_grid_search_refuses_an_optimizer_without_a_learning_rate():
    net = build_net(2, [4], seed=0)
    for name in ("lbfgs", "cg"):
        refused(lambda name=name: lr_grid_search(net, X, Y, lrs=[0.1, 1.0], optimizer=name), ValueError,
                "takes a learning rate", repr(name), "'sgd'", net=net)
    refused(lambda: lr_grid_search(net, X, Y, steps=0), ValueError, "steps", net=net)


@pytest.mark.parametrize("lrs, error, words", [
    (["0.1"], TypeError, ["lrs must be", "not text or complex", "got ['0.1']"]),
    ([0.1, "1.0"], TypeError, ["lrs must be", "not text", "got [0.1, '1.0']"]),
    ([0.1 + 1j], TypeError, ["lrs must be", "complex", "got [(0.1+1j)]"]),
    ([[0.1], [0.1, 1.0]], ValueError, ["lrs must be a rectangular array", "ragged"]),
])
def test_lr_grid_search_refuses_rates_that_are_not_real_numbers(lrs, error, words):
    # lrs=['0.1'] was parsed, although lr="0.1" is refused everywhere else
    net = build_net(2, [4], seed=0)
    refused(lambda: lr_grid_search(net, X, Y, lrs=lrs, steps=2), error, *words, net=net)


# -- the bench's smoothing and figure ---------------------------------------------------------
LOSSES = np.exp(-np.linspace(0, 3, 50))


@pytest.mark.parametrize("method", ["raw", "moving average", "low-pass"])
@pytest.mark.parametrize("width, error", [
    (0, ValueError), (-3, ValueError), (2.5, TypeError), ("3", TypeError), (True, TypeError),
])
def test_smooth_needs_a_whole_width_of_at_least_one(method, width, error):
    # width=0 gave all NaN, 2.5 was cut to 2, -3 an IndexError
    from nnlib.benchplots import smooth

    losses = LOSSES.copy()
    refused(lambda: smooth(losses, method, width), error, "width", repr(width),
            "whole number of steps ≥ 1")
    np.testing.assert_array_equal(losses, LOSSES)


@pytest.mark.parametrize("losses, error, words", [
    (np.ones((5, 2)), ValueError, ["losses must be a 1-D sequence", "(5, 2)"]),
    (["1", "2", "3"], TypeError, ["losses must be an array of numbers"]),
    ([1.0, 2.0 + 1j, 3.0], TypeError, ["losses must be real"]),
])
def test_smooth_needs_one_real_loss_per_step(losses, error, words):
    from nnlib.benchplots import smooth

    refused(lambda: smooth(losses, "moving average", 3), error, *words)


def test_smooth_still_takes_numpy_integer_widths():
    from nnlib.benchplots import smooth

    assert np.allclose(smooth(LOSSES, "moving average", np.int64(1)), LOSSES)


@pytest.mark.parametrize("dpi, error", [(0, ValueError), (-80, ValueError), (math.nan, ValueError),
                                        ("80", TypeError)])
def test_plot_run_needs_a_positive_dpi(dpi, error):
    # dpi=0 gave a 0×0 figure
    from nnlib.benchplots import plot_run

    net = build_net(2, [4], seed=0)
    run = train_run(net, SEED_DATA, lr=0.1, steps=2)
    refused(lambda: plot_run(run, net, SEED_DATA, dpi=dpi), error, "dpi", "positive number",
            net=net)


# -- autodiff -------------------------------------------------------------------------------
@pytest.mark.parametrize("data_, error, words", [
    (None, TypeError, ["data must be an array of numbers", "NoneType"]),
    (["1.5"], TypeError, ["data must be an array of numbers", "<U3"]),
    (np.array([1.0 + 1j, 2.0]), TypeError, ["data must be real", "complex"]),
    (object(), TypeError, ["data must be an array of numbers", "object"]),
    ([[1.0, 2.0], [3.0]], ValueError, ["data must be a rectangular array", "ragged"]),
])
def test_an_autodiff_value_holds_real_numbers_only(data_, error, words):
    # None became NaN, text was parsed, the imaginary part dropped, the rest failed in NumPy
    from nnlib.autodiff import Value

    kept = data_.copy() if isinstance(data_, np.ndarray) else None
    refused(lambda: Value(data_), error, *words)
    if kept is not None:
        np.testing.assert_array_equal(data_, kept)


@pytest.mark.parametrize("left, right", [((3,), (3, 2)), ((2, 3), (3,)), ((), (1, 1)),
                                         ((2, 2, 2), (2, 2))])
def test_autodiff_matmul_refuses_operands_that_are_not_matrices(left, right):
    # accepted forward, then backward() failed inside NumPy
    from nnlib.autodiff import Value

    a, b = Value(np.ones(left)), Value(np.ones(right))
    refused(lambda: a @ b, ValueError, "autodiff @ needs two 2-D Values",
            str(tuple(left)), str(tuple(right)))
    assert not a.grad.any() and not b.grad.any()


# -- metrics --------------------------------------------------------------------------------
@pytest.mark.parametrize("call, error, words", [
    # one_hot(labels, 0) said "labels must lie in 0 … ∞"; 2.5 and '2' failed inside NumPy
    (lambda labels: metrics.one_hot(labels, 0), ValueError,
     ["n_classes must be an integer of at least 1", "got 0"]),
    (lambda labels: metrics.confusion_matrix(labels, labels, 2.5), TypeError,
     ["n_classes must be an integer", "2.5"]),
    (lambda labels: metrics.confusion_matrix(labels, labels, "2"), TypeError,
     ["n_classes must be an integer", "'2'"]),
    (lambda labels: metrics.one_hot(labels, 1), ValueError,
     ["labels must lie in 0 … n_classes − 1 = 0", "0 … 1"]),
])
def test_metrics_check_n_classes(call, error, words):
    labels = np.array([0, 1])
    refused(lambda: call(labels), error, *words)
    np.testing.assert_array_equal(labels, [0, 1])


# -- the net where it belongs, in the figures, movies and autodiff ------------------------
def _figure_and_movie_calls():
    import matplotlib

    matplotlib.use("Agg")
    from nnlib import animation, plots

    net = MLP([2, 2, 1], seed=0)
    history = train(net, X, Y, lr=0.5, epochs=2, record_every=1, seed=0)
    return net, {
        "plot_weights": lambda bad: plots.plot_weights(bad),
        "plot_decision_boundary": lambda bad: plots.plot_decision_boundary(bad, X, Y),
        "animate_weights": lambda bad: animation.animate_weights(history, bad),
        "layer_frames": lambda bad: animation.layer_frames(history, bad),
        "animate_hidden": lambda bad: animation.animate_hidden(history, bad, X, Y),
        "plot_weight_trajectories": lambda bad: animation.plot_weight_trajectories(history, bad),
    }


FIGURE_CALLS = ["plot_weights", "plot_decision_boundary", "animate_weights", "layer_frames",
                "animate_hidden", "plot_weight_trajectories"]


@pytest.mark.parametrize("which", FIGURE_CALLS)
@pytest.mark.parametrize("bad", [None, X], ids=["None", "array"])
def test_figures_and_movies_name_the_net(which, bad):
    # each gave an AttributeError ('NoneType' object has no attribute 'Ws', …)
    import matplotlib.pyplot as plt

    net, calls = _figure_and_movie_calls()
    kept = X.copy()
    refused(lambda: calls[which](bad), TypeError, "net must be an nnlib.MLP",
            type(bad).__name__, net=net)
    np.testing.assert_array_equal(X, kept)
    plt.close("all")


def test_mlp_gradient_with_its_arguments_swapped_names_the_net():
    # mlp_gradient(X, net, Y) gave "'numpy.ndarray' object has no attribute 'check_XY'"
    from nnlib.autodiff import mlp_gradient

    net = MLP([2, 3, 1], seed=0)
    kept = X.copy()
    refused(lambda: mlp_gradient(X, net, Y), TypeError, "net must be an nnlib.MLP", "ndarray",
            net=net)
    np.testing.assert_array_equal(X, kept)


# -- metrics.predict --------------------------------------------------------------------------
@pytest.mark.parametrize("probabilities, error, words", [
    # 1-D gave numpy's AxisError; NaN was picked as the largest; text and complex got through
    (np.array([0.2, 0.9, 0.4]), ValueError,
     ["probabilities must be 2-D", "(N, n_classes)", "got shape (3,)", "> 0.5"]),
    (np.ones((2, 2, 2)), ValueError, ["probabilities must be 2-D", "(2, 2, 2)"]),
    (np.ones((3, 0)), ValueError, ["probabilities has no columns", "(N, n_classes)"]),
    (np.array([[0.2, np.nan], [0.5, 0.5]]), ValueError, ["probabilities contains NaN"]),
    (np.array([[0.2, 0.8j]]), TypeError, ["probabilities must be real", "complex"]),
    (None, TypeError, ["probabilities must be an array of numbers", "NoneType"]),
    ("0.5", TypeError, ["probabilities must be an array of numbers", "str"]),
])
def test_predict_wants_one_row_of_class_scores_per_sample(probabilities, error, words):
    kept = probabilities.copy() if isinstance(probabilities, np.ndarray) else probabilities
    refused(lambda: metrics.predict(probabilities), error, *words)
    if isinstance(kept, np.ndarray):
        np.testing.assert_array_equal(probabilities, kept)
    np.testing.assert_array_equal(metrics.predict([[0.1, 0.9], [0.7, 0.3]]), [1, 0])


# -- numerical_gradient's f ------------------------------------------------------------------
@pytest.mark.parametrize("result, words", [
    (None, ["None (NoneType)"]),
    (np.array([1.0, 2.0, 3.0]), ["an array of shape (3,)"]),
    ("0.5", ["'0.5' (str)"]),
    (1j, ["1j (complex)"]),
])
def test_numerical_gradient_needs_f_to_return_one_number(result, words):
    # None gave "unsupported operand type(s) for -: 'NoneType' and 'NoneType'", a vector
    # "setting an array element with a sequence"
    theta = np.array([0.5, -1.5, 2.0])
    before = theta.copy()
    refused(lambda: numerical_gradient(lambda t: result, theta), TypeError,
            "f must return one real number", *words)
    np.testing.assert_array_equal(theta, before)


def test_numerical_gradient_still_takes_an_int_a_numpy_scalar_or_a_one_by_one_array():
    theta = np.array([0.5, -1.5])
    for f, expected in [(lambda t: 3, [0.0, 0.0]), (lambda t: np.float64(t @ t), 2 * theta),
                        (lambda t: np.array([[t @ t]]), 2 * theta)]:
        np.testing.assert_allclose(numerical_gradient(f, theta), expected, rtol=1e-6, atol=1e-8)


# -- the checkers' lessons -----------------------------------------------------------------------
@pytest.mark.parametrize("lesson, error, words", [
    ("lesson10", ValueError, ["lesson 'lesson10' has no checkers", "one_dimensional_network",
                              "digits"]),
    ("core", ValueError, ["lesson 'core' has no checkers", "one_dimensional_network", "digits"]),
    (None, TypeError, ["lesson must be a lesson's name", "NoneType"]),
    (2, TypeError, ["lesson must be a lesson's name", "int"]),
])
def test_lesson_exercises_lists_the_lessons_that_have_checkers(lesson, error, words):
    # 'core' once gave an AttributeError, a number a ModuleNotFoundError
    from nnlib.exercises import lesson_exercises, lessons

    refused(lambda: lesson_exercises(lesson), error, *words)
    notebooks = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert lessons() == [path.stem.split("_", 1)[1] for path in notebooks[1:]], \
        "the checkers' modules, in course order, are the lessons' names without their numbers"


# -- the rest of the public functions, probed with None, text, complex, 1-D and NaN ----------
def _presentation_calls():
    import matplotlib

    matplotlib.use("Agg")
    from nnlib import animation, plots
    from nnlib.experiments import learning_potential

    net = MLP([2, 2, 1], seed=0)
    history = train(net, X, Y, lr=0.5, epochs=2, record_every=1, seed=0)
    return net, [
        # plot_losses: None had no len(), text was a format string, complex was cast
        (lambda: plots.plot_losses(None), TypeError, ["losses must be an array of numbers"]),
        (lambda: plots.plot_losses("abc"), TypeError, ["losses must be an array of numbers"]),
        (lambda: plots.plot_losses(np.array([0.5, 0.2j])), TypeError, ["losses must be real"]),
        (lambda: plots.plot_losses(np.ones((3, 2))), ValueError, ["losses must be 1-D", "(3, 2)"]),
        # plot_weights' axes: "'str' object has no attribute 'imshow'"
        (lambda: plots.plot_weights(net, axes="ab"), TypeError,
         ["axes must be 2 Matplotlib Axes, one per layer", "str"]),
        (lambda: plots.plot_weights(net, axes=[1.0]), TypeError, ["axes must be 2", "list of 1"]),
        # plot_decision_boundary's Y: (N, 2) drew column 0, NaN and 0.5 were not drawn
        (lambda: plots.plot_decision_boundary(net, X, np.hstack([Y, Y])), ValueError,
         ["Y must hold one label per row of X", "(4, 2)"]),
        (lambda: plots.plot_decision_boundary(net, X, np.array([0.0, 1.0, np.nan, 0.0])),
         ValueError, ["Y must hold the labels 0 and 1", "nan"]),
        (lambda: plots.plot_decision_boundary(net, X, "0110"), TypeError,
         ["Y must be an array of numbers"]),
        # history: "history has no snapshots" for anything that is not a History
        (lambda: animation.layer_frames(X, net), TypeError,
         ["history must be the History", "ndarray"]),
        (lambda: animation.animate_weights(None, net), TypeError,
         ["history must be the History", "NoneType"]),
        # input_names: nan had no len(), 'ab' was two labels, arrays were ambiguous
        (lambda: animation.animate_weights(history, net, input_names=math.nan), TypeError,
         ["input_names must be a list of 2 text labels", "nan"]),
        (lambda: animation.plot_weight_trajectories(history, net, input_names="ab"), TypeError,
         ["input_names must be a list of 2 text labels", "'ab'"]),
        (lambda: animation.plot_weight_trajectories(history, net, input_names=np.eye(2)),
         TypeError, ["input_names must be a list of 2 text labels"]),
        # a movie: "'NoneType' object has no attribute 'fps'"
        (lambda: animation.to_html(None, "a movie of training that never was"), TypeError,
         ["movie must be what animate_weights", "NoneType"]),
        (lambda: animation.save_gif("movie", "out.gif"), TypeError, ["movie must be", "str"]),
        # the rest: arrays made activations.get ambiguous, stratify reached scikit-learn,
        # learning_potential parsed text
        (lambda: MLP([2, 2, 1], activation=np.ones(2)), ValueError,
         ["unknown activation", "expected one of"]),
        (lambda: data.train_test_split(X, Y, stratify="yes"), TypeError,
         ["stratify must be True or False", "'yes'"]),
        (lambda: data.train_test_split(X, Y, stratify=np.ones(4)), TypeError,
         ["stratify must be True or False"]),
        (lambda: learning_potential("0.5"), TypeError, ["loss must be a number", "'0.5'"]),
        (lambda: learning_potential(None), TypeError, ["loss must be a number", "NoneType"]),
    ]


def test_the_presentation_and_helper_functions_refuse_junk_by_name(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    net, calls = _presentation_calls()
    kept = X.copy(), Y.copy()
    for call, error, words in calls:
        refused(call, error, *words, net=net)
        plt.close("all")
    np.testing.assert_array_equal(X, kept[0])
    np.testing.assert_array_equal(Y, kept[1])
    assert list(tmp_path.iterdir()) == []   # save_gif wrote nothing


def test_what_the_presentation_functions_still_take():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nnlib import animation, plots

    net = MLP([2, 2, 1], seed=0)
    history = train(net, X, Y, lr=0.5, epochs=2, record_every=1, seed=0)
    plots.plot_losses([0.5, 0.25, 0.125])
    plots.plot_decision_boundary(net, X, Y[:, 0].astype(int), resolution=5)
    _, axes = plt.subplots(1, 2, squeeze=False)
    assert len(plots.plot_weights(net, axes=axes)) == 2     # the array plt.subplots gives
    one = MLP([2, 1], seed=0)
    _, ax = plt.subplots()
    assert len(plots.plot_weights(one, axes=ax)) == 1       # one Axes for one layer
    animation.plot_weight_trajectories(history, net, input_names=("$x_1$", "$x_2$"))
    assert data.train_test_split(*data.moons(n=20, seed=0), seed=0, stratify=np.True_)
    plt.close("all")
