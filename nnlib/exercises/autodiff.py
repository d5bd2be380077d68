"""Checkers for the lesson "From backprop to automatic differentiation".

check_tanh_backward(tanh_backward)                  the backward rule of tanh
check_add_backward(add_backward)                    the backward rule of a broadcasting add
check_square_plus_gradient(square_plus_gradient)    find the accumulation bug: d Σ(x·x + x)/dx
check_penalised_loss(penalised_loss)                a new loss, differentiated by nnlib.autodiff
"""

import numpy as np

from ..autodiff import Value
from .core import check


def _distinct(rng, low, high, k):
    return [int(n) for n in rng.choice(np.arange(low, high), size=k, replace=False)]


# -- exercise 1: tanh --------------------------------------------------------------------

def reference_tanh_backward(g, z, a):
    """dL/dz from g = dL/da for a = tanh(z): g ⊙ (1 − a²). All (N, n)."""
    return g * (1.0 - a * a)


TANH_BACKWARD_SLIPS = {
    "1 − z² was used where 1 − a² belongs (a = tanh(z))": lambda g, z, a: g * (1 - z * z),
    "the incoming gradient g is missing": lambda g, z, a: 1 - a * a,
    "σ′'s a(1 − a) was used instead of tanh′ = 1 − a²": lambda g, z, a: g * a * (1 - a),
}


def _tanh_inputs(rng):
    N, n = _distinct(rng, 2, 7, 2)
    z = rng.normal(0.0, 1.5, size=(N, n))
    return rng.normal(size=(N, n)), z, np.tanh(z)


def check_tanh_backward(candidate):
    """Check tanh_backward(g, z, a) -> g ⊙ (1 − a²), (N, n)."""
    return check(candidate, reference_tanh_backward, _tanh_inputs, name="tanh_backward",
                 slips=TANH_BACKWARD_SLIPS)


# -- exercise 2: the broadcasting add ----------------------------------------------------

def reference_add_backward(g, x_shape, b_shape):
    """The gradients of x + b (b broadcast along the rows of x) from g = dL/d(x + b):
    (g, g summed over the broadcast axis). g (N, n), x_shape (N, n), b_shape (n,)."""
    return g.copy(), g.sum(axis=0)


ADD_BACKWARD_SLIPS = {
    "db was not summed over the batch": lambda g, x_shape, b_shape: (g, g),
    "db is the mean over the rows, not their sum": lambda g, x_shape, b_shape: (g, g.mean(axis=0)),
    "db was summed over the wrong axis": lambda g, x_shape, b_shape: (g, g.sum(axis=1)),
}


def _add_inputs(rng):
    N, n = _distinct(rng, 2, 8, 2)
    return rng.normal(size=(N, n)), (N, n), (n,)


def check_add_backward(candidate):
    """Check add_backward(g, x_shape, b_shape) -> (dx (N, n), db (n,))."""
    return check(candidate, reference_add_backward, _add_inputs, name="add_backward",
                 slips=ADD_BACKWARD_SLIPS)


# -- exercise 3: find the accumulation bug -----------------------------------------------

def reference_square_plus_gradient(x):
    """The gradient of f(x) = Σ (x ⊙ x + x) at x (n,): 2x + 1."""
    return 2 * x + 1


SQUARE_PLUS_GRADIENT_SLIPS = {
    # with `=` in both lines of __mul__ (the planted bug) the product's rule runs last
    # and writes x twice over: the 1 from `+ x` and the other factor's x are lost
    "__mul__ still assigns (=) where it must add (+=)": lambda x: x.copy(),
    # with `=` left in the line for `self` only: x (overwriting the 1), then += x
    "one of the two lines of __mul__ still assigns (=)": lambda x: 2 * x,
    "only one of the two uses of x in x·x was counted": lambda x: x + 1,
}


def _vector_input(rng):
    return (rng.normal(size=int(rng.integers(3, 8))),)


def check_square_plus_gradient(candidate):
    """Check square_plus_gradient(x) -> df/dx = 2x + 1 for f(x) = Σ (x ⊙ x + x), (n,);
    name the gradients that an assignment (= instead of +=) leaves behind."""
    return check(candidate, reference_square_plus_gradient, _vector_input,
                 name="square_plus_gradient", slips=SQUARE_PLUS_GRADIENT_SLIPS)


# -- exercise 4: a loss nobody differentiated --------------------------------------------

def reference_penalised_loss(X, Y, W, b, lam):
    """Loss ½ mean‖X Wᵀ + b − Y‖² + lam · Σ W² and its gradients (dW, db), by hand.
    X (N, n_in), Y (N, n_out), W (n_out, n_in), b (n_out,) -> (float, (n_out, n_in), (n_out,))."""
    return _penalised(X, Y, W, b, lam)


def _penalised(X, Y, W, b, lam, half=0.5, per="sample", penalty=1.0, penalise_b=False):
    """The loss and its gradients, with switches that make the usual slips."""
    N = len(X)
    divide = {"sample": N, "entry": Y.size, "none": 1}[per]
    R = X @ W.T + b - Y
    loss = half * float((R * R).sum()) / divide + penalty * lam * float((W * W).sum())
    dW = 2 * half * R.T @ X / divide + 2 * penalty * lam * W
    db = 2 * half * R.sum(axis=0) / divide
    if penalise_b:
        loss += lam * float((b * b).sum())
        db = db + 2 * lam * b
    return loss, dW, db


PENALISED_LOSS_SLIPS = {
    "the penalty λ Σ W² is missing": lambda X, Y, W, b, lam: _penalised(X, Y, W, b, 0.0),
    "the ½ is missing": lambda X, Y, W, b, lam: _penalised(X, Y, W, b, lam, half=1.0),
    "the mean is over all N · n_out entries, not over the N samples":
        lambda X, Y, W, b, lam: _penalised(X, Y, W, b, lam, per="entry"),
    "the 1/N is missing (a sum, not a mean)":
        lambda X, Y, W, b, lam: _penalised(X, Y, W, b, lam, per="none"),
    "the penalty was taken as (λ/2) Σ W², not λ Σ W²":
        lambda X, Y, W, b, lam: _penalised(X, Y, W, b, lam, penalty=0.5),
    "the biases were penalised too": lambda X, Y, W, b, lam: _penalised(X, Y, W, b, lam,
                                                                        penalise_b=True),
}


def _penalised_inputs(rng):
    N, n_in, n_out = _distinct(rng, 2, 8, 3)
    return (rng.normal(size=(N, n_in)), rng.normal(size=(N, n_out)),
            rng.normal(size=(n_out, n_in)), rng.normal(size=n_out), float(rng.uniform(0.1, 1)))


def check_penalised_loss(candidate):
    """`candidate(X, Y, W, b, lam)` builds the loss from nnlib.autodiff Values W and b;
    its value and the gradients that backward() leaves in W.grad and b.grad must match
    the loss and gradients derived by hand."""
    def run(X, Y, W, b, lam):
        W_value, b_value = Value(W), Value(b)
        total = candidate(X, Y, W_value, b_value, lam)
        if total is None:
            return None                              # reported as not implemented
        if not isinstance(total, Value):
            raise TypeError("it must return the loss as a Value (nnlib.autodiff.Value), got "
                            f"{type(total).__name__}")
        total.backward()
        return float(total.data), W_value.grad, b_value.grad

    return check(run, reference_penalised_loss, _penalised_inputs, name="penalised_loss",
                 slips=PENALISED_LOSS_SLIPS)


EXERCISES = {
    "tanh_backward": check_tanh_backward,
    "add_backward": check_add_backward,
    "square_plus_gradient": check_square_plus_gradient,
    "penalised_loss": check_penalised_loss,
}
