import warnings

import numpy as np
import pytest
from scipy.special import expit

from nnlib import activations, numerical_gradient

Z = np.linspace(-4, 4, 17).reshape(-1, 1) + np.array([[0.013, -0.021]])  # avoid the kink at 0


@pytest.mark.parametrize("name", sorted(activations.HIDDEN))
def test_derivative_matches_centred_differences(name):
    f = activations.get(name)
    A = f(Z)
    expected = (f(Z + 1e-6) - f(Z - 1e-6)) / 2e-6
    assert np.allclose(f.derivative(Z, A), expected, atol=1e-8)


def test_reference_formulas():
    z = np.array([[-2.0, 0.5, 3.0]])
    assert np.allclose(activations.get("sigmoid")(z), expit(z), rtol=1e-15, atol=0)
    assert np.allclose(activations.get("tanh")(z), np.tanh(z))
    assert np.array_equal(activations.get("relu")(z), [[0.0, 0.5, 3.0]])
    assert np.allclose(activations.get("leaky_relu")(z), [[-0.02, 0.5, 3.0]])
    assert np.array_equal(activations.get("identity")(z), z)


def test_sigmoid_is_stable_for_huge_inputs():
    z = np.array([[-1e308, -1e3, -50.0, 0.0, 50.0, 1e3, 1e308]])
    sigmoid = activations.get("sigmoid")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = sigmoid(z)
        d = sigmoid.derivative(z, a)
    assert np.all(np.isfinite(a)) and a[0, 0] == 0.0 and a[0, -1] == 1.0 and a[0, 3] == 0.5
    assert np.allclose(a, expit(z), rtol=1e-15, atol=0)  # exact to rounding, tails included
    assert np.all(np.isfinite(d))


def test_softmax_rows_sum_to_one_and_backward_is_the_jacobian_product():
    rng = np.random.default_rng(0)
    softmax = activations.get("softmax", output=True)
    Z = rng.normal(size=(4, 3)) * 50  # large values must not overflow
    A = softmax(Z)
    assert np.allclose(A.sum(axis=1), 1.0)
    G = rng.normal(size=(4, 3))
    expected = np.stack([softmax.jacobian(a).T @ g for a, g in zip(A, G)])
    assert np.allclose(softmax.backward(G, Z, A), expected)
    z = rng.normal(size=3)
    jac = np.stack([numerical_gradient(lambda t, i=i: softmax(t[None])[0, i], z.copy())
                    for i in range(3)])
    assert np.allclose(softmax.jacobian(softmax(z[None])[0]), jac, atol=1e-8)


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="unknown activation 'sigmod'.*'sigmoid'"):
        activations.get("sigmod")
    with pytest.raises(ValueError, match="softmax"):
        activations.get("softmax")  # softmax is an output activation only
