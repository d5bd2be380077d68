"""Lesson 09's checkers against the right answers, named slips and stubs."""

import numpy as np
from sklearn.metrics import confusion_matrix

from nnlib.exercises.lesson09 import (
    check_best_epoch,
    check_confusion,
    reference_best_epoch,
    reference_confusion,
)


def stub(*_):
    raise NotImplementedError


def test_reference_confusion_equals_scikit_learn():
    rng = np.random.default_rng(1)
    labels, predicted = rng.integers(0, 5, size=80), rng.integers(0, 5, size=80)
    assert np.array_equal(reference_confusion(labels, predicted, 5),
                          confusion_matrix(labels, predicted, labels=range(5)))


def test_confusion_checker():
    def right(labels, predicted, n):
        counts = np.zeros((n, n), dtype=int)
        for t, p in zip(labels, predicted):
            counts[t, p] += 1
        return counts

    assert check_confusion(right).status == "correct"
    assert "swapped" in check_confusion(lambda t, p, n: right(t, p, n).T).message
    assert check_confusion(stub).status == "not implemented"


def test_reference_best_epoch_by_hand():
    losses = np.array([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.65, 0.9, 0.95, 1.0])
    assert reference_best_epoch(losses, patience=3) == 3    # stops after epochs 4, 5, 6
    assert reference_best_epoch(losses, patience=4) == 7    # sees the new low at epoch 7
    assert reference_best_epoch(np.array([3.0, 2.0, 1.0]), patience=2) == 3


def test_best_epoch_checker():
    def right(val_losses, patience):
        return reference_best_epoch(val_losses, patience)

    assert check_best_epoch(right).status == "correct"
    assert check_best_epoch(lambda v, p: int(np.argmin(v)) + 1).status == "wrong values"  # no patience
    assert check_best_epoch(lambda v, p: reference_best_epoch(v, p) - 1).status == "wrong values"
    assert check_best_epoch(stub).status == "not implemented"
