import subprocess
import sys

import numpy as np
import pytest

from nnlib import data
from nnlib.data import DATASET_KINDS, DATASETS, check_target, make_data, target_data


def test_toy_1d():
    X, Y = data.toy_1d(n=11)
    assert X.shape == Y.shape == (11, 1) and X.dtype == np.float64
    assert X[0, 0] == -5.0 and X[-1, 0] == 5.0
    assert np.array_equal(Y[:, 0], np.where(X[:, 0] > 0, 1.0, -1.0))


def test_xor_truth_table():
    X, Y = data.xor()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert Y.ravel().tolist() == [0, 1, 1, 0]
    Xn, Yn = data.xor(noise=0.1, repeats=5, seed=0)
    assert Xn.shape == (20, 2) and Yn.shape == (20, 1)
    assert np.abs(Xn - np.tile(X, (5, 1))).max() < 0.5


@pytest.mark.parametrize("make", [data.circles, data.moons])
def test_sklearn_sets_are_seeded_float_columns(make):
    X1, Y1 = make(n=50, seed=3)
    X2, Y2 = make(n=50, seed=3)
    X3, _ = make(n=50, seed=4)
    assert X1.shape == (50, 2) and Y1.shape == (50, 1) and Y1.dtype == np.float64
    assert np.array_equal(X1, X2) and np.array_equal(Y1, Y2) and not np.array_equal(X1, X3)
    assert set(np.unique(Y1)) == {0.0, 1.0}


def test_noisy_halfplane():
    X, Y = data.noisy_halfplane(n=300, n_noise=13, noise=0.01, seed=0)
    assert X.shape == (300, 15) and Y.shape == (300, 1)
    assert np.array_equal(Y[:, 0], (X[:, 0] > 0).astype(float))
    assert np.abs(X[:, 2:]).max() < 0.1 and X[:, :2].std() > 0.5


def test_train_test_split_is_stratified_and_seeded():
    X, Y = data.noisy_halfplane(n=200, seed=1)
    Y[:40] = 1.0  # make the classes unbalanced
    X_train, X_test, Y_train, Y_test = data.train_test_split(X, Y, test_size=0.25, seed=0)
    assert len(X_train) == 150 and len(X_test) == 50
    assert abs(Y_test.mean() - Y.mean()) < 0.02 and abs(Y_train.mean() - Y.mean()) < 0.02
    again = data.train_test_split(X, Y, test_size=0.25, seed=0)
    assert np.array_equal(again[1], X_test)


# -- the registry of the bench's sets and make_data -----------------------------------
INPUTS = {"toy 1-D": 1, "XOR": 2, "circles": 2, "moons": 2, "noisy half-plane": 15,
          "plane": 2, "gaussians": 2}
TWO_CLASS = [name for name in DATASETS if DATASET_KINDS[name] == "classification"]


def test_the_registry_names_the_bench_data_sets():
    assert list(DATASETS) == list(INPUTS)
    assert {name for name, kind in DATASET_KINDS.items() if kind == "regression"} == \
        {"plane", "gaussians"}
    assert set(DATASET_KINDS) == set(DATASETS) and set(TWO_CLASS) == set(INPUTS) - {"plane",
                                                                                     "gaussians"}


@pytest.mark.parametrize("name", TWO_CLASS)
def test_make_data_shapes_labels_and_seeds(name):
    X, Y, X_test, Y_test = make_data(name, n=120, noise=0.1, seed=3)
    n_in = INPUTS[name]
    assert X.shape[1] == X_test.shape[1] == n_in and X.dtype == np.float64
    assert Y.shape == (len(X), 1) and Y_test.shape == (len(X_test), 1)
    assert set(np.unique(Y)) == set(np.unique(Y_test)) == {0.0, 1.0}  # both parts: both
    assert len(X) + len(X_test) == 120
    assert len(X_test) == pytest.approx(0.25 * 120, abs=1)
    again = make_data(name, n=120, noise=0.1, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip((X, Y, X_test, Y_test), again))
    other = make_data(name, n=120, noise=0.1, seed=4)
    assert not np.array_equal(X, other[0])


@pytest.mark.parametrize("name", list(DATASETS))
def test_make_data_splits_the_registry_set(name):
    X, Y = DATASETS[name](120, 0.1, 3)
    X_train, Y_train, X_test, Y_test = make_data(name, n=120, noise=0.1, seed=3)
    rows = {tuple(row) for row in np.hstack([X, Y])}
    assert rows == {tuple(row) for row in np.vstack([np.hstack([X_train, Y_train]),
                                                     np.hstack([X_test, Y_test])])}


def test_registry_sets_against_their_definitions():
    X, Y = DATASETS["toy 1-D"](50, 0.0, 0)  # no noise: the label is the sign of x
    np.testing.assert_array_equal(Y[:, 0], (X[:, 0] > 0).astype(float))
    X, Y = DATASETS["XOR"](20, 0.0, 0)     # 5 copies of the truth table
    np.testing.assert_array_equal(X, np.tile(data.xor()[0], (5, 1)))
    np.testing.assert_array_equal(Y[:, 0], np.logical_xor(X[:, 0], X[:, 1]))
    X, Y = DATASETS["noisy half-plane"](200, 0.0, 0)
    np.testing.assert_array_equal(Y[:, 0], (X[:, 0] > 0).astype(float))
    assert 0 < np.abs(X[:, 2:]).max() < 0.01  # noise 0 still spreads the extra inputs a bit


def test_make_data_rejects_unknown_names_listing_the_valid_ones():
    with pytest.raises(ValueError, match="'spirals'") as error:
        make_data("spirals")
    assert all(repr(name) in str(error.value) for name in DATASETS)


def test_importing_nnlib_does_not_load_scikit_learn():
    code = "import sys, nnlib.data; assert 'sklearn' not in sys.modules, 'sklearn loaded'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_digits_are_scikit_learns_scaled_with_one_hot_targets():
    from sklearn.datasets import load_digits

    X, Y = data.digits()
    images = load_digits()
    assert X.shape == (1797, 64) and Y.shape == (1797, 10) and X.dtype == np.float64
    assert np.array_equal(X * 16.0, images.data) and 0.0 <= X.min() and X.max() == 1.0
    assert np.array_equal(Y.argmax(axis=1), images.target) and np.array_equal(Y.sum(axis=1), np.ones(1797))


# -- regression: Playground's plane and gaussians, and any target function ---------------
def bumps(X):
    """Playground's six cones, written out from its ±6 square and scaled by 1/6 here: the
    cone of sign s at c has height s and reaches 0 at distance 2/6 (they never overlap)."""
    centres = np.array([[-4, 2.5], [0, 2.5], [4, 2.5], [-4, -2.5], [0, -2.5], [4, -2.5]]) / 6
    signs = np.array([1, -1, 1, -1, 1, -1])
    distances = np.linalg.norm(X[:, None, :] - centres[None], axis=2)       # (N, 6)
    heights = signs * np.clip(1 - distances / (2 / 6), 0, None)
    strongest = np.abs(heights).argmax(axis=1)              # Playground keeps the largest |·|
    return heights[np.arange(len(X)), strongest]


@pytest.mark.parametrize("name, formula", [
    ("plane", lambda X: (X[:, 0] + X[:, 1]) / 2),
    ("gaussians", bumps),
])
def test_regression_sets_against_their_formulas(name, formula):
    X, Y = DATASETS[name](400, 0.0, 5)
    assert X.shape == (400, 2) and Y.shape == (400, 1)
    assert -1 <= X.min() and X.max() <= 1 and X.min() < -0.9 and X.max() > 0.9   # [−1, 1]²
    np.testing.assert_allclose(Y[:, 0], formula(X), atol=1e-12)
    assert np.abs(Y).max() <= 1
    if name == "gaussians":     # every bump is sampled, both signs
        assert Y.max() > 0.5 and Y.min() < -0.5 and (Y == 0).mean() > 0.3
    # noise σ: added to the targets only, the inputs stay where they were
    noisy_X, noisy_Y = DATASETS[name](4000, 0.2, 5)
    residual = noisy_Y[:, 0] - formula(noisy_X)
    assert np.array_equal(noisy_X, DATASETS[name](4000, 0.0, 5)[0])
    assert abs(residual.mean()) < 0.02 and residual.std() == pytest.approx(0.2, rel=0.05)


@pytest.mark.parametrize("name", ["plane", "gaussians"])
def test_make_data_splits_a_regression_set_at_random_keeping_real_targets(name):
    X, Y, X_test, Y_test = make_data(name, n=120, noise=0.1, seed=3)
    assert (len(X), len(X_test)) == (90, 30) and Y.shape == (90, 1)
    assert len(np.unique(Y)) == 90              # real values, not two classes
    whole = DATASETS[name](120, 0.1, 3)
    assert {tuple(r) for r in np.hstack(whole)} == {tuple(r) for r in np.vstack(
        [np.hstack([X, Y]), np.hstack([X_test, Y_test])])}


def product(X):
    return X[:, 0] * X[:, 1]


@pytest.mark.parametrize("shape", ["(N,)", "(N, 1)"])
def test_target_data_is_the_target_plus_gaussian_noise_on_uniform_inputs(shape):
    target = product if shape == "(N,)" else (lambda X: product(X).reshape(-1, 1))
    X, Y, X_test, Y_test = target_data(target, n=200, noise=0.0, seed=1)
    assert X.shape == (150, 2) and Y.shape == (150, 1) and X_test.shape == (50, 2)
    np.testing.assert_array_equal(Y[:, 0], X[:, 0] * X[:, 1])          # no noise: exactly
    np.testing.assert_array_equal(Y_test[:, 0], X_test[:, 0] * X_test[:, 1])
    both = np.vstack([X, X_test])
    assert -1 <= both.min() and both.max() <= 1
    X, Y, X_test, Y_test = target_data(target, n=4000, noise=0.3, seed=2)
    residual = np.concatenate([Y - product(X)[:, None], Y_test - product(X_test)[:, None]])
    assert abs(residual.mean()) < 0.03 and residual.std() == pytest.approx(0.3, rel=0.05)
    again = target_data(target, n=4000, noise=0.3, seed=2)
    assert np.array_equal(again[1], Y) and not np.array_equal(
        target_data(target, n=4000, noise=0.3, seed=3)[0], X)


def test_a_one_input_target_gets_one_input():
    X, Y, _, _ = target_data(lambda X: np.sin(3 * X[:, 0]), n=40, noise=0.0, seed=0,
                             target_inputs=1)
    assert X.shape == (30, 1) and np.array_equal(Y[:, 0], np.sin(3 * X[:, 0]))


@pytest.mark.parametrize("target, error, words", [
    (3.0, TypeError, ["target must be a function", "3.0", "float"]),
    (lambda X: 1.0, ValueError, ["target must return", "shape ()", "np.full"]),
    (lambda X: X, ValueError, ["target must return", "(49,) or (49, 1)", "shape (49, 2)"]),
    (lambda X: X[:3, 0], ValueError, ["target must return", "shape (3,)"]),
    (lambda X: np.log(X[:, 0] + 1), ValueError, ["target must return", "NaN or inf",
                                                 "x = [-1.0, -1.0]"]),
    (lambda X: X[:, 2], ValueError, ["target(X) raised IndexError", "shape (49, 2)"]),
    (lambda X: X[:, 0] + 1j, TypeError, ["target must return", "complex"]),
    (lambda X: ["a"] * len(X), TypeError, ["target must return", "dtype <U1"]),
])
def test_a_bad_target_is_refused_naming_target(target, error, words):
    with np.errstate(all="ignore"), pytest.raises(error) as refused:
        check_target(target)
    assert all(word in str(refused.value) for word in words), str(refused.value)
    with np.errstate(all="ignore"), pytest.raises(error):
        target_data(target, n=20)


@pytest.mark.parametrize("inputs", [0, 3, 2.0, True, "2"])
def test_target_inputs_is_1_or_2(inputs):
    with pytest.raises(ValueError, match=f"target_inputs must be 1 .* or 2 .*got {inputs!r}"):
        check_target(product, inputs)


# -- input features of 2-D points, as Playground's -------------------------------------------
def test_feature_matrix_makes_each_feature_from_the_points():
    X = np.array([[0.5, -2.0], [3.0, 0.25], [-1.0, 1.0]])
    x0, x1 = X[:, 0], X[:, 1]
    every = data.feature_matrix(X, ["sin x1", "x0", "x0*x1", "x1^2", "x1", "sin x0", "x0^2"])
    # columns in FEATURES' order, whatever the order asked
    expected = np.column_stack([x0, x1, x0 ** 2, x1 ** 2, x0 * x1, np.sin(x0), np.sin(x1)])
    np.testing.assert_array_equal(every, expected)
    assert list(data.FEATURES) == ["x0", "x1", "x0^2", "x1^2", "x0*x1", "sin x0", "sin x1"]
    np.testing.assert_array_equal(data.feature_matrix(X), X)          # default: x₀, x₁
    np.testing.assert_array_equal(data.feature_matrix(X, ("x0^2",)), x0[:, None] ** 2)


@pytest.mark.parametrize("features, error, words", [
    ("x0", TypeError, ["features must be a sequence", "'x0'"]),
    ([], ValueError, ["at least one", "got none"]),
    (["x0", "x2"], ValueError, ["unknown feature 'x2'", "'x0^2'"]),
    (["x0", "x0"], ValueError, ["once", "['x0']"]),
])
def test_bad_features_are_refused_naming_them(features, error, words):
    with pytest.raises(error) as refused:
        data.feature_matrix(np.zeros((3, 2)), features)
    assert all(word in str(refused.value) for word in words), str(refused.value)


def test_features_need_points_with_two_inputs():
    with pytest.raises(ValueError, match=r"X has 1 inputs \(features are made from points"):
        data.feature_matrix(np.zeros((3, 1)))
