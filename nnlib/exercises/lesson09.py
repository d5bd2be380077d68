"""Checkers for lesson 09 (handwritten digits).

check_confusion(confusion)          the confusion matrix, by hand with NumPy
check_best_epoch(best_epoch)        an early-stopping rule with patience
"""

import numpy as np

from ..metrics import confusion_matrix
from .core import Verdict, call, check


def reference_confusion(labels, predicted, n_classes):
    """counts (n_classes, n_classes): row = true class, column = predicted class.
    labels, predicted: (N,) integers in 0 … n_classes − 1."""
    return confusion_matrix(labels, predicted, n_classes)


def _confusion_inputs(rng):
    n_classes = int(rng.integers(3, 7))
    labels = rng.integers(0, n_classes, size=int(rng.integers(20, 60)))
    predicted = np.where(rng.uniform(size=labels.size) < 0.7, labels,
                         rng.integers(0, n_classes, size=labels.size))
    return labels, predicted, n_classes


def check_confusion(candidate):
    """Compare `candidate(labels, predicted, n_classes)` with the reference; name the slips."""
    verdict = check(candidate, reference_confusion, _confusion_inputs, name="confusion")
    if verdict.status == "wrong values":
        labels, predicted, n = _confusion_inputs(np.random.default_rng(0))
        got, _ = call(candidate, "confusion", labels.copy(), predicted.copy(), n)
        if np.array_equal(np.asarray(got), reference_confusion(labels, predicted, n).T):
            return Verdict("wrong values", "confusion: rows and columns are swapped: row i must "
                           "be the true class i, column j the predicted class j.")
    return verdict


def reference_best_epoch(val_losses, patience):
    """The epoch (1-based) whose weights early stopping keeps: training stops after
    `patience` epochs in a row without a new lowest validation loss (or at the end), and
    the epoch of the lowest loss seen until then is kept. val_losses: (n_epochs,)."""
    best, since = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best]:
            best, since = epoch, 0
        else:
            since += 1
            if since == patience:
                break
    return best + 1


def _curve_inputs(rng):
    n = int(rng.integers(15, 40))
    epochs = np.arange(n)
    # falls, then rises (overfitting), with noise that makes false lows and plateaus
    curve = 0.3 + 1.0 / (1 + 0.5 * epochs) + 0.002 * np.maximum(epochs - rng.integers(6, 14), 0) ** 2
    return curve + rng.normal(0, 0.04, size=n), int(rng.integers(2, 5))


def check_best_epoch(candidate):
    """Compare `candidate(val_losses, patience)` with the reference on noisy curves."""
    return check(candidate, reference_best_epoch, _curve_inputs, name="best_epoch", trials=8)
