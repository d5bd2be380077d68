"""Lesson 09 checkers: the references agree with independent computations (scikit-learn's
scaler, a distance computed point by point, a gradient-descent loop written out by hand);
the checkers pass an independent solution, name every slip, and call a stub not implemented."""

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

import nnlib
from nnlib.exercises import weight_evolution as checkers
from nnlib.exercises.core import matches
from nnlib.exercises.weight_evolution import (
    check_decay_sweep,
    check_margins,
    check_standardise,
    reference_decay_sweep,
    reference_margins,
    reference_standardise,
)


def stub(*args):
    raise NotImplementedError


def test_exercises_are_listed_in_lesson_order():
    assert list(checkers.EXERCISES) == ["standardise", "margins", "decay_sweep"]
    assert checkers.EXERCISES["decay_sweep"] is check_decay_sweep


# -- the references are right ----------------------------------------------------------------

def test_standardise_reference_matches_scikit_learns_scaler():
    rng = np.random.default_rng(0)
    X_train, X_test = rng.normal(3.0, 5.0, size=(30, 4)), rng.normal(size=(7, 4))
    scaler = StandardScaler().fit(X_train)
    got = reference_standardise(X_train, X_test)
    np.testing.assert_allclose(got[0], scaler.transform(X_train), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got[1], scaler.transform(X_test), rtol=1e-12, atol=1e-14)


def test_margins_reference_is_the_smallest_signed_distance_of_a_sample():
    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(3, 2)), rng.normal(size=3)
    X = rng.normal(size=(9, 2))
    Y = (rng.uniform(size=(9, 1)) < 0.5).astype(float)
    for t in range(3):
        distances = []
        for x, y in zip(X, Y[:, 0]):
            # the foot of the perpendicular from x onto the line W·p + b = 0
            foot = x - (W[t] @ x + b[t]) / (W[t] @ W[t]) * W[t]
            right_side = (W[t] @ x + b[t] > 0) == (y == 1)
            distances.append(np.linalg.norm(x - foot) * (1 if right_side else -1))
        assert reference_margins(W, b, X, Y)[t] == pytest.approx(min(distances), rel=1e-12)


def test_margins_reference_is_positive_exactly_when_every_sample_is_classified_right():
    X, Y = nnlib.data.noisy_halfplane(n=50, n_noise=0, seed=2)
    W, b = np.array([[1.0, 0.0], [0.0, 1.0]]), np.zeros(2)
    margins = reference_margins(W, b, X, Y)
    assert margins[0] == pytest.approx(np.abs(X[:, 0]).min()) and margins[1] < 0


def test_decay_sweep_reference_matches_gradient_descent_written_out():
    rng = np.random.default_rng(3)
    X, X_test = rng.normal(size=(25, 3)), rng.normal(size=(40, 3))
    Y, Y_test = (X[:, :1] > 0).astype(float), (X_test[:, :1] + X_test[:, 1:2] > 0).astype(float)
    lams, steps, lr = [0.0, 0.1], 12, 0.5
    got = reference_decay_sweep(X, Y, X_test, Y_test, lams, steps=steps, lr=lr, seed=4)
    for lam, row in zip(lams, got):
        net = nnlib.MLP([3, 1], output_activation="sigmoid", loss="cross_entropy", seed=4)
        w, b = net.Ws[0][0].copy(), net.bs[0][0]
        for _ in range(steps):
            a = 1 / (1 + np.exp(-(X @ w + b)))
            delta = (a - Y[:, 0]) / len(X)                 # BP1 of sigmoid + cross-entropy
            w, b = w * (1 - lr * lam) - lr * (X.T @ delta), b - lr * delta.sum()
        right = sum((x @ w + b > 0) == (y == 1) for x, y in zip(X_test, Y_test[:, 0]))
        np.testing.assert_allclose(row, [w[0], -b / w[0], right / len(X_test)], rtol=1e-10)
    assert got[0, 2] < 1                                  # the test set is not separated by x0 alone


# -- the checkers' verdicts --------------------------------------------------------------

def plain_standardise(X_train, X_test):
    # an independent solution: one column at a time, the spread by its definition
    out_train, out_test = np.empty_like(X_train), np.empty_like(X_test)
    for j in range(X_train.shape[1]):
        mean = sum(X_train[:, j]) / len(X_train)
        std = np.sqrt(sum((X_train[:, j] - mean) ** 2) / len(X_train))
        out_train[:, j], out_test[:, j] = (X_train[:, j] - mean) / std, (X_test[:, j] - mean) / std
    return out_train, out_test


def test_standardise_checker_verdicts():
    assert check_standardise(plain_standardise)
    assert check_standardise(stub).status == "not implemented"

    def own_statistics(X_train, X_test):
        return plain_standardise(X_train, X_train)[0], plain_standardise(X_test, X_test)[0]

    def variance(X_train, X_test):
        mean, var = X_train.mean(axis=0), X_train.var(axis=0)
        return (X_train - mean) / var, (X_test - mean) / var

    def sample_std(X_train, X_test):
        mean, std = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
        return (X_train - mean) / std, (X_test - mean) / std

    for wrong, slip in [(own_statistics, "the test set was scaled with its own mean"),
                        (variance, "the columns were divided by their variance"),
                        (sample_std, "the columns were divided by the sample standard deviation")]:
        verdict = check_standardise(wrong)
        assert not verdict and verdict.slip.startswith(slip), verdict.message

    def in_place(X_train, X_test):
        X_train -= X_train.mean(axis=0)
        return plain_standardise(X_train, X_test)

    assert check_standardise(in_place).status == "changed inputs"
    assert check_standardise(lambda X_train, X_test: plain_standardise(X_train, X_test)[0]) \
        .status == "wrong shape"


def plain_margins(W, b, X, Y, sign=lambda y: 2 * y - 1, reduce=min, norm=True):
    out = []
    for w, c in zip(W, b):
        values = [sign(y) * (sum(wi * xi for wi, xi in zip(w, x)) + c) for x, y in zip(X, Y[:, 0])]
        out.append(reduce(values) / (np.sqrt(sum(wi * wi for wi in w)) if norm else 1.0))
    return np.array(out)


def test_margins_checker_verdicts():
    assert check_margins(plain_margins)
    assert check_margins(stub).status == "not implemented"
    for switches, slip in [(dict(sign=lambda y: y), "the labels 0/1 were used as signs"),
                           (dict(sign=lambda y: 1 - 2 * y), "the signs are the wrong way round"),
                           (dict(norm=False), "the margin was not divided by ‖W‖"),
                           (dict(reduce=lambda v: sum(v) / len(v)), "the mean was taken"),
                           (dict(reduce=lambda v: min(v, key=abs)), "the signed distance of the nearest")]:
        verdict = check_margins(lambda W, b, X, Y, s=switches: plain_margins(W, b, X, Y, **s))
        assert not verdict and verdict.slip.startswith(slip), verdict.message


def test_decay_sweep_checker_verdicts():
    def own_loop(X, Y, X_test, Y_test, lams, steps=300, lr=1.0, seed=3, warm=False, flip=1.0):
        rows = []
        net = nnlib.MLP([X.shape[1], 1], output_activation="sigmoid", loss="cross_entropy", seed=seed)
        for lam in lams:
            if not warm:
                net = nnlib.MLP([X.shape[1], 1], output_activation="sigmoid", loss="cross_entropy",
                                seed=seed)
            for _ in range(steps):                       # decay, then the gradient step
                gradient = net.gradient(X, Y)
                net.Ws[0][:] *= 1 - lr * lam
                net.weights.flat[:] -= lr * gradient
            w0, b0 = net.Ws[0][0, 0], net.bs[0][0]
            z = X_test @ net.Ws[0][0] + b0
            rows.append([w0, -flip * b0 / w0, np.mean((z > 0) == (Y_test[:, 0] == 1))])
        return np.array(rows)

    assert check_decay_sweep(own_loop)
    assert check_decay_sweep(stub).status == "not implemented"

    def doubled(X, Y, X_test, Y_test, lams, steps=300, lr=1.0, seed=3):
        return reference_decay_sweep(X, Y, X_test, Y_test, [2 * lam for lam in lams], steps, lr, seed)

    for wrong, slip in [(lambda *args, **kw: own_loop(*args, **kw, warm=True), "one network kept training"),
                        (doubled, "weight_decay was 2λ"),
                        (lambda *args, **kw: own_loop(*args, **kw, flip=-1.0), "the boundary has the wrong")]:
        verdict = check_decay_sweep(wrong)
        assert not verdict and verdict.slip.startswith(slip), verdict.message


@pytest.mark.parametrize("name", ["standardise", "margins", "decay_sweep"])
def test_every_slip_differs_from_the_reference_on_the_drawn_inputs(name):
    make = {"standardise": checkers._standardise_inputs, "margins": checkers._margins_inputs,
            "decay_sweep": checkers._decay_sweep_inputs}[name]
    reference = getattr(checkers, f"reference_{name}")
    slips = getattr(checkers, f"{name.upper()}_SLIPS")
    rng = np.random.default_rng(0)
    draws = [make(rng) for _ in range(3)]
    for slip, wrong in slips.items():
        assert any(not matches(wrong(*args), reference(*args), rtol=1e-5, atol=1e-8)
                   for args in draws), slip
