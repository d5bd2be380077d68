"""nnlib.curvature against independent references: the Hessian from second differences of
the loss alone, numpy's eigvalsh, and a symmetric matrix whose spectrum is known."""

import numpy as np
import pytest

import nnlib
from nnlib.curvature import _power_iteration, hessian_vector_product, sharpness
from nnlib.experiments import build_net, train_run


def loss_hessian(net, X, Y, h=1e-4):
    """The full Hessian of net.loss(X, Y) from the loss alone: second centred differences."""
    flat, n = net.weights.flat, net.weights.size
    start = flat.copy()

    def loss_at(step):
        flat[:] = start + step
        return net.loss(X, Y)

    H, eye = np.empty((n, n)), np.eye(n) * h
    for i in range(n):
        for j in range(i, n):
            H[i, j] = H[j, i] = (loss_at(eye[i] + eye[j]) - loss_at(eye[i] - eye[j])
                                 - loss_at(eye[j] - eye[i]) + loss_at(-eye[i] - eye[j])) / (4 * h * h)
    flat[:] = start
    return H


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hessian_vector_products_and_sharpness_match_the_loss_hessian(seed):
    net = nnlib.MLP([2, 3, 1], activation="tanh", seed=seed)
    X, Y = nnlib.data.xor()
    before = net.weights.flat.copy()
    H = loss_hessian(net, X, Y)
    v = np.random.default_rng(seed).normal(size=net.weights.size)
    assert nnlib.relative_error(hessian_vector_product(net, X, Y, v), H @ v) < 1e-5
    lam, direction = sharpness(net, X, Y, iterations=500)
    top = np.linalg.eigvalsh(H)[-1]
    assert abs(lam - top) < 1e-4 * abs(top)
    assert np.array_equal(net.weights.flat, before), "the weights are put back exactly"
    assert abs(np.linalg.norm(direction) - 1) < 1e-12


def test_sharpness_is_the_most_positive_eigenvalue_when_a_negative_one_is_larger():
    # eigenvalues −5, 1, 2: plain power iteration finds −5; the shifted run finds 2
    Q = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))[0]
    M = Q @ np.diag([-5.0, 1.0, 2.0]) @ Q.T
    mu, _ = _power_iteration(lambda u: M @ u, np.ones(3), 300)
    assert abs(mu + 5) < 1e-9
    linear = nnlib.MLP([3, 1], activation="identity", output_activation="identity", loss="mse")
    X = np.random.default_rng(1).normal(size=(50, 3))
    Y = X @ np.array([[1.0], [-2.0], [0.5]])
    X1 = np.column_stack([X, np.ones(len(X))])
    expected = np.linalg.eigvalsh(X1.T @ X1 / len(X))[-1]    # ½ mean squared error: H = X1ᵀX1/N
    assert abs(sharpness(linear, X, Y, iterations=300)[0] - expected) < 1e-6 * expected


def test_sharpness_refuses_a_bad_iteration_count():
    net = nnlib.MLP([2, 1], seed=0)
    X, Y = nnlib.data.xor()
    with pytest.raises(ValueError, match="iterations must be a positive integer"):
        sharpness(net, X, Y, iterations=0)


def test_train_run_records_update_ratios_and_tracks_sharpness():
    data = nnlib.data.make_data("moons", 120, 0.1, seed=0)
    net = build_net(2, [4], "tanh", seed=0)
    start = net.weights.flat.copy()
    run = train_run(net, data, lr=1.0, steps=150, batch_size=None, record_every=1,
                    track_sharpness=True, checkpoint=start)
    # the ratios against the recorded weights, layer by layer, written out (the recorder
    # summarises its steps in blocks of 64: steps on both sides of each block's end too)
    snapshots = dict(zip(run.history.snapshot_steps, run.history.snapshots))
    for step in (1, 25, 64, 65, 128, 129, 150):
        before, after = snapshots[step - 1], snapshots[step]
        for layer in range(net.n_layers):
            W, b = net.weights.split(before)[2 * layer: 2 * layer + 2]
            W2, b2 = net.weights.split(after)[2 * layer: 2 * layer + 2]
            change = np.sqrt(np.sum((W2 - W) ** 2) + np.sum((b2 - b) ** 2))
            expected = change / np.sqrt(np.sum(W ** 2) + np.sum(b ** 2))
            assert abs(run.update_ratios[step - 1, layer] - expected) < 1e-9 * expected
    assert run.sharpness_steps[0] == 0 and list(run.sharpness_steps) == sorted(run.sharpness_steps)
    X, Y = data[0], data[1]
    net.weights.flat[:] = start
    assert abs(run.sharpness[0] - sharpness(net, X, Y, iterations=300)[0]) < 1e-3 * run.sharpness[0]
    plain = train_run(net, data, lr=1.0, steps=150, batch_size=None, checkpoint=start)
    assert plain.sharpness.size == 0
    assert np.array_equal(plain.history.losses, run.history.losses), "tracking changes nothing"
