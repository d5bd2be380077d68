"""Losses: the mean over samples of a per-sample cost, and the output delta dC/dZ.

Z, A, Y all have shape (N, n_out). `value_and_delta` also returns the per-sample
derivative (not yet divided by N) of the cost with respect to the output layer's Z.
"""

import numpy as np
from scipy.special import logsumexp

from ._validate import choice


class MSE:
    """Per-sample cost ½‖a − y‖²; works with any output activation."""

    name = "mse"

    def __init__(self, activation):
        self.activation = activation

    def check_targets(self, Y):
        return Y

    def value(self, Z, A, Y):
        """Mean over the N rows of ½‖a − y‖²: a float."""
        return _half_mean_square(A - Y)

    def value_and_delta(self, Z, A, Y, out=None):
        """The mean cost, and (a − y) pushed back through the output activation,
        shape (N, n_out), written into `out`: a − y is computed once for both."""
        diff = A - Y
        return _half_mean_square(diff), self.activation.backward(diff, Z, A, out=out)


class CrossEntropy:
    """Binary cross-entropy per output unit (sigmoid output) or categorical
    cross-entropy (softmax output). Computed from Z, so log(0) never happens.
    With either output the delta is simply A − Y."""

    name = "cross_entropy"

    def __init__(self, activation):
        if activation.name not in ("sigmoid", "softmax"):
            raise ValueError(
                "loss 'cross_entropy' needs output_activation 'sigmoid' (binary) or "
                f"'softmax' (categorical), got {activation.name!r}; use loss='mse' instead"
            )
        self.activation = activation

    def check_targets(self, Y):
        if Y.min() < 0 or Y.max() > 1:
            raise ValueError(
                f"cross_entropy needs targets Y in [0, 1], got values in [{Y.min():g}, {Y.max():g}]"
                " (labels ±1? map them with (Y + 1) / 2)"
            )
        if self.activation.name == "softmax" and not np.allclose(Y.sum(axis=1), 1.0):
            raise ValueError("cross_entropy with softmax needs one-hot (or probability) rows "
                             "of Y that sum to 1")
        return Y

    def value(self, Z, A, Y):
        """Mean over the N rows of the per-sample cross-entropy: a float."""
        if self.activation.name == "sigmoid":
            # −[y log σ(z) + (1−y) log(1−σ(z))] = log(1 + e^z) − y z
            per_unit = np.logaddexp(0.0, Z) - Y * Z
            return float(per_unit.sum()) / len(Y)
        # −Σ y log softmax(z) = Σy · logsumexp(z) − Σ y z
        lse = logsumexp(Z, axis=1)
        return float((Y.sum(axis=1) * lse).sum() - np.einsum("ij,ij->", Y, Z)) / len(Y)

    def value_and_delta(self, Z, A, Y, out=None):
        """The mean cost, and A − Y (shape (N, n_out), written into `out`)."""
        return self.value(Z, A, Y), np.subtract(A, Y, out=out)


def _half_mean_square(diff):
    """½ Σ diff² / N for diff of shape (N, n_out)."""
    return 0.5 * float(np.vdot(diff, diff)) / len(diff)


LOSSES = {"mse": MSE, "cross_entropy": CrossEntropy}


def get(name, activation):
    """The loss called `name` for an output layer with `activation`."""
    return LOSSES[choice("loss", name, LOSSES)](activation)
