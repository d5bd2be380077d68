"""Seeded data sets. Each returns float64 X (N, n_in) and Y (N, n_out).

DATASETS names the two-class sets the test bench offers; make_data draws one and
splits it into training and test parts. scikit-learn is imported inside the
functions that use it, so `import nnlib` does not load it. Every `seed` is None (fresh
randomness) or an integer ≥ 0 (below 2**32 where scikit-learn draws or splits); every
`noise` a finite standard deviation ≥ 0.
"""

import numpy as np

from ._validate import SKLEARN_SEEDS, choice, matrix, nonnegative, positive
from ._validate import seed as check_seed


def toy_1d(n=1000, noise=0.0, seed=None):
    """n evenly spaced inputs on [−5, 5]; label +1 where x > 0, else −1; Gaussian
    `noise` added to the inputs after labelling. Shapes (n, 1), (n, 1)."""
    n = positive("n", n, integer=True)
    noise, seed = nonnegative("noise", noise), check_seed(seed)
    X = np.linspace(-5.0, 5.0, n).reshape(-1, 1)
    Y = np.where(X > 0, 1.0, -1.0)
    if noise:
        X = X + np.random.default_rng(seed).normal(0.0, noise, size=X.shape)
    return X, Y


def xor(noise=0.0, repeats=1, seed=None):
    """The four XOR points (0/1 inputs, label x1 XOR x2), each repeated `repeats`
    times with Gaussian `noise` added to the inputs. Shapes (4·repeats, 2), (4·repeats, 1)."""
    repeats = positive("repeats", repeats, integer=True)
    noise, seed = nonnegative("noise", noise), check_seed(seed)
    X = np.tile([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], (repeats, 1))
    Y = np.logical_xor(X[:, 0], X[:, 1]).astype(float).reshape(-1, 1)
    if noise:
        X = X + np.random.default_rng(seed).normal(0.0, noise, size=X.shape)
    return X, Y


def circles(n=400, noise=0.1, factor=0.5, seed=None):
    """Two concentric rings (scikit-learn's make_circles); label 1 for the inner ring."""
    from sklearn import datasets

    n, noise = positive("n", n, integer=True), nonnegative("noise", noise)
    seed = check_seed(seed, below=SKLEARN_SEEDS)
    if isinstance(factor, bool) or not isinstance(factor, (int, float, np.number)) \
            or not 0 < factor < 1:
        raise ValueError(f"factor (inner radius / outer radius) must be a number in (0, 1), "
                         f"got {factor!r}")
    X, y = datasets.make_circles(n, noise=noise, factor=float(factor), random_state=seed)
    return X, y.astype(float).reshape(-1, 1)


def moons(n=400, noise=0.1, seed=None):
    """Two interleaving half-moons (scikit-learn's make_moons), labels 0 and 1."""
    from sklearn import datasets

    n, noise = positive("n", n, integer=True), nonnegative("noise", noise)
    seed = check_seed(seed, below=SKLEARN_SEEDS)
    X, y = datasets.make_moons(n, noise=noise, random_state=seed)
    return X, y.astype(float).reshape(-1, 1)


def noisy_halfplane(n=400, n_noise=13, noise=0.01, seed=None):
    """Inputs x1, x2 ~ Normal(0, 1) and label 1 where x1 > 0, else 0: x2 has the same
    spread as x1 but the label ignores it. Padded with `n_noise` near-zero columns
    ~ Normal(0, noise). Shapes (n, 2 + n_noise), (n, 1)."""
    n = positive("n", n, integer=True)
    if isinstance(n_noise, bool) or not isinstance(n_noise, (int, np.integer)) or n_noise < 0:
        raise ValueError(f"n_noise must be a non-negative integer, got {n_noise!r}")
    noise, seed = nonnegative("noise", noise), check_seed(seed)
    rng = np.random.default_rng(seed)
    spread = rng.normal(size=(n, 2))
    X = np.hstack([spread, rng.normal(0.0, noise, size=(n, n_noise))])
    Y = (spread[:, :1] > 0).astype(float)
    return X, Y


def digits():
    """scikit-learn's 1,797 handwritten digits (shipped with it: nothing is downloaded), 8 × 8
    pixels as rows. Returns X (1797, 64), pixels scaled from 0 … 16 to 0 … 1, and Y
    (1797, 10), one-hot: row n of the 10 × 10 identity for sample n's digit."""
    from sklearn import datasets

    images = datasets.load_digits()
    return images.data / 16.0, np.eye(10)[images.target]


def train_test_split(X, Y, test_size=0.25, seed=None, stratify=True):
    """Split into X_train, X_test, Y_train, Y_test; stratified by the class of each
    row of Y (argmax for one-hot rows) so both parts keep the class balance."""
    from sklearn import model_selection

    seed = check_seed(seed, below=SKLEARN_SEEDS)
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float, np.number)) \
            or not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction in (0, 1) of the samples, got {test_size!r}")
    if not isinstance(stratify, (bool, np.bool_)):
        raise TypeError(f"stratify must be True or False, got {stratify!r} "
                        f"({type(stratify).__name__})")
    X = matrix("X", X)
    Y = matrix("Y", Y, n_rows=len(X))
    labels = (Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0]) if stratify else None
    return model_selection.train_test_split(X, Y, test_size=test_size, stratify=labels,
                                            random_state=seed)


# -- the two-class sets of the test bench: (n, noise, seed) -> X, Y with labels 0/1 ------
def _toy_1d_01(n, noise, seed):
    """toy_1d with labels 0/1; `noise` is relative to the input half-width 5."""
    X, Y = toy_1d(n, noise=5 * noise, seed=seed)
    return X, (Y + 1) / 2


def _xor_n(n, noise, seed):
    """The four XOR corners repeated n // 4 times (at least twice)."""
    return xor(noise=noise, repeats=max(n // 4, 2), seed=seed)


def _halfplane(n, noise, seed):
    """noisy_halfplane: `noise` spreads its 13 extra inputs only (at least 1e-3)."""
    return noisy_halfplane(n, noise=max(noise, 1e-3), seed=seed)


DATASETS = {
    "toy 1-D": _toy_1d_01,
    "XOR": _xor_n,
    "circles": lambda n, noise, seed: circles(n, noise=noise, seed=seed),
    "moons": lambda n, noise, seed: moons(n, noise=noise, seed=seed),
    "noisy half-plane": _halfplane,
}


def make_data(name="moons", n=200, noise=0.1, seed=0, test_size=0.25):
    """The data set DATASETS[name], seeded, split into training and test parts (stratified).

    n:     total number of samples, an integer ≥ 8 (XOR: 4 · max(n // 4, 2)).
    noise: standard deviation ≥ 0 of the Gaussian noise on the inputs; for 'toy 1-D'
           relative to its input half-width 5, for 'noisy half-plane' on its 13 extra
           inputs only, and there at least 1e-3 (so those inputs are never all zero).
    seed:  None (fresh randomness) or an integer ≥ 0, for the data and the split.
    Returns X (n_train, n_in), Y (n_train, 1), X_test, Y_test, all float64, Y in {0, 1}.
    An unknown name raises ValueError listing the valid ones.
    """
    name = choice("data set", name, DATASETS)
    n = positive("n", n, integer=True)
    if n < 8:  # below this a stratified split of two classes often has no room
        raise ValueError(f"n must be an integer ≥ 8 (enough samples for a stratified "
                         f"training/test split), got {n}")
    noise, seed = nonnegative("noise", noise), check_seed(seed, below=SKLEARN_SEEDS)
    X, Y = DATASETS[name](n, noise, seed)
    X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=test_size, seed=seed)
    return X_train, Y_train, X_test, Y_test
