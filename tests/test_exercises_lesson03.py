"""Lesson 03 checkers: the references agree with independent computations (plain loops,
finite differences, nnlib), and every right, wrong and unfinished answer gets the right
verdict, with the slip named."""

import numpy as np
import pytest

import nnlib
from nnlib.exercises import lesson03
from nnlib.exercises.core import TRANSPOSED
from nnlib.exercises.lesson03 import (
    BATCHED_WEIGHT_GRADIENT_SLIPS,
    EXERCISES,
    GRADIENT_FIXED_SLIPS,
    NO_GUARD,
    PLANTED_BUG,
    RELATIVE_ERROR_SLIPS,
    STACKED_OUTER_SLIPS,
    check_batched_weight_gradient,
    check_gradient_fixed,
    check_relative_error,
    check_stacked_outer,
    reference_batched_weight_gradient,
    reference_gradient_fixed,
    reference_relative_error,
    reference_stacked_outer,
)


def stub(*args):
    raise NotImplementedError


def test_exercises_are_listed_in_lesson_order():
    assert list(EXERCISES) == ["relative_error", "stacked_outer", "batched_weight_gradient",
                               "gradient_fixed"]
    assert EXERCISES["gradient_fixed"] is check_gradient_fixed


# -- Exercise 1: relative_error --------------------------------------------------------------

def plain_relative_error(a, b):
    top = np.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)))
    bottom = np.sqrt(sum(x ** 2 for x in a)) + np.sqrt(sum(y ** 2 for y in b))
    return top / bottom if bottom > 0 else 0.0


def test_relative_error_reference_matches_a_plain_formula_and_nnlib():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=7), rng.normal(size=7)
    assert reference_relative_error(a, b) == pytest.approx(plain_relative_error(a, b), rel=1e-13)
    assert reference_relative_error(a, b) == pytest.approx(nnlib.relative_error(a, b), rel=1e-13)
    assert reference_relative_error(a, a) == 0.0
    assert reference_relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert reference_relative_error(a, -a) == pytest.approx(1.0)


def test_relative_error_checker_accepts_right_answers():
    assert check_relative_error(plain_relative_error)
    assert check_relative_error(lambda a, b: np.linalg.norm(a - b)
                                / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b)))
    assert check_relative_error(nnlib.relative_error)


def test_relative_error_checker_names_each_slip():
    def norm(x):
        return np.sqrt(np.sum(x * x))

    wrong = {
        "the denominator is missing": lambda a, b: norm(a - b),
        "the denominator is ‖a‖ instead of ‖a‖ + ‖b‖": lambda a, b: norm(a - b) / norm(a),
        "the denominator is max(‖a‖, ‖b‖) instead of ‖a‖ + ‖b‖":
            lambda a, b: norm(a - b) / np.maximum(norm(a), norm(b)),
        "the denominator is ‖a + b‖ instead of ‖a‖ + ‖b‖": lambda a, b: norm(a - b) / norm(a + b),
        "squared norms were used (the square roots are missing)":
            lambda a, b: norm(a - b) ** 2 / (norm(a) ** 2 + norm(b) ** 2),
        "it is computed entry by entry instead of with norms":
            lambda a, b: np.array([abs(x - y) / (abs(x) + abs(y)) for x, y in zip(a, b)]),
    }
    assert set(wrong) == set(RELATIVE_ERROR_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_relative_error(candidate)
        assert not verdict and verdict.slip == slip, (slip, verdict)
        assert slip in verdict.message


def test_relative_error_checker_asks_for_the_guard():
    for no_guard in (lambda a, b: np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)),
                     lambda a, b: float(np.linalg.norm(a - b))
                     / float(np.linalg.norm(a) + np.linalg.norm(b))):   # ZeroDivisionError
        verdict = check_relative_error(no_guard)
        assert verdict.status == "wrong values" and verdict.slip == NO_GUARD


def test_relative_error_checker_other_verdicts():
    assert check_relative_error(stub).status == "not implemented"
    assert check_relative_error(lambda a, b: None).status == "not implemented"
    assert check_relative_error(lambda a, b: 1 / 0).status == "error"
    unknown = check_relative_error(lambda a, b: 2 * plain_relative_error(a, b))
    assert unknown.status == "wrong values" and unknown.slip is None


def test_relative_error_slips_differ_from_the_reference_on_the_drawn_inputs():
    rng = np.random.default_rng(0)          # the checker's seed
    for _ in range(5):
        a, b = lesson03._pair_inputs(rng)
        right = reference_relative_error(a, b)
        for slip, wrong in RELATIVE_ERROR_SLIPS.items():
            got = np.asarray(wrong(a, b))
            assert got.shape != () or abs(got - right) > 1e-3 * right, slip


# -- Exercises 2 and 3: stacked_outer, batched_weight_gradient -------------------------------

def loop_outer(delta, A_prev):
    B, j = delta.shape
    k = A_prev.shape[1]
    out = np.zeros((B, j, k))
    for s in range(B):
        for i in range(j):
            for m in range(k):
                out[s, i, m] = delta[s, i] * A_prev[s, m]
    return out


def loop_weight_gradient(delta, A_prev):
    return loop_outer(delta, A_prev).sum(axis=0)


def test_stacked_outer_reference_matches_a_triple_loop():
    rng = np.random.default_rng(1)
    delta, A_prev = rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    got = reference_stacked_outer(delta, A_prev)
    assert got.shape == (5, 3, 4)
    assert np.allclose(got, loop_outer(delta, A_prev), rtol=1e-14, atol=0)


def test_batched_weight_gradient_reference_is_the_sum_of_outer_products():
    rng = np.random.default_rng(2)
    delta, A_prev = rng.normal(size=(6, 2)), rng.normal(size=(6, 5))
    expected = sum(np.outer(d, a) for d, a in zip(delta, A_prev))
    assert np.allclose(reference_batched_weight_gradient(delta, A_prev), expected,
                       rtol=1e-13, atol=1e-15)


def test_batched_weight_gradient_reproduces_nnlib_output_layer_gradient():
    """For an identity output with MSE, delta = (A − Y)/N, so Σ δ aᵀ is dLoss/dW of the last layer."""
    rng = np.random.default_rng(3)
    net = nnlib.MLP([3, 4, 2], activation="tanh", output_activation="identity", seed=3)
    X, Y = rng.normal(size=(9, 3)), rng.normal(size=(9, 2))
    _, As = net.forward_all(X)
    delta = (As[-1] - Y) / len(X)
    grad_W1 = net.weights.split(net.gradient(X, Y))[2]
    assert np.allclose(reference_batched_weight_gradient(delta, As[1]), grad_W1,
                       rtol=1e-12, atol=1e-15)


def test_stacked_outer_checker_verdicts():
    assert check_stacked_outer(loop_outer)
    assert check_stacked_outer(lambda d, a: np.matmul(d[:, :, None], a[:, None, :]))
    assert check_stacked_outer(stub).status == "not implemented"
    wrong = {
        "delta and A_prev are swapped (the result is (B, k, j))":
            lambda d, a: loop_outer(d, a).transpose(0, 2, 1),
        "the outer products are already summed over the batch (that is exercise 3)":
            loop_weight_gradient,
        "np.outer was applied to the whole arrays (it flattens them first)":
            lambda d, a: d.reshape(-1, 1) * a.reshape(1, -1),
    }
    assert set(wrong) == set(STACKED_OUTER_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_stacked_outer(candidate)
        assert verdict.status == "wrong shape" and verdict.slip == slip, (slip, verdict)
    unknown = check_stacked_outer(lambda d, a: 2 * loop_outer(d, a))
    assert unknown.status == "wrong values" and unknown.slip is None


def test_batched_weight_gradient_checker_verdicts():
    assert check_batched_weight_gradient(loop_weight_gradient)
    assert check_batched_weight_gradient(lambda d, a: np.einsum("bj,bk->jk", d, a))
    assert check_batched_weight_gradient(stub).status == "not implemented"
    transposed = check_batched_weight_gradient(lambda d, a: loop_weight_gradient(d, a).T)
    assert transposed.status == "wrong shape" and transposed.slip == TRANSPOSED
    wrong = {
        "the 1/N is doubled (delta already carries it)":
            lambda d, a: loop_weight_gradient(d, a) / d.shape[0],
        "the sum over the batch is missing (that is the stack of exercise 2)": loop_outer,
        "the sums are taken before the product (Σδ times Σa instead of Σ δ aᵀ)":
            lambda d, a: np.array([[d[:, i].sum() * a[:, m].sum() for m in range(a.shape[1])]
                                   for i in range(d.shape[1])]),
        "the sum is over the wrong axis (j instead of the batch)":
            lambda d, a: loop_outer(d, a).sum(axis=1),
    }
    assert set(wrong) == set(BATCHED_WEIGHT_GRADIENT_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_batched_weight_gradient(candidate)
        assert not verdict and verdict.slip == slip, (slip, verdict)


# -- Exercise 4: gradient_fixed (find the bug) ----------------------------------------------

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
    for make_inputs, seed in ((lesson03._like_the_lesson, 0), (lesson03._any_widths, 1)):
        rng = np.random.default_rng(seed)         # the checker's seeds
        for _ in range(3):
            args = make_inputs(rng)
            right = per_sample_gradient(*args)
            for slip, wrong in GRADIENT_FIXED_SLIPS.items():
                try:
                    got = wrong(*args)
                except ValueError:                 # the planted bug needs broadcastable widths
                    assert slip == PLANTED_BUG and make_inputs is lesson03._any_widths
                    continue
                assert got.shape != right.shape or nnlib.relative_error(got, right) > 1e-4, slip


def test_relative_error_checker_never_raises_on_what_zero_vectors_give():
    # right on random vectors, then 2**2000 or an unconvertible object for two zero vectors:
    # float() raised OverflowError or the object's own error out of the checker
    class RaisingFloat:
        def __float__(self):
            raise RuntimeError("__float__ refuses")

    for junk, status in ((2**2000, "wrong shape"), (RaisingFloat(), "wrong shape"),
                         ("0", "wrong values"), (0j, "wrong values")):   # text: not parsed
        def candidate(a, b, junk=junk):
            return junk if not (a.any() or b.any()) else plain_relative_error(a, b)

        verdict = check_relative_error(candidate)
        assert verdict.status == status and "expected one" in verdict.message, (junk, verdict)
