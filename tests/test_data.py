import numpy as np
import pytest

from nnlib import data


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
