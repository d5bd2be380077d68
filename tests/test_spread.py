"""over_seeds and Spread: against Python's statistics module and SciPy's Wilson interval."""

import statistics

import numpy as np
import pytest
from scipy.stats import binomtest

import nnlib
from nnlib.spread import Spread, over_seeds


def noisy(seed):
    return float(np.random.default_rng(seed).normal(0.9, 0.05))


def test_summary_numbers_match_the_statistics_module():
    spread = over_seeds(noisy, range(7))
    values = [noisy(s) for s in range(7)]
    assert spread.values.tolist() == values and spread.seeds.tolist() == list(range(7))
    assert spread.mean == pytest.approx(statistics.fmean(values), rel=1e-12)
    assert spread.sd == pytest.approx(statistics.stdev(values), rel=1e-12)
    assert (spread.min, spread.max) == (min(values), max(values))
    assert spread.n == 7 and not spread.is_rate


def test_each_seed_is_passed_once_in_order():
    calls = []
    over_seeds(lambda s: calls.append(s) or 1.0, [4, 0, 9])
    assert calls == [4, 0, 9]


def test_one_run_has_no_spread():
    spread = over_seeds(lambda s: 2.5, [3])
    assert (spread.mean, spread.sd, spread.min, spread.max) == (2.5, 0.0, 2.5, 2.5)


def test_format_applies_the_spec_to_every_number():
    spread = Spread(np.array([0.96, 0.97, 0.98]), np.arange(3))
    assert f"{spread:.1%}" == "97.0% ± 1.0% (min 96.0%, max 98.0%; 3 seeds)"
    assert str(spread) == "0.97 ± 0.01 (min 0.96, max 0.98; 3 seeds)"


@pytest.mark.parametrize("k, n", [(0, 30), (1, 30), (23, 30), (30, 30), (5, 8)])
def test_a_success_rate_gets_the_wilson_interval(k, n):
    outcomes = [i < k for i in range(n)]
    spread = over_seeds(lambda s: outcomes[s], range(n))
    assert spread.is_rate and spread.mean == pytest.approx(k / n)
    reference = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = spread.interval()
    assert low == pytest.approx(reference.low, abs=1e-12)
    assert high == pytest.approx(reference.high, abs=1e-12)
    assert f"of {n} seeds" in str(spread) and "95% interval" in str(spread)


def test_the_wilson_interval_is_wider_for_fewer_runs():
    few = over_seeds(lambda s: s % 2 == 0, range(10)).interval()
    many = over_seeds(lambda s: s % 2 == 0, range(100)).interval()
    assert few[0] < many[0] < 0.5 < many[1] < few[1]


def test_dict_results_give_one_spread_per_name():
    spreads = over_seeds(lambda s: {"adam": s + 0.5, "won": s % 2 == 0}, range(4))
    assert list(spreads) == ["adam", "won"]
    assert spreads["adam"].values.tolist() == [0.5, 1.5, 2.5, 3.5]
    assert spreads["won"].values.tolist() == [True, False, True, False]


def test_numpy_scalars_are_numbers():
    spread = over_seeds(lambda s: np.float32(s) + np.array(1.0), range(3))
    assert spread.values.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("run, seeds, error, words", [
    (None, range(3), TypeError, "run must be a function"),
    ("noisy", range(3), TypeError, "run must be a function"),
    (noisy, 5, TypeError, "seeds must be a sequence"),
    (noisy, "012", TypeError, "seeds must be a sequence"),
    (noisy, [], ValueError, "at least one"),
    (noisy, [1, 1], ValueError, "distinct"),
    (noisy, [-1], ValueError, "each seed must be"),
    (noisy, [0.5], TypeError, "each seed must be"),
    (lambda s: float("nan"), [0], ValueError, r"run\(seed=0\) returned nan"),
    (lambda s: float("inf"), [0], ValueError, "expected a finite number"),
    (lambda s: "0.9", [0], TypeError, "expected one real number"),
    (lambda s: 1 + 1j, [0], TypeError, "expected one real number"),
    (lambda s: np.ones(2), [0], TypeError, "expected one real number"),
    (lambda s: None, [0], TypeError, "expected one real number"),
    (lambda s: True if s else 0.5, [0, 1], TypeError, "one kind"),
    (lambda s: {"a": 1.0} if s else {"b": 1.0}, [0, 1], ValueError, "same"),
    (lambda s: {"a": 1.0} if s else 1.0, [0, 1], TypeError, r"run\(seed=1\) returned \{'a'"),
    (lambda s: {"a": float("nan")}, [0], ValueError, r"run\(seed=0\)\['a'\] returned nan"),
])
def test_bad_input_gets_an_error_that_names_it(run, seeds, error, words):
    with pytest.raises(error, match=words):
        over_seeds(run, seeds)


def test_interval_is_refused_for_numbers():
    with pytest.raises(TypeError, match="yes/no"):
        over_seeds(noisy, range(3)).interval()


def test_exported_from_the_package():
    assert nnlib.over_seeds is over_seeds and nnlib.Spread is Spread
