"""Checkers for lesson 03 (batched backprop).

Conventions: samples are rows, W is (n_out, n_in), Z = A_prev @ W.T + b; `delta` (B, j)
already carries the 1/N of the mean cost, so the gradients are plain sums over the rows.

check_relative_error(relative_error)            ‖a − b‖ / max(‖a‖ + ‖b‖, tiny), one number;
                                                two zero vectors must give 0
check_stacked_outer(stacked_outer)              per-sample outer products δ_b a_bᵀ, (B, j, k)
check_batched_weight_gradient(batched_weight_gradient)
                                                Σ_b δ_b a_bᵀ = deltaᵀ A_prev, (j, k)
check_gradient_fixed(gradient_fixed)            find the bug: the lesson's gradient_buggy,
                                                fixed: batched backprop of a sigmoid network
                                                of any depth to the flat gradient
                                                (W0, b0, W1, b1, …)

Each checker runs the learner's function and a reference on seeded random inputs and
returns a Verdict (see `nnlib.exercises.check`) that names the usual slip when it sees
one; it never raises. Sizes are drawn different from each other, so a swapped axis shows
up as a wrong shape.
"""

import warnings

import numpy as np
from scipy.special import expit

from .core import Verdict, _not_real, check, raised

# -- Exercise 1: the relative error --------------------------------------------------------


def reference_relative_error(a, b):
    """‖a − b‖ / max(‖a‖ + ‖b‖, 1e-300) for arrays a, b of the same shape: a float."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)
    return float(np.linalg.norm(a - b) / scale)


RELATIVE_ERROR_SLIPS = {
    "the denominator is missing": lambda a, b: np.linalg.norm(a - b),
    "the denominator is ‖a‖ instead of ‖a‖ + ‖b‖":
        lambda a, b: np.linalg.norm(a - b) / np.linalg.norm(a),
    "the denominator is max(‖a‖, ‖b‖) instead of ‖a‖ + ‖b‖":
        lambda a, b: np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b)),
    "the denominator is ‖a + b‖ instead of ‖a‖ + ‖b‖":
        lambda a, b: np.linalg.norm(a - b) / np.linalg.norm(a + b),
    "squared norms were used (the square roots are missing)":
        lambda a, b: np.sum((a - b) ** 2) / (np.sum(a ** 2) + np.sum(b ** 2)),
    "it is computed entry by entry instead of with norms":
        lambda a, b: np.abs(a - b) / (np.abs(a) + np.abs(b)),
}
NO_GUARD = "the denominator has no max(tiny, …) guard"


def _pair_inputs(rng):
    """Two nearby vectors, the difference 3 % to 3 times the size of their entries, the
    shorter one first."""
    n = int(rng.integers(3, 40))
    scale = rng.uniform(0.1, 10.0)
    a = rng.normal(0.0, scale, size=n)
    b = a + rng.normal(0.0, scale * 10.0 ** rng.uniform(-1.5, 0.5), size=n)
    return (a, b) if np.linalg.norm(a) < np.linalg.norm(b) else (b, a)   # so max(‖a‖, ‖b‖) ≠ ‖a‖


def check_relative_error(candidate, name="relative_error"):
    """Check relative_error(a, b) -> ‖a − b‖ / max(‖a‖ + ‖b‖, tiny), one number, on random
    vectors, then on two zero vectors (which must give 0, not 0/0)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        verdict = check(candidate, reference_relative_error, _pair_inputs, name=name,
                        trials=5, slips=RELATIVE_ERROR_SLIPS)
        if not verdict:
            return verdict
        try:
            got = candidate(np.zeros(4), np.zeros(4))
        except ZeroDivisionError:
            got = float("nan")
        except (Exception, SystemExit) as exc:  # any failure, exit() too: report it kindly
            return raised(name, exc)
    not_real = _not_real(got)   # float('0') would parse text, and judge it correct
    if not_real:
        return Verdict("wrong values", f"{name}(zeros, zeros) returned {not_real}, expected "
                       "one real number")
    try:
        zero = float(got)
    except Exception:  # not a number, 2**2000, or an object whose __float__ raises
        return Verdict("wrong shape", f"{name}(zeros, zeros) returned {type(got).__name__}, "
                       "expected one number")
    if zero == 0.0:
        return Verdict("correct", f"{name}: correct! It matches the reference on 5 random pairs "
                       "and gives 0 for two zero vectors.", 0.0)
    return Verdict("wrong values", f"{name}: right on random vectors, but two zero vectors give "
                   f"{zero} instead of 0 (0/0). It looks like {NO_GUARD}: divide by "
                   "max(‖a‖ + ‖b‖, 1e-300).", float("inf"), slip=NO_GUARD)


# -- Exercises 2 and 3: stacked outer products, and their sum as one product ---------------


def reference_stacked_outer(delta, A_prev):
    """The outer product of row b of delta (B, j) with row b of A_prev (B, k), for
    every b, stacked: shape (B, j, k), entry [b, i, m] = delta[b, i] · A_prev[b, m]."""
    return np.einsum("bj,bk->bjk", delta, A_prev)


STACKED_OUTER_SLIPS = {
    "delta and A_prev are swapped (the result is (B, k, j))":
        lambda delta, A_prev: np.einsum("bj,bk->bkj", delta, A_prev),
    "the outer products are already summed over the batch (that is exercise 3)":
        lambda delta, A_prev: delta.T @ A_prev,
    "np.outer was applied to the whole arrays (it flattens them first)":
        lambda delta, A_prev: np.outer(delta, A_prev),
}


def reference_batched_weight_gradient(delta, A_prev):
    """Σ over the batch of the outer products above, as one matrix product:
    delta (B, j), A_prev (B, k) -> deltaᵀ A_prev, shape (j, k)."""
    return delta.T @ A_prev


BATCHED_WEIGHT_GRADIENT_SLIPS = {
    "the 1/N is doubled (delta already carries it)":
        lambda delta, A_prev: delta.T @ A_prev / len(delta),
    "the sum over the batch is missing (that is the stack of exercise 2)":
        lambda delta, A_prev: np.einsum("bj,bk->bjk", delta, A_prev),
    "the sums are taken before the product (Σδ times Σa instead of Σ δ aᵀ)":
        lambda delta, A_prev: np.outer(delta.sum(axis=0), A_prev.sum(axis=0)),
    "the sum is over the wrong axis (j instead of the batch)":
        lambda delta, A_prev: np.einsum("bj,bk->bk", delta, A_prev),
}


def _three_sizes(rng):
    """Three different sizes B, j, k in 2..9 (different, so transposes cannot hide)."""
    B, j, k = rng.choice(np.arange(2, 10), size=3, replace=False)
    return int(B), int(j), int(k)


def _delta_and_activations(rng):
    B, j, k = _three_sizes(rng)
    return rng.normal(size=(B, j)), rng.uniform(-1.0, 1.0, size=(B, k))


def check_stacked_outer(candidate):
    """Check stacked_outer(delta, A_prev) -> (B, j, k) stack of per-sample outer products."""
    return check(candidate, reference_stacked_outer, _delta_and_activations,
                 name="stacked_outer", trials=4, slips=STACKED_OUTER_SLIPS)


def check_batched_weight_gradient(candidate):
    """Check batched_weight_gradient(delta, A_prev) -> (j, k) sum over the batch of the
    outer products, for delta (B, j) and A_prev (B, k)."""
    return check(candidate, reference_batched_weight_gradient, _delta_and_activations,
                 name="batched_weight_gradient", trials=4, slips=BATCHED_WEIGHT_GRADIENT_SLIPS)


# -- Exercise 4: find the bug in a batched backprop -----------------------------------------


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
        verdict = check(candidate, reference_gradient_fixed, make_inputs, name=name, trials=3,
                        rtol=1e-7, atol=1e-12, seed=seed, slips=GRADIENT_FIXED_SLIPS)
        if not verdict:
            return verdict
        trials += 3
    return Verdict("correct", f"{name}: correct! It matches the reference on {trials} random "
                   "networks of 2 to 4 layers, widths like the lesson's and of any size.", 0.0)


EXERCISES = {
    "relative_error": check_relative_error,
    "stacked_outer": check_stacked_outer,
    "batched_weight_gradient": check_batched_weight_gradient,
    "gradient_fixed": check_gradient_fixed,
}
