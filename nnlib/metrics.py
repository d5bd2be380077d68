"""Classification metrics: one-hot targets, accuracy and the confusion matrix."""

import numpy as np

from ._validate import integer_at_least, matrix, real_array


def _labels(name, labels, n_classes=None):
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{name} must be a non-empty 1-D array of integer class labels, got "
                         f"{labels.dtype} of shape {labels.shape}")
    if labels.min() < 0 or (n_classes is not None and labels.max() >= n_classes):
        within = "be ≥ 0" if n_classes is None else f"lie in 0 … n_classes − 1 = {n_classes - 1}"
        raise ValueError(f"{name} must {within}, got values in {labels.min()} … {labels.max()}")
    return labels


def one_hot(labels, n_classes):
    """Rows of the identity: labels (N,) of integers in 0 … n_classes − 1 -> (N, n_classes)."""
    n_classes = integer_at_least("n_classes", n_classes, 1)
    return np.eye(n_classes)[_labels("labels", labels, n_classes)]


def predict(probabilities):
    """The class with the largest output in each row: (N, n_classes) -> (N,) integers."""
    arr = real_array("probabilities", probabilities)
    if arr.ndim != 2:
        hint = (" (for one sigmoid output per sample, the class is "
                "(probabilities > 0.5).astype(int))") if arr.ndim == 1 else ""
        raise ValueError("probabilities must be 2-D, shape (N, n_classes) with one row per "
                         f"sample, got shape {arr.shape}{hint}")
    if arr.shape[1] == 0:
        raise ValueError(f"probabilities has no columns (shape {arr.shape}): expected "
                         "(N, n_classes), one column per class")
    return matrix("probabilities", arr).argmax(axis=1)   # NaN or inf: refused, not picked


def accuracy(labels, predicted):
    """The fraction of samples whose predicted label (N,) equals the true one (N,)."""
    labels, predicted = _labels("labels", labels), _labels("predicted", predicted)
    if labels.shape != predicted.shape:
        raise ValueError(f"labels {labels.shape} and predicted {predicted.shape} differ in length")
    return float((labels == predicted).mean())


def confusion_matrix(labels, predicted, n_classes):
    """counts (n_classes, n_classes): row = true class, column = predicted class."""
    n_classes = integer_at_least("n_classes", n_classes, 1)
    labels = _labels("labels", labels, n_classes)
    predicted = _labels("predicted", predicted, n_classes)
    if labels.shape != predicted.shape:
        raise ValueError(f"labels {labels.shape} and predicted {predicted.shape} differ in length")
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (labels, predicted), 1)
    return counts
