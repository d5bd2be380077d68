"""Lesson 04 checkers: the references agree with independent computations (plain loops,
finite differences, nnlib), and every right, wrong and unfinished answer gets the right
verdict, with the slip named and a wrong answer's difference reported relative to the
reference's largest entry (core.how_far)."""

import numpy as np
import pytest

import nnlib
from nnlib.exercises import batched_backprop as checkers
from nnlib.exercises.batched_backprop import (
    EXERCISES,
    GRADIENT_FIXED_SLIPS,
    PLANTED_BUG,
    WEIGHTED_SLIPS,
    check_gradient_fixed,
    check_weighted_weight_gradient,
    reference_gradient_fixed,
    reference_weighted_weight_gradient,
)
from nnlib.exercises.core import TRANSPOSED


def stub(*args):
    raise NotImplementedError


def test_exercises_are_listed_in_lesson_order():
    assert list(EXERCISES) == ["weighted_weight_gradient", "gradient_fixed"]
    assert EXERCISES["weighted_weight_gradient"] is check_weighted_weight_gradient
    assert EXERCISES["gradient_fixed"] is check_gradient_fixed


# -- Exercise 1: weighted_weight_gradient -----------------------------------------------------

def loop_weighted(deltas, A_prev, c):
    total = np.zeros((deltas.shape[1], A_prev.shape[1]))
    for d, a, weight in zip(deltas, A_prev, c):
        for i in range(len(d)):
            for m in range(len(a)):
                total[i, m] += weight * d[i] * a[m]
    return total / sum(c)


def test_weighted_reference_matches_a_triple_loop_and_the_plain_mean():
    rng = np.random.default_rng(2)
    deltas, A_prev, c = rng.normal(size=(6, 2)), rng.normal(size=(6, 5)), rng.uniform(0.5, 2, 6)
    assert np.allclose(reference_weighted_weight_gradient(deltas, A_prev, c),
                       loop_weighted(deltas, A_prev, c), rtol=1e-13, atol=1e-15)
    ones = np.ones(6)                       # equal weights: the lesson's Δᵀ A with 1/N
    assert np.allclose(reference_weighted_weight_gradient(deltas, A_prev, ones),
                       (deltas / 6).T @ A_prev, rtol=1e-13, atol=1e-15)


def test_weighted_reference_is_nnlib_gradient_of_duplicated_samples():
    """Weight 2 on a sample is that sample twice in the batch: the output layer's gradient
    of an identity output with MSE (δ⁽ⁿ⁾ = a⁽ⁿ⁾ − y⁽ⁿ⁾) from nnlib on the duplicated data."""
    rng = np.random.default_rng(3)
    net = nnlib.MLP([3, 4, 2], activation="tanh", output_activation="identity", seed=3)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    c = np.array([1.0, 2.0, 1.0, 3.0, 1.0])
    rows = np.repeat(np.arange(5), c.astype(int))
    _, As = net.forward_all(X)
    got = reference_weighted_weight_gradient(As[-1] - Y, As[1], c)
    grad_W1 = net.weights.split(net.gradient(X[rows], Y[rows]))[2]
    assert np.allclose(got, grad_W1, rtol=1e-12, atol=1e-15)


def test_weighted_checker_verdicts():
    assert check_weighted_weight_gradient(loop_weighted)
    assert check_weighted_weight_gradient(
        lambda d, a, c: np.einsum("n,nj,nk->jk", c, d, a) / c.sum())
    assert check_weighted_weight_gradient(stub).status == "not implemented"
    transposed = check_weighted_weight_gradient(lambda d, a, c: loop_weighted(d, a, c).T)
    assert transposed.status == "wrong shape" and transposed.slip == TRANSPOSED
    wrong = {
        "the weights c are missing (that is the plain mean, Δ with 1/N)":
            lambda d, a, c: loop_weighted(d, a, np.ones(len(c))),
        "it divides by N instead of by Σ c": lambda d, a, c: loop_weighted(d, a, c) * c.sum() / len(c),
        "the division by Σ c is missing": lambda d, a, c: loop_weighted(d, a, c) * c.sum(),
        "c enters twice (it scales δ⁽ⁿ⁾ and a⁽ⁿ⁾ both, so each term has (c⁽ⁿ⁾)²)":
            lambda d, a, c: loop_weighted(d, a, c ** 2) * (c ** 2).sum() / c.sum(),
        "the sums are taken before the product (Σ c δ times Σ a instead of Σ c⁽ⁿ⁾ δ⁽ⁿ⁾ a⁽ⁿ⁾ᵀ)":
            lambda d, a, c: np.array([[(c * d[:, i]).sum() * a[:, m].sum() for m in range(a.shape[1])]
                                      for i in range(d.shape[1])]) / c.sum(),
        "the sum over the samples is missing (a stack of N outer products)":
            lambda d, a, c: np.stack([w * np.outer(x, y) for w, x, y in zip(c, d, a)]) / c.sum(),
    }
    assert set(wrong) == set(WEIGHTED_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_weighted_weight_gradient(candidate)
        assert not verdict and verdict.slip == slip, (slip, verdict)
        assert verdict.status == "wrong shape" or "the reference's largest entry" in verdict.message


def test_weighted_slips_differ_from_the_reference_on_the_drawn_inputs():
    rng = np.random.default_rng(0)
    for _ in range(4):
        args = checkers._weighted_inputs(rng)
        right = reference_weighted_weight_gradient(*args)
        for slip, wrong in WEIGHTED_SLIPS.items():
            got = wrong(*args)
            assert got.shape != right.shape or nnlib.relative_error(got, right) > 1e-4, slip


# -- Exercise 2: gradient_fixed (find the bug) ----------------------------------------------

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def per_sample_gradient(X, Y, Ws, bs):
    """Backprop one sample at a time with column vectors, averaged: the right answer."""
    grads = [np.zeros_like(p) for W, b in zip(Ws, bs) for p in (W, b)]
    for x, y in zip(X, Y):
        a, zs, acts = x[:, None], [], [x[:, None]]
        for W, b in zip(Ws, bs):
            zs.append(W @ a + b[:, None])
            a = sigmoid(zs[-1])
            acts.append(a)
        delta = (a - y[:, None]) * a * (1 - a)
        for l in reversed(range(len(Ws))):
            grads[2 * l] += delta @ acts[l].T / len(X)
            grads[2 * l + 1] += delta[:, 0] / len(X)
            if l > 0:
                s = acts[l]
                delta = (Ws[l].T @ delta) * s * (1 - s)
    return np.concatenate([g.ravel() for g in grads])


def lesson_forward(X, Ws, bs):
    Zs, As = [], [X]
    for W, b in zip(Ws, bs):
        Zs.append(As[-1] @ W.T + b)
        As.append(sigmoid(Zs[-1]))
    return Zs, As


def gradient_buggy(X, Y, Ws, bs):
    """The notebook's gradient_buggy, word for word (with the test's own helpers)."""
    Zs, As = lesson_forward(X, Ws, bs)
    N, L = len(X), len(Ws) - 1
    grads = []
    delta = (As[L + 1] - Y) * sigmoid(Zs[L]) * (1 - sigmoid(Zs[L])) / N
    for l in range(L, -1, -1):
        grads = [delta.T @ As[l], delta.sum(axis=0)] + grads
        if l > 0:
            delta = (delta @ Ws[l]) * sigmoid(Zs[l]) * (1 - sigmoid(Zs[l]))
    return np.concatenate([g.ravel() for g in grads])


def batched(X, Y, Ws, bs, mistake=None):
    """Batched backprop written for the tests, with one named mistake if asked."""
    Zs, As = lesson_forward(X, Ws, bs)
    N = len(X)
    s_out = sigmoid(Zs[-1])
    delta = (As[-1] - Y) * s_out * (1 - s_out)
    if mistake != "no 1/N":
        delta = delta / N
    dW, db = {}, {}
    for l in reversed(range(len(Ws))):
        dW[l] = delta.T @ As[l]
        db[l] = delta.sum(axis=0)
        if mistake == "1/N twice":
            dW[l], db[l] = dW[l] / N, db[l] / N
        if mistake == "bias mean":
            db[l] = delta.mean(axis=0)
        if mistake == "bias not summed":
            db[l] = delta.copy()
        if mistake == "bias rows":
            db[l] = delta.sum(axis=1)
        if l > 0:
            z = Zs[l - 1]
            slope = {"no σ′": 1.0, "σ for σ′": sigmoid(z),
                     "1 − z": sigmoid(z) * (1 - z)}.get(mistake, sigmoid(z) * (1 - sigmoid(z)))
            delta = (delta @ Ws[l]) * slope
    L = range(len(Ws))
    pieces = ([dW[l] for l in L] + [db[l] for l in L] if mistake == "weights first"
              else [p for l in L for p in (dW[l], db[l])])
    return np.concatenate([p.ravel() for p in pieces])


def random_net(sizes, N, seed):
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(m, n)) for n, m in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(0, 0.5, size=m) for m in sizes[1:]]
    return rng.normal(size=(N, sizes[0])), rng.uniform(size=(N, sizes[-1])), Ws, bs


@pytest.mark.parametrize("sizes", [[2, 3, 3, 1], [4, 2], [3, 5, 1, 4, 2]])
def test_gradient_reference_matches_finite_differences_and_nnlib(sizes):
    X, Y, Ws, bs = random_net(sizes, 7, seed=len(sizes))
    net = nnlib.MLP(sizes, activation="sigmoid", output_activation="sigmoid", loss="mse")
    for l in range(len(Ws)):
        net.Ws[l][:], net.bs[l][:] = Ws[l], bs[l]
    theta = net.weights.flat.copy()

    def loss(theta):
        views = nnlib.FlatWeights([p.shape for W, b in zip(Ws, bs) for p in (W, b)])
        views.flat[:] = theta
        A = lesson_forward(X, views.views[0::2], views.views[1::2])[1][-1]
        return 0.5 * np.sum((A - Y) ** 2) / len(X)

    got = reference_gradient_fixed(X, Y, Ws, bs)
    assert nnlib.relative_error(got, nnlib.numerical_gradient(loss, theta, eps=1e-5)) < 1e-8
    assert nnlib.relative_error(got, net.gradient(X, Y)) < 1e-12
    assert nnlib.relative_error(got, per_sample_gradient(X, Y, Ws, bs)) < 1e-12


def test_gradient_buggy_is_wrong_below_the_output_layer_only():
    """The planted bug, as the notebook shows it: the last layer's groups pass the check."""
    X, Y, Ws, bs = random_net([2, 3, 3, 1], 20, seed=4)
    right, buggy = per_sample_gradient(X, Y, Ws, bs), gradient_buggy(X, Y, Ws, bs)
    assert np.allclose(buggy[-4:], right[-4:], rtol=1e-12)       # W2 (3) and b2 (1)
    assert nnlib.relative_error(buggy[:-4], right[:-4]) > 1e-2


def test_gradient_fixed_checker_accepts_right_answers():
    assert check_gradient_fixed(per_sample_gradient)
    assert check_gradient_fixed(batched)


def test_gradient_fixed_checker_names_the_planted_bug_and_each_slip():
    verdict = check_gradient_fixed(gradient_buggy)
    assert verdict.status == "wrong values" and verdict.slip == PLANTED_BUG
    mistakes = {
        "σ′ is missing in BP2": "no σ′",
        "BP2 uses σ(z) where σ′(z) belongs": "σ for σ′",
        "σ(z)(1 − z) was used instead of σ(z)(1 − σ(z))": "1 − z",
        "the 1/N is missing": "no 1/N",
        "the 1/N is doubled": "1/N twice",
        "the 1/N is doubled in the bias gradient (a mean instead of a sum)": "bias mean",
        "the bias gradient is not summed over the batch": "bias not summed",
        "the bias gradient is summed over the wrong axis": "bias rows",
        "the weights come first and the biases after (the layout is W0, b0, W1, b1, …)":
            "weights first",
    }
    assert set(mistakes) | {PLANTED_BUG} == set(GRADIENT_FIXED_SLIPS)
    for slip, mistake in mistakes.items():
        verdict = check_gradient_fixed(lambda X, Y, Ws, bs, m=mistake: batched(X, Y, Ws, bs, m))
        assert not verdict and verdict.slip == slip, (slip, verdict)


def test_gradient_fixed_checker_other_verdicts():
    assert check_gradient_fixed(stub).status == "not implemented"

    def changes_weights(X, Y, Ws, bs):
        Ws[0] *= 0.5
        return batched(X, Y, Ws, bs)

    assert check_gradient_fixed(changes_weights).status == "changed inputs"

    def only_lesson_shapes(X, Y, Ws, bs):
        assert Y.shape[1] == 1, "one output only"
        return batched(X, Y, Ws, bs)

    assert check_gradient_fixed(only_lesson_shapes).status == "error"


def test_gradient_fixed_slips_differ_from_the_reference_on_the_drawn_inputs():
    for make_inputs, seed in ((checkers._like_the_lesson, 0), (checkers._any_widths, 1)):
        rng = np.random.default_rng(seed)         # the checker's seeds
        for _ in range(3):
            args = make_inputs(rng)
            right = per_sample_gradient(*args)
            for slip, wrong in GRADIENT_FIXED_SLIPS.items():
                try:
                    got = wrong(*args)
                except ValueError:                 # the planted bug needs broadcastable widths
                    assert slip == PLANTED_BUG and make_inputs is checkers._any_widths
                    continue
                assert got.shape != right.shape or nnlib.relative_error(got, right) > 1e-4, slip


def test_gradient_fixed_checker_reports_a_relative_error():
    verdict = check_gradient_fixed(gradient_buggy)
    assert "% of the reference's largest entry" in verdict.message


def test_the_lesson_gradient_buggy_fails_exactly_the_groups_its_solution_names():
    """The table in exercise 2's folded solution (step 1): on the lesson's network (its
    section 1) and check batch (its section 5: the first 20 samples, nnlib's centred
    differences with eps 1e-5, one relative error per group), W0, b0, W1, b1 fail by over
    1e-3 and W2, b2 pass below 1e-7."""
    sizes = [2, 3, 3, 1]
    rng = np.random.default_rng(42)                  # the lesson's weights (its section 1)
    Ws = [rng.normal(0.0, 1.0, size=(m, n)) for n, m in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(0.0, 0.5, size=m) for m in sizes[1:]]
    X, Y = nnlib.data.circles(n=400, noise=0.1, factor=0.5, seed=0)
    X, Y = X[:20], Y[:20]
    net = nnlib.MLP(sizes, activation="sigmoid", output_activation="sigmoid", loss="mse")
    for l in range(len(Ws)):
        net.Ws[l][:], net.bs[l][:] = Ws[l], bs[l]
    numeric = nnlib.numerical_gradient(lambda t: net.loss(X, Y), net.weights.flat, eps=1e-5)
    offsets = net.weights.offsets                    # the lesson's errors_per_group

    def errors_per_group(analytic):
        return [nnlib.relative_error(analytic[start:stop], numeric[start:stop])
                for start, stop in zip(offsets[:-1], offsets[1:])]

    errors = errors_per_group(GRADIENT_FIXED_SLIPS[PLANTED_BUG](X, Y, Ws, bs))
    assert len(errors) == 6 and min(errors[:4]) > 1e-3 and max(errors[4:]) < 1e-7
    assert max(errors_per_group(reference_gradient_fixed(X, Y, Ws, bs))) < 1e-7
