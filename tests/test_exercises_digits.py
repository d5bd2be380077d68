"""Lesson 11's checkers: the references against scikit-learn, centred differences and
hand-worked curves; each checker passes an independent solution, names every slip, and
calls a stub not implemented."""

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix

import nnlib
from nnlib.exercises import digits as checkers
from nnlib.exercises.core import TRANSPOSED, matches
from nnlib.exercises.digits import (
    check_best_epoch,
    check_confusion,
    check_softmax_ce_delta,
    reference_best_epoch,
    reference_confusion,
    reference_softmax_ce_delta,
)


def stub(*_):
    raise NotImplementedError


def test_exercises_are_listed_in_lesson_order():
    assert list(checkers.EXERCISES) == ["softmax_ce_delta", "best_epoch", "confusion"]


# -- the references are right ----------------------------------------------------------------

def test_reference_softmax_ce_delta_is_the_gradient_of_the_mean_cross_entropy():
    rng = np.random.default_rng(0)
    Z = rng.normal(0, 2, size=(7, 4))
    Y = np.eye(4)[rng.integers(0, 4, size=7)]

    def mean_cross_entropy(flat):
        Zf = flat.reshape(7, 4)
        log_p = Zf - np.log(np.exp(Zf).sum(axis=1, keepdims=True))
        return float(-(Y * log_p).sum() / 7)

    numeric = nnlib.numerical_gradient(mean_cross_entropy, Z.ravel().copy())
    np.testing.assert_allclose(reference_softmax_ce_delta(Z, Y).ravel(), numeric,
                               rtol=1e-6, atol=1e-9)


def test_reference_softmax_ce_delta_matches_nnlib_backprop():
    # nnlib's gradient of a one-layer softmax net: dW = Δᵀ X, with Δ from the reference
    rng = np.random.default_rng(1)
    X = rng.normal(size=(9, 5))
    Y = np.eye(3)[rng.integers(0, 3, size=9)]
    net = nnlib.MLP([5, 3], output_activation="softmax", loss="cross_entropy", seed=0)
    delta = reference_softmax_ce_delta(X @ net.Ws[0].T + net.bs[0], Y)
    dW, db = net.weights.split(net.gradient(X, Y))
    np.testing.assert_allclose(dW, delta.T @ X, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(db, delta.sum(axis=0), rtol=1e-12, atol=1e-15)


def test_reference_softmax_ce_delta_stays_finite_for_huge_z():
    Z = np.array([[800.0, 0.0, -800.0]])
    delta = reference_softmax_ce_delta(Z, np.array([[1.0, 0.0, 0.0]]))
    assert np.isfinite(delta).all() and np.abs(delta).max() < 1e-300


def test_reference_confusion_equals_scikit_learn():
    rng = np.random.default_rng(1)
    labels, predicted = rng.integers(0, 5, size=80), rng.integers(0, 5, size=80)
    assert np.array_equal(reference_confusion(labels, predicted, 5),
                          confusion_matrix(labels, predicted, labels=range(5)))


def test_reference_best_epoch_by_hand():
    losses = np.array([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.65, 0.9, 0.95, 1.0])
    assert reference_best_epoch(losses, patience=3) == 3    # stops after epochs 4, 5, 6
    assert reference_best_epoch(losses, patience=4) == 7    # sees the new low at epoch 7
    assert reference_best_epoch(np.array([3.0, 2.0, 1.0]), patience=2) == 3


# -- the checkers ------------------------------------------------------------------------

def plain_delta(Z, Y, axis=1, shift=True, per_n=True, subtract=True, sigmoid=False):
    # an independent solution, sample by sample, with switches that make the slips
    out = np.empty_like(Z)
    if axis == 0:
        Z, Y, out = Z.T, Y.T, out.T
    for i, z in enumerate(Z):
        e = np.exp(z - (z.max() if shift else 0.0))
        p = 1 / (1 + np.exp(-z)) if sigmoid else e / e.sum()
        out[i] = p - (Y[i] if subtract else 0.0)
    out = out.T if axis == 0 else out
    return out / (out.shape[0] if per_n else 1)


def test_softmax_ce_delta_checker():
    assert check_softmax_ce_delta(plain_delta)
    assert check_softmax_ce_delta(stub).status == "not implemented"
    slips = {"the 1/N is missing": dict(per_n=False),
             "the softmax was normalised over the wrong axis (the samples, not the classes)":
                 dict(axis=0),
             "σ was used instead of the softmax": dict(sigmoid=True),
             "Y is not subtracted": dict(subtract=False),
             checkers.OVERFLOW: dict(shift=False)}
    assert set(slips) == set(checkers.SOFTMAX_CE_DELTA_SLIPS) | {checkers.OVERFLOW}
    with np.errstate(over="ignore", invalid="ignore"):
        for slip, switches in slips.items():
            verdict = check_softmax_ce_delta(
                lambda Z, Y, switches=switches: plain_delta(Z, Y, **switches))
            assert verdict.status == "wrong values" and verdict.slip == slip, verdict.message
    verdict = check_softmax_ce_delta(lambda Z, Y: plain_delta(Z, Y).T)
    assert verdict.slip == TRANSPOSED


def loop_confusion(labels, predicted, n, once=False):
    counts = np.zeros((n, n), dtype=int)
    for t, p in zip(labels, predicted):
        counts[t, p] = 1 if once else counts[t, p] + 1
    return counts


def test_confusion_checker():
    assert check_confusion(loop_confusion)
    assert check_confusion(stub).status == "not implemented"
    verdict = check_confusion(lambda t, p, n: loop_confusion(t, p, n).T)
    assert verdict.status == "wrong values" and verdict.slip == TRANSPOSED
    for wrong, slip in [(lambda t, p, n: loop_confusion(t, p, n, once=True),
                         "`counts[labels, predicted] += 1` counted each repeated pair only once"),
                        (lambda t, p, n: loop_confusion(t, p, n) / len(t),
                         "the counts were divided by N (shares, not counts)")]:
        verdict = check_confusion(wrong)
        assert verdict.status == "wrong values" and verdict.slip == slip, verdict.message


def walk(val_losses, patience, reset=True, answer="best"):
    # an independent early-stopping rule, with switches that make the slips
    lowest, best, waited = np.inf, None, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < lowest:
            lowest, best = loss, epoch
            waited = 0 if reset else waited
        elif epoch > 1:
            waited += 1
            if waited == patience:
                return epoch if answer == "stop" else best
    return len(val_losses) if answer == "stop" else best


def test_best_epoch_checker():
    assert check_best_epoch(walk)
    assert check_best_epoch(stub).status == "not implemented"
    cases = [(lambda v, p: int(np.argmin(v)) + 1,
              "patience was ignored: the lowest loss of the whole curve was returned"),
             (lambda v, p: walk(v, p) - 1, "the epoch was counted from 0"),
             (lambda v, p: walk(v, p, answer="stop"),
              "the epoch at which training stopped was returned, not the best one"),
             (lambda v, p: walk(v, p, reset=False),
              "the count of epochs without a new low was not reset at a new low")]
    assert {slip for _, slip in cases} == set(checkers.BEST_EPOCH_SLIPS)
    for wrong, slip in cases:
        verdict = check_best_epoch(wrong)
        assert verdict.status == "wrong values" and verdict.slip == slip, verdict.message


@pytest.mark.parametrize("name", ["softmax_ce_delta", "confusion", "best_epoch"])
def test_every_slip_differs_from_the_reference_on_the_drawn_inputs(name):
    make = {"softmax_ce_delta": checkers._softmax_inputs,
            "confusion": checkers._confusion_inputs,
            "best_epoch": checkers._curve_inputs}[name]
    reference = getattr(checkers, f"reference_{name}")
    rng = np.random.default_rng(0)
    draws = [make(rng) for _ in range(3)]
    for slip, wrong in getattr(checkers, f"{name.upper()}_SLIPS").items():
        assert any(not matches(wrong(*args), reference(*args), rtol=1e-5, atol=1e-8)
                   for args in draws), slip
