"""The training engine computes what the readable reference, MLP.gradient, computes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import MLP, activations
from nnlib._engine import FORWARD, FPRIME, Engine

OUTPUT_AND_LOSS = [("identity", "mse"), ("sigmoid", "mse"), ("tanh", "mse"), ("relu", "mse"),
                   ("leaky_relu", "mse"), ("softmax", "mse"), ("sigmoid", "cross_entropy"),
                   ("softmax", "cross_entropy")]


def problem(net, n, rng):
    X = rng.normal(size=(n, net.sizes[0])) * 2
    Y = rng.uniform(size=(n, net.sizes[-1]))
    if net.output_activation.name == "softmax":
        Y = np.eye(net.sizes[-1])[rng.integers(0, net.sizes[-1], size=n)]
    return X, Y


@settings(max_examples=150, deadline=None)
@given(sizes=st.lists(st.integers(1, 7), min_size=2, max_size=5),
       activation=st.sampled_from(sorted(activations.HIDDEN)),
       output_and_loss=st.sampled_from(OUTPUT_AND_LOSS),
       batches=st.lists(st.integers(1, 9), min_size=1, max_size=3),
       seed=st.integers(0, 2**16))
def test_engine_equals_the_reference_gradient(sizes, activation, output_and_loss, batches, seed):
    output, loss = output_and_loss
    if output == "softmax":  # a softmax over one unit is always 1: refused by MLP
        sizes = [*sizes[:-1], max(sizes[-1], 2)]
    net = MLP(sizes, activation, output, loss, init="uniform", seed=seed)
    engine, rng = Engine(net), np.random.default_rng(seed)
    for n in batches:  # several batch sizes, and weights that change between calls
        net.weights.flat += rng.normal(scale=0.1, size=net.weights.size)
        X, Y = problem(net, n, rng)
        value = engine.loss_and_gradient(X, Y)
        reference = net.gradient(X, Y)
        scale = max(np.abs(reference).max(), 1.0)
        assert np.abs(engine.grad - reference).max() <= 1e-12 * scale
        assert value == pytest.approx(net.loss(X, Y), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("name", sorted(FORWARD))
def test_in_place_activations_equal_the_reference(name):
    f = activations.get(name, output=True)
    Z = np.random.default_rng(0).normal(size=(6, 5)) * 30  # saturated sigmoids included
    out = np.full_like(Z, np.nan)
    FORWARD[name](Z, out)
    assert np.allclose(out, f(Z), rtol=1e-15, atol=1e-300)
    if name in FPRIME:
        fprime = np.full_like(Z, np.nan)
        FPRIME[name](Z, out, fprime)
        assert np.allclose(fprime, f.derivative(Z, f(Z)), rtol=1e-15, atol=1e-300)


def test_engine_reads_the_current_weights_and_leaves_its_inputs_alone():
    net = MLP([3, 4, 2], "tanh", "softmax", "cross_entropy", seed=0)
    X, Y = problem(net, 5, np.random.default_rng(1))
    X0, Y0 = X.copy(), Y.copy()
    engine = Engine(net)
    engine.loss_and_gradient(X, Y)
    net.weights.flat[:] = 0.5 * net.weights.flat  # changed in place: the views follow
    engine.loss_and_gradient(X, Y)
    assert np.abs(engine.grad - net.gradient(X, Y)).max() <= 1e-15
    assert np.array_equal(X, X0) and np.array_equal(Y, Y0)
