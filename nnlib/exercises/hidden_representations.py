"""Checkers for the lesson "Hidden representations".

check_unit_lines(unit_lines)                  the line in the input plane where each hidden
                                              unit's pre-activation z_{0,j} is 0
check_accuracy_by_width(accuracy_by_width)    the training accuracy of nets of several
                                              hidden widths, each trained from several seeds
check_line_angles(line_angles)                the angle between every two hidden units'
                                              lines in the input plane, in degrees

Layout as on the course's notation card: W0 (n_hidden, 2) has one row per hidden unit,
W0[j, k] is the weight from input k to unit j, b0 (n_hidden,).
"""

import numpy as np

import nnlib

from .core import Verdict, check

# -- exercise 1: each hidden unit is a line -------------------------------------------------


def reference_unit_lines(W0, b0, x1):
    """W0 (n_hidden, 2), b0 (n_hidden,), x1 (K,) -> (n_hidden, K): the x₂ at which
    W0[j, 0]·x₁ + W0[j, 1]·x₂ + b0[j] = 0, for every unit j and every x₁."""
    return -(W0[:, :1] * x1 + b0[:, None]) / W0[:, 1:]


UNIT_LINES_SLIPS = {
    "b0 was left out: every line then passes through the origin":
        lambda W0, b0, x1: -(W0[:, :1] * x1) / W0[:, 1:],
    "the sign was lost when the terms moved to the other side of the equation":
        lambda W0, b0, x1: (W0[:, :1] * x1 + b0[:, None]) / W0[:, 1:],
    "the equation was solved for x₁, not x₂ (divided by the weight of x₁)":
        lambda W0, b0, x1: -(W0[:, 1:] * x1 + b0[:, None]) / W0[:, :1],
    "the equation was not divided by the weight of x₂":
        lambda W0, b0, x1: -(W0[:, :1] * x1 + b0[:, None]),
    "the line where z = 0.5 (where σ crosses 0.5) was drawn; tanh changes sign at z = 0":
        lambda W0, b0, x1: (0.5 - W0[:, :1] * x1 - b0[:, None]) / W0[:, 1:],
}


def _unit_lines_inputs(rng):
    n_hidden = int(rng.integers(3, 6))
    K = n_hidden + int(rng.integers(2, 5))           # K ≠ n_hidden: a transpose shows
    W0 = rng.normal(size=(n_hidden, 2))
    W0[:, 1] = np.sign(W0[:, 1]) * (0.5 + np.abs(W0[:, 1]))    # no vertical line
    W0[:, 0] = np.sign(W0[:, 0]) * (0.3 + np.abs(W0[:, 0]))
    return W0, rng.normal(size=n_hidden), np.linspace(-2.0, 2.0, K)


def check_unit_lines(candidate):
    """Check unit_lines(W0, b0, x1) -> (n_hidden, len(x1)) on random first layers."""
    return check(candidate, reference_unit_lines, _unit_lines_inputs, name="unit_lines",
                 trials=4, slips=UNIT_LINES_SLIPS)


# -- exercise 2: how many hidden units ------------------------------------------------------


def _ring_net(width, seed):
    return nnlib.MLP([2, width, 1], activation="tanh", output_activation="sigmoid",
                     loss="cross_entropy", seed=seed)


def _accuracy(net, X, Y, threshold=0.5):
    return float(np.mean((net.forward(X) > threshold) == Y))


def _trained(width, seed, X, Y, epochs, lr, net=None):
    net = net if net is not None else _ring_net(width, seed)
    nnlib.train(net, X, Y, optimizer="adam", lr=lr, epochs=epochs)
    return net


def reference_accuracy_by_width(X, Y, widths, seeds, epochs=400, lr=0.05):
    """X (N, 2), Y (N, 1) of labels 0/1, widths (W,), seeds (S,) -> (W, S): the share of
    samples on the right side of 0.5 after `epochs` full-batch Adam steps at `lr`, for the
    net nnlib.MLP([2, width, 1], activation="tanh", output_activation="sigmoid",
    loss="cross_entropy", seed=seed)."""
    return np.array([[_accuracy(_trained(w, s, X, Y, epochs, lr), X, Y) for s in seeds]
                     for w in widths])


def _one_net_per_width(X, Y, widths, seeds, epochs=400, lr=0.05):
    rows = []
    for w in widths:
        net = _ring_net(w, seeds[0])
        rows.append([_accuracy(_trained(w, s, X, Y, epochs, lr, net=net), X, Y) for s in seeds])
    return np.array(rows)


ACCURACY_BY_WIDTH_SLIPS = {
    "one network per width kept training from one seed to the next; build a fresh one for "
    "every seed":
        _one_net_per_width,
    "the output was compared with 0, but a sigmoid's output is always above 0: compare "
    "with 0.5":
        lambda X, Y, widths, seeds, epochs=400, lr=0.05: np.array(
            [[_accuracy(_trained(w, s, X, Y, epochs, lr), X, Y, threshold=0.0) for s in seeds]
             for w in widths]),
    "the accuracy was measured before training":
        lambda X, Y, widths, seeds, epochs=400, lr=0.05: np.array(
            [[_accuracy(_ring_net(w, s), X, Y) for s in seeds] for w in widths]),
}


def _accuracy_by_width_inputs(rng):
    X, Y = nnlib.data.circles(n=int(rng.integers(40, 60)), noise=0.08,
                              seed=int(rng.integers(0, 1000)))
    widths = [1, int(rng.integers(2, 5))]
    seeds = [int(s) for s in rng.choice(50, size=3, replace=False)]   # 3 ≠ 2: a transpose shows
    return X, Y, widths, seeds, int(rng.integers(20, 40)), 0.05


def check_accuracy_by_width(candidate):
    """Check accuracy_by_width(X, Y, widths, seeds, epochs, lr) -> (len(widths), len(seeds))
    on small rings, a few dozen steps per run."""
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
    if verdict.status == "wrong values" and verdict.slip is None and "inf or nan" in verdict.message:
        return Verdict("wrong values", f"{verdict.message} It looks like {NAN_SLIP}.",
                       verdict.max_difference, slip=NAN_SLIP)
    return verdict


EXERCISES = {
    "unit_lines": check_unit_lines,
    "accuracy_by_width": check_accuracy_by_width,
    "line_angles": check_line_angles,
}
