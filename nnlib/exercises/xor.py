"""Checkers for the lesson "XOR".

Conventions as everywhere in the course: samples are rows, W is (n_out, n_in) with
W[to, from], Z = A_in @ W.T + b. The 2-2-1 network has sigmoid hidden and output layers and
the mean squared error, loss = mean over the N samples of ½(a − y)².

check_xor_weights(xor_weights)          XOR's weights set by hand: hidden neuron 0 computes
                                        OR, hidden neuron 1 AND, the output "OR and not AND"
check_affine_backward(affine_backward)  the backward pass of an affine layer stored the other
                                        way round, Z = A V + b with V = Wᵀ, derived
check_gradient_221(gradient_221)        find the bug: the whole gradient (dW0, db0, dW1,
                                        db1) of the 2-2-1 network, with the planted bug
                                        and the usual backprop slips named

Each returns a Verdict that names the usual slip when it sees one, and never raises.
"""

import numpy as np
from scipy.special import expit

from .core import TRANSPOSED, Verdict, call, check

# -- Exercise 1: xor_weights ----------------------------------------------------------------
CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])   # rows (x_0, x_1)
GATES = {"OR": np.array([0.0, 1.0, 1.0, 1.0]), "AND": np.array([0.0, 0.0, 0.0, 1.0]),
         "XOR": np.array([0.0, 1.0, 1.0, 0.0])}
CLOSE = 0.1     # every activation within 0.1 of its gate's 0 or 1
SHAPES = {"W0": (2, 2), "b0": (2,), "W1": (1, 2), "b1": (1,)}

SWAPPED_NEURONS = "the hidden neurons are swapped: neuron 0 computes AND and neuron 1 OR"
FROM_TO = "W[from, to] was used instead of W[to, from] (W0 transposed)"
TOO_SMALL = "the weights are too small to saturate the sigmoid"
XNOR = "the output computes XNOR, not XOR: its signs are flipped"
XOR_WEIGHT_SLIPS = (SWAPPED_NEURONS, FROM_TO, TOO_SMALL, XNOR)


def xor_activations(W0, b0, W1, b1):
    """(H (4, 2), a (4,)): the hidden activations and outputs at the four corners."""
    H = expit(CORNERS @ W0.T + b0)
    return H, expit(H @ W1.T + b1)[:, 0]


def _fits(H, a, order=("OR", "AND")):
    """Whether hidden neurons 0 and 1 compute the gates `order` and (unless `a` is None)
    the output XOR, each within CLOSE at every corner."""
    hidden = np.all(np.abs(H - np.column_stack([GATES[g] for g in order])) < CLOSE)
    return bool(hidden and (a is None or np.all(np.abs(a - GATES["XOR"]) < CLOSE)))


def _arrays(name, got):
    """The four results as float arrays of the right shapes, or a Verdict saying why not."""
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        return Verdict("wrong shape", f"{name} should return 4 arrays (W0, b0, W1, b1), got "
                       f"{type(got).__name__}" + (f" of length {len(got)}" if
                                                  isinstance(got, (tuple, list)) else ""))
    arrays = []
    for (label, shape), value in zip(SHAPES.items(), got):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            return Verdict("wrong shape", f"{name}: {label} is {type(value).__name__}, "
                           "expected an array of numbers")
        if array.shape != shape:
            slip = FROM_TO if label == "W1" and array.shape == (2, 1) else None
            why = " (W1 is W[to, from]: one row, for the one output neuron)" if slip else ""
            return Verdict("wrong shape", f"{name}: {label} has shape {array.shape}, expected "
                           f"{shape}{why}.", slip=slip)
        if not np.isfinite(array).all():
            return Verdict("wrong values", f"{name}: {label} holds inf or nan")
        arrays.append(array)
    return arrays


def _diagnose_xor(name, W0, b0, W1, b1):
    """The Verdict for weights that do not fit: the slip if one is recognised, else the first
    neuron and corner that are wrong."""
    H, a = xor_activations(W0, b0, W1, b1)
    wrong = f"{name}: wrong values."
    if _fits(H, None, order=("AND", "OR")):
        return Verdict("wrong values", f"{wrong} It looks like {SWAPPED_NEURONS}. Row j of W0 "
                       "and entry j of b0 belong to hidden neuron j, and so does column j of W1.",
                       slip=SWAPPED_NEURONS)
    if _fits(*xor_activations(W0.T, b0, W1, b1)):
        return Verdict("wrong values", f"{wrong} It looks like {FROM_TO}: row j of W0 must "
                       "hold the weights into hidden neuron j.", slip=FROM_TO)
    targets = np.column_stack([GATES["OR"], GATES["AND"], GATES["XOR"]])
    values = np.column_stack([H, a])
    if np.all((values > 0.5) == (targets > 0.5)):
        return Verdict("wrong values", f"{wrong} It looks like {TOO_SMALL}: every neuron is on "
                       "the right side of 0.5, but σ(z) is within 0.1 of 0 or 1 only where "
                       "|z| > 2.2. Scale up the weights and biases.", slip=TOO_SMALL)
    if np.all(np.abs(H - targets[:, :2]) < CLOSE) and np.all(np.abs(a - (1 - GATES["XOR"])) < CLOSE):
        return Verdict("wrong values", f"{wrong} It looks like {XNOR} (σ(−z) = 1 − σ(z)).",
                       slip=XNOR)
    for j, gate in enumerate(("OR", "AND", "XOR")):
        for corner, value, target in zip(CORNERS, values[:, j], targets[:, j]):
            if abs(value - target) >= CLOSE:
                who = f"Hidden neuron {j}" if j < 2 else "The output"
                return Verdict("wrong values", f"{wrong} {who} should compute {gate}, but at "
                               f"(x_0, x_1) = ({corner[0]:.0f}, {corner[1]:.0f}) it gives "
                               f"{value:.3g}, not {target:.0f} (within {CLOSE}).")
    return Verdict("wrong values", wrong)   # not reached: a fit would have been correct


def check_xor_weights(candidate):
    """Judge `candidate()` -> (W0, b0, W1, b1) of a 2-2-1 sigmoid network: hidden neuron 0
    must compute OR, hidden neuron 1 AND, the output XOR, each within 0.1 at the four corners."""
    name = getattr(candidate, "__name__", "xor_weights")
    got, verdict = call(candidate, name)
    if verdict is not None:
        return verdict
    try:
        arrays = _arrays(name, got)
        if isinstance(arrays, Verdict):
            return arrays
        H, a = xor_activations(*arrays)
        if _fits(H, a):
            loss = 0.5 * np.mean((a - GATES["XOR"]) ** 2)
            return Verdict("correct", f"{name}: correct! The outputs at (0, 0), (0, 1), (1, 0) "
                           f"and (1, 1) are {', '.join(f'{v:.3f}' for v in a)}: XOR, through an "
                           f"OR and an AND neuron (loss {loss:.1e}).", 0.0)
        return _diagnose_xor(name, *arrays)
    except Exception as exc:  # a checker never raises: report what went wrong instead
        return Verdict("error", f"checking {name} failed: {type(exc).__name__}: {exc}")


# -- Exercise 2: affine_backward ----------------------------------------------------------
def reference_affine_backward(grad_out, A_in, V):
    """Gradients of an affine layer stored the other way round, Z = A_in @ V + b (V = Wᵀ),
    given grad_out = dL/dZ.

    grad_out (N, n_out), A_in (N, n_in), V (n_in, n_out).
    Returns (dL/dA_in (N, n_in), dL/dV (n_in, n_out), dL/db (n_out,)).
    """
    return grad_out @ V.T, A_in.T @ grad_out, grad_out.sum(axis=0)


CARD_GRAD_W = "grad_V is the card's Δᵀ A, shaped like W (n_out, n_in), not like V (n_in, n_out)"
AFFINE_SLIPS = {
    "grad_A_in uses V where V.T belongs": lambda G, A, V: (G @ V, A.T @ G, G.sum(axis=0)),
    CARD_GRAD_W: lambda G, A, V: (G @ V.T, G.T @ A, G.sum(axis=0)),
    "the bias gradient is averaged over the batch instead of summed":
        lambda G, A, V: (G @ V.T, A.T @ G, G.mean(axis=0)),
    "the bias gradient is not summed over the batch":
        lambda G, A, V: (G @ V.T, A.T @ G, G),
    "the bias gradient is summed over the wrong axis":
        lambda G, A, V: (G @ V.T, A.T @ G, G.sum(axis=1)),
    "grad_V and grad_b are divided by N, which grad_out already holds":
        lambda G, A, V: (G @ V.T, A.T @ G / len(A), G.sum(axis=0) / len(A)),
}


def _affine_inputs(sizes):
    # The first layer is square but not symmetric, so using V where V.T belongs (the
    # classic mistake) gives the right shapes and wrong values; the others are not square.
    sizes = list(sizes)

    def make(rng):
        n, n_in, n_out = sizes.pop(0)
        return rng.normal(size=(n, n_out)), rng.normal(size=(n, n_in)), rng.normal(size=(n_in, n_out))
    return make


def _named(verdict, names):
    """`verdict` with each "(result k)" of its message replaced by the k-th result's name."""
    message = verdict.message
    for k, result in enumerate(names):
        message = message.replace(f"(result {k})", f"({result})")
    return Verdict(verdict.status, message, verdict.max_difference, verdict.slip)


def check_affine_backward(candidate):
    """Compare `candidate(grad_out, A_in, V)` -> (grad_A_in, grad_V, grad_b) with the reference,
    for the layer Z = A_in @ V + b."""
    verdict = _named(check(candidate, reference_affine_backward,
                           _affine_inputs([(5, 3, 3), (4, 3, 2), (6, 2, 4)]), name="affine_backward",
                           slips=AFFINE_SLIPS), ("grad_A_in", "grad_V", "grad_b"))
    if verdict.slip == TRANSPOSED and "(grad_V)" in verdict.message:     # the card's form, W's shape
        return Verdict(verdict.status, f"{verdict.message} It looks like {CARD_GRAD_W}.",
                       verdict.max_difference, CARD_GRAD_W)
    return verdict


# -- Exercise 3: gradient_221 (find the bug) ------------------------------------------------
def _sigmoid_prime_slips(Z, how):
    """σ′(Z) as it should be ("right") and as the usual slips compute it."""
    s = expit(Z)
    if how == "right":
        return s * (1 - s)
    if how == "at the activation":            # dsigmoid(H) with H = σ(Z): σ′ of σ(Z)
        return expit(s) * (1 - expit(s))
    if how == "1 - z":                        # σ(z)(1 − z): z where σ(z) belongs
        return s * (1 - Z)
    if how == "z(1 - z)":                     # a(1 − a) written at the pre-activation
        return Z * (1 - Z)
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
# The likeliest wrong fix: delta0 = (delta1 @ W1) * H * (1 - Z0).
HIDDEN_ONE_MINUS_Z = ("σ(z)(1 − z) was used instead of σ(z)(1 − σ(z)) in the hidden layer, "
                      "H * (1 - Z0) instead of H * (1 - H)")

GRADIENT_SLIPS = {
    PLANTED_BUG:
        lambda *args: _gradient_221(*args, hidden_prime="at the activation"),
    "σ′ of the output layer is missing":
        lambda *args: _gradient_221(*args, output_prime="missing"),
    "σ′ of the hidden layer is missing":
        lambda *args: _gradient_221(*args, hidden_prime="missing"),
    HIDDEN_ONE_MINUS_Z:
        lambda *args: _gradient_221(*args, hidden_prime="1 - z"),
    "σ(z)(1 − z) was used instead of σ(z)(1 − σ(z)), in both layers":
        lambda *args: _gradient_221(*args, output_prime="1 - z", hidden_prime="1 - z"),
    "σ′ of the hidden layer was written Z0(1 − Z0): the formula a(1 − a) taken at the "
    "pre-activation instead of the activation":
        lambda *args: _gradient_221(*args, hidden_prime="z(1 - z)"),
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
    return _named(check(candidate, reference_gradient_221, _gradient_221_inputs,
                        name="gradient_221", slips=GRADIENT_SLIPS), ("dW0", "db0", "dW1", "db1"))


EXERCISES = {"xor_weights": check_xor_weights, "affine_backward": check_affine_backward,
             "gradient_221": check_gradient_221}
