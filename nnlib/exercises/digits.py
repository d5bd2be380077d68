"""Checkers for the lesson "Handwritten digits".

check_softmax_ce_delta(softmax_ce_delta)  BP1 of this lesson's softmax output under the mean
                                          categorical cross-entropy, stable for large Z
check_best_epoch(best_epoch)              an early-stopping rule with patience
check_confusion(confusion)                the confusion matrix, by hand with NumPy
"""

import numpy as np
from scipy.special import expit

from ..metrics import confusion_matrix
from .core import Verdict, check
from .vectorized_network import _softmax, reference_softmax_ce_delta  # the same Δ, on digit-sized inputs

# -- exercise 1: the output error --------------------------------------------------------


OVERFLOW = "the row's largest Z was not subtracted before np.exp, so it overflowed"

SOFTMAX_CE_DELTA_SLIPS = {
    "the 1/N is missing": lambda Z, Y: _softmax(Z) - Y,
    "the softmax was normalised over the wrong axis (the samples, not the classes)":
        lambda Z, Y: (_softmax(Z, axis=0) - Y) / len(Z),
    "σ was used instead of the softmax": lambda Z, Y: (expit(Z) - Y) / len(Z),
    "Y is not subtracted": lambda Z, Y: _softmax(Z) / len(Z),
}


def _softmax_inputs(rng):
    N = int(rng.integers(11, 20))               # ten digits: N ≠ 10, so a transpose shows
    Y = np.eye(10)[rng.integers(0, 10, size=N)]
    Z = rng.normal(0.0, 3.0, size=(N, 10))
    Z[rng.integers(0, N)] += 800.0              # a very sure sample: exp(800) overflows
    return Z, Y


def check_softmax_ce_delta(candidate):
    """Check softmax_ce_delta(Z, Y) -> (softmax(Z) − Y) / N, (N, 10), on inputs with one
    row of very large Z, where an unshifted np.exp overflows."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        verdict = check(candidate, reference_softmax_ce_delta, _softmax_inputs,
                        name="softmax_ce_delta", trials=3, slips=SOFTMAX_CE_DELTA_SLIPS)
    if verdict.status == "wrong values" and verdict.slip is None \
            and verdict.max_difference == float("inf"):       # inf or nan in the result
        return Verdict("wrong values", f"softmax_ce_delta returned inf or nan for a row of "
                       f"large Z. It looks like {OVERFLOW}.", verdict.max_difference,
                       slip=OVERFLOW)
    return verdict


# -- exercise 3: the confusion matrix ----------------------------------------------------

def reference_confusion(labels, predicted, n_classes):
    """counts (n_classes, n_classes): row = true class, column = predicted class.
    labels, predicted: (N,) integers in 0 … n_classes − 1."""
    return confusion_matrix(labels, predicted, n_classes)


def _each_pair_once(labels, predicted, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=int)
    counts[labels, predicted] += 1          # fancy assignment: a repeated pair counts once
    return counts


CONFUSION_SLIPS = {
    "`counts[labels, predicted] += 1` counted each repeated pair only once": _each_pair_once,
    "the counts were divided by N (shares, not counts)":
        lambda labels, predicted, n: reference_confusion(labels, predicted, n) / len(labels),
}


def _confusion_inputs(rng):
    n_classes = int(rng.integers(3, 7))
    labels = rng.integers(0, n_classes, size=int(rng.integers(20, 60)))
    predicted = np.where(rng.uniform(size=labels.size) < 0.7, labels,
                         rng.integers(0, n_classes, size=labels.size))
    return labels, predicted, n_classes


def check_confusion(candidate):
    """Check confusion(labels, predicted, n_classes) -> counts (n_classes, n_classes);
    a result with rows and columns swapped is named as the transpose by the core."""
    return check(candidate, reference_confusion, _confusion_inputs, name="confusion",
                 slips=CONFUSION_SLIPS)


# -- exercise 2: early stopping with patience --------------------------------------------

def _early_stopping(val_losses, patience):
    """(the 1-based epoch of the lowest loss kept, the 1-based epoch at which the rule
    stops, or the last epoch if it never does). val_losses: (n_epochs,)."""
    best, since = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best]:
            best, since = epoch, 0
        else:
            since += 1
            if since == patience:
                return best + 1, epoch + 1
    return best + 1, len(val_losses)


def reference_best_epoch(val_losses, patience):
    """The epoch (1-based) whose weights early stopping keeps: training stops after
    `patience` epochs in a row without a new lowest validation loss (or at the end), and
    the epoch of the lowest loss seen until then is kept. val_losses: (n_epochs,)."""
    return _early_stopping(val_losses, patience)[0]


def _stopping_epoch(val_losses, patience):
    """The 1-based epoch at which the rule stops (the last epoch if it never does)."""
    return _early_stopping(val_losses, patience)[1]


def _never_reset(val_losses, patience):
    best, since = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best]:
            best = epoch
        else:
            since += 1
            if since == patience:
                break
    return best + 1


BEST_EPOCH_SLIPS = {
    "patience was ignored: the lowest loss of the whole curve was returned":
        lambda val_losses, patience: int(np.argmin(val_losses)) + 1,
    "the epoch was counted from 0":
        lambda val_losses, patience: reference_best_epoch(val_losses, patience) - 1,
    "the epoch at which training stopped was returned, not the best one": _stopping_epoch,
    "the count of epochs without a new low was not reset at a new low": _never_reset,
}


def _curve_inputs(rng):
    n = int(rng.integers(15, 40))
    epochs = np.arange(n)
    # falls, then rises (overfitting), with noise that makes false lows and plateaus
    curve = 0.3 + 1.0 / (1 + 0.5 * epochs) + 0.002 * np.maximum(epochs - rng.integers(6, 14), 0) ** 2
    return curve + rng.normal(0, 0.04, size=n), int(rng.integers(2, 5))


def check_best_epoch(candidate):
    """Check best_epoch(val_losses, patience) -> a 1-based epoch, on noisy curves."""
    return check(candidate, reference_best_epoch, _curve_inputs, name="best_epoch", trials=8,
                 slips=BEST_EPOCH_SLIPS)


EXERCISES = {
    "softmax_ce_delta": check_softmax_ce_delta,
    "best_epoch": check_best_epoch,
    "confusion": check_confusion,
}
