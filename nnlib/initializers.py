"""Initial weights, drawn from a seeded numpy.random.Generator.

Each scheme fills a weight matrix W of shape (n_out, n_in) and a bias b of
shape (n_out,) in place.
"""

import numpy as np


def xavier(rng, W, b):
    """Glorot/Xavier: W ~ Normal(0, 2 / (n_in + n_out)), b = 0. Keeps the variance
    of activations and of gradients roughly constant for activations like tanh near 0
    (f(0) = 0, f′(0) = 1); not for the sigmoid (σ(0) = ½, σ′(0) = ¼), whose gradients
    still shrink from layer to layer (lesson 05)."""
    n_out, n_in = W.shape
    W[:] = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=W.shape)
    b[:] = 0.0


def he(rng, W, b):
    """He/Kaiming: W ~ Normal(0, 2 / n_in), b = 0. Made for ReLU layers, which
    zero half their inputs on average."""
    n_in = W.shape[1]
    W[:] = rng.normal(0.0, np.sqrt(2.0 / n_in), size=W.shape)
    b[:] = 0.0


def uniform(rng, W, b):
    """W and b ~ Uniform(−1/√n_in, +1/√n_in), the classic fan-in scaled range."""
    limit = 1.0 / np.sqrt(W.shape[1])
    W[:] = rng.uniform(-limit, limit, size=W.shape)
    b[:] = rng.uniform(-limit, limit, size=b.shape)


INITS = {"xavier": xavier, "he": he, "uniform": uniform}
