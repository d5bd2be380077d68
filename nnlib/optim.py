"""Optimizers that update one flat parameter vector in place, from the true gradient.

Each has `step(flat, grad)`: flat and grad are 1-D float64 arrays of the same length,
grad = dLoss/dflat at the current flat. Updating in place (`-=`, `[:] =`) keeps every
per-layer view of `flat` a view. Each formula is one line, as in the papers; the
state (velocity, s, m, v) is kept in place too, in vectors laid out like `flat`.

Weight decay (`weight_decay` = λ, for the entries where `decayed` is 1: the weights,
not the biases) shrinks them first, θ ← θ − lr · λ · θ, and then the optimizer takes its
own step. For SGD that is exactly a gradient step on the penalty (λ/2) Σ W² added to the
loss; for Adam it is decoupled weight decay (AdamW, Loshchilov & Hutter 2019): the decay
is not divided by √v̂, so every weight shrinks at the same rate.

L1 (`l1` = λ₁, on the same entries) acts after the optimizer's step, by soft
thresholding: θ ← sign(θ) · max(|θ| − lr · λ₁, 0). For SGD that is the proximal
gradient step on the penalty λ₁ Σ |W| (ISTA): each weight moves lr · λ₁ towards 0 and
stops there instead of crossing it, so weights that the loss does not need become
exactly 0, as TensorFlow Playground's L1 makes them.
"""

import numpy as np

from ._validate import choice, nonnegative, positive


def _decay(name, value):
    """A decay rate β in [0, 1), else a ValueError naming it."""
    if nonnegative(name, value) >= 1:
        raise ValueError(f"{name} must be in [0, 1) (a running average forgets at rate "
                         f"1 − {name}), got {value!r}")
    return value


class Optimizer:
    """What every optimizer shares: lr, and weight decay λ and L1 λ₁ on the `decayed`
    entries (a (n_params,) array of 1 for weights and 0 for biases; None: every entry)."""

    def __init__(self, lr, weight_decay=0.0, decayed=None, l1=0.0):
        self.lr = positive("lr", lr)
        self.weight_decay = nonnegative("weight_decay", weight_decay)
        self.l1 = nonnegative("l1", l1)
        self.decayed = 1.0 if decayed is None else decayed

    def decay(self, flat):
        """θ ← θ − lr · λ · θ on the decayed entries, in place (nothing if λ = 0)."""
        if self.weight_decay:
            flat -= self.lr * self.weight_decay * self.decayed * flat

    def shrink(self, flat):
        """θ ← sign(θ) · max(|θ| − lr · λ₁, 0) on the decayed entries, in place (nothing
        if λ₁ = 0): after the step, L1's soft thresholding."""
        if self.l1:
            np.copysign(np.maximum(np.abs(flat) - self.lr * self.l1 * self.decayed, 0.0), flat,
                        out=flat)


class SGD(Optimizer):
    """Gradient descent: θ ← θ − lr · g."""

    name = "sgd"

    def step(self, flat, grad):
        self.decay(flat)
        flat -= self.lr * grad
        self.shrink(flat)


class Momentum(Optimizer):
    """Heavy ball (Polyak): v ← β v − lr · g, then θ ← θ + v. v starts at 0."""

    name = "momentum"

    def __init__(self, lr, beta=0.9, weight_decay=0.0, decayed=None, l1=0.0):
        super().__init__(lr, weight_decay, decayed, l1)
        self.beta = _decay("beta", beta)
        self.velocity = None

    def step(self, flat, grad):
        if self.velocity is None:
            self.velocity = np.zeros_like(flat)
        self.decay(flat)
        self.velocity[:] = self.beta * self.velocity - self.lr * grad
        flat += self.velocity
        self.shrink(flat)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), step t = 1, 2, ...; m and v start at 0:

        m ← β₁ m + (1 − β₁) g                    running mean of the gradient
        v ← β₂ v + (1 − β₂) g²                   running mean of its square
        m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)    bias correction for the zero start
        θ ← θ − lr · m̂ / (√v̂ + ε)
    With weight_decay λ, AdamW: θ ← θ − lr · λ · θ on the weights first; with l1, soft
    thresholding after the step (module docstring).
    """

    name = "adam"

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, decayed=None,
                 l1=0.0):
        super().__init__(lr, weight_decay, decayed, l1)
        self.beta1, self.beta2 = _decay("beta1", beta1), _decay("beta2", beta2)
        self.eps = positive("eps", eps)
        self.t = 0
        self.m = self.v = None

    def step(self, flat, grad):
        if self.m is None:
            self.m, self.v = np.zeros_like(flat), np.zeros_like(flat)
        b1, b2 = self.beta1, self.beta2
        self.t += 1
        self.m[:] = b1 * self.m + (1 - b1) * grad
        self.v[:] = b2 * self.v + (1 - b2) * grad ** 2
        m_hat = self.m / (1 - b1 ** self.t)
        v_hat = self.v / (1 - b2 ** self.t)
        self.decay(flat)
        flat -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        self.shrink(flat)


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture notes, 2012); s starts at 0:

        s ← β s + (1 − β) g²                     running mean of the gradient's square
        θ ← θ − lr · g / (√s + ε)
    No momentum and no bias correction (as in PyTorch), so the first step is
    lr / √(1 − β) per entry, about 3.2 lr with β = 0.9. Weight decay and L1 as in SGD.
    """

    name = "rmsprop"

    def __init__(self, lr, beta=0.9, eps=1e-8, weight_decay=0.0, decayed=None, l1=0.0):
        super().__init__(lr, weight_decay, decayed, l1)
        self.beta = _decay("beta", beta)
        self.eps = positive("eps", eps)
        self.s = None

    def step(self, flat, grad):
        if self.s is None:
            self.s = np.zeros_like(flat)
        self.s[:] = self.beta * self.s + (1 - self.beta) * grad ** 2
        self.decay(flat)
        flat -= self.lr * grad / (np.sqrt(self.s) + self.eps)
        self.shrink(flat)


STEP_OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "rmsprop": RMSprop, "adam": Adam}
SCIPY_METHODS = {"lbfgs": "L-BFGS-B", "cg": "CG"}
OPTIMIZERS = [*STEP_OPTIMIZERS, *SCIPY_METHODS]


def check_name(name):
    """`name` if it is a known optimizer, else a ValueError listing the valid ones."""
    return choice("optimizer", name, OPTIMIZERS)
