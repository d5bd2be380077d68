"""nnlib.evaluation: McNemar's exact test against scipy.stats.binomtest."""

import numpy as np
import pytest
from scipy.stats import binomtest

from nnlib.evaluation import mcnemar


def outcomes(both, only_a, only_b, neither, seed=0):
    """Shuffled right/wrong arrays with the given counts of each kind of sample."""
    a = np.array([True] * both + [True] * only_a + [False] * only_b + [False] * neither)
    b = np.array([True] * both + [False] * only_a + [True] * only_b + [False] * neither)
    order = np.random.default_rng(seed).permutation(a.size)
    return a[order], b[order]


@pytest.mark.parametrize("only_a, only_b", [(4, 2), (8, 1), (0, 7), (5, 5), (1, 0), (30, 12),
                                            (3, 4), (0, 1), (60, 41), (2, 11)])
def test_mcnemar_is_scipys_exact_binomial_test_on_the_discordant_samples(only_a, only_b):
    a, b = outcomes(300, only_a, only_b, 9, seed=only_a + only_b)
    got = mcnemar(a, b)
    assert got[:2] == (only_a, only_b) and all(isinstance(n, int) for n in got[:2])
    expected = binomtest(only_a, only_a + only_b, 0.5, alternative="two-sided").pvalue
    assert got[2] == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_mcnemar_ignores_the_samples_both_get_right_or_wrong():
    assert mcnemar(*outcomes(10, 6, 2, 0))[2] == mcnemar(*outcomes(900, 6, 2, 50))[2]


def test_mcnemar_is_symmetric_and_one_when_the_models_never_disagree():
    a, b = outcomes(50, 9, 3, 4)
    assert mcnemar(a, b)[2] == mcnemar(b, a)[2] and mcnemar(a, b)[:2] == mcnemar(b, a)[1::-1]
    assert mcnemar(a, a) == (0, 0, 1.0)


def test_mcnemar_by_hand():
    # k = 4, m = 2: 2 · (1 + 6 + 15) / 64 = 44/64
    assert mcnemar(*outcomes(100, 4, 2, 3)) == (4, 2, 44 / 64)


def test_with_five_disagreements_or_fewer_no_split_is_significant():
    # the lesson's claim: the most uneven split of k + m gives 2 / 2^(k + m), 0.0625 at 5
    for n in range(1, 6):
        assert min(mcnemar(*outcomes(50, k, n - k, 0))[2] for k in range(n + 1)) >= 0.0625
    assert mcnemar(*outcomes(50, 6, 0, 0))[2] == 2 / 64 < 0.05


@pytest.mark.parametrize("a, b, message", [
    (np.ones(5), np.ones(5, dtype=bool), "right_a must be a non-empty 1-D array of True/False"),
    (np.ones(5, dtype=bool), np.ones((5, 1), dtype=bool), "right_b must be a non-empty 1-D"),
    (np.ones(5, dtype=bool), np.ones(4, dtype=bool), "must score the same samples"),
    (np.ones(0, dtype=bool), np.ones(0, dtype=bool), "non-empty"),
])
def test_mcnemar_refuses_what_is_not_two_equal_right_or_wrong_arrays(a, b, message):
    with pytest.raises(ValueError, match=message):
        mcnemar(a, b)
