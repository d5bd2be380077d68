"""Checkers for the lesson "Vectorised notation".

check_layer_forward       Z = A @ W.T + b
check_layer_backward      BP2–BP4 through one layer fed by a sigmoid layer
check_backprop            the whole backward pass, any depth, any element-wise activation f
check_softmax_jacobian    the Jacobian ∂a_i/∂z_j of the softmax of one sample

Conventions (the notation card of 00_index): samples are rows. Layer l has W_l (n_out, n_in)
and b_l (n_out,); its input A_l is (N, n_in) and Z_l = A_l @ W_l.T + b_l is (N, n_out).
`delta` is Δ_l = ∂𝓛/∂Z_l, shape (N, n_out), the batched error: it already holds the 1/N of
the mean loss 𝓛, so the gradients are plain sums over the rows.

Each checker runs the learner's function and a reference on seeded random inputs whose
sizes differ from each other (so a transposed or mis-summed result has the wrong shape)
and returns a Verdict (see `nnlib.exercises.check`); it never raises. A wrong answer that
equals one of the usual slips (the *_SLIPS dictionaries) gets a verdict that names it.
Wrong values are reported, as by every checker (core.how_far), as a RELATIVE difference
(the largest difference as a share of the reference's largest entry), which says at once
whether the answer is a little or a lot off, where an absolute 0.003 could be rounding or
a gross slip.
"""


import numpy as np
from scipy.special import expit

from .. import activations
from .core import Verdict, check

OVERFLOW = ("np.exp overflowed for large z: subtract the largest z before np.exp (it changes "
            "no a_j)")


def _shapes(rng):
    # Distinct sizes, so that a transposed result is always the wrong shape.
    n, n_in, n_out = rng.choice(np.arange(2, 9), size=3, replace=False)
    return int(n), int(n_in), int(n_out)


def _parts(result):
    """The arrays of a result (an array, or tuples and lists of them), in order."""
    if isinstance(result, (tuple, list)) and not all(isinstance(v, (int, float)) for v in result):
        return [part for item in result for part in _parts(item)]
    return [result]


def _check(candidate, reference, make_inputs, name, slips, trials=4):
    """core.check, with inf or nan in a result (an overflow) named as such."""
    seen = {}

    def remembered_candidate(*args):
        seen["got"] = None
        seen["got"] = candidate(*args)
        return seen["got"]

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        verdict = check(remembered_candidate, reference, make_inputs, name=name,
                        trials=trials, slips=slips)
    if verdict.status != "wrong values":
        return verdict
    try:
        return _overflow_verdict(verdict, name, seen.get("got"))
    except Exception:  # whatever the learner returned, the checker never raises
        return verdict


def _overflow_verdict(verdict, name, got):
    """`verdict` (wrong values), named as an overflow when `got` holds inf or nan where
    the reference is finite (a softmax without the max-shift)."""
    arrays = [np.asarray(p, dtype=float) for p in _parts(got)]
    if verdict.slip is None and name == "softmax_jacobian" \
            and not all(np.isfinite(a).all() for a in arrays):
        return Verdict("wrong values", f"{name} returned inf or nan for a sample of large "
                       f"z. It looks like {OVERFLOW}.", float("inf"), slip=OVERFLOW)
    return verdict


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
    return _check(candidate, reference_layer_forward, _forward_inputs, "layer_forward",
                  LAYER_FORWARD_SLIPS)


# -- Exercise 2: layer_backward ------------------------------------------------------------


def reference_layer_backward(delta, W, A_prev):
    """One step of vectorised backprop through layer l, whose input A_l = σ(Z_{l−1}) comes
    from a sigmoid layer (so σ′(Z_{l−1}) = A_l (1 − A_l)).

    delta = Δ_l (N, n_out), W = W_l (n_out, n_in), A_prev = A_l (N, n_in).
    Returns (dW, db, delta_prev): dW = Δ_lᵀ A_l (n_out, n_in) (BP4), db = column sums of
    Δ_l (n_out,) (BP3), delta_prev = Δ_{l−1} = (Δ_l W_l) ⊙ σ′(Z_{l−1}) (N, n_in) (BP2).
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
    "the 1/N is doubled in dW: delta already has the 1/N, so dW is delta.T @ A_prev, "
    "not divided by N again":
        lambda delta, W, A_prev: (delta.T @ A_prev / len(delta), delta.sum(axis=0),
                                  (delta @ W) * A_prev * (1.0 - A_prev)),
    "the 1/N is doubled in db: delta already has the 1/N, so db is a sum over the batch, "
    "not a mean":
        lambda delta, W, A_prev: (delta.T @ A_prev, delta.mean(axis=0),
                                  (delta @ W) * A_prev * (1.0 - A_prev)),
    "the sums were taken before the product: (Σₙ δ⁽ⁿ⁾)(Σₙ a⁽ⁿ⁾)ᵀ is not Σₙ δ⁽ⁿ⁾ a⁽ⁿ⁾ᵀ":
        lambda delta, W, A_prev: (np.outer(delta.sum(axis=0), A_prev.sum(axis=0)),
                                  delta.sum(axis=0), (delta @ W) * A_prev * (1.0 - A_prev)),
}


def _backward_inputs(rng):
    n, n_in, n_out = _shapes(rng)
    return (rng.normal(size=(n, n_out)) / n, rng.normal(size=(n_out, n_in)),
            expit(rng.normal(0.0, 2.0, size=(n, n_in))))


def check_layer_backward(candidate):
    """Check layer_backward(delta, W, A_prev) -> (dW, db, delta_prev)."""
    return _check(candidate, reference_layer_backward, _backward_inputs, "layer_backward",
                  LAYER_BACKWARD_SLIPS)


# -- Exercise 3: backprop ------------------------------------------------------------------


def _backprop(Ws, Zs, As, Y, f, mistake=None):
    """BP1–BP4 for every layer; `mistake` makes one of the usual slips."""
    N, n_layers = len(Y), len(Ws)

    def f_prime(l, in_bp2=False):                    # f′(Z_l), with A_{l+1} = f(Z_l)
        if mistake == "sigmoid prime" or (mistake == "sigmoid prime in BP2" and in_bp2):
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
            if mistake == "f' of layer l":
                delta = delta * f_prime(l)
            elif mistake != "no f' in BP2":
                delta = delta * f_prime(l - 1, in_bp2=True)
    return grads[::-1] if mistake == "reversed" else grads


def reference_backprop(Ws, Zs, As, Y, f):
    """The gradient of the mean loss 𝓛 = (1/N) Σₙ C⁽ⁿ⁾, C = ½‖a_{L+1} − y‖², layer by layer.

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
    "BP2 used f′(Z_l), of the layer the error comes from, instead of f′(Z_{l−1})":
        _backprop_slip("f' of layer l"),
    "the sigmoid's A(1 − A) was used instead of f′ of the activation it is given":
        _backprop_slip("sigmoid prime"),
    "the sigmoid's A(1 − A) was used in BP2 instead of f′ of the activation it is given "
    "(BP1 has f′ right)":
        _backprop_slip("sigmoid prime in BP2"),
    "the 1/N is missing": _backprop_slip("no 1/N"),
    "the 1/N is doubled": _backprop_slip("1/N twice"),
    "the bias gradient is not summed over the batch": _backprop_slip("bias not summed"),
    "BP4 uses the layer's output A_{l+1} instead of its input A_l": _backprop_slip("output in BP4"),
    "the list runs from the last layer to the first": _backprop_slip("reversed"),
}


def _network_inputs(rng, activation, same_widths=False):
    """A random network of 2 to 4 layers with distinct widths, its forward pass on a
    batch of N samples (N unlike any width), the targets and the activation.
    same_widths: three layers whose outputs all have one width, so that f′ of the wrong
    layer has the right shape and gives wrong values (which are named) instead of an error."""
    if same_widths:
        n_in, width = (int(s) for s in rng.choice(np.arange(2, 8), size=2, replace=False))
        sizes = [n_in, width, width, width]
    else:
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
    layers, with sigmoid and with tanh layers; the first network's layers all have one
    output width, so that f′ taken at the wrong layer is named rather than a shape error."""
    trials = iter([("tanh", True), ("sigmoid", False), ("tanh", False), ("sigmoid", False)])
    return _check(candidate, reference_backprop,
                  lambda rng: _network_inputs(rng, *next(trials)), "backprop", BACKPROP_SLIPS)


# -- Exercise 4: softmax_jacobian ----------------------------------------------------------


def _softmax(Z, axis=1):
    """Row-wise softmax (axis=1) with the max-shift; a 1-D z is one row."""
    E = np.exp(Z - Z.max(axis=axis if np.ndim(Z) > 1 else None, keepdims=True))
    return E / E.sum(axis=axis if np.ndim(Z) > 1 else None, keepdims=True)


def reference_softmax_jacobian(z):
    """J (K, K) with J[i, j] = ∂a_i/∂z_j = a_i (1[i = j] − a_j), a = softmax(z):
    J = diag(a) − a aᵀ. z: one sample's pre-activations, (K,)."""
    a = _softmax(z)
    return np.diag(a) - np.outer(a, a)


SOFTMAX_JACOBIAN_SLIPS = {
    "only the diagonal a_i(1 − a_i) was kept, as if the softmax were element-wise: "
    "a_i also depends on every other z_j":
        lambda z: np.diag(_softmax(z) * (1.0 - _softmax(z))),
    "the diagonal term is missing: −a aᵀ alone leaves out the a_i 1[i = j] of the numerator":
        lambda z: -np.outer(_softmax(z), _softmax(z)),
    "the sign is flipped: a aᵀ − diag(a)":
        lambda z: np.outer(_softmax(z), _softmax(z)) - np.diag(_softmax(z)),
    "the exponentials were not normalised: diag(e^z) − e^z (e^z)ᵀ":
        lambda z: np.diag(np.exp(z)) - np.outer(np.exp(z), np.exp(z)),
}


def _jacobian_inputs(rng):
    K = int(rng.integers(3, 7))
    return (rng.normal(0.0, 2.0, size=K),)


def _jacobian_trials():
    """Three ordinary samples, then a very sure one: exp(800) overflows unless shifted."""
    count = iter(range(4))

    def inputs(rng):
        (z,) = _jacobian_inputs(rng)
        if next(count) == 3:
            z = z + 800.0
        return (z,)

    return inputs


def check_softmax_jacobian(candidate):
    """Check softmax_jacobian(z) -> diag(a) − a aᵀ, (K, K), a = softmax(z); the last trial
    has z near 800, where np.exp(z) overflows unless the largest z is subtracted first."""
    return _check(candidate, reference_softmax_jacobian, _jacobian_trials(), "softmax_jacobian",
                  SOFTMAX_JACOBIAN_SLIPS)


EXERCISES = {
    "layer_forward": check_layer_forward,
    "layer_backward": check_layer_backward,
    "backprop": check_backprop,
    "softmax_jacobian": check_softmax_jacobian,
}
