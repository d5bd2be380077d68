"""The autodiff engine against MLP.gradient, finite differences, and its own rules."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import MLP, activations, numerical_gradient
from nnlib.autodiff import Value, mlp_gradient, topological_order

OUTPUT_AND_LOSS = [("identity", "mse"), ("sigmoid", "mse"), ("tanh", "mse"), ("relu", "mse"),
                   ("softmax", "mse"), ("sigmoid", "cross_entropy"),
                   ("softmax", "cross_entropy")]


@settings(max_examples=100, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),
       activation=st.sampled_from(sorted(activations.HIDDEN)),
       output_and_loss=st.sampled_from(OUTPUT_AND_LOSS),
       n=st.integers(1, 8), seed=st.integers(0, 2**16))
def test_mlp_gradient_equals_backprop(sizes, activation, output_and_loss, n, seed):
    output, loss = output_and_loss
    if output == "softmax":
        sizes[-1] = max(sizes[-1], 2)
    net = MLP(sizes, activation, output, loss, init="uniform", seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    Y = (np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=n)] if output == "softmax"
         else rng.uniform(size=(n, sizes[-1])))
    value, grad = mlp_gradient(net, X, Y)
    reference_loss, reference = net.loss_and_gradient(X, Y)
    assert value == pytest.approx(reference_loss, rel=1e-12, abs=1e-300)
    assert np.abs(grad - reference).max() <= 1e-12 * max(1.0, np.abs(reference).max())


def test_gradients_accumulate_for_a_value_used_twice():
    x = Value(np.array([1.5, -2.0, 3.0]))
    (x * x).sum().backward()            # d/dx Σ x² = 2x: both uses of x count
    assert np.array_equal(x.grad, 2 * x.data)
    W = Value(np.array([[0.5, -1.0], [2.0, 0.25]]))
    a = Value(np.array([[1.0, 2.0]]))
    out = (a @ W.T @ W.T).sum()         # one weight matrix in two layers
    out.backward()
    numeric = numerical_gradient(lambda w: (a.data @ w.reshape(2, 2).T @ w.reshape(2, 2).T).sum(),
                                 W.data.ravel().copy())
    assert np.allclose(W.grad.ravel(), numeric, rtol=1e-8, atol=1e-9)


def test_broadcast_add_sums_its_gradient_over_the_broadcast_axis():
    Z, b = Value(np.arange(6.0).reshape(3, 2)), Value(np.array([0.5, -0.5]))
    ((Z + b) * (Z + b)).sum().backward()
    assert b.grad.shape == (2,) and np.allclose(b.grad, (2 * (Z.data + b.data)).sum(axis=0))


def test_backward_twice_gives_the_same_gradient_not_double():
    x = Value(np.array([2.0]))
    y = (x * x).sum()
    y.backward()
    y.backward()
    assert np.array_equal(x.grad, [4.0])


def test_what_it_does_not_support_is_refused_clearly():
    x = Value(np.ones((2, 2)))
    with pytest.raises(TypeError, match=r"autodiff \+ needs two Values \(or a Value and a number\), "
                       r"got ndarray"):
        x + np.ones((2, 2))
    with pytest.raises(TypeError, match=r"autodiff \+ needs two Values.*got bool"):
        x + True

    class LessonValue:               # a Value of another class, as the autodiff lesson builds
        def __init__(self, data):
            self.data, self.parents = np.asarray(data, dtype=float), ()

    with pytest.raises(TypeError, match=r"autodiff \*: nnlib.autodiff's Value met a LessonValue of "
                       r"another class \(the lesson's own Value\?\); the two classes do not mix"):
        x * LessonValue(2.0)
    with pytest.raises(TypeError, match="autodiff \\*\\* needs a number as the power, got Value"):
        x ** x
    with pytest.raises(ValueError, match=r"backward\(\) needs a scalar.*\(2, 2\)"):
        x.backward()
    from nnlib.autodiff import loss
    with pytest.raises(ValueError, match="'cross_entropy'.*'tanh'"):
        loss(x, x, np.ones((2, 2)), "cross_entropy", "tanh")


def test_sub_and_mean_against_centred_differences():
    rng = np.random.default_rng(0)
    a0, b0 = rng.normal(size=(3, 2)), rng.normal(size=(2,))

    def f(theta):
        a, b = theta[:6].reshape(3, 2), theta[6:]
        return float((((a - b) * (a - b)).mean()))

    a, b = Value(a0), Value(b0)
    ((a - b) * (a - b)).mean().backward()
    numeric = numerical_gradient(f, np.concatenate([a0.ravel(), b0]))
    assert np.allclose(np.concatenate([a.grad.ravel(), b.grad]), numeric, rtol=1e-8, atol=1e-10)


def test_a_long_chain_backpropagates_without_recursion():
    # 3,000 additions in a row ended in RecursionError in backward()
    x = Value(np.array(2.0))
    y = x
    for _ in range(3000):
        y = y + x
    z = y * y
    z.backward()
    assert y.data == 3001 * 2.0
    assert x.grad == 2 * y.data * 3001


def test_the_topological_order_runs_a_diamond_once():
    x = Value(np.array([1.0, 2.0]))
    a, b = x * Value(3.0), x * Value(5.0)
    (a + b + a).sum().backward()
    np.testing.assert_array_equal(x.grad, [11.0, 11.0])


def test_numbers_mix_with_values_as_constants_against_centred_differences():
    """The lesson's natural code: lam * (W * W).sum(), R / len(X), 1 - a, R ** 2, 2 / a."""
    rng = np.random.default_rng(1)
    w0, r0 = rng.normal(size=(3, 2)), rng.uniform(0.5, 2.0, size=(4,))

    def f(theta):
        W, R = theta[:6].reshape(3, 2), theta[6:]
        return float(0.1 * (W * W).sum() + (R ** 2).sum() / 4 + (1 - R).sum() - (2 / R).mean()
                     + (-W).sum() + 3 * (R ** 0.5).sum())

    W, R = Value(w0), Value(r0)
    out = (0.1 * (W * W).sum() + (R ** 2).sum() / 4 + (1 - R).sum() - (2 / R).mean()
           + (-W).sum() + 3 * (R ** 0.5).sum())
    theta = np.concatenate([w0.ravel(), r0])
    assert abs(float(out.data) - f(theta)) < 1e-12
    out.backward()
    numeric = numerical_gradient(f, theta)
    assert np.allclose(np.concatenate([W.grad.ravel(), R.grad]), numeric, rtol=1e-7, atol=1e-9)


def test_topological_order_lists_every_value_once_each_after_its_parents():
    x = Value(np.array([1.0, 2.0]))
    x2 = x * x
    root = (x2 + x2 * x2 + x).sum()
    order = topological_order(root)
    where = {id(v): k for k, v in enumerate(order)}
    assert order[-1] is root and len(where) == len(order) == 6
    assert all(where[id(p)] < where[id(v)] for v in order for p in v.parents)
    assert [v.rule is None for v in order] == [True, False, False, False, False, False]


def test_topological_order_of_a_long_chain_needs_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(3000):
        y = y * x
    order = topological_order(y)
    assert len(order) == 3001 and order[0] is x and order[-1] is y
