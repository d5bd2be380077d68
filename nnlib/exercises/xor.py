"""Checkers for the lesson "XOR, layers as modules".

Conventions as everywhere in the course: samples are rows, W is (n_out, n_in),
Z = A_in @ W.T + b. The 2-2-1 network has sigmoid hidden and output layers and the
mean squared error, loss = mean over the N samples of ½(a − y)².

check_forward_221(forward_221)          the forward pass of a 2-2-1 sigmoid network
check_affine_backward(affine_backward)  the backward pass of an affine layer
check_gradient_221(gradient_221)        find the bug: the whole gradient (dW0, db0, dW1,
                                        db1) of the 2-2-1 network, with the planted bug
                                        and the usual backprop slips named
"""

import numpy as np
from scipy.special import expit

from .core import check


# -- Exercise 1: forward_221 --------------------------------------------------------------
def reference_forward_221(X, W0, b0, W1, b1):
    """Output (N, 1) of a 2-2-1 network with sigmoid hidden and output layers.

    X (N, 2), W0 (2, 2), b0 (2,), W1 (1, 2), b1 (1,).
    """
    H = expit(X @ W0.T + b0)
    return expit(H @ W1.T + b1)


FORWARD_SLIPS = {
    "W[from, to] was used instead of W[to, from] (X @ W0 instead of X @ W0.T)":
        lambda X, W0, b0, W1, b1: expit(expit(X @ W0 + b0) @ W1.T + b1),
    "the hidden layer has no sigmoid":
        lambda X, W0, b0, W1, b1: expit((X @ W0.T + b0) @ W1.T + b1),
    "the output layer has no sigmoid":
        lambda X, W0, b0, W1, b1: expit(X @ W0.T + b0) @ W1.T + b1,
    "the hidden layer uses ReLU instead of the sigmoid":
        lambda X, W0, b0, W1, b1: expit(np.maximum(X @ W0.T + b0, 0.0) @ W1.T + b1),
}


def _forward_221_inputs(rng):
    n = int(rng.integers(3, 9))
    return (rng.normal(size=(n, 2)), rng.normal(0, 2, size=(2, 2)), rng.normal(size=2),
            rng.normal(0, 2, size=(1, 2)), rng.normal(size=1))


def check_forward_221(candidate):
    """Compare `candidate(X, W0, b0, W1, b1)` with the reference 2-2-1 sigmoid forward pass."""
    return check(candidate, reference_forward_221, _forward_221_inputs, name="forward_221",
                 slips=FORWARD_SLIPS)


# -- Exercise 2: affine_backward ----------------------------------------------------------
def reference_affine_backward(grad_out, A_in, W):
    """Gradients of an affine layer Z = A_in @ W.T + b, given grad_out = dL/dZ.

    grad_out (N, n_out), A_in (N, n_in), W (n_out, n_in).
    Returns (dL/dA_in (N, n_in), dL/dW (n_out, n_in), dL/db (n_out,)).
    """
    return grad_out @ W, grad_out.T @ A_in, grad_out.sum(axis=0)


AFFINE_SLIPS = {
    "grad_A_in uses W.T where W belongs (per sample M g instead of Mᵀ g)":
        lambda G, A, W: (G @ W.T, G.T @ A, G.sum(axis=0)),
    "the bias gradient is averaged over the batch instead of summed":
        lambda G, A, W: (G @ W, G.T @ A, G.mean(axis=0)),
    "the bias gradient is not summed over the batch":
        lambda G, A, W: (G @ W, G.T @ A, G),
    "the bias gradient is summed over the wrong axis":
        lambda G, A, W: (G @ W, G.T @ A, G.sum(axis=1)),
    "grad_W and grad_b are divided by N, which grad_out already holds":
        lambda G, A, W: (G @ W, G.T @ A / len(A), G.sum(axis=0) / len(A)),
}


def _affine_inputs(sizes):
    # The first layer is square but not symmetric, so using W.T where W belongs (the
    # classic mistake) gives the right shapes and wrong values; the others are not square.
    sizes = list(sizes)

    def make(rng):
        n, n_in, n_out = sizes.pop(0)
        return rng.normal(size=(n, n_out)), rng.normal(size=(n, n_in)), rng.normal(size=(n_out, n_in))
    return make


def check_affine_backward(candidate):
    """Compare `candidate(grad_out, A_in, W)` -> (grad_A_in, grad_W, grad_b) with the reference."""
    return check(candidate, reference_affine_backward,
                 _affine_inputs([(5, 3, 3), (4, 3, 2), (6, 2, 4)]), name="affine_backward",
                 slips=AFFINE_SLIPS)


# -- Exercise 3: gradient_221 (find the bug) ------------------------------------------------
def _sigmoid_prime_slips(Z, how):
    """σ′(Z) as it should be ("right") and as the usual slips compute it."""
    s = expit(Z)
    if how == "right":
        return s * (1 - s)
    if how == "at the activation":            # dsigmoid(H) with H = σ(Z): σ′ of σ(Z)
        return expit(s) * (1 - expit(s))
    if how == "1 - z":
        return s * (1 - Z)
    return 1.0                                # "missing"


def _gradient_221(X, Y, W0, b0, W1, b1, output_prime="right", hidden_prime="right",
                  sign=1.0, scale=1.0, bias="sum"):
    """The gradient of the 2-2-1 network, with switches that make each slip."""
    N = len(X)
    Z0 = X @ W0.T + b0
    H = expit(Z0)
    Z1 = H @ W1.T + b1
    A = expit(Z1)
    delta1 = sign * scale * (A - Y) / N * _sigmoid_prime_slips(Z1, output_prime)   # BP1
    delta0 = (delta1 @ W1) * _sigmoid_prime_slips(Z0, hidden_prime)                # BP2
    sums = {"sum": lambda D: D.sum(axis=0), "mean": lambda D: D.mean(axis=0),
            "none": lambda D: D}[bias]
    return delta0.T @ X, sums(delta0), delta1.T @ H, sums(delta1)             # BP4, BP3


def reference_gradient_221(X, Y, W0, b0, W1, b1):
    """The gradient of loss = mean over samples of ½(a − y)² for the 2-2-1 sigmoid net.

    X (N, 2), Y (N, 1), W0 (2, 2), b0 (2,), W1 (1, 2), b1 (1,).
    Returns (dW0 (2, 2), db0 (2,), dW1 (1, 2), db1 (1,)), shaped like the parameters:
        delta1 = (A − Y) / N ⊙ σ′(Z1)      (N, 1)    BP1
        delta0 = (delta1 @ W1) ⊙ σ′(Z0)    (N, 2)    BP2
        dW1 = delta1ᵀ H, db1 = column sums of delta1; the same for layer 0 with X.
    """
    return _gradient_221(X, Y, W0, b0, W1, b1)


# The bug planted in the lesson's gradient_221_buggy: dsigmoid(H) instead of dsigmoid(Z0).
PLANTED_BUG = "the planted bug is still there: σ′ of the hidden layer is taken at H, not at Z0"

GRADIENT_SLIPS = {
    PLANTED_BUG:
        lambda *args: _gradient_221(*args, hidden_prime="at the activation"),
    "σ′ of the output layer is missing":
        lambda *args: _gradient_221(*args, output_prime="missing"),
    "σ′ of the hidden layer is missing":
        lambda *args: _gradient_221(*args, hidden_prime="missing"),
    "σ(z)(1 − z) was used instead of σ(z)(1 − σ(z))":
        lambda *args: _gradient_221(*args, output_prime="1 - z", hidden_prime="1 - z"),
    "the sign is flipped (Y − A instead of A − Y)":
        lambda *args: _gradient_221(*args, sign=-1.0),
    "the 1/N is missing":
        lambda *args: _gradient_221(*args, scale=len(args[0])),
    "the 1/N is doubled":
        lambda *args: _gradient_221(*args, scale=1.0 / len(args[0])),
    "the bias gradients are averaged over the batch instead of summed":
        lambda *args: _gradient_221(*args, bias="mean"),
    "the bias gradients are not summed over the batch":
        lambda *args: _gradient_221(*args, bias="none"),
}


def _gradient_221_inputs(rng):
    n = int(rng.integers(5, 10))
    Y = rng.integers(0, 2, size=(n, 1)).astype(np.float64)
    return (rng.uniform(-0.2, 1.2, size=(n, 2)), Y, rng.normal(0, 1.5, size=(2, 2)),
            rng.normal(size=2), rng.normal(0, 1.5, size=(1, 2)), rng.normal(size=1))


def check_gradient_221(candidate):
    """Compare `candidate(X, Y, W0, b0, W1, b1)` -> (dW0, db0, dW1, db1) with the reference,
    naming the planted bug and the usual backprop slips."""
    return check(candidate, reference_gradient_221, _gradient_221_inputs, name="gradient_221",
                 slips=GRADIENT_SLIPS)


EXERCISES = {"forward_221": check_forward_221, "affine_backward": check_affine_backward,
             "gradient_221": check_gradient_221}
