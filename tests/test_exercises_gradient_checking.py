"""Lesson 03 checkers: the references agree with independent computations (plain loops,
a minimiser, nnlib), and every right, wrong and unfinished answer gets the right verdict,
with the slip named and a wrong answer's difference reported relative to the reference's
largest entry (core.how_far)."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import nnlib
from nnlib.exercises import gradient_checking as checkers
from nnlib.exercises.gradient_checking import (
    BEST_EPS_SLIPS,
    EXERCISES,
    GROUP_ERRORS_SLIPS,
    NO_ABS,
    check_best_eps,
    check_group_errors,
    reference_best_eps,
    reference_group_errors,
)


def stub(*args):
    raise NotImplementedError


def test_exercises_are_listed_in_lesson_order():
    assert list(EXERCISES) == ["best_eps", "group_errors"]
    assert EXERCISES["best_eps"] is check_best_eps
    assert EXERCISES["group_errors"] is check_group_errors


# -- Exercise 1: best_eps --------------------------------------------------------------------

def modelled_error(eps, f, f3, u=checkers.U):
    return abs(f3) * eps ** 2 / 6 + u * abs(f) / eps


@pytest.mark.parametrize("f, f3", [(1.0, 1.0), (-0.3, 20.0), (5.0, -0.01)])
def test_best_eps_reference_minimises_the_modelled_error(f, f3):
    found = minimize_scalar(lambda log_eps: modelled_error(10.0 ** log_eps, f, f3),
                            bounds=(-12, 0), method="bounded", options={"xatol": 1e-10})
    assert reference_best_eps(f, f3) == pytest.approx(10.0 ** found.x, rel=1e-4)


def test_best_eps_reference_is_near_the_measured_valley_for_exp():
    """For exp at 0 (f = f‴ = 1) the measured error of centred differences is lowest within
    a factor 10 of the predicted ε."""
    eps = np.logspace(-9, -2, 141)
    error = np.abs((np.exp(eps) - np.exp(-eps)) / (2 * eps) - 1.0)
    best = eps[np.argmin(error)]
    assert reference_best_eps(1.0, 1.0) / 10 < best < 10 * reference_best_eps(1.0, 1.0)


def test_best_eps_checker_accepts_right_answers():
    assert check_best_eps(reference_best_eps)
    assert check_best_eps(lambda f, f3, u: (3 * u * abs(f) / abs(f3)) ** (1 / 3))
    assert check_best_eps(lambda f, f3, u: np.exp(np.log(3 * u * abs(f / f3)) / 3))


def test_best_eps_checker_names_each_slip():
    for slip, wrong in BEST_EPS_SLIPS.items():
        verdict = check_best_eps(wrong)
        assert verdict.status == "wrong values" and verdict.slip == slip, (slip, verdict)
        assert "the reference's largest entry" in verdict.message and slip in verdict.message
    for no_abs in (lambda f, f3, u: np.cbrt(3 * u * f / f3),          # a negative ε
                   lambda f, f3, u: (3 * u * f / f3) ** (1 / 3),        # a complex one
                   lambda f, f3, u: np.float64(3 * u * f / f3) ** (1 / 3)):   # nan
        verdict = check_best_eps(no_abs)
        assert not verdict and verdict.slip == NO_ABS, verdict


def test_best_eps_checker_other_verdicts():
    assert check_best_eps(stub).status == "not implemented"
    assert check_best_eps(lambda f, f3, u: None).status == "not implemented"
    assert check_best_eps(lambda f, f3, u: 1 / 0).status == "error"
    unknown = check_best_eps(lambda f, f3, u: 2 * reference_best_eps(f, f3, u))
    assert unknown.status == "wrong values" and unknown.slip is None
    assert "the largest difference is 1 times the reference's largest entry" in unknown.message


def test_best_eps_slips_differ_from_the_reference_on_the_drawn_inputs():
    rng = np.random.default_rng(0)          # the checker's seed
    for _ in range(5):
        args = checkers._values(rng)
        assert args[0] * args[1] < 0        # opposite signs: a formula without |·| fails
        right = reference_best_eps(*args)
        for slip, wrong in BEST_EPS_SLIPS.items():
            assert abs(wrong(*args) - right) > 1e-3 * right, slip


# -- Exercise 2: group_errors ---------------------------------------------------------------

def group_errors_by_loop(analytic, numeric, sizes):
    """The per-group relative error written out with a running offset."""
    errors, start = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        for count in (n_out * n_in, n_out):
            a, b = analytic[start:start + count], numeric[start:start + count]
            errors.append(np.sqrt(np.sum((a - b) ** 2))
                          / (np.sqrt(np.sum(a ** 2)) + np.sqrt(np.sum(b ** 2))))
            start += count
    assert start == len(analytic)
    return errors


def test_group_errors_reference_matches_a_loop_and_nnlib_on_the_lesson_layout():
    rng = np.random.default_rng(3)
    sizes = [2, 3, 3, 1]
    a, b = rng.normal(size=25), rng.normal(size=25)
    got = reference_group_errors(a, b, sizes)
    assert np.allclose(got, group_errors_by_loop(a, b, sizes), rtol=1e-12)
    offsets = [0, 6, 9, 18, 21, 24, 25]              # W0:6 b0:3 W1:9 b1:3 W2:3 b2:1
    assert np.allclose(got, [nnlib.relative_error(a[i:j], b[i:j])
                             for i, j in zip(offsets[:-1], offsets[1:])], rtol=1e-12)


def test_group_errors_checker_accepts_right_answers():
    assert check_group_errors(reference_group_errors)
    assert check_group_errors(group_errors_by_loop)          # a list is fine too


def test_group_errors_checker_names_each_slip():
    for slip, wrong in GROUP_ERRORS_SLIPS.items():
        verdict = check_group_errors(wrong)
        assert not verdict and verdict.slip == slip, (slip, verdict)
        assert "the reference's largest entry" in verdict.message


def test_group_errors_checker_other_verdicts():
    assert check_group_errors(stub).status == "not implemented"
    only_weights = check_group_errors(lambda a, b, sizes: reference_group_errors(a, b, sizes)[0::2])
    assert only_weights.status == "wrong shape"


def test_group_errors_slips_differ_from_the_reference_on_the_drawn_inputs():
    rng = np.random.default_rng(0)                   # the checker's seed
    for _ in range(5):
        args = checkers._group_inputs(rng)
        right = reference_group_errors(*args)
        for slip, wrong in GROUP_ERRORS_SLIPS.items():
            assert not np.allclose(wrong(*args), right, rtol=1e-3), slip
