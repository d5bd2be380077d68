"""Checkers for the lesson "Hidden representations".

check_nearest_points(nearest_points)          the point nearest the origin of the line in the
                                              input plane where each hidden unit's
                                              pre-activation z_{0,j} is 0
check_accuracy_by_width(accuracy_by_width)    the training accuracy of nets of several
                                              hidden widths, each trained from several seeds,
                                              and the first step at which each separates
check_line_angles(line_angles)                the angle between every two hidden units'
                                              lines in the input plane, in degrees

Layout as on the course's notation card: W0 (n_hidden, 2) has one row per hidden unit,
W0[j, k] is the weight from input k to unit j, b0 (n_hidden,).
"""

import numpy as np

import nnlib

from .core import Verdict, check

# -- exercise 1: each hidden unit is a line -------------------------------------------------


def reference_nearest_points(W0, b0):
    """W0 (n_hidden, 2), b0 (n_hidden,) -> (n_hidden, 2): row j is the point of the line
    W0[j] · x + b0[j] = 0 nearest the origin, -b0[j] W0[j] / |W0[j]|² (the row W0[j] is the
    line's normal)."""
    return -(b0 / np.sum(W0 ** 2, axis=1))[:, None] * W0


def _row_lengths(W0):
    return np.linalg.norm(W0, axis=1, keepdims=True)


NEAREST_POINTS_SLIPS = {
    "the sign was lost when b0 moved to the other side of the equation: that point is the "
    "mirror image of the right one through the origin":
        lambda W0, b0: -reference_nearest_points(W0, b0),
    "divided by |w_j| once instead of twice: that point lies |b_j| from the origin, the line "
    "|b_j| / |w_j|":
        lambda W0, b0: -b0[:, None] * W0 / _row_lengths(W0),
    "-b_j w_j was not divided by |w_j|²: that point is on the line only when |w_j| = 1":
        lambda W0, b0: -b0[:, None] * W0,
    "these are the points where the line crosses the two axes (-b_j / w_jk for each k), one "
    "coordinate from each crossing; the nearest point lies along the normal w_j":
        lambda W0, b0: -b0[:, None] / W0,
}


def _nearest_points_inputs(rng):
    n_hidden = int(rng.integers(3, 6))                # ≠ 2: a transpose shows
    W0 = rng.normal(size=(n_hidden, 2)) * rng.uniform(0.5, 3.0, size=(n_hidden, 1))
    return W0, rng.normal(size=n_hidden)


def check_nearest_points(candidate):
    """Check nearest_points(W0, b0) -> (n_hidden, 2) on random first layers."""
    return check(candidate, reference_nearest_points, _nearest_points_inputs,
                 name="nearest_points", trials=4, slips=NEAREST_POINTS_SLIPS)


# -- exercise 2: how many hidden units ------------------------------------------------------

SEPARATES = 0.99        # a run separates the rings when its training accuracy is at least this


def _ring_net(width, seed):
    return nnlib.MLP([2, width, 1], activation="tanh", output_activation="sigmoid",
                     loss="cross_entropy", seed=seed)


def _accuracy(net, X, Y, threshold=0.5):
    return float(np.mean((net.forward(X) > threshold) == Y))


def _run(width, seed, X, Y, epochs, lr, net=None, threshold=0.5, keep=0, never=np.inf,
         count_from=1, score_before=False):
    """(final training accuracy, first step whose accuracy is ≥ SEPARATES, else `never`) of
    one run; the keyword arguments make the slips (keep=-1: the last such step)."""
    net = net if net is not None else _ring_net(width, seed)
    before = _accuracy(net, X, Y, threshold)
    seen = []

    def watch(step, model, loss, grad):
        if _accuracy(model, X, Y, threshold) >= SEPARATES:
            seen.append(step - 1 + count_from)

    nnlib.train(net, X, Y, optimizer="adam", lr=lr, epochs=epochs, callback=watch)
    return (before if score_before else _accuracy(net, X, Y, threshold),
            float(seen[keep]) if seen else never)


def _tables(runs):
    """[[(accuracy, step)] per seed] per width -> (accuracy (W, S), step (W, S))."""
    table = np.array(runs, dtype=float)
    return table[..., 0], table[..., 1]


def reference_accuracy_by_width(X, Y, widths, seeds, epochs=400, lr=0.05):
    """X (N, 2), Y (N, 1) of labels 0/1, widths (W,), seeds (S,) -> (accuracy, first), both
    (W, S): for the net nnlib.MLP([2, width, 1], activation="tanh", output_activation="sigmoid",
    loss="cross_entropy", seed=seed) trained for `epochs` full-batch Adam steps at `lr`, the
    share of samples on the right side of 0.5 at the end, and the first step after which that
    share is at least 0.99 (np.inf if none)."""
    return _tables([[_run(w, s, X, Y, epochs, lr) for s in seeds] for w in widths])


def _one_net_per_width(X, Y, widths, seeds, epochs=400, lr=0.05):
    runs = []
    for w in widths:
        net = _ring_net(w, seeds[0])
        runs.append([_run(w, s, X, Y, epochs, lr, net=net) for s in seeds])
    return _tables(runs)


def _slip(**how):
    return lambda X, Y, widths, seeds, epochs=400, lr=0.05: _tables(
        [[_run(w, s, X, Y, epochs, lr, **how) for s in seeds] for w in widths])


ACCURACY_BY_WIDTH_SLIPS = {
    "one network per width kept training from one seed to the next; build a fresh one for "
    "every seed":
        _one_net_per_width,
    "the output was compared with 0, but a sigmoid's output is always above 0: compare "
    "with 0.5":
        _slip(threshold=0.0),
    "the accuracy was measured before training":
        _slip(score_before=True),
    "the step was written down at every step that separates, so the last one was kept, not "
    "the first":
        _slip(keep=-1),
    "the steps were counted from 0; nnlib's callback gets step 1 after the first step":
        _slip(count_from=0),
    "a run that never separates got -1; the task asks for np.inf":
        _slip(never=-1.0),
}


def _accuracy_by_width_inputs(rng):
    X, Y = nnlib.data.circles(n=int(rng.integers(40, 60)), noise=0.05,
                              seed=int(rng.integers(0, 1000)))
    widths = [1, int(rng.integers(3, 5))]
    seeds = [int(s) for s in rng.choice(50, size=3, replace=False)]   # 3 ≠ 2: a transpose shows
    return X, Y, widths, seeds, int(rng.integers(80, 120)), 0.1


def check_accuracy_by_width(candidate):
    """Check accuracy_by_width(X, Y, widths, seeds, epochs, lr) -> (accuracy, first step),
    both (len(widths), len(seeds)), on small rings, about a hundred steps per run."""
    return check(candidate, reference_accuracy_by_width, _accuracy_by_width_inputs,
                 name="accuracy_by_width", trials=2, slips=ACCURACY_BY_WIDTH_SLIPS)


# -- exercise 3: the angles between the lines -----------------------------------------------


def _unit_rows(W0):
    return W0 / np.linalg.norm(W0, axis=1, keepdims=True)


def reference_line_angles(W0):
    """W0 (n_hidden, 2) -> (n_hidden, n_hidden): the angle in degrees, from 0 to 90, between
    the lines z_{0,i} = 0 and z_{0,j} = 0 of the input plane, that is between the rows W0[i]
    and W0[j] read as directions without a sign; 0 on the diagonal. (From the sine and the
    cosine together, which stays accurate near 0°, where arccos of the cosine alone loses
    about 1e-6°: the checker's tolerance allows for that.)"""
    cosine = W0 @ W0.T                                          # |w_i| |w_j| cos
    sine = W0[:, :1] * W0[:, 1] - W0[:, 1:] * W0[:, 0]          # |w_i| |w_j| sin
    return np.degrees(np.arctan2(np.abs(sine), np.abs(cosine)))


LINE_ANGLES_SLIPS = {
    "the absolute value of the cosine is missing: rows pointing opposite ways give the same "
    "line, at 0°, not 180°":
        lambda W0: np.degrees(np.arccos(np.clip(_unit_rows(W0) @ _unit_rows(W0).T, -1.0, 1.0))),
    "the angles are in radians, not degrees":
        lambda W0: np.radians(reference_line_angles(W0)),
    "the columns of W0 were compared, not its rows; a row is one unit's weights (W[to, from])":
        lambda W0: np.degrees(np.arccos(np.clip(np.abs(_unit_rows(W0.T) @ _unit_rows(W0.T).T),
                                                0.0, 1.0))),
    "the rows were not scaled to length 1, so W0 @ W0.T holds no cosines":
        lambda W0: np.degrees(np.arccos(np.clip(np.abs(W0 @ W0.T), 0.0, 1.0))),
}


def _line_angles_inputs(rng):
    n_hidden = int(rng.integers(3, 6))
    return (rng.normal(size=(n_hidden, 2)) * rng.uniform(0.5, 3.0, size=(n_hidden, 1)),)


NAN_SLIP = ("a cosine rounded to just above 1 (on the diagonal, each line with itself) made "
            "np.arccos return nan: clip the cosines to at most 1 first")


def check_line_angles(candidate):
    """Check line_angles(W0) -> (n_hidden, n_hidden) angles in degrees on random first layers.
    NaN where the reference is finite is named as an unclipped cosine."""
    verdict = check(candidate, reference_line_angles, _line_angles_inputs, name="line_angles",
                    trials=4, rtol=1e-6, atol=1e-4, slips=LINE_ANGLES_SLIPS)
    if (verdict.status == "wrong values" and verdict.slip is None
            and "inf or nan where the reference is finite" in verdict.message):
        return Verdict("wrong values", f"{verdict.message} It looks like {NAN_SLIP}.",
                       verdict.max_difference, slip=NAN_SLIP)
    return verdict


EXERCISES = {
    "nearest_points": check_nearest_points,
    "accuracy_by_width": check_accuracy_by_width,
    "line_angles": check_line_angles,
}
