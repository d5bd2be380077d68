import numpy as np
import pytest
from sklearn import metrics as sk

from nnlib import metrics


def test_against_scikit_learn():
    rng = np.random.default_rng(0)
    labels, predicted = rng.integers(0, 4, size=200), rng.integers(0, 4, size=200)
    assert metrics.accuracy(labels, predicted) == sk.accuracy_score(labels, predicted)
    assert np.array_equal(metrics.confusion_matrix(labels, predicted, 4),
                          sk.confusion_matrix(labels, predicted, labels=range(4)))
    P = rng.uniform(size=(200, 4))
    assert np.array_equal(metrics.predict(P), P.argmax(axis=1))


def test_one_hot_rows_are_the_identity_rows():
    Y = metrics.one_hot(np.array([2, 0, 1, 2]), 3)
    assert Y.shape == (4, 3) and np.array_equal(Y.argmax(axis=1), [2, 0, 1, 2])
    assert np.array_equal(Y.sum(axis=1), np.ones(4))


@pytest.mark.parametrize("call, message", [
    (lambda: metrics.one_hot(np.array([0, 3]), 3), r"labels must lie in 0 … n_classes − 1"),
    (lambda: metrics.one_hot(np.array([0.5, 1.0]), 3), "integer class labels, got float64"),
    (lambda: metrics.accuracy(np.array([0, 1]), np.array([1])), "differ in length"),
    (lambda: metrics.confusion_matrix(np.array([-1, 1]), np.array([0, 1]), 2), "must lie in"),
])
def test_bad_labels_are_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()
