"""Checkers for the lesson "The learning-rate explorer".

check_hessian_vector_product(hessian_vector_product)  H v from two gradients, against
                                                      nnlib.curvature; weights put back
check_power_iteration(power_iteration)                the eigenvalue of largest magnitude
                                                      and its unit eigenvector, against eigh
check_descent_bound(descent_bound)                    the lr up to which the quadratic model
                                                      says one step lowers the loss
check_smoothed_range_test(smoothed_range_test)        the one-run range test on the smoothed
                                                      loss (fastai's), on three networks
"""

import functools

import numpy as np

from ..curvature import hessian_vector_product, sharpness
from ..data import make_data
from ..experiments import build_net
from .core import Verdict, as_floats, call, compare, how_far, matches


def _case(dataset, n, hidden, activation, seed, init_scale=1.0):
    """(net, X, Y): a small seeded network and its data."""
    X, Y, _, _ = make_data(dataset, n=n, noise=0.15, seed=seed)
    return build_net(X.shape[1], hidden, activation, seed=seed, init_scale=init_scale), X, Y


# the last one curves down along its gradient: gᵀHg < 0 there
NETWORK_CASES = [("moons", 60, [5, 4], "tanh", 1), ("circles", 50, [6], "sigmoid", 2),
                 ("XOR", 60, [4], "tanh", 5, 4.0)]


def _weights_verdict(name, net, start, how):
    """A Verdict if `name` left `net` at other weights than `start`, else None."""
    if np.array_equal(net.weights.flat, start):
        return None
    moved = float(np.abs(net.weights.flat - start).max())
    return Verdict("changed inputs", f"{name} left the network's weights changed (by up to "
                   f"{moved:.1e}). {how}", slip="the weights were not put back")


PUT_BACK = ("Keep start = net.weights.flat.copy() and end with net.weights.flat[:] = start: "
            "adding h·v and then subtracting it does not always give the same numbers back.")


def _named(verdict, got, slips, rtol=1e-6):
    """`verdict`, naming the first slip whose value `got` matches."""
    for slip, value in slips.items():
        if matches(got, value, rtol=rtol, atol=0.0):
            return Verdict(verdict.status, f"{verdict.message} It looks like {slip}.",
                           verdict.max_difference, slip=slip)
    return verdict


# -- Exercise 1: hessian_vector_product and power_iteration ----------------------------------
def reference_hessian_vector_product(net, X, Y, v, h=1e-5):
    """H v (n_params,) for the Hessian of net.loss(X, Y) at the current weights, by central
    differences of the gradient: (∇𝓛(θ + h v) − ∇𝓛(θ − h v)) / 2h. Weights put back."""
    return hessian_vector_product(net, X, Y, v, h)


def _one_sided(net, X, Y, v, h=1e-5):
    flat = net.weights.flat
    start = flat.copy()
    flat[:] = start + h * v
    plus = net.gradient(X, Y)
    flat[:] = start
    return (plus - net.gradient(X, Y)) / h


def check_hessian_vector_product(candidate, name="hessian_vector_product"):
    """Call candidate(net, X, Y, v) on three small networks with vectors v of length ≠ 1 and
    compare with nnlib.curvature.hessian_vector_product; the weights must be put back."""
    rng = np.random.default_rng(0)
    for case in NETWORK_CASES:
        net, X, Y = _case(*case)
        start = net.weights.flat.copy()
        v = 3.0 * rng.normal(size=start.size)
        expected = reference_hessian_vector_product(net, X, Y, v)
        given = v.copy()
        got, verdict = call(candidate, name, net, X, Y, given)
        if verdict is not None:
            return verdict
        verdict = _weights_verdict(name, net, start, PUT_BACK)
        if verdict is not None:
            return verdict
        if not np.array_equal(given, v):
            return Verdict("changed inputs", f"{name} changed v in place. Make new arrays "
                           "(start + h * v), do not write into v.", slip="it changed its inputs")
        verdict = compare(name, got, expected, 1e-6, 1e-9 * np.abs(expected).max())
        if verdict is not None:
            return _named(verdict, got, {
                "the difference is divided by h instead of by 2h": 2 * expected,
                "a one-sided difference, (∇𝓛(θ + hv) − ∇𝓛(θ)) / h, which is off by a term "
                "of size h": _one_sided(net, X, Y, v),
                "v was made a unit vector first: that gives H v / ‖v‖":
                    expected / np.linalg.norm(v)})
    return Verdict("correct", f"{name}: correct! It matches nnlib.curvature's on "
                   f"{len(NETWORK_CASES)} networks and put their weights back.", 0.0)


def reference_power_iteration(multiply, v, iterations):
    """(eigenvalue, unit eigenvector) of the symmetric map `multiply` whose eigenvalue has the
    largest magnitude: v ← multiply(v)/‖multiply(v)‖ `iterations` times from v/‖v‖, then
    the eigenvalue as vᵀ multiply(v), which keeps its sign. v is not changed."""
    v = v / np.linalg.norm(v)
    for _ in range(iterations):
        w = multiply(v)
        v = w / np.linalg.norm(w)
    return float(v @ multiply(v)), v


def _never_normalised(multiply, v, iterations):
    for _ in range(iterations):
        v = multiply(v)
    return float(v @ multiply(v))


# symmetric matrices by their eigenvalues; the largest in size is negative in two of them
POWER_CASES = [(-5.0, 2.0, 1.0, 0.5), (4.0, -1.5, 0.3), (-3.0, 1.2, -0.8, 0.4, 0.1)]
POWER_ITERATIONS = 80


def _power_case(rng, eigenvalues):
    n = len(eigenvalues)
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    H = (Q * np.array(eigenvalues)) @ Q.T
    return (H + H.T) / 2, 2.5 * rng.normal(size=n)


def check_power_iteration(candidate, name="power_iteration"):
    """Call candidate(multiply, v, iterations) with multiply(u) = H @ u for symmetric
    matrices H; the eigenvalue must match eigh's largest in magnitude, sign included, and
    the vector be a unit eigenvector (up to its sign)."""
    rng = np.random.default_rng(1)
    for eigenvalues in POWER_CASES:
        H, v = _power_case(rng, eigenvalues)
        values, vectors = np.linalg.eigh(H)
        top = int(np.argmax(np.abs(values)))
        given = v.copy()
        got, verdict = call(candidate, name, lambda u, H=H: H @ u, given, POWER_ITERATIONS)
        if verdict is not None:
            return verdict
        if not np.array_equal(given, v):
            return Verdict("changed inputs", f"{name} changed v in place. Start with a new "
                           "array, v = v / np.linalg.norm(v).", slip="it changed its inputs")
        try:
            value, vector = got
            if np.ndim(value) > 0 and np.ndim(vector) == 0:
                return Verdict("wrong shape", f"{name} returned (vector, eigenvalue): return "
                               "(eigenvalue, vector), in that order")
            value, vector = float(value), np.asarray(vector, dtype=np.float64).ravel()
        except Exception:  # not a pair of numbers: the learner's value may be anything
            return Verdict("wrong shape", f"{name} should return two things, (eigenvalue, "
                           f"vector), got {type(got).__name__}")
        if vector.size != len(H):
            return Verdict("wrong shape", f"{name} returned a vector of {vector.size} entries "
                           f"for a {len(H)}×{len(H)} matrix: return (eigenvalue, vector), in "
                           "that order")
        if not np.isclose(value, values[top], rtol=1e-6, atol=0.0):
            verdict = Verdict("wrong values", f"{name}: eigenvalue {value:.6g}, expected "
                              f"{values[top]:.6g}.", abs(value - values[top]))
            return _named(verdict, value, {
                "the eigenvalue is ‖Hv‖, which has no sign: the largest eigenvalue in size is "
                "negative here; vᵀHv keeps the sign": abs(values[top]),
                "v is never divided by its norm, so vᵀHv is the eigenvalue times ‖v‖² (and v "
                "grows until it overflows)": _never_normalised(lambda u, H=H: H @ u, v,
                                                                POWER_ITERATIONS)})
        if not np.isclose(np.linalg.norm(vector), 1.0, rtol=1e-6):
            return Verdict("wrong values", f"{name}: the vector has length "
                           f"{np.linalg.norm(vector):.6g}; return the unit vector v/‖v‖.",
                           slip="the vector returned is not a unit vector")
        if abs(vector @ vectors[:, top]) < 1 - 1e-6:
            return Verdict("wrong values", f"{name}: the vector is not the eigenvector of "
                           f"that eigenvalue (|cosine| {abs(vector @ vectors[:, top]):.4f}).")
    return Verdict("correct", f"{name}: correct! Eigenvalue and unit eigenvector match "
                   f"np.linalg.eigh on {len(POWER_CASES)} symmetric matrices, two of them "
                   "with a negative eigenvalue largest in size.", 0.0)


# -- Exercise 2: descent_bound -------------------------------------------------------------
def reference_descent_bound(net, X, Y):
    """The lr up to which the quadratic model says one gradient-descent step from the current
    weights lowers the loss (the end of that range of rates): 2 gᵀg / gᵀHg, from one gradient
    g and one Hessian-vector product Hg; np.inf where gᵀHg ≤ 0 (the model then falls for
    every lr). The weights are put back."""
    g = net.gradient(X, Y)
    curvature = g @ hessian_vector_product(net, X, Y, g)
    return 2 * (g @ g) / curvature if curvature > 0 else np.inf


def check_descent_bound(candidate, name="descent_bound"):
    """Call candidate(net, X, Y) on three small networks (on the last, gᵀHg < 0) and compare
    with 2 gᵀg / gᵀHg (np.inf where gᵀHg ≤ 0), naming the usual slips."""
    for case in NETWORK_CASES:
        net, X, Y = _case(*case)
        start = net.weights.flat.copy()
        expected = reference_descent_bound(net, X, Y)
        got, verdict = call(candidate, name, net, X, Y)
        if verdict is not None:
            return verdict
        verdict = _weights_verdict(name, net, start, "Every weight you move for a gradient "
                                   "must be put back: " + PUT_BACK)
        if verdict is not None:
            return verdict
        number, verdict = as_floats(name, got)
        if verdict is not None:
            return verdict
        if number.size != 1:
            return Verdict("wrong shape", f"{name} should return one number, got shape "
                           f"{number.shape}")
        got = float(number.ravel()[0])
        g = net.gradient(X, Y)
        gHg = g @ hessian_vector_product(net, X, Y, g)
        if np.isinf(expected):
            if np.isposinf(got):
                continue
            verdict = Verdict("wrong values", f"{name}: {got:.4g} where gᵀHg = {gHg:.3g} < 0: "
                              "the model loss then falls for every lr, so no rate bounds it.")
            return _named(verdict, got, {"the bound was computed although gᵀHg < 0: return "
                                         "np.inf there": 2 * (g @ g) / gHg})
        if np.isclose(got, expected, rtol=1e-5, atol=0.0):
            continue
        verdict = Verdict("wrong values", f"{name}: {got:.6g}, expected {expected:.6g} "
                          f"({how_far(abs(got - expected), expected)}).", abs(got - expected))
        slipped = _named(verdict, got, {
            "the factor 2 is missing: gᵀg / gᵀHg is the rate at the bottom of the model's "
            "parabola, half the bound": expected / 2,
            "the numerator is ‖g‖ instead of ‖g‖² = gᵀg": 2 * np.sqrt(g @ g) / gHg,
            "the fraction is upside down (gᵀHg / gᵀg is the curvature along g)": 2 * gHg / (g @ g)})
        if slipped.slip is None:
            limit = 2 / sharpness(net, X, Y, iterations=300)[0]
            slipped = _named(verdict, got, {"this is 2/λ_max, the limit for every start, not "
                                            "the bound along this gradient": limit}, rtol=1e-3)
        return slipped
    return Verdict("correct", f"{name}: correct! It matches 2 gᵀg / gᵀHg on "
                   f"{len(NETWORK_CASES)} networks (np.inf on the one where gᵀHg < 0) and put "
                   "the weights back.", 0.0)


# -- Exercise 3: smoothed_range_test -------------------------------------------------------
def _range_test(net, X, Y, lr_min=1e-3, lr_max=100.0, steps=200, batch_size=32, beta=0.98,
                seed=0, exponent_steps=None, rate_shift=0, record="before", stop="lowest",
                correction=1, swapped=False, stop_on_raw=False, keep_last=True,
                same_batch=False, restore=True, linear=False):
    """The smoothed one-run range test, with switches that make each slip (defaults: none)."""
    flat = net.weights.flat
    start = flat.copy()
    k = np.arange(steps) + rate_shift
    rates = lr_min * (lr_max / lr_min) ** (k / (exponent_steps or steps - 1))
    if linear:
        rates = np.linspace(lr_min, lr_max, steps)
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(X), size=batch_size, replace=False)
    average, smoothed = np.float64(0.0), []
    with np.errstate(all="ignore"):
        for step, lr in enumerate(rates):
            if step > 0 and not same_batch:
                rows = rng.choice(len(X), size=batch_size, replace=False)
            loss, gradient = net.loss_and_gradient(X[rows], Y[rows])
            if record == "after":
                flat -= lr * gradient
                loss = net.loss(X[rows], Y[rows])
            old, new = (1 - beta, beta) if swapped else (beta, 1 - beta)
            average = old * average + new * loss
            value = average / (1 - beta ** (step + correction)) if correction is not None else average
            floor = smoothed[0] if (stop == "first" and smoothed) else min(smoothed + [value])
            tested = loss if stop_on_raw else value
            diverged = stop != "never" and (not np.isfinite(tested) or tested > 4 * floor)
            if diverged and not keep_last:
                break
            smoothed.append(value)
            if diverged:
                break
            if record == "before":
                flat -= lr * gradient
    if restore:
        flat[:] = start
    return rates[:len(smoothed)], np.array(smoothed)


def reference_smoothed_range_test(net, X, Y, lr_min=1e-3, lr_max=100.0, steps=200,
                                  batch_size=32, beta=0.98, seed=0):
    """One run of mini-batch SGD from net's current weights; step k (from 0) uses the rate
    lr_min·(lr_max/lr_min)^(k/(steps − 1)), rising geometrically from lr_min to lr_max.

    Each step draws its mini-batch as rng.choice(len(X), size=batch_size, replace=False)
    from rng = np.random.default_rng(seed) and computes the batch's loss ℓ_k before the
    step; the smoothed loss is s_k = m_k / (1 − β^(k+1)) with m_k = β m_(k−1) + (1 − β) ℓ_k,
    m_(−1) = 0. The run stops (after recording s_k) once s_k is not finite or more than
    4 times the lowest s so far. Returns (rates, smoothed), both (k,) with k ≤ steps. The
    weights are restored. beta = 0 is the raw test: s_k = ℓ_k.
    """
    return _range_test(net, X, Y, lr_min, lr_max, steps, batch_size, beta, seed)


RANGE_TEST_SLIPS = {
    "the average is not divided by 1 − β^(k+1): it starts near 0, and the lowest value so "
    "far is then that small start": dict(correction=None),
    "the correction divides by 1 − β^k, which is 0 at the first step (k = 0)":
        dict(correction=0),
    "β and 1 − β are swapped: the new loss gets the weight β": dict(swapped=True),
    "the stop test uses the raw loss instead of the smoothed one": dict(stop_on_raw=True),
    "the rate is raised before each step, so step k uses the rate meant for step k + 1":
        dict(rate_shift=1),
    "the rates rise as (lr_max/lr_min)^(k/steps), so they never reach lr_max":
        dict(exponent_steps="steps"),
    "the rates rise by the same amount at every step (linearly); they must rise by the same "
    "factor at every step, from lr_min to lr_max": dict(linear=True),
    "the loss is recorded after the step instead of before it": dict(record="after"),
    "the stop compares with the first smoothed loss instead of the lowest so far":
        dict(stop="first"),
    "it does not stop when the loss blows up": dict(stop="never"),
    "the loss that triggered the stop is not recorded": dict(keep_last=False),
    "the same mini-batch is used at every step": dict(same_batch=True),
}

# (data set, samples, hidden layers, activation, net seed, settings): the first two
# stop within their steps, the last does not (its rates stay small).
RANGE_TEST_CASES = [
    ("moons", 120, [8, 8], "tanh", 1,
     dict(lr_min=1e-3, lr_max=100.0, steps=120, batch_size=16, beta=0.9, seed=3)),
    ("circles", 100, [6], "sigmoid", 2,
     dict(lr_min=1e-2, lr_max=300.0, steps=60, batch_size=20, beta=0.8, seed=5)),
    ("moons", 80, [4], "tanh", 3,
     dict(lr_min=1e-3, lr_max=0.5, steps=30, batch_size=10, beta=0.98, seed=7)),
]


def _range_test_case(case):
    dataset, n, hidden, activation, net_seed, settings = case
    X, Y, _, _ = make_data(dataset, n=n, noise=0.15, seed=net_seed)
    return build_net(X.shape[1], hidden, activation, seed=net_seed), X, Y, settings


def check_smoothed_range_test(candidate, name="smoothed_range_test"):
    """Call `candidate(net, X, Y, lr_min=..., lr_max=..., steps=..., batch_size=..., beta=...,
    seed=...)` on three small networks and compare (rates, smoothed losses) with the
    reference, naming the usual slips; the weights (and X, Y) must be as they were."""
    for case in RANGE_TEST_CASES:
        net, X, Y, settings = _range_test_case(case)
        checkpoint = net.weights.flat.copy()
        expected = reference_smoothed_range_test(net, X, Y, **settings)
        X_given, Y_given = X.copy(), Y.copy()
        got, verdict = call(functools.partial(candidate, **settings), name, net, X_given, Y_given)
        if verdict is not None and "ZeroDivisionError" in verdict.message:
            slip = "the correction divides by 1 − β^k, which is 0 at the first step (k = 0)"
            return Verdict("error", f"{verdict.message}. It looks like {slip}.", slip=slip)
        if verdict is not None:
            return verdict
        if not (np.array_equal(X_given, X) and np.array_equal(Y_given, Y)):
            return Verdict("changed inputs", f"{name} changed X or Y in place. Leave them as "
                           "they were: index them (X[rows]), do not write into them.",
                           slip="it changed its inputs")
        if not np.array_equal(net.weights.flat, checkpoint):
            return Verdict("changed inputs", f"{name} left the network at new weights. Save "
                           "start = net.weights.flat.copy() first, and restore it at the end "
                           "with net.weights.flat[:] = start.",
                           slip="the weights were not restored afterwards")
        verdict = compare(name, got, expected, rtol=1e-6, atol=1e-12)
        if verdict is None:
            continue
        verdict.message = _parts_named(verdict.message, name)
        for slip, switches in RANGE_TEST_SLIPS.items():
            net.weights.flat[:] = checkpoint
            if _same_run(got, _slip_run(net, X, Y, settings, switches), len(expected[1])):
                return Verdict(verdict.status, f"{verdict.message} It looks like {slip}.",
                               verdict.max_difference, slip=slip)
        net.weights.flat[:] = checkpoint
        return _first_batch_verdict(verdict, got, net, X, Y, settings, expected[1][0])
    return Verdict("correct", f"{name}: correct! The rates and smoothed losses match the "
                   f"reference on {len(RANGE_TEST_CASES)} networks, and the weights were "
                   "restored each time.", 0.0)


DRAWN_DIFFERENTLY = ("mini-batches drawn differently from rng.choice(len(X), batch_size, "
                     "replace=False)")


def _other_draws(n, batch_size, seed):
    """The first mini-batch of the usual other ways to draw one: {how it was drawn: rows}."""
    def rng():
        return np.random.default_rng(seed)
    return {"rng.permutation(len(X))[:batch_size]": rng().permutation(n)[:batch_size],
            "rng.choice without replace=False, or rng.integers (both draw with replacement)":
                rng().integers(0, n, batch_size),
            "the first batch_size rows, unshuffled": np.arange(batch_size)}


def _first_batch_verdict(verdict, got, net, X, Y, settings, first):
    """`verdict`, adding what the first smoothed loss s₀ says when it is not the reference's
    `first`: s₀ = ℓ₀ whatever β, so a wrong s₀ is most often a wrongly drawn mini-batch."""
    try:
        s0 = float(np.asarray(got[1], dtype=np.float64).ravel()[0])
    except Exception:  # no losses, or not numbers: compare's message says enough
        return verdict
    if np.isclose(s0, first, rtol=1e-6, atol=0.0):
        return verdict
    for how, rows in _other_draws(len(X), settings["batch_size"], settings["seed"]).items():
        if np.isclose(s0, net.loss(X[rows], Y[rows]), rtol=1e-6, atol=0.0):
            return Verdict(verdict.status, f"{verdict.message} Its first smoothed loss s₀ is the "
                           f"loss of the mini-batch {how}. It looks like {DRAWN_DIFFERENTLY}: draw "
                           "each step's rows that way, from one rng = np.random.default_rng(seed).",
                           verdict.max_difference, slip=DRAWN_DIFFERENTLY)
    return Verdict(verdict.status, f"{verdict.message} Its first smoothed loss s₀ is {s0:.6g}, "
                   f"expected {first:.6g}: whatever β, s₀ = ℓ₀, the loss at the starting weights "
                   "of the first mini-batch, rng.choice(len(X), batch_size, replace=False) from "
                   "rng = np.random.default_rng(seed).", verdict.max_difference, slip=verdict.slip)


def _parts_named(message, name):
    """`message` with compare's "(result 0)" and "(result 1)" named: the rates, the losses."""
    for k, part in enumerate(("rates", "smoothed losses")):
        message = (message.replace(f"{name} (result {k}) returned", f"{name} returned {part} of")
                   .replace(f"{name} (result {k})", f"{name}, its {part}"))
    return message


def _slip_run(net, X, Y, settings, switches):
    extra = dict(switches)
    if extra.get("exponent_steps") == "steps":
        extra["exponent_steps"] = settings["steps"]
    return _range_test(net, X, Y, **settings, **extra)


def _same_run(got, slipped, n):
    """True if `got` has the lengths of the slipped run and its values over the first n
    steps. (Past the step where the right run stops, a run is diverging, and there the
    last bits of rounding grow until they show: those steps are not compared.)"""
    try:
        rates, losses = (np.asarray(part, dtype=np.float64).ravel() for part in got)
    except Exception:  # not two sequences of floats (2**2000, an object that will not convert)
        return False
    if rates.size != slipped[0].size or losses.size != slipped[1].size:
        return False
    return all(np.allclose(a[:n], b[:n], rtol=1e-6, atol=1e-12, equal_nan=True)
               for a, b in ((rates, slipped[0]), (losses, slipped[1])))


EXERCISES = {"hessian_vector_product": check_hessian_vector_product,
             "power_iteration": check_power_iteration,
             "descent_bound": check_descent_bound,
             "smoothed_range_test": check_smoothed_range_test}
