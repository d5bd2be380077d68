"""Activation functions f and their derivatives f′, applied to a batch Z of shape (N, n).

`derivative(z, a)` takes a = f(z) as well, because several derivatives are cheapest
written with it (σ′ = a(1 − a), tanh′ = 1 − a²). `backward(g, z, a)` is the chain rule
through the layer, dC/dz = g ⊙ f′(z) for g = dC/da; softmax, the one activation that is
not element-wise, overrides it with its Jacobian product.
"""

import numpy as np

from ._validate import choice


class Activation:
    """An element-wise activation. Subclasses define `__call__` and `derivative`."""

    name = "activation"

    def __call__(self, z):
        """f(z), same shape as z."""
        raise NotImplementedError

    def derivative(self, z, a):
        """f′(z) element-wise, same shape as z; `a` is f(z)."""
        raise NotImplementedError

    def backward(self, grad, z, a):
        """dC/dz from grad = dC/da, both (N, n): grad ⊙ f′(z)."""
        return grad * self.derivative(z, a)

    def __repr__(self):
        return f"<activation {self.name!r}>"


class Identity(Activation):
    """f(z) = z; f′ = 1."""

    name = "identity"

    def __call__(self, z):
        return np.array(z, dtype=float)

    def derivative(self, z, a):
        return np.ones_like(z)


class Sigmoid(Activation):
    """σ(z) = 1 / (1 + e^(−z)); σ′ = a(1 − a)."""

    name = "sigmoid"

    def __call__(self, z):
        # For z < −709, e^(−z) overflows to inf and 1 / (1 + inf) = 0: the correct limit,
        # so the overflow warning is silenced rather than worked around. Everywhere else
        # this formula is exact to rounding.
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-z))

    def derivative(self, z, a):
        return a * (1.0 - a)


class Tanh(Activation):
    """tanh(z); tanh′ = 1 − a²."""

    name = "tanh"

    def __call__(self, z):
        return np.tanh(z)

    def derivative(self, z, a):
        return 1.0 - a * a


class ReLU(Activation):
    """max(0, z); f′ = 1 for z > 0, else 0 (at the kink z = 0 we take 0)."""

    name = "relu"

    def __call__(self, z):
        return np.maximum(z, 0.0)

    def derivative(self, z, a):
        return (z > 0).astype(float)


class LeakyReLU(Activation):
    """z for z > 0, else `slope` · z (slope 0.01); f′ = 1 or `slope`."""

    name = "leaky_relu"
    slope = 0.01

    def __call__(self, z):
        return np.where(z > 0, z, self.slope * z)

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, self.slope)


class Softmax(Activation):
    """Row-wise softmax: a_i = e^(z_i) / Σ_j e^(z_j). Not element-wise: each output
    depends on the whole row, so f′ is a Jacobian per sample, diag(a) − a aᵀ."""

    name = "softmax"

    def __call__(self, z):
        e = np.exp(z - z.max(axis=1, keepdims=True))  # shifting z leaves a unchanged
        return e / e.sum(axis=1, keepdims=True)

    def derivative(self, z, a):
        raise TypeError("softmax has no element-wise derivative; use jacobian(a) or backward()")

    def jacobian(self, a):
        """da/dz of one sample with output a, shape (n,): the (n, n) matrix diag(a) − a aᵀ."""
        return np.diag(a) - np.outer(a, a)

    def backward(self, grad, z, a):
        """Each row's gradient times that row's Jacobian, (diag(a) − a aᵀ) g = a ⊙ (g − a·g),
        without building the (n, n) matrices."""
        return a * (grad - (grad * a).sum(axis=1, keepdims=True))


HIDDEN = {cls.name: cls() for cls in (Identity, Sigmoid, Tanh, ReLU, LeakyReLU)}
OUTPUT = {**HIDDEN, "softmax": Softmax()}


def get(name, output=False):
    """The activation called `name`; `output=True` also allows 'softmax'."""
    if isinstance(name, str) and name == "softmax" and not output:
        raise ValueError("activation 'softmax' normalises a whole row, so it is only available "
                         "as output_activation; pick a hidden activation from: "
                         + ", ".join(repr(n) for n in HIDDEN))
    table = OUTPUT if output else HIDDEN
    return table[choice("output_activation" if output else "activation", name, table)]
