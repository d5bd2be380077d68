"""Checkers for the lesson "Batched backprop".

Conventions: samples are rows, W is (n_out, n_in), Z = A_prev @ W.T + b; a batch's loss 𝓛
is the mean of the samples' costs C, and Δ (`delta`, (N, j)) carries the 1/N, so the
gradients are plain sums over the rows.

check_weighted_weight_gradient(weighted_weight_gradient)
                                                ∂𝓛/∂W for the weighted mean
                                                𝓛 = Σ c⁽ⁿ⁾ C⁽ⁿ⁾ / Σ c⁽ⁿ⁾, from the samples'
                                                δ⁽ⁿ⁾ and a⁽ⁿ⁾ (rows): one matrix product
check_gradient_fixed(gradient_fixed)            find the bug: the lesson's gradient_buggy,
                                                fixed: batched backprop of a sigmoid network
                                                of any depth to the flat gradient
                                                (W0, b0, W1, b1, …)

Each checker runs the learner's function and a reference on seeded random inputs and
returns a Verdict (see `nnlib.exercises.check`) that names the usual slip when it sees
one, and reports a wrong answer by its difference relative to the reference; never raises.
Sizes are drawn different from each other, so a swapped axis shows up as a wrong shape.
"""


import numpy as np
from scipy.special import expit

from .core import Verdict, check


def _check(candidate, reference, make_inputs, name, trials, seed=0, rtol=1e-6, atol=1e-9,
           slips=None):
    return check(candidate, reference, make_inputs, name=name, trials=trials, rtol=rtol,
                 atol=atol, seed=seed, slips=slips)


# -- Exercise 1: the weight gradient of a weighted mean loss ---------------------------------


def reference_weighted_weight_gradient(deltas, A_prev, c):
    """∂𝓛/∂W for 𝓛 = Σ_n c⁽ⁿ⁾ C⁽ⁿ⁾ / Σ_n c⁽ⁿ⁾: deltas (N, j), row n the sample's δ⁽ⁿ⁾ = ∂C⁽ⁿ⁾/∂z;
    A_prev (N, k), row n its a⁽ⁿ⁾; c (N,) positive weights -> Σ_n c⁽ⁿ⁾ δ⁽ⁿ⁾ a⁽ⁿ⁾ᵀ / Σ c, (j, k).
    That is Δᵀ A_prev with row n of Δ = c⁽ⁿ⁾ δ⁽ⁿ⁾ᵀ / Σ c (c = 1 gives the plain mean's 1/N)."""
    Delta = deltas * (c / c.sum())[:, None]
    return Delta.T @ A_prev


WEIGHTED_SLIPS = {
    "the weights c are missing (that is the plain mean, Δ with 1/N)":
        lambda d, a, c: d.T @ a / len(d),
    "it divides by N instead of by Σ c":
        lambda d, a, c: (d * c[:, None]).T @ a / len(d),
    "the division by Σ c is missing":
        lambda d, a, c: (d * c[:, None]).T @ a,
    "c enters twice (it scales δ⁽ⁿ⁾ and a⁽ⁿ⁾ both, so each term has (c⁽ⁿ⁾)²)":
        lambda d, a, c: (d * c[:, None]).T @ (a * c[:, None]) / c.sum(),
    "the sums are taken before the product (Σ c δ times Σ a instead of Σ c⁽ⁿ⁾ δ⁽ⁿ⁾ a⁽ⁿ⁾ᵀ)":
        lambda d, a, c: np.outer((d * c[:, None]).sum(axis=0), a.sum(axis=0)) / c.sum(),
    "the sum over the samples is missing (a stack of N outer products)":
        lambda d, a, c: np.einsum("nj,nk->njk", d * (c / c.sum())[:, None], a),
}


def _three_sizes(rng):
    """Three different sizes N, j, k in 2..9 (different, so transposes cannot hide)."""
    N, j, k = rng.choice(np.arange(2, 10), size=3, replace=False)
    return int(N), int(j), int(k)


def _weighted_inputs(rng):
    N, j, k = _three_sizes(rng)
    return (rng.normal(size=(N, j)), rng.uniform(-1.0, 1.0, size=(N, k)),
            rng.uniform(0.2, 3.0, size=N))


def check_weighted_weight_gradient(candidate, name="weighted_weight_gradient"):
    """Check weighted_weight_gradient(deltas, A_prev, c) -> Σ_n c⁽ⁿ⁾ δ⁽ⁿ⁾ a⁽ⁿ⁾ᵀ / Σ c, (j, k)."""
    return _check(candidate, reference_weighted_weight_gradient, _weighted_inputs, name,
                  trials=4, slips=WEIGHTED_SLIPS)


# -- Exercise 2: find the bug in a batched backprop ----------------------------------------


def _sigmoid_prime(z):
    s = expit(z)
    return s * (1.0 - s)


def _gradient(X, Y, Ws, bs, bp2_own_z=False, bp2_fprime="σ′", one_minus_z=False,
              scale_bp1=True, scale_again=(), bias="sum", layout="interleaved"):
    """Batched backprop of the lesson's network (sigmoid in every layer, loss the mean of
    ½‖a − y‖²) to the flat gradient; the keywords make the slips the checker names."""
    Zs, As = [], [X]
    for W, b in zip(Ws, bs):
        Zs.append(As[-1] @ W.T + b)
        As.append(expit(Zs[-1]))
    N = len(X)
    dWs, dbs = [None] * len(Ws), [None] * len(bs)
    delta = (As[-1] - Y) * _sigmoid_prime(Zs[-1])                              # BP1
    if scale_bp1:
        delta = delta / N
    for l in range(len(Ws) - 1, -1, -1):
        dWs[l] = delta.T @ As[l] / (N if "W" in scale_again else 1)            # BP4
        if bias == "sum":
            dbs[l] = delta.sum(axis=0) / (N if "b" in scale_again else 1)      # BP3
        elif bias == "rows":
            dbs[l] = delta.sum(axis=1)
        else:
            dbs[l] = delta
        if l > 0:
            z = Zs[l] if bp2_own_z else Zs[l - 1]
            if one_minus_z:
                slope = expit(z) * (1.0 - z)
            else:
                slope = {"σ′": _sigmoid_prime(z), "σ": expit(z), "none": 1.0}[bp2_fprime]
            delta = (delta @ Ws[l]) * slope                                    # BP2
    if layout == "interleaved":
        pieces = [p for dW, db in zip(dWs, dbs) for p in (dW, db)]
    else:
        pieces = dWs + dbs
    return np.concatenate([p.ravel() for p in pieces])


def reference_gradient_fixed(X, Y, Ws, bs):
    """The gradient of the mean over the N samples of ½‖a − y‖² for a network with the
    sigmoid in every layer: X (N, n_in), Y (N, n_out), Ws[l] (n_{l+1}, n_l), bs[l] (n_{l+1},),
    any number of layers. Returns one flat vector laid out W0, b0, W1, b1, …"""
    return _gradient(X, Y, Ws, bs)


PLANTED_BUG = "the planted bug is still there: BP2 takes σ′ of Zs[l], not of Zs[l − 1]"

GRADIENT_FIXED_SLIPS = {
    PLANTED_BUG: lambda X, Y, Ws, bs: _gradient(X, Y, Ws, bs, bp2_own_z=True),
    "σ′ is missing in BP2": lambda X, Y, Ws, bs: _gradient(X, Y, Ws, bs, bp2_fprime="none"),
    "BP2 uses σ(z) where σ′(z) belongs": lambda X, Y, Ws, bs: _gradient(X, Y, Ws, bs,
                                                                        bp2_fprime="σ"),
    "σ(z)(1 − z) was used instead of σ(z)(1 − σ(z))":
        lambda X, Y, Ws, bs: _gradient(X, Y, Ws, bs, one_minus_z=True),
    "the 1/N is missing": lambda X, Y, Ws, bs: _gradient(X, Y, Ws, bs, scale_bp1=False),
    "the 1/N is doubled": lambda X, Y, Ws, bs: _gradient(X, Y, Ws, bs, scale_again="Wb"),
    "the 1/N is doubled in the bias gradient (a mean instead of a sum)":
        lambda X, Y, Ws, bs: _gradient(X, Y, Ws, bs, scale_again="b"),
    "the bias gradient is not summed over the batch":
        lambda X, Y, Ws, bs: _gradient(X, Y, Ws, bs, bias="none"),
    "the bias gradient is summed over the wrong axis":
        lambda X, Y, Ws, bs: _gradient(X, Y, Ws, bs, bias="rows"),
    "the weights come first and the biases after (the layout is W0, b0, W1, b1, …)":
        lambda X, Y, Ws, bs: _gradient(X, Y, Ws, bs, layout="weights first"),
}


def _network(rng, sizes):
    N = int(rng.integers(3, 13))
    Ws = [rng.normal(0.0, 1.0, size=(n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(0.0, 0.5, size=n_out) for n_out in sizes[1:]]
    X = rng.normal(size=(N, sizes[0]))
    Y = rng.uniform(0.0, 1.0, size=(N, sizes[-1]))
    return X, Y, Ws, bs


def _like_the_lesson(rng):
    """2 to 4 layers, equal hidden widths and one output, as in the lesson: the buggy
    BP2 runs on these (its σ′(Zs[l]) broadcasts), so it is recognised."""
    n_in, hidden = (int(s) for s in rng.choice(np.arange(2, 7), size=2, replace=False))
    depth = int(rng.integers(2, 5))
    return _network(rng, [n_in] + [hidden] * (depth - 1) + [1])


def _any_widths(rng):
    """2 to 4 layers of any widths, and 2 or 3 outputs."""
    depth = int(rng.integers(2, 5))
    sizes = [int(s) for s in rng.integers(1, 7, size=depth)] + [int(rng.integers(2, 4))]
    return _network(rng, sizes)


def check_gradient_fixed(candidate, name="gradient_fixed"):
    """Check gradient_fixed(X, Y, Ws, bs) -> the flat gradient (W0, b0, W1, b1, …) of the
    mean ½‖a − y‖² of a sigmoid network, on networks of 2 to 4 layers: first shaped like
    the lesson's, then of any widths. Ws and bs must come back unchanged."""
    trials = 0
    for make_inputs, seed in ((_like_the_lesson, 0), (_any_widths, 1)):
        verdict = _check(candidate, reference_gradient_fixed, make_inputs, name, trials=3,
                         seed=seed, rtol=1e-7, atol=1e-12, slips=GRADIENT_FIXED_SLIPS)
        if not verdict:
            return verdict
        trials += 3
    return Verdict("correct", f"{name}: correct! It matches the reference on {trials} random "
                   "networks of 2 to 4 layers, widths like the lesson's and of any size.", 0.0)


EXERCISES = {
    "weighted_weight_gradient": check_weighted_weight_gradient,
    "gradient_fixed": check_gradient_fixed,
}
