"""Losses: the mean over N samples of a per-sample cost C, and C's gradient ∇ₐC.

Z, A, Y all have shape (N, n_out): the output layer's pre-activations, activations
and the targets.
"""

import numpy as np

from ._validate import choice


class MSE:
    """Per-sample cost C = ½‖a − y‖², so ∇ₐC = a − y. Works with any output activation."""

    name = "mse"
    matched_to_output = False

    def __init__(self, activation):
        self.activation = activation

    def check_targets(self, Y):
        return Y

    def value(self, Z, A, Y):
        """Mean over the N rows of ½‖a − y‖²: a float."""
        diff = A - Y
        return 0.5 * float(np.vdot(diff, diff)) / len(Y)

    def grad_A(self, A, Y):
        """∇ₐC of each sample, shape (N, n_out)."""
        return A - Y


class CrossEntropy:
    """Cross-entropy, for a sigmoid output (binary, per output unit) or a softmax output
    (categorical, per row).

    Binary:      C = −Σ [y log a + (1 − y) log(1 − a)],  ∇ₐC = (a − y) / (a(1 − a))
    Categorical: C = −Σ y log a,                         ∇ₐC = −y / a

    Either way ∇ₐC ⊙ f′(z) simplifies to a − y (`matched_to_output`): the f′ that made a
    saturated sigmoid learn slowly with MSE cancels. The cost is computed from Z
    (log(1 + e^z) − y z, and logsumexp(z) − y·z), so log(0) never happens.
    """

    name = "cross_entropy"
    matched_to_output = True

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
        if self.activation.name == "softmax":
            sums = Y.sum(axis=1)
            worst = int(np.abs(sums - 1.0).argmax())
            if abs(sums[worst] - 1.0) > 1e-12:
                raise ValueError(
                    "cross_entropy with softmax needs rows of Y that sum to 1 within 1e-12 "
                    f"(one-hot, or probabilities); row {worst} sums to {float(sums[worst])!r}. "
                    "Normalise with Y / Y.sum(axis=1, keepdims=True)")
        return Y

    def value(self, Z, A, Y):
        """Mean over the N rows of the per-sample cross-entropy: a float."""
        if self.activation.name == "sigmoid":
            # −[y log σ(z) + (1 − y) log(1 − σ(z))] = log(1 + e^z) − y z
            return float((np.logaddexp(0.0, Z) - Y * Z).sum()) / len(Y)
        # −Σ y log softmax(z) = logsumexp(z) − y·z for rows of y that sum to 1
        top = Z.max(axis=1, keepdims=True)
        lse = top[:, 0] + np.log(np.exp(Z - top).sum(axis=1))
        return float((lse - (Y * Z).sum(axis=1)).sum()) / len(Y)

    def grad_A(self, A, Y):
        """∇ₐC of each sample, shape (N, n_out) (inf where a saturates at exactly 0 or 1)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.activation.name == "sigmoid":
                return (A - Y) / (A * (1.0 - A))
            return -Y / A


LOSSES = {"mse": MSE, "cross_entropy": CrossEntropy}


def get(name, activation):
    """The loss called `name` for an output layer with `activation`."""
    return LOSSES[choice("loss", name, LOSSES)](activation)
