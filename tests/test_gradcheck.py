import numpy as np
import pytest

from nnlib import MLP, data, gradient_check, numerical_gradient, relative_error, train


def test_numerical_gradient_of_a_known_function():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    theta = np.array([0.5, -1.5])
    before = theta.copy()
    grad = numerical_gradient(lambda t: 0.5 * t @ A @ t + np.sin(t[0]), theta)
    assert np.allclose(grad, A @ before + [np.cos(0.5), 0.0], atol=1e-9)
    assert np.array_equal(theta, before)  # restored exactly


def test_numerical_gradient_sees_the_vector_through_views():
    net = MLP([2, 2, 1], seed=0)
    X, Y = data.xor()
    numeric = numerical_gradient(lambda _: net.loss(X, Y), net.weights.flat)
    assert relative_error(numeric, net.gradient(X, Y)) < 1e-8


def test_numerical_gradient_rejects_a_copying_input():
    with pytest.raises(TypeError, match="1-D float64"):
        numerical_gradient(lambda t: t.sum(), [1.0, 2.0])


def test_relative_error_properties():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(1e-9 * a, 1e-9 * a * (1 + 1e-6)) == pytest.approx(
        relative_error(a, a * (1 + 1e-6)))  # scale-free
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="equal shapes"):
        relative_error(a, a[:2])


def test_report_has_every_layer_and_group_and_passes_for_a_correct_net():
    net = MLP([2, 4, 3, 1], activation="tanh", seed=1)
    X, Y = data.xor()
    report = gradient_check(net, X, Y)
    assert [(layer, group) for layer, group, _, _ in report.rows] == [
        (0, "weights"), (0, "biases"), (1, "weights"), (1, "biases"), (2, "weights"), (2, "biases")]
    assert [count for *_, count in report.rows] == [8, 4, 12, 3, 3, 1]
    assert report.passed and report.max_error <= 1e-7
    assert "passed" in repr(report)


def test_report_catches_a_wrong_bias_gradient_and_names_its_group():
    net = MLP([2, 3, 1], seed=0)
    X, Y = data.xor()
    honest = net.gradient

    def broken(X, Y):
        grad = honest(X, Y)
        net.weights.split(grad)[3][:] *= 1.01  # last bias off by 1 %
        return grad

    net.gradient = broken
    report = gradient_check(net, X, Y)
    errors = {(layer, group): error for layer, group, error, _ in report.rows}
    assert errors[(1, "biases")] > 1e-3
    assert max(e for key, e in errors.items() if key != (1, "biases")) < 1e-7
    assert not report.passed and "FAILED" in repr(report)


def test_report_warns_about_relu_kinks():
    net = MLP([1, 2, 1], activation="relu", seed=0)
    net.Ws[0][:] = [[1.0], [-1.0]]
    X, Y = np.array([[0.0], [1.0]]), np.array([[0.5], [0.2]])
    report = gradient_check(net, X, Y)
    assert report.kinks == 2 and "kink" in repr(report)


def test_at_a_minimum_a_large_relative_error_is_called_rounding_not_a_failure():
    # converged: the gradient is ~0, so centred-difference noise dominates the ratio
    X, Y = data.xor()
    net = MLP([2, 3, 1], activation="tanh", loss="cross_entropy", seed=0)
    train(net, X, Y, optimizer="lbfgs", epochs=500)
    report = gradient_check(net, X, Y)
    assert not report.passed and report.verdict == "rounding"
    assert "inconclusive" in repr(report) and "FAILED" not in repr(report)
