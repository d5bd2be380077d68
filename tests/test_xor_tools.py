"""nnlib.xor_tools: many networks trained side by side, each row exactly the network nnlib
would train from that seed."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import nnlib
from nnlib import xor_tools
from nnlib._figures import CLASS_COLORS, CLASS_MARKERS

X, Y = nnlib.data.xor()
SETTINGS = [dict(activation="sigmoid", loss="cross_entropy"), dict(activation="tanh", loss="mse"),
            dict(activation="relu", loss="cross_entropy", init="uniform")]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: s["activation"])
def test_each_row_is_the_network_of_its_seed(settings):
    seeds = [0, 3, 7]
    thetas = xor_tools.starts([2, 3, 1], seeds, **settings)
    nets = [nnlib.MLP([2, 3, 1], seed=s, **settings) for s in seeds]
    assert thetas.shape == (3, nets[0].weights.size)
    for row, net in zip(thetas, nets):
        assert np.array_equal(row, net.weights.flat)
    Zs, As = xor_tools.forward_many(thetas, X)
    loss, grad = xor_tools.loss_and_gradient_many(thetas, X, Y)
    for k, net in enumerate(nets):
        Zs_k, As_k = net.forward_all(X)
        assert all(np.allclose(a[k], b, rtol=0, atol=1e-14) for a, b in zip(Zs + As, Zs_k + As_k))
        loss_k, grad_k = net.loss_and_gradient(X, Y)
        assert abs(loss[k] - loss_k) < 1e-14 and np.allclose(grad[k], grad_k, rtol=0, atol=1e-14)


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: s["activation"])
def test_training_side_by_side_is_training_one_by_one(settings):
    seeds = range(20)
    thetas = xor_tools.starts([2, 2, 1], seeds, **settings)
    start = thetas.copy()
    losses, moves = xor_tools.train_many(thetas, X, Y, lr=0.1, steps=200)
    assert losses.shape == moves.shape == (200, 20)
    assert np.allclose(moves[0], 0.1, rtol=1e-4)     # Adam's first step: lr (up to its ε)
    assert np.all(moves.sum(axis=0) >= np.abs(thetas - start).max(axis=1) - 1e-12)
    solved = xor_tools.solved(thetas, X, Y)
    for k, seed in enumerate(seeds):
        net = nnlib.MLP([2, 2, 1], seed=seed, **settings)
        history = nnlib.train(net, X, Y, optimizer="adam", lr=0.1, epochs=200)
        assert np.allclose(thetas[k], net.weights.flat, rtol=0, atol=1e-9)
        assert np.allclose(losses[:, k], history.losses, rtol=0, atol=1e-12)
        assert solved[k] == np.all((net.forward(X) > 0.5) == (Y > 0.5))
    assert 0 < solved.sum() < 20                # both outcomes occur: the comparison bites



@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: s["activation"])
def test_continuing_with_the_same_adam_is_one_plain_longer_loop(settings):
    seeds, first, more = range(12), 150, 250
    thetas = xor_tools.starts([2, 2, 1], seeds, **settings)
    adam = nnlib.optim.Adam(0.1)
    xor_tools.train_many(thetas, X, Y, steps=first, adam=adam)
    restarted = thetas.copy()
    losses, moves = xor_tools.train_many(thetas, X, Y, steps=more, adam=adam)
    assert adam.t == first + more and losses.shape == moves.shape == (more, 12)
    for k, seed in enumerate(seeds):
        net, plain = nnlib.MLP([2, 2, 1], seed=seed, **settings), nnlib.optim.Adam(0.1)
        plain_losses, plain_moves = [], []
        for _ in range(first + more):                     # one Adam, never reset
            loss, grad = net.loss_and_gradient(X, Y)
            before = net.weights.flat.copy()
            plain.step(net.weights.flat, grad)
            plain_losses.append(loss)
            plain_moves.append(np.abs(net.weights.flat - before).max())
        assert np.allclose(thetas[k], net.weights.flat, rtol=0, atol=1e-9)
        assert np.allclose(losses[:, k], plain_losses[first:], rtol=0, atol=1e-12)
        assert np.allclose(moves[:, k], plain_moves[first:], rtol=0, atol=1e-9)
    # the default, a fresh Adam, restarts instead: its first step moves some weight by lr
    _, restart_moves = xor_tools.train_many(restarted, X, Y, steps=1)
    assert np.all(restart_moves[0] > 0.099) and np.all(moves[0] < 0.05)   # lr (up to ε), far below


def test_an_adam_to_continue_must_fit():
    thetas = xor_tools.starts([2, 2, 1], range(3))
    adam = nnlib.optim.Adam(0.1)
    xor_tools.train_many(thetas, X, Y, steps=2, adam=adam)
    kept = thetas.copy()
    with pytest.raises(ValueError, match="same rows"):
        xor_tools.train_many(thetas[:2], X, Y, steps=2, adam=adam)
    with pytest.raises(ValueError, match="adam has lr 0.2, but lr is 0.1"):
        xor_tools.train_many(thetas, X, Y, steps=2, adam=nnlib.optim.Adam(0.2))
    with pytest.raises(TypeError, match="nnlib.optim.Adam, got SGD"):
        xor_tools.train_many(thetas, X, Y, steps=2, adam=nnlib.optim.SGD(0.1))
    assert adam.t == 2 and np.array_equal(thetas, kept)   # refused calls change nothing

def test_layers_are_views_and_selections_keep_the_settings():
    thetas = xor_tools.starts([2, 4, 1], range(5), activation="tanh")
    for W, b in xor_tools.layers(thetas):
        assert np.shares_memory(W, thetas) and np.shares_memory(b, thetas)
    (W0, b0), (W1, b1) = xor_tools.layers(thetas)
    assert W0.shape == (5, 4, 2) and b0.shape == (5, 4) and W1.shape == (5, 1, 4) and b1.shape == (5, 1)
    W0[2, 1, 0] = 42.0
    assert thetas[2, 2] == 42.0                          # W0 row by row, as in net.weights.flat
    picked, copied = thetas[[0, 3]], thetas.copy()
    assert picked.net is thetas.net and copied.net is thetas.net
    assert xor_tools.forward_many(picked, X)[1][-1].shape == (2, 4, 1)


def test_wrong_arguments_are_named():
    with pytest.raises(TypeError, match="Stack made by xor_tools.starts"):
        xor_tools.forward_many(np.zeros((3, 9)), X)
    thetas = xor_tools.starts([2, 2, 1], range(2))
    with pytest.raises(TypeError, match="Stack made by xor_tools.starts"):
        xor_tools.train_many(thetas[0], X, Y)
    with pytest.raises(ValueError, match="at least one seed"):
        xor_tools.starts([2, 2, 1], [])
    with pytest.raises(ValueError, match="lr"):
        xor_tools.train_many(thetas, X, Y, lr=-1)
    with pytest.raises(ValueError):
        xor_tools.forward_many(thetas, np.zeros((4, 3)))   # three inputs for a 2-input net


def test_scatter_classes_draws_the_course_markers_and_names_the_points():
    fig, ax = plt.subplots()
    handles = xor_tools.scatter_classes(ax, X, Y, names=X)
    assert [h.get_label() for h in handles] == ["y = 0", "y = 1"]
    for handle, color, marker in zip(handles, CLASS_COLORS, CLASS_MARKERS):
        assert np.allclose(handle.get_facecolor()[0], matplotlib.colors.to_rgba(color))
        assert handle.get_paths()[0].vertices.shape == \
            matplotlib.markers.MarkerStyle(marker).get_path().vertices.shape
    assert [t.get_text() for t in ax.texts] == ["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"]
    ax.clear()
    xor_tools.scatter_classes(ax, np.array([[0.0, 0.0], [0.5, 0.5], [0.0, 0.01]]), [[0], [1], [0]],
                              names=[[0, 0], [1, 1], [1, 0]])
    offsets = [t.xyann for t in ax.texts]
    assert offsets[0] == (10, 8) and offsets[1] == (10, 8) and offsets[2] == (10, -16)  # below
    plt.close(fig)
