"""The loss's curvature at the current weights: Hessian-vector products from two gradients,
and the sharpness λ_max (the Hessian's most positive eigenvalue) by power iteration.
Gradient descent on a quadratic with curvature λ is stable only for lr < 2/λ, which is why
the bench draws λ_max against 2/lr.
"""

import numpy as np

from ._validate import positive
from .network import check_network


def hessian_vector_product(net, X, Y, v, h=1e-5):
    """H v, (n_params,), for the Hessian H of net.loss(X, Y) at the current flat weights:
    (∇𝓛(θ + h v) − ∇𝓛(θ − h v)) / 2h. The weights are put back exactly."""
    flat = net.weights.flat
    start = flat.copy()
    try:
        flat[:] = start + h * v
        g_plus = net.gradient(X, Y)
        flat[:] = start - h * v
        g_minus = net.gradient(X, Y)
    finally:
        flat[:] = start
    return (g_plus - g_minus) / (2 * h)


def _power_iteration(multiply, v, iterations):
    """(v·Mv, v) after `iterations` steps v ← Mv/‖Mv‖ from v: the eigenvalue of largest
    magnitude of the symmetric map M, and its unit eigenvector."""
    v = v / np.linalg.norm(v)
    for _ in range(iterations):
        w = multiply(v)
        size = np.linalg.norm(w)
        if not np.isfinite(size) or size == 0:
            break
        v = w / size
    return float(v @ multiply(v)), v


def sharpness(net, X, Y, iterations=20, seed=0, start=None):
    """λ_max, the most positive eigenvalue of the Hessian of net.loss(X, Y), and its unit
    eigenvector (n_params,), by power iteration from `start` (None: a seeded random
    vector). If the eigenvalue of largest magnitude is negative, a second run on
    H − μ I (μ that eigenvalue, so every eigenvalue is shifted to ≥ 0) finds λ_max.
    Each iteration costs two gradients; a warm `start` (the last eigenvector) needs few."""
    check_network(net)
    iterations = positive("iterations", iterations, integer=True)
    n = net.weights.size
    v = np.random.default_rng(seed).normal(size=n) if start is None else np.asarray(start, float)

    def multiply(u):
        return hessian_vector_product(net, X, Y, u)

    mu, v = _power_iteration(multiply, v, iterations)
    if not mu < 0:
        return mu, v
    shifted, v = _power_iteration(lambda u: multiply(u) - mu * u, v, iterations)
    return shifted + mu, v
