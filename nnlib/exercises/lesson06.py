"""Checkers for lesson 06 (the learning-rate explorer).

check_max_stable_lr(max_stable_lr)    the largest stable learning rate on a quadratic bowl
check_moving_average(moving_average)  a trailing moving average of a loss curve
"""

import numpy as np

from .core import check


def reference_max_stable_lr(H):
    """Gradient descent on L(w) = ½ wᵀ H w (H symmetric positive definite, (n, n))
    multiplies the part of w along each eigenvector of H by (1 − lr·λ). All parts
    shrink exactly when lr < 2 / λ_max: returns that bound, a float."""
    return 2.0 / np.linalg.eigvalsh(H)[-1]


def reference_moving_average(losses, width):
    """Mean of the last `width` entries at every step, fewer at the start.

    losses: (n,); width: a positive int. Returns (n,): entry k is the mean of
    losses[max(0, k − width + 1) : k + 1].
    """
    losses = np.asarray(losses, dtype=np.float64)
    sums = np.concatenate([[0.0], np.cumsum(losses)])
    stop = np.arange(1, losses.size + 1)
    start = np.maximum(stop - width, 0)
    return (sums[stop] - sums[start]) / (stop - start)


def _spd_matrix(rng):
    n = int(rng.integers(2, 7))
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    eigenvalues = rng.uniform(0.1, 20.0, size=n)
    H = (Q * eigenvalues) @ Q.T
    return ((H + H.T) / 2,)


def _loss_curve(rng):
    n = int(rng.integers(5, 60))
    losses = np.exp(-np.linspace(0.0, 3.0, n) + 0.3 * rng.normal(size=n))
    return losses, int(rng.integers(1, 12))


def check_max_stable_lr(candidate):
    """Check max_stable_lr(H) -> 2 / (largest eigenvalue of H) on random SPD matrices."""
    return check(candidate, reference_max_stable_lr, _spd_matrix, name="max_stable_lr",
                 trials=5)


def check_moving_average(candidate):
    """Check moving_average(losses, width) against the trailing mean on random curves."""
    return check(candidate, reference_moving_average, _loss_curve, name="moving_average",
                 trials=5)
