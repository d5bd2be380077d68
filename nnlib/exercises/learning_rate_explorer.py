"""Checkers for the lesson "The learning-rate explorer".

check_max_stable_lr(max_stable_lr)              the largest stable learning rate on a
                                                quadratic bowl
check_one_run_range_test(one_run_range_test)    Smith's one-run learning-rate range test,
                                                by hand: rates, losses, the stop, and the
                                                weights restored, on three small networks
check_moving_average(moving_average)            a trailing moving average of a loss curve
"""

import functools

import numpy as np

from ..data import make_data
from ..experiments import build_net
from .core import Verdict, call, check, compare


# -- Exercise 1: max_stable_lr --------------------------------------------------------------
def reference_max_stable_lr(H):
    """Gradient descent on L(w) = ½ wᵀ H w (H symmetric positive definite, (n, n))
    multiplies the part of w along each eigenvector of H by (1 − lr·λ). All parts
    shrink exactly when lr < 2 / λ_max: returns that bound, a float."""
    return 2.0 / np.linalg.eigvalsh(H)[-1]


MAX_STABLE_LR_SLIPS = {
    "2/λ_min was used instead of 2/λ_max": lambda H: 2.0 / np.linalg.eigvalsh(H)[0],
    "1/λ_max was used instead of 2/λ_max": lambda H: 1.0 / np.linalg.eigvalsh(H)[-1],
    "the best rate 2/(λ_min + λ_max) was given instead of the limit 2/λ_max":
        lambda H: 2.0 / (np.linalg.eigvalsh(H)[0] + np.linalg.eigvalsh(H)[-1]),
    "2/λ was computed for every eigenvalue instead of for λ_max only":
        lambda H: 2.0 / np.linalg.eigvalsh(H),
}


def _spd_matrix(rng):
    n = int(rng.integers(2, 7))
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    eigenvalues = rng.uniform(0.1, 20.0, size=n)
    H = (Q * eigenvalues) @ Q.T
    return ((H + H.T) / 2,)


def check_max_stable_lr(candidate):
    """Check max_stable_lr(H) -> 2 / (largest eigenvalue of H) on random SPD matrices."""
    return check(candidate, reference_max_stable_lr, _spd_matrix, name="max_stable_lr",
                 trials=5, slips=MAX_STABLE_LR_SLIPS)


# -- Exercise 2: one_run_range_test ------------------------------------------------------
def _range_test(net, X, Y, lr_min=1e-3, lr_max=100.0, steps=200, batch_size=32, seed=0,
                exponent_steps=None, rate_shift=0, record="before", stop="lowest",
                keep_last=True, same_batch=False, restore=True):
    """The one-run range test, with switches that make each slip (defaults: none)."""
    flat = net.weights.flat
    start = flat.copy()
    k = np.arange(steps) + rate_shift
    rates = lr_min * (lr_max / lr_min) ** (k / (exponent_steps or steps - 1))
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(X), size=batch_size, replace=False)
    losses = []
    with np.errstate(all="ignore"):
        for step, lr in enumerate(rates):
            if step > 0 and not same_batch:
                rows = rng.choice(len(X), size=batch_size, replace=False)
            loss, gradient = net.loss_and_gradient(X[rows], Y[rows])
            if record == "after":
                flat -= lr * gradient
                loss = net.loss(X[rows], Y[rows])
            floor = losses[0] if (stop == "first" and losses) else min(losses + [loss])
            diverged = stop != "never" and (not np.isfinite(loss) or loss > 4 * floor)
            if diverged and not keep_last:
                break
            losses.append(loss)
            if diverged:
                break
            if record == "before":
                flat -= lr * gradient
    if restore:
        flat[:] = start
    return rates[:len(losses)], np.array(losses)


def reference_one_run_range_test(net, X, Y, lr_min=1e-3, lr_max=100.0, steps=200,
                                 batch_size=32, seed=0):
    """One run of mini-batch SGD from net's current weights; step k (from 0) uses the rate
    lr_min·(lr_max/lr_min)^(k/(steps − 1)), rising geometrically from lr_min to lr_max.

    Each step draws its mini-batch as rng.choice(len(X), size=batch_size, replace=False)
    from rng = np.random.default_rng(seed), records the batch's loss before the step, and
    stops (after recording it) once that loss is not finite or more than 4 times the lowest
    loss recorded so far. X (N, n_in), Y (N, n_out). Returns (rates, losses), both (k,)
    with k ≤ steps: the rates used and the losses recorded. The weights are restored.
    """
    return _range_test(net, X, Y, lr_min, lr_max, steps, batch_size, seed)


RANGE_TEST_SLIPS = {
    "the rate is raised before each step, so step k uses the rate meant for step k + 1":
        dict(rate_shift=1),
    "the rates rise as (lr_max/lr_min)^(k/steps), so they never reach lr_max":
        dict(exponent_steps="steps"),
    "the loss is recorded after the step instead of before it":
        dict(record="after"),
    "the stop compares with the first loss instead of the lowest so far":
        dict(stop="first"),
    "it does not stop when the loss blows up":
        dict(stop="never"),
    "the loss that triggered the stop is not recorded":
        dict(keep_last=False),
    "the same mini-batch is used at every step":
        dict(same_batch=True),
}

# (data set, samples, hidden layers, activation, net seed, settings): the first two
# diverge within their steps, the last does not (its rates stay small).
RANGE_TEST_CASES = [
    ("moons", 120, [8, 8], "tanh", 1, dict(lr_min=1e-3, lr_max=100.0, steps=80, batch_size=16, seed=3)),
    ("circles", 100, [6], "sigmoid", 2, dict(lr_min=1e-2, lr_max=300.0, steps=60, batch_size=20, seed=5)),
    ("moons", 80, [4], "tanh", 3, dict(lr_min=1e-3, lr_max=0.5, steps=30, batch_size=10, seed=7)),
]


def _range_test_case(case):
    dataset, n, hidden, activation, net_seed, settings = case
    X, Y, _, _ = make_data(dataset, n=n, noise=0.15, seed=net_seed)
    return build_net(X.shape[1], hidden, activation, seed=net_seed), X, Y, settings


def check_one_run_range_test(candidate, name="one_run_range_test"):
    """Call `candidate(net, X, Y, lr_min=..., lr_max=..., steps=..., batch_size=..., seed=...)`
    on three small networks and compare (rates, losses) with the reference, naming the
    usual slips; the network's weights (and X, Y) must be as they were afterwards."""
    for case in RANGE_TEST_CASES:
        net, X, Y, settings = _range_test_case(case)
        checkpoint = net.weights.flat.copy()
        expected = reference_one_run_range_test(net, X, Y, **settings)
        X_given, Y_given = X.copy(), Y.copy()
        got, verdict = call(functools.partial(candidate, **settings), name, net, X_given, Y_given)
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
        for slip, switches in RANGE_TEST_SLIPS.items():
            net.weights.flat[:] = checkpoint
            if _same_run(got, _slip_run(net, X, Y, settings, switches), len(expected[1])):
                return Verdict(verdict.status, f"{verdict.message} It looks like {slip}.",
                               verdict.max_difference, slip=slip)
        return verdict
    return Verdict("correct", f"{name}: correct! The rates and losses match the reference on "
                   f"{len(RANGE_TEST_CASES)} networks, and the weights were restored each time.",
                   0.0)


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


# -- Exercise 3: moving_average ------------------------------------------------------------
def reference_moving_average(losses, width):
    """Mean of the last `width` entries at every step, fewer at the start.

    losses: (n,); width: a positive int. Returns (n,): entry k is the mean of
    losses[max(0, k − width + 1) : k + 1].
    """
    losses = np.asarray(losses, dtype=np.float64)
    sums = np.concatenate([[0.0], np.cumsum(losses)])
    stop = np.arange(1, losses.size + 1)
    start = np.maximum(stop - width, 0)
    return (sums[stop] - sums[start]) / (stop - start)


def _trailing_sums(losses, width):
    sums = np.concatenate([[0.0], np.cumsum(losses)])
    stop = np.arange(1, len(losses) + 1)
    return sums[stop] - sums[np.maximum(stop - width, 0)], stop - np.maximum(stop - width, 0)


MOVING_AVERAGE_SLIPS = {
    "the average is centred instead of trailing (np.convolve with mode='same')":
        lambda losses, width: np.convolve(losses, np.ones(width) / width, mode="same"),
    "the first entries are divided by width instead of by the number of losses so far":
        lambda losses, width: _trailing_sums(losses, width)[0] / width,
    "the window holds width + 1 losses (an off-by-one)":
        lambda losses, width: reference_moving_average(losses, width + 1),
    "only the full windows are returned, so the result is too short":
        lambda losses, width: np.convolve(losses, np.ones(width) / width, mode="valid"),
}


def _loss_curve(rng):
    n = int(rng.integers(5, 60))
    losses = np.exp(-np.linspace(0.0, 3.0, n) + 0.3 * rng.normal(size=n))
    return losses, int(rng.integers(2, 12))


def check_moving_average(candidate):
    """Check moving_average(losses, width) against the trailing mean on random curves."""
    return check(candidate, reference_moving_average, _loss_curve, name="moving_average",
                 trials=5, slips=MOVING_AVERAGE_SLIPS)


EXERCISES = {"max_stable_lr": check_max_stable_lr,
             "one_run_range_test": check_one_run_range_test,
             "moving_average": check_moving_average}
