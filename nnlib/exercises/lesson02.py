"""Checkers for lesson 02 (vectorised notation).

check_layer_forward       Z = A @ W.T + b
check_layer_backward      BP2–BP4 through one layer fed by a sigmoid layer
check_backprop            the whole backward pass, any depth, any element-wise activation f
check_softmax_ce_delta    BP1 of a softmax output under categorical cross-entropy

Conventions: samples are rows. A layer has W (n_out, n_in) and b (n_out,);
its input A_prev is (N, n_in) and Z = A_prev @ W.T + b is (N, n_out). `delta`
is dC/dZ of a layer for the batch, shape (N, n_out), already including the 1/N of
the mean cost, so the gradients are plain sums over the rows.

Each checker runs the learner's function and a reference on seeded random inputs whose
sizes differ from each other (so a transposed or mis-summed result has the wrong shape)
and returns a Verdict (see `nnlib.exercises.check`); it never raises. A wrong answer that
equals one of the usual slips (the *_SLIPS dictionaries) gets a verdict that names it.
"""


import numpy as np
from scipy.special import expit

from .. import activations
from .core import check


def _shapes(rng):
    # Distinct sizes, so that a transposed result is always the wrong shape.
    n, n_in, n_out = rng.choice(np.arange(2, 9), size=3, replace=False)
    return int(n), int(n_in), int(n_out)


# -- Exercise 1: layer_forward -------------------------------------------------------------


def reference_layer_forward(A, W, b):
    """Z = A @ W.T + b: A (N, n_in), W (n_out, n_in), b (n_out,) -> Z (N, n_out)."""
    return A @ W.T + b


LAYER_FORWARD_SLIPS = {
    "the bias is missing": lambda A, W, b: A @ W.T,
    "the activation was applied: that is A = σ(Z), not Z": lambda A, W, b: expit(A @ W.T + b),
}


def _forward_inputs(rng):
    n, n_in, n_out = _shapes(rng)
    return (rng.normal(size=(n, n_in)), rng.normal(size=(n_out, n_in)),
            rng.normal(size=n_out))


def check_layer_forward(candidate):
    """Check layer_forward(A, W, b) -> Z = A @ W.T + b, shape (N, n_out)."""
    return check(candidate, reference_layer_forward, _forward_inputs, name="layer_forward",
                 trials=4, slips=LAYER_FORWARD_SLIPS)


# -- Exercise 2: layer_backward ------------------------------------------------------------


def reference_layer_backward(delta, W, A_prev):
    """One step of vectorised backprop through a layer whose input comes from a
    sigmoid layer (A_prev = σ(Z_prev), so σ'(Z_prev) = A_prev (1 − A_prev)).

    delta (N, n_out), W (n_out, n_in), A_prev (N, n_in).
    Returns (dW, db, delta_prev): dW = delta.T @ A_prev (n_out, n_in) (BP4),
    db = column sums of delta (n_out,) (BP3), delta_prev = (delta @ W) ⊙ σ'(Z_prev)
    (N, n_in) (BP2).
    """
    dW = delta.T @ A_prev
    db = delta.sum(axis=0)
    delta_prev = (delta @ W) * A_prev * (1.0 - A_prev)
    return dW, db, delta_prev


def _sigmoid_prime_of_A(delta, W, A_prev):
    s = expit(A_prev)                      # σ′ evaluated at A_prev, as if it were Z_prev
    return delta.T @ A_prev, delta.sum(axis=0), (delta @ W) * s * (1.0 - s)


LAYER_BACKWARD_SLIPS = {
    "σ′ is missing": lambda delta, W, A_prev: (delta.T @ A_prev, delta.sum(axis=0), delta @ W),
    "σ′ was taken of A_prev as if it were Z_prev: σ(A_prev)(1 − σ(A_prev))": _sigmoid_prime_of_A,
    "the bias gradient is not summed over the batch":
        lambda delta, W, A_prev: (delta.T @ A_prev, delta,
                                  (delta @ W) * A_prev * (1.0 - A_prev)),
    "the sum is over the wrong axis (db summed across each row, not down the batch)":
        lambda delta, W, A_prev: (delta.T @ A_prev, delta.sum(axis=1),
                                  (delta @ W) * A_prev * (1.0 - A_prev)),
    "the 1/N is doubled: dW and db are means over the batch, but delta already has the 1/N":
        lambda delta, W, A_prev: (delta.T @ A_prev / len(delta), delta.mean(axis=0),
                                  (delta @ W) * A_prev * (1.0 - A_prev)),
}


def _backward_inputs(rng):
    n, n_in, n_out = _shapes(rng)
    return (rng.normal(size=(n, n_out)) / n, rng.normal(size=(n_out, n_in)),
            expit(rng.normal(0.0, 2.0, size=(n, n_in))))


def check_layer_backward(candidate):
    """Check layer_backward(delta, W, A_prev) -> (dW, db, delta_prev)."""
    return check(candidate, reference_layer_backward, _backward_inputs, name="layer_backward",
                 trials=4, slips=LAYER_BACKWARD_SLIPS)


# -- Exercise 3: backprop ------------------------------------------------------------------


def _backprop(Ws, Zs, As, Y, f, mistake=None):
    """BP1–BP4 for every layer; `mistake` makes one of the usual slips."""
    N, n_layers = len(Y), len(Ws)

    def f_prime(l):                                  # f′(Z^l), with A^{l+1} = f(Z^l)
        if mistake == "sigmoid prime":
            return As[l + 1] * (1.0 - As[l + 1])
        return f.derivative(Zs[l], As[l + 1])

    scale = {"no 1/N": 1.0, "1/N twice": 1.0 / N**2}.get(mistake, 1.0 / N)
    delta = scale * (As[-1] - Y)
    if mistake != "no f' in BP1":
        delta = delta * f_prime(n_layers - 1)                               # BP1
    grads = [None] * n_layers
    for l in range(n_layers - 1, -1, -1):
        db = delta if mistake == "bias not summed" else delta.sum(axis=0)   # BP3
        A_in = As[l + 1] if mistake == "output in BP4" else As[l]
        grads[l] = (delta.T @ A_in, db)                                     # BP4
        if l > 0:
            delta = delta @ Ws[l]                                           # BP2
            if mistake != "no f' in BP2":
                delta = delta * f_prime(l - 1)
    return grads[::-1] if mistake == "reversed" else grads


def reference_backprop(Ws, Zs, As, Y, f):
    """The gradient of the mean cost C = (1/N) Σ_n ½‖a_n − y_n‖², layer by layer.

    Ws: list of the layers' W, Ws[l] (sizes[l+1], sizes[l]); Zs, As: the forward pass,
    Zs[l] (N, sizes[l+1]), As[0] = X and As[l+1] = f(Zs[l]); Y (N, sizes[-1]); f: the
    activation of every layer (an nnlib activation, f.derivative(Z, A) = f′(Z)).
    Returns a list with one (dW, db) per layer, layer 0 first: dW like Ws[l],
    db (sizes[l+1],).
    """
    return _backprop(Ws, Zs, As, Y, f)


def _backprop_slip(mistake):
    return lambda Ws, Zs, As, Y, f: tuple(_backprop(Ws, Zs, As, Y, f, mistake))


BACKPROP_SLIPS = {
    "f′ is missing in BP1": _backprop_slip("no f' in BP1"),
    "f′ is missing in BP2": _backprop_slip("no f' in BP2"),
    "the sigmoid's A(1 − A) was used instead of f′ of the activation it is given":
        _backprop_slip("sigmoid prime"),
    "the 1/N is missing": _backprop_slip("no 1/N"),
    "the 1/N is doubled": _backprop_slip("1/N twice"),
    "the bias gradient is not summed over the batch": _backprop_slip("bias not summed"),
    "BP4 uses the layer's output A^{l+1} instead of its input A^l": _backprop_slip("output in BP4"),
    "the list runs from the last layer to the first": _backprop_slip("reversed"),
}


def _network_inputs(rng, activation):
    """A random network of 2 to 4 layers with distinct widths, its forward pass on a
    batch of N samples (N unlike any width), the targets and the activation."""
    n_layers = int(rng.integers(2, 5))
    sizes = [int(s) for s in rng.choice(np.arange(2, 8), size=n_layers + 1, replace=False)]
    N = int(rng.integers(8, 12))
    f = activations.get(activation)
    Ws = [rng.normal(0.0, 1.0, size=(n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
    Zs, As = [], [rng.normal(size=(N, sizes[0]))]
    for W in Ws:
        Zs.append(As[-1] @ W.T + rng.normal(0.0, 0.5, size=W.shape[0]))
        As.append(f(Zs[-1]))
    Y = rng.uniform(0.0, 1.0, size=(N, sizes[-1]))
    return Ws, Zs, As, Y, f


def check_backprop(candidate):
    """Check backprop(Ws, Zs, As, Y, f) -> [(dW, db) per layer] on networks of 2 to 4
    layers, with sigmoid and with tanh layers."""
    activation = iter(["sigmoid", "tanh", "sigmoid", "tanh"])
    return check(candidate, reference_backprop,
                 lambda rng: _network_inputs(rng, next(activation)), name="backprop", trials=4,
                 slips=BACKPROP_SLIPS)


# -- Exercise 4: softmax_ce_delta ----------------------------------------------------------


def _softmax(Z, axis=1):
    E = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


def reference_softmax_ce_delta(Z, Y):
    """Δ of a softmax output layer under the mean categorical cross-entropy.

    Z (N, n_out) pre-activations, Y (N, n_out) targets whose rows sum to 1.
    Returns (softmax(Z) − Y) / N, shape (N, n_out): the 1/N of the mean included (BP1).
    """
    return (_softmax(Z) - Y) / len(Z)


def _softmax_times_sigmoid_prime(Z, Y):
    A = _softmax(Z)
    return (A - Y) * A * (1.0 - A) / len(Z)


SOFTMAX_CE_DELTA_SLIPS = {
    "σ′ was applied to the softmax, as if it were element-wise: ⊙ A(1 − A)":
        _softmax_times_sigmoid_prime,
    "the 1/N is missing": lambda Z, Y: _softmax(Z) - Y,
    "the 1/N is doubled": lambda Z, Y: (_softmax(Z) - Y) / len(Z) ** 2,
    "the softmax is over the wrong axis (down the batch, not across each row)":
        lambda Z, Y: (_softmax(Z, axis=0) - Y) / len(Z),
    "a sigmoid was used instead of the softmax": lambda Z, Y: (expit(Z) - Y) / len(Z),
}


def _softmax_inputs(rng):
    n, _, n_out = _shapes(rng)
    Y = np.eye(n_out)[rng.integers(0, n_out, size=n)]        # one-hot rows
    return rng.normal(0.0, 3.0, size=(n, n_out)), Y


def check_softmax_ce_delta(candidate):
    """Check softmax_ce_delta(Z, Y) -> (softmax(Z) − Y) / N, shape (N, n_out)."""
    return check(candidate, reference_softmax_ce_delta, _softmax_inputs,
                 name="softmax_ce_delta", trials=4, slips=SOFTMAX_CE_DELTA_SLIPS)


EXERCISES = {
    "layer_forward": check_layer_forward,
    "layer_backward": check_layer_backward,
    "backprop": check_backprop,
    "softmax_ce_delta": check_softmax_ce_delta,
}
