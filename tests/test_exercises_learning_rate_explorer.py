"""Checkers of lesson 08: the right verdict for right, wrong and unfinished answers (each
named slip recognised by name), with solutions written independently of the references,
and references checked against independent computations."""

from pathlib import Path

import numpy as np
import pytest

import nnlib
from nnlib.exercises.learning_rate_explorer import (
    MAX_STABLE_LR_SLIPS,
    MOVING_AVERAGE_SLIPS,
    RANGE_TEST_CASES,
    RANGE_TEST_SLIPS,
    _range_test_case,
    check_max_stable_lr,
    check_moving_average,
    check_one_run_range_test,
    reference_max_stable_lr,
    reference_one_run_range_test,
)

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "08_learning_rate_explorer.ipynb"


# -- max_stable_lr ---------------------------------------------------------------------------
def power_iteration_eigenvalue(H, shift=0.0):
    """The largest eigenvalue of H − shift·I (positive semi-definite here), by power iteration."""
    v = np.ones(len(H))
    for _ in range(3000):
        v = H @ v - shift * v
        v /= np.linalg.norm(v)
    return v @ H @ v - shift


def solution_max_stable_lr(H):
    # power iteration instead of an eigen-solver: an independent route to λ_max
    return 2.0 / power_iteration_eigenvalue(H)


def lambda_min(H):
    # the largest eigenvalue of λ_max·I − H is λ_max − λ_min
    top = power_iteration_eigenvalue(H)
    return top - power_iteration_eigenvalue(top * np.eye(len(H)) - H)


def test_max_stable_lr_accepts_a_solution_and_refuses_a_stub():
    verdict = check_max_stable_lr(solution_max_stable_lr)
    assert verdict and verdict.status == "correct"

    def stub(H):
        raise NotImplementedError

    assert check_max_stable_lr(stub).status == "not implemented"


def test_max_stable_lr_names_each_slip():
    wrong = {
        "2/λ_min was used instead of 2/λ_max": lambda H: 2.0 / lambda_min(H),
        "1/λ_max was used instead of 2/λ_max": lambda H: 1.0 / power_iteration_eigenvalue(H),
        "the best rate 2/(λ_min + λ_max) was given instead of the limit 2/λ_max":
            lambda H: 2.0 / (lambda_min(H) + power_iteration_eigenvalue(H)),
        "2/λ was computed for every eigenvalue instead of for λ_max only":
            lambda H: 2.0 / np.linalg.eigh(H)[0],
    }
    assert set(wrong) == set(MAX_STABLE_LR_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_max_stable_lr(candidate)
        assert verdict.status in ("wrong values", "wrong shape") and verdict.slip == slip, slip
        assert slip in repr(verdict)


def test_the_bound_is_the_stability_edge():
    """Gradient descent on ½ wᵀHw: contracts just below the reference's bound, grows just above."""
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    H = (Q * np.array([0.5, 2.0, 3.0, 8.0])) @ Q.T
    bound = reference_max_stable_lr(H)
    for factor, shrinks in ((0.99, True), (1.01, False)):
        w = rng.normal(size=4)
        start = np.linalg.norm(w)
        for _ in range(2000):
            w = w - factor * bound * (H @ w)
        assert (np.linalg.norm(w) < start) == shrinks


# -- one_run_range_test --------------------------------------------------------------------
def range_test_by_hand(net, X, Y, lr_min=1e-3, lr_max=100.0, steps=200, batch_size=32, seed=0,
                       raise_first=False, exponent=None, after=False, versus_first=False,
                       never_stop=False, drop_last=False, one_batch=False, restore=True):
    """An independent one-run range test: a rate multiplied by a constant factor after each
    step, nnlib.train for the step itself. The keyword switches make one slip each."""
    start = net.weights.flat.copy()
    rng = np.random.default_rng(seed)
    factor = (lr_max / lr_min) ** (1 / (exponent or steps - 1))
    lr = lr_min * factor if raise_first else lr_min
    rates, losses = [], []
    rows = rng.choice(len(X), size=batch_size, replace=False)
    for k in range(steps):
        if k > 0 and not one_batch:
            rows = rng.choice(len(X), size=batch_size, replace=False)
        Xb, Yb = X[rows], Y[rows]
        if after:
            nnlib.train(net, Xb, Yb, optimizer="sgd", lr=lr, steps=1, batch_size=None)
        loss = net.loss(Xb, Yb)
        reference = losses[0] if versus_first and losses else min(losses + [loss])
        blown = not never_stop and (not np.isfinite(loss) or loss > 4 * reference)
        if blown and drop_last:
            break
        rates.append(lr)
        losses.append(loss)
        if blown:
            break
        if not after:
            nnlib.train(net, Xb, Yb, optimizer="sgd", lr=lr, steps=1, batch_size=None)
        lr *= factor
    if restore:
        net.weights.flat[:] = start
    return np.array(rates), np.array(losses)


def test_range_test_reference_agrees_with_a_run_of_nnlib_train_steps():
    for case in RANGE_TEST_CASES:
        net, X, Y, settings = _range_test_case(case)
        checkpoint = net.weights.flat.copy()
        rates, losses = reference_one_run_range_test(net, X, Y, **settings)
        assert np.array_equal(net.weights.flat, checkpoint)          # restored
        by_hand = range_test_by_hand(net, X, Y, **settings)
        assert np.allclose(rates, by_hand[0], rtol=1e-12) and np.allclose(losses, by_hand[1], rtol=1e-9)
        full = np.geomspace(settings["lr_min"], settings["lr_max"], settings["steps"])
        assert np.allclose(rates, full[:rates.size], rtol=1e-12)


def test_range_test_cases_exercise_the_stop_and_the_whole_schedule():
    lengths = []
    for case in RANGE_TEST_CASES:
        net, X, Y, settings = _range_test_case(case)
        rates, losses = reference_one_run_range_test(net, X, Y, **settings)
        lengths.append((losses.size, settings["steps"]))
        if losses.size < settings["steps"]:                  # it stopped: on a blow-up
            assert losses[-1] > 4 * losses[:-1].min() and losses[:-1].max() <= 4 * losses[:-1].min()
        else:
            assert rates[-1] == pytest.approx(settings["lr_max"], rel=1e-12)
    assert [n < steps for n, steps in lengths] == [True, True, False]


def test_range_test_accepts_a_solution_and_refuses_a_stub():
    verdict = check_one_run_range_test(range_test_by_hand)
    assert verdict and verdict.status == "correct"

    def stub(net, X, Y, lr_min=1e-3, lr_max=100.0, steps=200, batch_size=32, seed=0):
        raise NotImplementedError

    assert check_one_run_range_test(stub).status == "not implemented"


def _with(**switches):
    def candidate(net, X, Y, **settings):
        if switches.get("exponent") == "steps":
            return range_test_by_hand(net, X, Y, **settings, exponent=settings["steps"],
                                      **{k: v for k, v in switches.items() if k != "exponent"})
        return range_test_by_hand(net, X, Y, **settings, **switches)
    return candidate


def test_range_test_names_each_slip():
    wrong = {
        "the rate is raised before each step, so step k uses the rate meant for step k + 1":
            _with(raise_first=True),
        "the rates rise as (lr_max/lr_min)^(k/steps), so they never reach lr_max":
            _with(exponent="steps"),
        "the loss is recorded after the step instead of before it": _with(after=True),
        "the stop compares with the first loss instead of the lowest so far": _with(versus_first=True),
        "it does not stop when the loss blows up": _with(never_stop=True),
        "the loss that triggered the stop is not recorded": _with(drop_last=True),
        "the same mini-batch is used at every step": _with(one_batch=True),
    }
    assert set(wrong) == set(RANGE_TEST_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_one_run_range_test(candidate)
        assert verdict.status in ("wrong values", "wrong shape") and verdict.slip == slip, slip
        assert slip in repr(verdict)


def test_range_test_weights_not_restored_or_inputs_changed():
    verdict = check_one_run_range_test(_with(restore=False))
    assert verdict.status == "changed inputs"
    assert verdict.slip == "the weights were not restored afterwards"

    def shuffles_X(net, X, Y, **settings):
        result = range_test_by_hand(net, X, Y, **settings)
        X[:] = X[::-1]
        return result

    assert check_one_run_range_test(shuffles_X).slip == "it changed its inputs"

    def one_result(net, X, Y, **settings):
        return range_test_by_hand(net, X, Y, **settings)[1]

    assert check_one_run_range_test(one_result).status == "wrong shape"


# -- moving_average ----------------------------------------------------------------------
def solution_moving_average(losses, width):
    out = np.empty(len(losses))
    for k in range(len(losses)):
        window = losses[max(0, k - width + 1): k + 1]
        out[k] = sum(window) / len(window)
    return out


def test_moving_average_accepts_a_solution_and_refuses_a_stub():
    verdict = check_moving_average(solution_moving_average)
    assert verdict and verdict.status == "correct"
    assert check_moving_average(lambda losses, width: None).status == "not implemented"


def test_moving_average_names_each_slip():
    def centred(losses, width):             # same length, but looks ahead in time
        n, out = len(losses), []
        for k in range(n):
            lo = k - width // 2               # the window np.convolve(mode="same") takes
            window = [losses[i] for i in range(lo, lo + width) if 0 <= i < n]
            out.append(sum(window) / width)   # the convolution divides by width everywhere
        return np.array(out)

    def divided_by_width(losses, width):
        return np.array([sum(losses[max(0, k - width + 1): k + 1]) / width
                         for k in range(len(losses))])

    def one_too_many(losses, width):
        return np.array([np.mean(losses[max(0, k - width): k + 1]) for k in range(len(losses))])

    def full_windows_only(losses, width):
        return np.array([np.mean(losses[k - width + 1: k + 1]) for k in range(width - 1, len(losses))])

    wrong = dict(zip(MOVING_AVERAGE_SLIPS, (centred, divided_by_width, one_too_many,
                                            full_windows_only)))
    assert len(wrong) == len(MOVING_AVERAGE_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_moving_average(candidate)
        assert verdict.status in ("wrong values", "wrong shape") and verdict.slip == slip, slip
        assert slip in repr(verdict)
