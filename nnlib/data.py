"""Seeded data sets. Each returns float64 X (N, n_in) and Y (N, n_out).

DATASETS names the sets the test bench offers, DATASET_KINDS says which are two-class
('classification', labels 0/1) and which 'regression' (real targets); make_data draws
one and splits it into training and test parts, and target_data draws a regression set
from any function a student writes (check_target says what it must be). FEATURES and
feature_matrix make TensorFlow Playground's input features (x₀², sin x₀, ...) of 2-D
points. scikit-learn is imported inside the functions that use it, so `import nnlib`
does not load it. Every `seed` is None (fresh
randomness) or an integer ≥ 0 (below 2**32 where scikit-learn draws or splits); every
`noise` a finite standard deviation ≥ 0.
"""

import numpy as np

from ._validate import SKLEARN_SEEDS, choice, matrix, nonnegative, positive, real_array
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
    """The four XOR points (0/1 inputs, label x0 XOR x1), each repeated `repeats`
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
    """Inputs x0, x1 ~ Normal(0, 1) and label 1 where x0 > 0, else 0: x1 has the same
    spread as x0 but the label ignores it. Padded with `n_noise` near-zero columns
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


# -- the regression sets, as TensorFlow Playground's, on [−1, 1]² (Playground's is 12 wide) ---
# Playground's six bumps, scaled from its ±6 square: (centre x₀, centre x₁, sign)
GAUSSIAN_BUMPS = ((-2 / 3, 5 / 12, 1.0), (0.0, 5 / 12, -1.0), (2 / 3, 5 / 12, 1.0),
                  (-2 / 3, -5 / 12, -1.0), (0.0, -5 / 12, 1.0), (2 / 3, -5 / 12, -1.0))
BUMP_RADIUS = 1 / 3


def _uniform_square(n, seed):
    """n inputs drawn uniformly from [−1, 1]², (n, 2); the first draw of the seed's generator."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=(n, 2)), rng


def _plane_value(X):
    """(x₀ + x₁) / 2, (N,): a tilted plane from −1 to 1."""
    return (X[:, 0] + X[:, 1]) / 2


def _gaussians_value(X):
    """Σₖ sₖ · max(0, 1 − ‖x − cₖ‖ / BUMP_RADIUS) over GAUSSIAN_BUMPS, (N,): six cones of
    height ±1 that do not overlap (Playground keeps the bump largest in size, the same)."""
    total = np.zeros(len(X))
    for cx, cy, sign in GAUSSIAN_BUMPS:
        distance = np.hypot(X[:, 0] - cx, X[:, 1] - cy)
        total += sign * np.maximum(0.0, 1.0 - distance / BUMP_RADIUS)
    return total


def _regression(value):
    """A registry entry: inputs uniform on [−1, 1]², targets value(X) + Normal(0, noise²)."""
    def draw(n, noise, seed):
        X, rng = _uniform_square(n, seed)
        Y = value(X) + rng.normal(0.0, 1.0, size=n) * noise
        return X, Y.reshape(-1, 1)
    draw.__doc__ = f"{value.__doc__.split(',')[0]} of x uniform on [−1, 1]², plus noise."
    return draw


DATASETS = {
    "toy 1-D": _toy_1d_01,
    "XOR": _xor_n,
    "circles": lambda n, noise, seed: circles(n, noise=noise, seed=seed),
    "moons": lambda n, noise, seed: moons(n, noise=noise, seed=seed),
    "noisy half-plane": _halfplane,
    "plane": _regression(_plane_value),
    "gaussians": _regression(_gaussians_value),
}
CLASSIFICATION, REGRESSION = "classification", "regression"
DATASET_KINDS = {name: REGRESSION if name in ("plane", "gaussians") else CLASSIFICATION
                 for name in DATASETS}
TARGET_INPUTS = (1, 2)    # a target function takes x₀ (a curve) or x₀, x₁ (a map)
PROBE_POINTS = 7          # check_target tries the target on a 7-point (7 × 7 in 2-D) grid


def make_data(name="moons", n=200, noise=0.1, seed=0, test_size=0.25):
    """The data set DATASETS[name], seeded, split into training and test parts.

    n:     total number of samples, an integer ≥ 8 (XOR: 4 · max(n // 4, 2)).
    noise: a standard deviation ≥ 0. Classification (DATASET_KINDS[name]): Gaussian noise on
           the inputs; for 'toy 1-D' relative to its input half-width 5, for 'noisy
           half-plane' on its 13 extra inputs only, and there at least 1e-3 (so those
           inputs are never all zero). Regression ('plane', 'gaussians', inputs uniform
           on [−1, 1]²): Gaussian noise added to the targets, y = f(x) + Normal(0, noise²).
    seed:  None (fresh randomness) or an integer ≥ 0, for the data and the split.
    Returns X (n_train, n_in), Y (n_train, 1), X_test, Y_test, all float64; Y in {0, 1}
    for classification (the split stratified by class), real for regression.
    An unknown name raises ValueError listing the valid ones.
    """
    name = choice("data set", name, DATASETS)
    n, noise, seed = _check_n_noise_seed(n, noise, seed)
    X, Y = DATASETS[name](n, noise, seed)
    X_train, X_test, Y_train, Y_test = train_test_split(
        X, Y, test_size=test_size, seed=seed, stratify=DATASET_KINDS[name] == CLASSIFICATION)
    return X_train, Y_train, X_test, Y_test


# -- input features, as TensorFlow Playground offers them, of 2-D points X (N, 2) ---------
FEATURES = {   # name: (label, the column it makes from X)
    "x0": ("x₀", lambda X: X[:, 0]),
    "x1": ("x₁", lambda X: X[:, 1]),
    "x0^2": ("x₀²", lambda X: X[:, 0] ** 2),
    "x1^2": ("x₁²", lambda X: X[:, 1] ** 2),
    "x0*x1": ("x₀x₁", lambda X: X[:, 0] * X[:, 1]),
    "sin x0": ("sin x₀", lambda X: np.sin(X[:, 0])),
    "sin x1": ("sin x₁", lambda X: np.sin(X[:, 1])),
}
DEFAULT_FEATURES = ("x0", "x1")   # the points as they are


def check_features(features):
    """`features` as a tuple of FEATURES names in FEATURES' order (the network's input
    order), or a TypeError/ValueError naming features: not a sequence of names, an unknown
    or repeated name, or none at all."""
    if isinstance(features, (str, bytes)) or not hasattr(features, "__iter__"):
        raise TypeError(f"features must be a sequence of feature names like ('x0', 'x1') "
                        f"(one feature: ('x0^2',)), got {features!r}")
    names = list(features)
    for name in names:
        choice("feature", name, FEATURES)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"features must name each feature once, got {repeated} more than once")
    if not names:
        raise ValueError(f"features must name at least one of {', '.join(map(repr, FEATURES))}, "
                         "got none: the network needs an input")
    return tuple(name for name in FEATURES if name in names)


def feature_matrix(X, features=DEFAULT_FEATURES):
    """The chosen features of 2-D points X (N, 2), one column each in FEATURES' order:
    (N, len(features)). ('x0', 'x1') gives X itself."""
    X = matrix("X", X, n_cols=2, what="inputs (features are made from points (x₀, x₁))")
    return np.column_stack([FEATURES[name][1](X) for name in check_features(features)])


def _check_n_noise_seed(n, noise, seed):
    """n, noise and seed as make_data and target_data take them, or an error naming one."""
    n = positive("n", n, integer=True)
    if n < 8:  # below this a stratified split of two classes often has no room
        raise ValueError(f"n must be an integer ≥ 8 (enough samples for a stratified "
                         f"training/test split), got {n}")
    return n, nonnegative("noise", noise), check_seed(seed, below=SKLEARN_SEEDS)


def check_target(target, target_inputs=2):
    """`target` if it is a function that maps X (N, target_inputs) to N finite real values,
    (N,) or (N, 1), tried on a grid of PROBE_POINTS per input over [−1, 1]; else a
    TypeError or ValueError that names target, says what it got and what was expected."""
    inputs = target_inputs
    if isinstance(inputs, bool) or not isinstance(inputs, (int, np.integer)) \
            or inputs not in TARGET_INPUTS:
        raise ValueError(f"target_inputs must be 1 (a curve y = f(x₀)) or 2 (a map "
                         f"y = f(x₀, x₁)), got {inputs!r}")
    if not callable(target):
        raise TypeError(f"target must be a function of X (N, {inputs}) returning N values, "
                        f"like lambda X: X[:, 0] * X[:, 1]; got {target!r} "
                        f"({type(target).__name__})")
    axis = np.linspace(-1.0, 1.0, PROBE_POINTS)
    probe = np.stack(np.meshgrid(*[axis] * inputs), axis=-1).reshape(-1, inputs)
    target_values(target, probe)
    return target


def target_values(target, X):
    """target(X) as (N, 1) float64, or a ValueError/TypeError naming target: it raised,
    or gave the wrong shape, non-numbers, NaN or inf."""
    expected = (f"N = {len(X)} finite real numbers, shape ({len(X)},) or ({len(X)}, 1), for "
                f"X of shape {X.shape}")
    try:
        values = target(X.copy())
    except Exception as exc:   # the student's code: say where the error came from
        raise ValueError(f"target(X) raised {type(exc).__name__}: {exc} (X of shape "
                         f"{X.shape}, values in [−1, 1]; target should return {expected})"
                         ) from exc
    try:
        values = real_array("target(X)", values)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"target must return {expected}; {exc}") from None
    if values.shape not in ((len(X),), (len(X), 1)):
        raise ValueError(f"target must return {expected}; got shape {values.shape}"
                         + (" (one number for all rows: return one per row, e.g. np.full(len(X), 1.0))"
                            if values.ndim == 0 else ""))
    if not np.isfinite(values).all():
        raise ValueError(f"target must return {expected}; got NaN or inf at x = "
                         f"{X[~np.isfinite(values.reshape(-1))][0].tolist()}")
    return values.reshape(-1, 1)


def target_data(target, n=200, noise=0.1, seed=0, test_size=0.25, target_inputs=2):
    """A regression set from any function: X (n, target_inputs) uniform on [−1, 1] in each
    input and
    Y = target(X) + Normal(0, noise²) (noise a standard deviation ≥ 0), split at random
    into training and test parts. target: X (N, target_inputs) -> (N,) or (N, 1) finite
    values (see check_target); n an integer ≥ 8; seed None or an integer ≥ 0.
    Returns X (n_train, target_inputs), Y (n_train, 1), X_test, Y_test."""
    inputs = target_inputs
    check_target(target, inputs)
    n, noise, seed = _check_n_noise_seed(n, noise, seed)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, inputs))
    Y = target_values(target, X) + rng.normal(0.0, 1.0, size=(n, 1)) * noise
    X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=test_size, seed=seed,
                                                        stratify=False)
    return X_train, Y_train, X_test, Y_test
