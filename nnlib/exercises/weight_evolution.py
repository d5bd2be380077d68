"""Checkers for the lesson "Weight evolution".

check_standardise(standardise)    scale every input column by the training set's mean and
                                  standard deviation, the test set with the same numbers
check_margins(margins)            the smallest signed distance of a sample from the boundary
                                  w x + b = 0, for every recorded frame (its row w of W₀
                                  and its bias b)
check_decay_sweep(decay_sweep)    logistic regression trained by gradient descent once per
                                  weight decay λ, each from the same fresh start: w₀, the
                                  boundary −b₀/w₀ and the test accuracy

Weight decay follows the course's convention: nnlib.train(..., weight_decay=λ) shrinks
every weight (not the biases) by lr·λ of itself before each step, which for gradient
descent is a gradient step on the penalty (λ/2)·ΣW².
"""

import numpy as np

import nnlib

from .core import check

# -- exercise 1: standardised inputs -------------------------------------------------------


def reference_standardise(X_train, X_test):
    """X_train (N, d), X_test (M, d) -> both minus the training set's column means, divided
    by its column standard deviations (np.std, ddof=0)."""
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std


def _by_rows(X_train, X_test):
    def one(X):
        return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    return one(X_train), one(X_test)


def _pooled(X_train, X_test):
    both = np.vstack([X_train, X_test])
    mean, std = both.mean(axis=0), both.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std


STANDARDISE_SLIPS = {
    "the test set was scaled with its own mean and standard deviation; it must reuse the "
    "training set's, as a model in use sees one new sample at a time":
        lambda X_train, X_test: (reference_standardise(X_train, X_train)[0],
                                 reference_standardise(X_test, X_test)[0]),
    "the mean and standard deviation were taken over training and test sets together; "
    "the test set must not shape the model, its scaling included":
        _pooled,
    "the mean was subtracted, but the columns were not divided by their standard deviation":
        lambda X_train, X_test: (X_train - X_train.mean(axis=0), X_test - X_train.mean(axis=0)),
    "the columns were divided by the sample standard deviation (ddof=1); use np.std's default, "
    "ddof=0, the spread of the training set itself":
        lambda X_train, X_test: ((X_train - X_train.mean(axis=0)) / X_train.std(axis=0, ddof=1),
                                 (X_test - X_train.mean(axis=0)) / X_train.std(axis=0, ddof=1)),
    "the columns were divided by their variance, not by their standard deviation":
        lambda X_train, X_test: ((X_train - X_train.mean(axis=0)) / X_train.var(axis=0),
                                 (X_test - X_train.mean(axis=0)) / X_train.var(axis=0)),
    "each sample (row) was standardised, not each input (column): use axis=0":
        _by_rows,
}


def _standardise_inputs(rng):
    d = int(rng.integers(3, 6))
    n_train, n_test = int(rng.integers(12, 20)), int(rng.integers(6, 10))
    centre, scale = rng.normal(0.0, 3.0, size=d), np.exp(rng.uniform(-4.0, 1.0, size=d))
    return (centre + scale * rng.normal(size=(n_train, d)),
            centre + scale * rng.normal(size=(n_test, d)))


def check_standardise(candidate):
    """Check standardise(X_train, X_test) -> (X_train scaled, X_test scaled) on random data
    whose columns have different means and spreads."""
    return check(candidate, reference_standardise, _standardise_inputs, name="standardise",
                 trials=4, slips=STANDARDISE_SLIPS)


# -- exercise 2: the margin of every frame -------------------------------------------------


def _signed(W, b, X, Y):
    """(n_frames, N): s_n (W_t · x_n + b_t), with s = +1 for class 1 and -1 for class 0."""
    signs = 2.0 * Y[:, 0] - 1.0
    return signs * (W @ X.T + b[:, None])


def reference_margins(rows, biases, X, Y):
    """rows (n_frames, n_in): W₀'s one row per frame, biases (n_frames,), X (N, n_in), Y (N, 1)
    of labels 0/1 -> (n_frames,): the smallest signed distance of a sample,
    min over n of s_n (w_t · x_n + b_t) / ‖w_t‖, s = 2y − 1."""
    return _signed(rows, biases, X, Y).min(axis=1) / np.linalg.norm(rows, axis=1)


def _nearest(W, b, X, Y):
    signed = _signed(W, b, X, Y)
    nearest = np.abs(signed).argmin(axis=1)
    return signed[np.arange(len(W)), nearest] / np.linalg.norm(W, axis=1)


MARGINS_SLIPS = {
    "the labels 0/1 were used as signs, so every sample of class 0 counts as 0; class 0 "
    "needs the sign −1 (s = 2y − 1)":
        lambda W, b, X, Y: (Y[:, 0] * (W @ X.T + b[:, None])).min(axis=1)
        / np.linalg.norm(W, axis=1),
    "the signs are the wrong way round: class 1 lies where W x + b > 0, so it gets +1":
        lambda W, b, X, Y: (-_signed(W, b, X, Y)).min(axis=1) / np.linalg.norm(W, axis=1),
    "the margin was not divided by ‖W‖: then doubling W doubles it, without moving the "
    "boundary at all":
        lambda W, b, X, Y: _signed(W, b, X, Y).min(axis=1),
    "the bias was counted in the norm; the distance to the plane W x + b = 0 divides by "
    "‖W‖ alone":
        lambda W, b, X, Y: _signed(W, b, X, Y).min(axis=1)
        / np.sqrt((W ** 2).sum(axis=1) + b ** 2),
    "the mean was taken instead of the minimum: the margin is the smallest signed distance":
        lambda W, b, X, Y: _signed(W, b, X, Y).mean(axis=1) / np.linalg.norm(W, axis=1),
    "the signed distance of the nearest sample (smallest |W x + b|) was taken; the margin is "
    "the smallest signed distance, so a sample far on the wrong side makes it negative":
        _nearest,
    "the distance is unsigned (|W x + b|): a sample on the wrong side must give a negative "
    "margin":
        lambda W, b, X, Y: np.abs(W @ X.T + b[:, None]).min(axis=1) / np.linalg.norm(W, axis=1),
}


def _margins_inputs(rng):
    n_frames, n_in, N = int(rng.integers(3, 6)), int(rng.integers(2, 5)), int(rng.integers(8, 14))
    X = rng.normal(size=(N, n_in))
    Y = (rng.uniform(size=(N, 1)) < 0.5).astype(float)
    Y[:2, 0] = [0.0, 1.0]                       # both classes, always
    return rng.normal(size=(n_frames, n_in)), rng.normal(size=n_frames), X, Y


def check_margins(candidate):
    """Check margins(rows, biases, X, Y) -> (n_frames,) on random frames and labelled samples."""
    return check(candidate, reference_margins, _margins_inputs, name="margins", trials=4,
                 slips=MARGINS_SLIPS)


# -- exercise 3: a λ sweep -----------------------------------------------------------------


def _logistic(n_in, seed):
    return nnlib.MLP([n_in, 1], output_activation="sigmoid", loss="cross_entropy", seed=seed)


def _sweep(X, Y, X_test, Y_test, lams, steps, lr, seed, warm=False, scale=1.0, sign=-1.0,
           scored=None):
    """One row per λ: w₀, sign·b₀/w₀ and the accuracy on `scored` (default the test set)."""
    X_scored, Y_scored = scored if scored is not None else (X_test, Y_test)
    net, rows = _logistic(X.shape[1], seed), []
    for lam in lams:
        net = net if warm else _logistic(X.shape[1], seed)
        nnlib.train(net, X, Y, optimizer="sgd", lr=lr, epochs=steps, weight_decay=scale * lam)
        w0, b0 = net.Ws[0][0, 0], net.bs[0][0]
        accuracy = np.mean((net.forward(X_scored) > 0.5) == Y_scored)
        rows.append([w0, sign * b0 / w0, accuracy])
    return np.array(rows)


def reference_decay_sweep(X, Y, X_test, Y_test, lams, steps=300, lr=1.0, seed=3):
    """X (N, n_in), Y (N, 1): training set; X_test (M, n_in), Y_test (M, 1); lams (k,)
    -> (k, 3): per λ, after `steps` full-batch gradient-descent steps with weight_decay=λ from
    the fresh start nnlib.MLP([n_in, 1], output_activation="sigmoid", loss="cross_entropy",
    seed=seed): w₀ (the weight of input 0), the boundary's crossing −b₀/w₀ of the x₀ axis,
    and the test accuracy (share of samples on the right side of 0.5)."""
    return _sweep(X, Y, X_test, Y_test, lams, steps, lr, seed)


def _slip(**options):
    def wrong(X, Y, X_test, Y_test, lams, steps=300, lr=1.0, seed=3):
        return _sweep(X, Y, X_test, Y_test, lams, steps, lr, seed, **options)
    return wrong


DECAY_SWEEP_SLIPS = {
    "one network kept training from one λ to the next; build a fresh one (same seed) for "
    "each λ, so that only λ differs":
        _slip(warm=True),
    "weight_decay was 2λ, the penalty λΣW² (gradient 2λW); the course's λ is the penalty "
    "(λ/2)ΣW²":
        _slip(scale=2.0),
    "weight_decay was λ/2; nnlib's weight_decay=λ already is the penalty (λ/2)ΣW²":
        _slip(scale=0.5),
    "the boundary has the wrong sign: z = w₀x₀ + b₀ = 0 at x₀ = −b₀/w₀":
        _slip(sign=1.0),
}


def _decay_sweep_inputs(rng):
    n_in, N, M = int(rng.integers(2, 5)), int(rng.integers(20, 30)), int(rng.integers(10, 16))
    X, X_test = rng.normal(size=(N, n_in)), rng.normal(size=(M, n_in))
    Y = (X[:, :1] + 0.5 * rng.normal(size=(N, 1)) > 0).astype(float)
    Y_test = (X_test[:, :1] + 0.5 * rng.normal(size=(M, 1)) > 0).astype(float)
    lams = np.array([0.0, *np.sort(rng.uniform(0.01, 0.3, size=2))])
    return (X, Y, X_test, Y_test, lams, int(rng.integers(15, 25)), float(rng.uniform(0.3, 1.0)),
            int(rng.integers(0, 9)))


def check_decay_sweep(candidate):
    """Check decay_sweep(X, Y, X_test, Y_test, lams, steps, lr, seed) -> (len(lams), 3) on
    small random problems (a few dozen steps each)."""
    return check(candidate, reference_decay_sweep, _decay_sweep_inputs, name="decay_sweep",
                 trials=3, slips=DECAY_SWEEP_SLIPS)


EXERCISES = {
    "standardise": check_standardise,
    "margins": check_margins,
    "decay_sweep": check_decay_sweep,
}
