"""Activation functions f, their derivatives f', and backward products g * f'(z).

Every function works on a batch Z of shape (N, n) and can write into `out`
(same shape) so the training loop allocates nothing per step.
"""

import numpy as np
from scipy.special import expit

from ._validate import choice


class Activation:
    """An element-wise activation. Subclasses define `__call__` and `derivative`."""

    name = "activation"

    def __call__(self, z, out=None):
        """f(z), shape of z."""
        raise NotImplementedError

    def derivative(self, z, a, out=None):
        """f'(z) element-wise; `a` = f(z) is passed in so it is never recomputed."""
        raise NotImplementedError

    def backward(self, grad, z, a, out=None):
        """dC/dz from dC/da = `grad`: grad * f'(z), shape (N, n). `out` must not be `grad`."""
        d = self.derivative(z, a, out=out)
        d *= grad
        return d

    def __repr__(self):
        return f"<activation {self.name!r}>"


class Identity(Activation):
    name = "identity"

    def __call__(self, z, out=None):
        if out is None:
            return np.array(z, dtype=float)
        out[...] = z
        return out

    def derivative(self, z, a, out=None):
        out = np.empty_like(z) if out is None else out
        out.fill(1.0)
        return out


class Sigmoid(Activation):
    """σ(z) = 1 / (1 + e^(−z)), computed without overflow for any z; σ' = a (1 − a)."""

    name = "sigmoid"

    def __call__(self, z, out=None):
        return expit(z, out=out)

    def derivative(self, z, a, out=None):
        out = np.subtract(1.0, a, out=out)
        out *= a
        return out


class Tanh(Activation):
    """tanh(z); tanh' = 1 − a²."""

    name = "tanh"

    def __call__(self, z, out=None):
        return np.tanh(z, out=out)

    def derivative(self, z, a, out=None):
        out = np.multiply(a, a, out=out)
        np.subtract(1.0, out, out=out)
        return out


class ReLU(Activation):
    """max(0, z); derivative 1 for z > 0, else 0."""

    name = "relu"

    def __call__(self, z, out=None):
        return np.maximum(z, 0.0, out=out)

    def derivative(self, z, a, out=None):
        return np.greater(z, 0.0, out=out if out is not None else np.empty_like(z), casting="unsafe")


class LeakyReLU(Activation):
    """z for z > 0, else `slope` · z (slope 0.01)."""

    name = "leaky_relu"
    slope = 0.01

    def __call__(self, z, out=None):
        out = np.multiply(z, self.slope, out=out)
        return np.maximum(z, out, out=out)

    def derivative(self, z, a, out=None):
        out = np.greater(z, 0.0, out=out if out is not None else np.empty_like(z), casting="unsafe")
        out *= 1.0 - self.slope
        out += self.slope
        return out


class Softmax(Activation):
    """Row-wise softmax: a_i = e^(z_i) / Σ_j e^(z_j). Not element-wise: its Jacobian
    diag(a) − a aᵀ mixes the units of a row, so `backward` is a Jacobian product."""

    name = "softmax"

    def __call__(self, z, out=None):
        out = np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def derivative(self, z, a, out=None):
        raise TypeError("softmax has no element-wise derivative; use jacobian(a) or backward()")

    def jacobian(self, a):
        """The (n, n) Jacobian da/dz = diag(a) − a aᵀ of one sample's output a, shape (n,)."""
        return np.diag(a) - np.outer(a, a)

    def backward(self, grad, z, a, out=None):
        weighted = (grad * a).sum(axis=1, keepdims=True)
        out = np.subtract(grad, weighted, out=out)
        out *= a
        return out


HIDDEN = {cls.name: cls() for cls in (Identity, Sigmoid, Tanh, ReLU, LeakyReLU)}
OUTPUT = {**HIDDEN, "softmax": Softmax()}


def get(name, output=False):
    """The activation called `name`; `output=True` also allows 'softmax'."""
    if name == "softmax" and not output:
        raise ValueError("activation 'softmax' normalises a whole row, so it is only available "
                         "as output_activation; pick a hidden activation from: "
                         + ", ".join(repr(n) for n in HIDDEN))
    table = OUTPUT if output else HIDDEN
    return table[choice("output_activation" if output else "activation", name, table)]
