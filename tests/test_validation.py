"""Bad input gets a clear error naming the argument, what it got and what it expected."""

import numpy as np
import pytest

from nnlib import MLP, data, gradient_check, train

X, Y = data.xor()


@pytest.fixture
def net():
    return MLP([2, 3, 1], seed=0)


@pytest.mark.parametrize("method", ["forward", "loss", "gradient", "gradient_per_example"])
def test_wrong_number_of_features(net, method):
    bad = np.ones((4, 3))
    args = (bad,) if method == "forward" else (bad, Y)
    with pytest.raises(ValueError, match=r"X has 3 features.*\(4, 3\).*expected 2"):
        getattr(net, method)(*args)


def test_rows_of_Y_must_match_X(net):
    with pytest.raises(ValueError, match="Y has 3 rows but X has 4"):
        net.loss(X, Y[:3])


def test_wrong_output_width(net):
    with pytest.raises(ValueError, match=r"Y has 2 outputs.*expected 1"):
        net.gradient(X, np.ones((4, 2)))


def test_one_dimensional_input_gets_a_reshape_hint(net):
    with pytest.raises(ValueError, match=r"2-D.*reshape\(-1, 1\)"):
        net.forward(np.ones(2))


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_nan_and_inf_are_refused(net, value):
    bad = X.copy()
    bad[2, 1] = value
    with pytest.raises(ValueError, match="X contains NaN or inf.*row 2, column 1"):
        net.forward(bad)
    badY = Y.copy()
    badY[0, 0] = value
    with pytest.raises(ValueError, match="Y contains NaN or inf"):
        train(net, X, badY)


def test_empty_data(net):
    with pytest.raises(ValueError, match="X is empty"):
        net.forward(np.empty((0, 2)))


def test_non_numeric_data(net):
    with pytest.raises(TypeError, match="X must be an array of numbers"):
        net.forward([["a", "b"]])


@pytest.mark.parametrize("sizes, message", [
    ([3], "at least two entries"),
    ([2, 0, 1], "positive integer, got 0"),
    ([2, -3, 1], "positive integer, got -3"),
    ([2, 2.5, 1], "positive integer, got 2.5"),
    (5, "list of layer widths"),
])
def test_bad_sizes(sizes, message):
    with pytest.raises((ValueError, TypeError), match=message):
        MLP(sizes)


@pytest.mark.parametrize("kwargs, message", [
    ({"activation": "sigmod"}, "unknown activation 'sigmod'; expected one of: 'identity'"),
    ({"output_activation": "softplus"}, "unknown output_activation 'softplus'.*'softmax'"),
    ({"loss": "hinge"}, "unknown loss 'hinge'; expected one of: 'mse', 'cross_entropy'"),
    ({"init": "zeros"}, "unknown init 'zeros'; expected one of: 'xavier', 'he', 'uniform'"),
    ({"activation": "softmax"}, "only available as output_activation"),
    ({"loss": "cross_entropy", "output_activation": "identity"}, "needs output_activation"),
])
def test_unknown_names(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP([2, 3, 1], **kwargs)


def test_cross_entropy_targets_must_be_probabilities():
    net = MLP([1, 1], loss="cross_entropy")
    with pytest.raises(ValueError, match=r"targets Y in \[0, 1\].*\(Y \+ 1\) / 2"):
        net.loss(*data.toy_1d(n=10))
    softmax = MLP([2, 3], output_activation="softmax", loss="cross_entropy")
    with pytest.raises(ValueError, match="sum to 1"):
        softmax.loss(X, np.zeros((4, 3)))


@pytest.mark.parametrize("kwargs, error, message", [
    ({"optimizer": "adagrad"}, ValueError, "unknown optimizer 'adagrad'.*'rmsprop'.*'lbfgs'"),
    ({"lr": 0}, ValueError, "lr must be a positive number, got 0"),
    ({"lr": -0.1}, ValueError, "lr must be a positive number, got -0.1"),
    ({"lr": float("nan")}, ValueError, "lr must be a positive number"),
    ({"lr": "0.1"}, TypeError, "lr must be a positive number, got '0.1'"),
    ({"batch_size": 0}, ValueError, "batch_size must be a positive integer, got 0"),
    ({"batch_size": 2.0}, TypeError, "batch_size must be a positive integer"),
    ({"epochs": 0}, ValueError, "epochs must be a positive integer, got 0"),
    ({"record_every": -1}, ValueError, "record_every must be a positive integer"),
])
def test_bad_training_arguments(net, kwargs, error, message):
    before = net.weights.flat.copy()
    with pytest.raises(error, match=message):
        train(net, X, Y, **kwargs)
    assert np.array_equal(net.weights.flat, before)  # checked before anything changed


def test_gradient_check_checks_its_input(net):
    with pytest.raises(ValueError, match="X has 3 features"):
        gradient_check(net, np.ones((4, 3)), Y)


def test_data_generators_check_their_arguments():
    with pytest.raises(ValueError, match="n must be a positive integer, got 0"):
        data.circles(n=0)
    with pytest.raises(ValueError, match="n_noise must be a non-negative integer"):
        data.noisy_halfplane(n_noise=-1)


def test_huge_but_finite_values_are_accepted(net):
    # their sum overflows, which must not be mistaken for an inf in the data
    assert net.forward(np.full((3, 2), 1e308)).shape == (3, 1)
