"""Optimizers that update one flat parameter vector in place.

Each has `step(flat, grad)`: flat and grad are 1-D float64 arrays of the same
length. Updating in place keeps every per-layer view of `flat` a view.

`grad_scale`: `step` expects the gradient already multiplied by this number. The
training loop folds it into the output delta (B × n_out numbers), so plain SGD
updates the weights in one pass, `flat -= grad`, instead of scaling a full-size
copy first.

Only NumPy operations here: SciPy's BLAS wrappers (daxpy) would start a second
OpenBLAS thread pool that fights NumPy's for the cores (measured: 50× slower epochs
on 2 busy cores).
"""

import numpy as np

from ._validate import choice, positive


class SGD:
    """Plain gradient descent: θ ← θ − lr · g. `step` takes lr · g (grad_scale = lr)."""

    name = "sgd"

    def __init__(self, lr):
        self.lr = positive("lr", lr)

    @property
    def grad_scale(self):
        return self.lr

    def step(self, flat, scaled_grad):
        flat -= scaled_grad


class Momentum(SGD):
    """Heavy ball: v ← β v − lr · g, θ ← θ + v (β = 0.9). `step` takes lr · g."""

    name = "momentum"

    def __init__(self, lr, beta=0.9):
        super().__init__(lr)
        self.beta = beta
        self.velocity = None

    def step(self, flat, scaled_grad):
        if self.velocity is None:
            self.velocity = np.zeros_like(flat)
        self.velocity *= self.beta
        self.velocity -= scaled_grad
        flat += self.velocity


class Adam:
    """Adam (Kingma & Ba 2015): running means of g and g², bias-corrected."""

    name = "adam"
    grad_scale = 1.0

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = positive("lr", lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.m = self.v = self._tmp = None

    def step(self, flat, grad):
        if self.m is None:
            self.m, self.v, self._tmp = (np.zeros_like(flat) for _ in range(3))
        self.t += 1
        b1, b2, tmp = self.beta1, self.beta2, self._tmp
        self.m *= b1
        np.multiply(grad, 1 - b1, out=tmp)
        self.m += tmp
        self.v *= b2
        np.multiply(grad, grad, out=tmp)
        tmp *= 1 - b2
        self.v += tmp
        # θ ← θ − lr · m̂ / (√v̂ + ε), with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)
        np.divide(self.v, 1 - b2 ** self.t, out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp += self.eps
        np.divide(self.m, tmp, out=tmp)
        tmp *= self.lr / (1 - b1 ** self.t)
        flat -= tmp


STEP_OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
SCIPY_METHODS = {"lbfgs": "L-BFGS-B", "cg": "CG"}
OPTIMIZERS = [*STEP_OPTIMIZERS, *SCIPY_METHODS]


def check_name(name):
    """`name` if it is a known optimizer, else a ValueError listing the valid ones."""
    return choice("optimizer", name, OPTIMIZERS)
