import subprocess
import sys

import numpy as np
import pytest

from nnlib import data
from nnlib.data import DATASETS, make_data


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


# -- the registry of two-class sets and make_data -------------------------------------
INPUTS = {"toy 1-D": 1, "XOR": 2, "circles": 2, "moons": 2, "noisy half-plane": 15}


def test_the_registry_names_the_bench_data_sets():
    assert list(DATASETS) == list(INPUTS)


@pytest.mark.parametrize("name", list(DATASETS))
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
