"""Checkers for lesson 08 (from backprop to automatic differentiation).

check_tanh_backward(tanh_backward)            the backward rule of tanh
check_add_backward(add_backward)              the backward rule of a broadcasting add
check_penalised_loss(penalised_loss)          a new loss, differentiated by nnlib.autodiff
check_square_plus_gradient(f)                 find the accumulation bug: d Σ(x·x + x)/dx
"""

import numpy as np

from ..autodiff import Value
from .core import Verdict, call, check


def reference_tanh_backward(g, z, a):
    """dL/dz from g = dL/da for a = tanh(z): g ⊙ (1 − a²). All (N, n)."""
    return g * (1.0 - a * a)


def _tanh_inputs(rng):
    shape = (int(rng.integers(2, 6)), int(rng.integers(2, 5)))
    z = rng.normal(0.0, 1.5, size=shape)
    return rng.normal(size=shape), z, np.tanh(z)


def check_tanh_backward(candidate):
    """Compare `candidate(g, z, a)` with g ⊙ (1 − a²); name the usual slips."""
    verdict = check(candidate, reference_tanh_backward, _tanh_inputs, name="tanh_backward")
    if verdict.status == "wrong values":
        g, z, a = _tanh_inputs(np.random.default_rng(0))
        got = np.asarray(candidate(g.copy(), z.copy(), a.copy()), dtype=float)
        slips = {"it uses 1 − z² where 1 − a² belongs (a = tanh(z))": g * (1 - z * z),
                 "it forgets to multiply by the incoming gradient g": 1 - a * a}
        for slip, value in slips.items():
            if got.shape == value.shape and np.allclose(got, value):
                return Verdict("wrong values", f"tanh_backward: wrong values: {slip}.")
    return verdict


def reference_add_backward(g, x_shape, b_shape):
    """The gradients of x + b (b broadcast along the rows of x) from g = dL/d(x + b):
    (g, g summed over the broadcast axis). g (N, n), x_shape (N, n), b_shape (n,)."""
    return g.copy(), g.sum(axis=0)


def _add_inputs(rng):
    n, m = int(rng.integers(3, 7)), int(rng.integers(2, 5))
    return rng.normal(size=(n, m)), (n, m), (m,)


def check_add_backward(candidate):
    """Compare `candidate(g, x_shape, b_shape)` -> (dx, db) with the reference."""
    verdict = check(candidate, reference_add_backward, _add_inputs, name="add_backward")
    if verdict.status in ("wrong shape", "wrong values"):
        g, x_shape, b_shape = _add_inputs(np.random.default_rng(0))
        got, _ = call(candidate, "add_backward", g.copy(), x_shape, b_shape)
        if isinstance(got, (tuple, list)) and len(got) == 2:
            db = np.asarray(got[1], dtype=float)
            if db.shape == g.shape:
                return Verdict("wrong shape", "add_backward: db has the shape of g: sum it over "
                               "the axis that broadcasting stretched b along (axis 0).")
            if db.shape == b_shape and np.allclose(db, g.mean(axis=0)):
                return Verdict("wrong values", "add_backward: db is the mean over the rows; "
                               "every row used b once, so its gradient is the sum.")
    return verdict


def reference_penalised_loss(X, Y, W, b, lam):
    """Loss ½ mean‖X Wᵀ + b − Y‖² + lam · Σ W² and its gradients (dW, db), by hand."""
    N = len(X)
    R = X @ W.T + b - Y
    loss = 0.5 * float((R * R).sum()) / N + lam * float((W * W).sum())
    return loss, R.T @ X / N + 2 * lam * W, R.sum(axis=0) / N


def _penalised_inputs(rng):
    n, n_in, n_out = int(rng.integers(3, 8)), int(rng.integers(2, 5)), int(rng.integers(1, 4))
    return (rng.normal(size=(n, n_in)), rng.normal(size=(n, n_out)),
            rng.normal(size=(n_out, n_in)), rng.normal(size=n_out), float(rng.uniform(0.1, 1)))


def check_penalised_loss(candidate):
    """`candidate(X, Y, W, b, lam)` builds the loss from nnlib.autodiff Values W and b;
    its value and the gradients that backward() leaves in W.grad and b.grad must match
    the loss and gradients derived by hand."""
    def run(X, Y, W, b, lam):
        W_value, b_value = Value(W), Value(b)
        total = candidate(X, Y, W_value, b_value, lam)
        if not isinstance(total, Value):
            return total
        total.backward()
        return float(total.data), W_value.grad, b_value.grad

    run.__name__ = "penalised_loss"
    return check(run, reference_penalised_loss, _penalised_inputs, name="penalised_loss")


def reference_square_plus_gradient(x):
    """The gradient of f(x) = Σ (x ⊙ x + x) at x (n,): 2x + 1."""
    return 2 * x + 1


def _vector_input(rng):
    return (rng.normal(size=int(rng.integers(3, 8))),)


def check_square_plus_gradient(candidate):
    """Compare `candidate(x)` -> df/dx for f(x) = Σ (x ⊙ x + x) with 2x + 1; name the
    gradients that an assignment (= instead of +=) leaves behind."""
    verdict = check(candidate, reference_square_plus_gradient, _vector_input,
                    name="square_plus_gradient")
    if verdict.status == "wrong values":
        (x,) = _vector_input(np.random.default_rng(0))
        got, _ = call(candidate, "square_plus_gradient", x.copy())
        got = np.asarray(got, dtype=float)
        for wrong in (x + 1, x, np.ones_like(x), 2 * x):
            if got.shape == x.shape and np.allclose(got, wrong):
                return Verdict("wrong values", "square_plus_gradient: one use of x overwrote "
                               "another's contribution: a rule assigns (=) where it must add "
                               "(+=).")
    return verdict
