"""Checkers for lesson 05 (XOR, layers as modules).

Conventions as everywhere in the course: samples are rows, W is (n_out, n_in),
Z = A_in @ W.T + b.

check_forward_221(forward_221)          the forward pass of a 2-2-1 sigmoid network
check_affine_backward(affine_backward)  the backward pass of an affine layer
"""

from scipy.special import expit

from .core import check


def reference_forward_221(X, W0, b0, W1, b1):
    """Output (N, 1) of a 2-2-1 network with sigmoid hidden and output layers.

    X (N, 2), W0 (2, 2), b0 (2,), W1 (1, 2), b1 (1,).
    """
    H = expit(X @ W0.T + b0)
    return expit(H @ W1.T + b1)


def _forward_221_inputs(rng):
    n = int(rng.integers(3, 9))
    return (rng.normal(size=(n, 2)), rng.normal(0, 2, size=(2, 2)), rng.normal(size=2),
            rng.normal(0, 2, size=(1, 2)), rng.normal(size=1))


def check_forward_221(candidate):
    """Compare `candidate(X, W0, b0, W1, b1)` with the reference 2-2-1 sigmoid forward pass."""
    return check(candidate, reference_forward_221, _forward_221_inputs, name="forward_221")


def reference_affine_backward(grad_out, A_in, W):
    """Gradients of an affine layer Z = A_in @ W.T + b, given grad_out = dL/dZ.

    grad_out (N, n_out), A_in (N, n_in), W (n_out, n_in).
    Returns (dL/dA_in (N, n_in), dL/dW (n_out, n_in), dL/db (n_out,)).
    """
    return grad_out @ W, grad_out.T @ A_in, grad_out.sum(axis=0)


def _affine_inputs(sizes):
    # The first layer is square but not symmetric, so using W.T where W belongs (the
    # classic mistake) gives the right shapes and wrong values; the others are not square.
    def make(rng):
        n, n_in, n_out = sizes.pop(0)
        return rng.normal(size=(n, n_out)), rng.normal(size=(n, n_in)), rng.normal(size=(n_out, n_in))
    return make


def check_affine_backward(candidate):
    """Compare `candidate(grad_out, A_in, W)` -> (grad_A_in, grad_W, grad_b) with the reference."""
    return check(candidate, reference_affine_backward,
                 _affine_inputs([(5, 3, 3), (4, 3, 2), (6, 2, 4)]), name="affine_backward")
