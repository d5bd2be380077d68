import numpy as np
import pytest
from scipy.special import expit

from nnlib import MLP, OPTIMIZERS, TrainingDiverged, data, train
from nnlib import optim as nnlib_optim


def plain_sgd_epoch(Ws, bs, X, Y, lr, batch_size):
    """Reference: a 1-hidden-layer sigmoid net, MSE, one sample at a time, written out."""
    W0, b0, W1, b1 = Ws[0].copy(), bs[0].copy(), Ws[1].copy(), bs[1].copy()
    for start in range(0, len(X), batch_size):
        gW0, gb0, gW1, gb1 = (np.zeros_like(p) for p in (W0, b0, W1, b1))
        batch = range(start, min(start + batch_size, len(X)))
        for i in batch:
            a0 = X[i]
            a1 = expit(W0 @ a0 + b0)
            a2 = expit(W1 @ a1 + b1)
            d2 = (a2 - Y[i]) * a2 * (1 - a2)
            d1 = (W1.T @ d2) * a1 * (1 - a1)
            gW1 += np.outer(d2, a1)
            gb1 += d2
            gW0 += np.outer(d1, a0)
            gb0 += d1
        n = len(batch)
        W0 -= lr * gW0 / n
        b0 -= lr * gb0 / n
        W1 -= lr * gW1 / n
        b1 -= lr * gb1 / n
    return W0, b0, W1, b1


def test_one_sgd_epoch_matches_a_plain_per_example_loop():
    X, Y = data.moons(n=23, seed=0)
    net = MLP([2, 4, 1], seed=3)
    expected = plain_sgd_epoch(net.Ws, net.bs, X, Y, lr=0.5, batch_size=5)  # last batch: 3 rows
    history = train(net, X, Y, optimizer="sgd", lr=0.5, epochs=1, batch_size=5, shuffle=False)
    assert history.steps == 5
    for got, want in zip((net.Ws[0], net.bs[0], net.Ws[1], net.bs[1]), expected):
        assert np.allclose(got, want, rtol=0, atol=1e-13)


def test_full_batch_sgd_is_flat_minus_lr_times_gradient():
    X, Y = data.xor()
    net = MLP([2, 3, 1], seed=0)
    start, grad = net.weights.flat.copy(), net.gradient(X, Y)
    history = train(net, X, Y, lr=0.3, epochs=1)
    assert np.allclose(net.weights.flat, start - 0.3 * grad, rtol=0, atol=1e-15)
    assert history.losses[0] == pytest.approx(MLP([2, 3, 1], seed=0).loss(X, Y))


def test_momentum_rmsprop_and_adam_follow_their_textbook_updates():
    X, Y = data.xor()
    for name in ("momentum", "rmsprop", "adam"):
        net = MLP([2, 3, 1], seed=1)
        theta = net.weights.flat.copy()
        reference = net.copy()
        v = m = s = np.zeros_like(theta)
        for t in range(1, 4):
            reference.weights.flat[:] = theta
            g = reference.gradient(X, Y)
            if name == "momentum":
                v = 0.9 * v - 0.1 * g
                theta = theta + v
            elif name == "rmsprop":                      # no bias correction, no momentum
                s = 0.9 * s + 0.1 * g * g
                theta = theta - 0.1 * g / (np.sqrt(s) + 1e-8)
            else:
                m = 0.9 * m + 0.1 * g
                s = 0.999 * s + 0.001 * g * g
                theta = theta - 0.1 * (m / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + 1e-8)
        train(net, X, Y, optimizer=name, lr=0.1, epochs=3)
        assert np.allclose(net.weights.flat, theta, rtol=0, atol=1e-12), name


def test_rmsprops_first_step_is_lr_over_root_one_minus_beta_per_entry():
    """No bias correction: s = (1 − β) g² after one step, so every entry with g ≠ 0 moves
    lr / √(1 − β), whatever the size of its gradient (as nnlib.optim.RMSprop says)."""
    grad = np.array([1e-3, -2.0, 50.0])
    for beta in (0.0, 0.9, 0.99):
        flat = np.zeros(3)
        nnlib_optim.RMSprop(0.1, beta=beta).step(flat, grad)
        assert np.allclose(flat, -np.sign(grad) * 0.1 / np.sqrt(1 - beta), rtol=1e-4, atol=0)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_views_stay_views_after_training(optimizer):
    X, Y = data.xor()
    net = MLP([2, 3, 1], seed=0)
    flat, views = net.weights.flat, list(net.Ws) + list(net.bs)
    before = flat.copy()
    train(net, X, Y, optimizer=optimizer, lr=0.5, epochs=5, batch_size=2, seed=0)
    assert net.weights.flat is flat and not np.array_equal(flat, before)
    for view, current in zip(views, list(net.Ws) + list(net.bs)):
        assert view is current and np.shares_memory(view, flat)


def test_lbfgs_solves_xor():
    X, Y = data.xor()
    net = MLP([2, 3, 1], seed=0)
    history = train(net, X, Y, optimizer="lbfgs", epochs=300)
    assert history.losses[-1] < 1e-3
    assert np.array_equal(net.forward(X) > 0.5, Y > 0.5)


def test_shuffled_training_is_reproducible_with_a_seed():
    X, Y = data.circles(n=64, seed=0)
    runs = []
    for _ in range(2):
        net = MLP([2, 5, 1], seed=0)
        train(net, X, Y, lr=0.5, epochs=3, batch_size=8, seed=42)
        runs.append(net.weights.flat.copy())
    assert np.array_equal(*runs)


def test_divergence_raises_an_error_naming_lr_and_step():
    X, Y = data.xor()
    net = MLP([2, 3, 1], output_activation="identity", seed=0)
    with pytest.raises(TrainingDiverged, match=r"step \d+ .*lr=1e\+06") as info:
        train(net, 100 * X, Y, lr=1e6, epochs=50)
    assert info.value.history.steps >= 1
    assert np.all(np.isfinite(info.value.history.losses))


def test_snapshots_test_losses_and_callback():
    X, Y = data.moons(n=40, seed=1)
    net = MLP([2, 4, 1], seed=0)
    start = net.weights.flat.copy()
    seen = []
    history = train(net, X, Y, lr=0.5, epochs=3, batch_size=10, shuffle=False, record_every=4,
                    test_data=data.moons(n=20, seed=2),
                    callback=lambda step, net, loss, grad: seen.append((step, loss)))
    assert history.steps == 12 and len(seen) == 12 and seen[-1][0] == 12
    assert history.snapshot_steps.tolist() == [0, 4, 8, 12]
    assert np.array_equal(history.snapshots[0], start)
    assert np.array_equal(history.snapshots[-1], net.weights.flat)
    assert history.test_losses.shape == (3,)
    replay = MLP([2, 4, 1], seed=0)
    train(replay, X, Y, lr=0.5, epochs=1, batch_size=10, shuffle=False)
    train(replay, X, Y, lr=0.5, epochs=1, batch_size=10, shuffle=False)
    assert np.allclose(history.snapshots[2], replay.weights.flat, atol=0)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "rmsprop", "adam"])
def test_callback_sees_the_unscaled_gradient_of_the_weights_before_the_step(optimizer):
    # SGD and momentum are handed lr · g to save a pass over the weights; the callback
    # must still get g itself, the gradient at the weights the step started from
    X, Y = data.moons(n=30, seed=4)
    net = MLP([2, 5, 1], seed=2)
    before, seen = [], []
    train(net, X, Y, optimizer=optimizer, lr=0.7, epochs=2, batch_size=10, shuffle=False,
          callback=lambda step, net, loss, grad: seen.append(grad.copy()))
    replay = MLP([2, 5, 1], seed=2)
    train(replay, X, Y, optimizer=optimizer, lr=0.7, epochs=2, batch_size=10, shuffle=False,
          callback=lambda step, net, loss, grad: before.append(net.weights.flat.copy()))
    assert len(seen) == len(before) == 6  # 2 epochs of 3 batches
    starts = [MLP([2, 5, 1], seed=2).weights.flat] + before[:-1]
    for k, (start, grad) in enumerate(zip(starts, seen)):
        reference = MLP([2, 5, 1], seed=2)
        reference.weights.flat[:] = start
        rows = slice(10 * (k % 3), 10 * (k % 3) + 10)
        expected = reference.gradient_per_example(X[rows], Y[rows])
        assert np.allclose(grad, expected, rtol=1e-12, atol=1e-15), (optimizer, k)


def test_callback_returning_true_stops_training():
    X, Y = data.xor()
    history = train(MLP([2, 2, 1], seed=0), X, Y, epochs=100,
                    callback=lambda step, *_: step == 7)
    assert history.steps == 7


def test_steps_stops_mid_epoch_and_scores_complete_epochs_only():
    X, Y = data.moons(n=40, seed=1)
    test = data.moons(n=20, seed=2)
    by_steps, by_epochs = MLP([2, 4, 1], seed=0), MLP([2, 4, 1], seed=0)
    history = train(by_steps, X, Y, lr=0.5, steps=10, batch_size=8, seed=3, test_data=test)
    assert history.steps == 10 and history.test_losses.shape == (2,)  # 5 steps per epoch
    reference = train(by_epochs, X, Y, lr=0.5, epochs=2, batch_size=8, seed=3, test_data=test)
    assert np.array_equal(history.losses, reference.losses)
    assert np.array_equal(by_steps.weights.flat, by_epochs.weights.flat)
    partial = train(MLP([2, 4, 1], seed=0), X, Y, lr=0.5, steps=7, batch_size=8, seed=3,
                    test_data=test)
    assert partial.steps == 7 and partial.test_losses.shape == (1,)
    assert np.array_equal(partial.losses, reference.losses[:7])
    assert train(MLP([2, 3, 1], seed=0), X, Y, optimizer="lbfgs", steps=4).steps <= 4
    with pytest.raises(ValueError, match="steps must be a positive integer, got 0"):
        train(MLP([2, 3, 1], seed=0), X, Y, steps=0)


def test_sgd_with_lr_folded_into_the_engine_equals_the_textbook_step():
    """Without a callback, train's SGD update takes lr · g from the engine in one pass;
    with one, SGD.step computes flat -= lr * grad. Both give the same weights."""
    X, Y = data.moons(n=60, seed=1)
    fused, textbook = MLP([2, 5, 1], "tanh", seed=2), MLP([2, 5, 1], "tanh", seed=2)
    train(fused, X, Y, lr=0.7, epochs=3, batch_size=8, seed=0)
    train(textbook, X, Y, lr=0.7, epochs=3, batch_size=8, seed=0, callback=lambda *_: False)
    assert np.abs(fused.weights.flat - textbook.weights.flat).max() <= 1e-13


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "rmsprop", "adam"])
def test_weight_decay_shrinks_the_weights_not_the_biases_by_lr_lambda(optimizer):
    """One full-batch step with decay λ: the weights shrink by lr · λ of themselves, the
    biases not at all, and then the optimizer's own step, with the gradient taken at the
    starting weights. For SGD that is a gradient step on the loss plus (λ/2) Σ W²."""
    X, Y = data.moons(n=30, seed=0)
    net = MLP([2, 4, 1], "tanh", seed=3)
    theta, grad = net.weights.flat.copy(), net.gradient(X, Y)
    lr, lam = 0.1, 0.5
    weights = np.zeros_like(theta)
    for W in net.weights.split(weights)[0::2]:
        W[:] = 1.0
    expected = theta - lr * lam * weights * theta
    nnlib_optim.STEP_OPTIMIZERS[optimizer](lr).step(expected, grad)   # its step, no decay
    train(net, X, Y, optimizer=optimizer, lr=lr, epochs=1, weight_decay=lam)
    assert np.abs(net.weights.flat - expected).max() <= 1e-14
    if optimizer == "sgd":
        penalty_gradient = lam * weights * theta                        # d/dθ (λ/2) Σ W²
        assert np.abs(net.weights.flat - (theta - lr * (grad + penalty_gradient))).max() <= 1e-14


def test_weight_decay_is_refused_where_it_does_not_apply():
    X, Y = data.xor()
    with pytest.raises(ValueError, match="weight_decay is for 'sgd', 'momentum', 'rmsprop', 'adam'"):
        train(MLP([2, 3, 1], seed=0), X, Y, optimizer="lbfgs", weight_decay=0.1)
    with pytest.raises(ValueError, match="weight_decay must be a finite number ≥ 0, got -1"):
        train(MLP([2, 3, 1], seed=0), X, Y, weight_decay=-1)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "rmsprop", "adam"])
def test_l1_soft_thresholds_the_weights_after_the_step(optimizer):
    """One full-batch step with L1 λ₁: the optimizer's own step, then each weight (not a
    bias), entry by entry, moves lr · λ₁ towards 0 and stops at 0 if it would cross it."""
    X, Y = data.moons(n=30, seed=0)
    net = MLP([2, 4, 1], "tanh", seed=3)
    theta, grad = net.weights.flat.copy(), net.gradient(X, Y)
    lr, lam = 0.1, 2.0
    stepped = theta.copy()
    nnlib_optim.STEP_OPTIMIZERS[optimizer](lr).step(stepped, grad)
    is_weight = np.zeros_like(theta)
    for W in net.weights.split(is_weight)[0::2]:
        W[:] = 1.0
    expected = []
    for value, weight in zip(stepped, is_weight):       # a plain loop, entry by entry
        if weight and abs(value) <= lr * lam:
            expected.append(0.0)
        elif weight:
            expected.append(value - lr * lam if value > 0 else value + lr * lam)
        else:
            expected.append(value)
    train(net, X, Y, optimizer=optimizer, lr=lr, epochs=1, l1=lam)
    assert np.abs(net.weights.flat - np.array(expected)).max() <= 1e-14
    assert 0 < np.count_nonzero(net.weights.flat == 0) < np.count_nonzero(is_weight)


def test_l1_zeroes_the_noise_inputs_weights_where_l2_only_shrinks_them():
    """On the noisy half-plane (input 0 decides the label, the others are noise), L1 sets
    every weight from a noise input exactly to 0 on each seed; the same strength of L2
    leaves none at 0."""
    for seed in range(3):
        X, Y = data.noisy_halfplane(n=80, seed=seed)
        l1, l2 = (MLP([X.shape[1], 1], loss="cross_entropy", seed=seed) for _ in range(2))
        train(l1, X, Y, lr=0.5, epochs=300, l1=0.02)
        train(l2, X, Y, lr=0.5, epochs=300, weight_decay=0.02)
        assert np.all(l1.Ws[0][:, 2:] == 0) and l1.Ws[0][0, 0] > 0.5, seed
        assert np.count_nonzero(l2.Ws[0] == 0) == 0, seed


def test_betas_reach_momentum_rmsprop_and_adam():
    X, Y = data.moons(n=40, seed=0)
    for optimizer, betas, reference in (
            ("momentum", (0.5,), nnlib_optim.Momentum(0.1, beta=0.5)),
            ("rmsprop", (0.7,), nnlib_optim.RMSprop(0.1, beta=0.7)),
            ("adam", (0.8, 0.99), nnlib_optim.Adam(0.1, beta1=0.8, beta2=0.99))):
        net = MLP([2, 4, 1], "tanh", seed=1)
        flat = net.weights.flat.copy()
        for _ in range(3):
            net.weights.flat[:] = flat
            reference.step(flat, net.gradient(X, Y))
        net.reset(1)
        train(net, X, Y, optimizer=optimizer, lr=0.1, epochs=3, betas=betas)
        assert np.abs(net.weights.flat - flat).max() <= 1e-14, optimizer


@pytest.mark.parametrize("arguments, words", [
    (dict(optimizer="lbfgs", l1=0.1), "l1 is for 'sgd', 'momentum', 'rmsprop', 'adam', got l1=0.1"),
    (dict(l1=-1), "l1 must be a finite number ≥ 0, got -1"),
    (dict(optimizer="sgd", betas=(0.9,)), "betas are for 'momentum', 'rmsprop', 'adam', got betas=(0.9,)"),
    (dict(optimizer="adam", betas=0.9), "betas for 'adam' must be a tuple of 2 (beta1, beta2)"),
    (dict(optimizer="momentum", betas=(1.0,)), "beta must be in [0, 1)"),
])
def test_l1_and_betas_are_refused_where_they_do_not_apply(arguments, words):
    X, Y = data.xor()
    net = MLP([2, 3, 1], seed=0)
    before = net.weights.flat.copy()
    with pytest.raises(ValueError) as caught:
        train(net, X, Y, **arguments)
    assert words in str(caught.value)
    assert np.array_equal(net.weights.flat, before)
