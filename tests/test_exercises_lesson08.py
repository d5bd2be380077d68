"""Lesson 08's checkers: the right answer passes, each named slip gets its verdict."""

from nnlib.autodiff import Value
from nnlib.exercises.lesson08 import check_add_backward, check_penalised_loss, check_tanh_backward


def stub(*_):
    raise NotImplementedError


def test_tanh_backward():
    assert check_tanh_backward(lambda g, z, a: g * (1 - a ** 2)).status == "correct"
    assert "1 − z²" in check_tanh_backward(lambda g, z, a: g * (1 - z ** 2)).message
    assert "incoming gradient" in check_tanh_backward(lambda g, z, a: 1 - a ** 2).message
    assert check_tanh_backward(lambda g, z, a: g * a).status == "wrong values"
    assert check_tanh_backward(stub).status == "not implemented"


def test_add_backward():
    assert check_add_backward(lambda g, xs, bs: (g, g.sum(axis=0))).status == "correct"
    assert "axis 0" in check_add_backward(lambda g, xs, bs: (g, g)).message
    assert "mean" in check_add_backward(lambda g, xs, bs: (g, g.mean(axis=0))).message
    assert check_add_backward(stub).status == "not implemented"


def test_penalised_loss():
    def right(X, Y, W, b, lam):
        R = Value(X) @ W.T + b - Value(Y)
        return (R * R).mean() * Value(0.5 * Y.shape[1]) + (W * W).sum() * Value(lam)

    def no_penalty(X, Y, W, b, lam):
        R = Value(X) @ W.T + b - Value(Y)
        return (R * R).mean() * Value(0.5 * Y.shape[1])

    assert check_penalised_loss(right).status == "correct"
    assert check_penalised_loss(no_penalty).status == "wrong values"
    assert check_penalised_loss(lambda X, Y, W, b, lam: 1.0).status == "wrong shape"
    assert check_penalised_loss(stub).status == "not implemented"
    assert bool(check_penalised_loss(right)) and not check_penalised_loss(no_penalty)


def test_square_plus_gradient():
    from nnlib.exercises.lesson08 import check_square_plus_gradient

    assert check_square_plus_gradient(lambda x: 2 * x + 1).status == "correct"
    assert "(+=)" in check_square_plus_gradient(lambda x: x + 1).message   # x·x's share lost
    assert "(+=)" in check_square_plus_gradient(lambda x: x).message
    assert check_square_plus_gradient(lambda x: 3 * x).status == "wrong values"
    assert check_square_plus_gradient(stub).status == "not implemented"
