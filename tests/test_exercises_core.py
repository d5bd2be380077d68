import sys

import numpy as np
import pytest

from nnlib.exercises import Verdict, check, lesson_exercises, lessons
from nnlib.exercises.core import TRANSPOSED, compare


def reference(A, W):
    return A @ W.T


def make_inputs(rng):
    return rng.normal(size=(4, 3)), rng.normal(size=(2, 3))


def verdict_of(candidate):
    return check(candidate, reference, make_inputs, name="layer")


def test_correct_solution():
    verdict = verdict_of(lambda A, W: np.einsum("nk,jk->nj", A, W))
    assert verdict and verdict.status == "correct" and "correct" in repr(verdict)


def test_not_implemented_stub_and_missing_return():
    def stub(A, W):
        raise NotImplementedError

    def forgot_return(A, W):
        A @ W.T

    assert verdict_of(stub).status == "not implemented"
    assert "not implemented yet" in repr(verdict_of(stub))
    assert "return" in repr(verdict_of(forgot_return))


def test_wrong_shape_and_wrong_values():
    shape = verdict_of(lambda A, W: (A @ W.T).T)
    assert shape.status == "wrong shape" and "(2, 4)" in repr(shape) and "(4, 2)" in repr(shape)
    values = verdict_of(lambda A, W: A @ W.T + 0.5)
    assert values.status == "wrong values" and values.max_difference == np.float64(0.5)
    assert not values


@pytest.mark.parametrize("wrong, words", [
    (lambda A, W: (A @ W.T).astype(str), ["returned text", "expected real numbers"]),
    (lambda A, W: (A @ W.T).tolist() and [[str(v) for v in row] for row in A @ W.T],
     ["returned text"]),
    (lambda A, W: A @ W.T + 1j, ["returned complex numbers", "expected real numbers"]),
    (lambda A, W: [[complex(v) for v in row] for row in A @ W.T], ["returned complex numbers"]),
])
def test_right_numbers_as_text_or_complex_are_wrong_and_say_why(wrong, words):
    # np.asarray(got, dtype=float) parsed the text and dropped the 1j: both were "correct"
    verdict = verdict_of(wrong)
    assert not verdict and verdict.status == "wrong values"
    for word in words:
        assert word in repr(verdict)


@pytest.mark.parametrize("got, expected, words", [
    ([1.0, np.inf, 3.0], [1.0, np.inf, 4.0], "the largest difference is 25 % of"),  # inf agrees
    ([1.0, np.inf, 3.0], [1.0, 2.0, 3.0], "inf or nan where the reference is finite (1 of 3"),
    ([1.0, 2.0, 3.0], [1.0, np.inf, 3.0], "a finite number where the reference is inf or nan"),
    ([1.0, -np.inf, 3.0], [1.0, np.inf, 3.0], "inf or nan of another kind"),
    ([np.nan, 2.0], [np.nan, 3.0], "the largest difference is 33.3 % of")])
def test_wrong_values_are_measured_where_both_are_finite_and_inf_where_they_differ(got, expected,
                                                                                     words):
    verdict = compare("f", np.array(got), np.array(expected), 1e-6, 1e-9)
    assert verdict.status == "wrong values" and words in verdict.message, verdict.message


def test_errors_in_learner_code_are_reported_not_raised():
    verdict = verdict_of(lambda A, W: A @ W)
    assert verdict.status == "error" and "ValueError" in repr(verdict)


def test_a_function_that_changes_its_inputs_is_told_so_and_cannot_spoil_the_reference():
    def destructive(A, W):
        result = A @ W.T
        A[:] = 0.0
        return result

    verdict = verdict_of(destructive)
    assert verdict.status == "changed inputs" and verdict.slip == "it changed its inputs"
    assert "`A`" in repr(verdict) and not verdict


def test_a_transposed_result_is_named_whether_or_not_its_shape_shows_it():
    verdict = verdict_of(lambda A, W: (A @ W.T).T)
    assert verdict.status == "wrong shape" and verdict.slip == TRANSPOSED

    def square(rng):
        return rng.normal(size=(3, 3)), rng.normal(size=(3, 3))

    verdict = check(lambda A, W: W @ A.T, reference, square)
    assert verdict.status == "wrong values" and verdict.slip == TRANSPOSED
    assert "transpose" in repr(verdict)


def test_listed_slips_are_named_and_only_when_they_match():
    slips = {"the product is doubled": lambda A, W: 2 * (A @ W.T),
             "W is left out": lambda A, W: A.sum(axis=1, keepdims=True) * np.ones(2)}
    doubled = check(lambda A, W: A @ W.T * 2, reference, make_inputs, slips=slips)
    assert doubled.status == "wrong values" and doubled.slip == "the product is doubled"
    assert repr(doubled).endswith("It looks like the product is doubled.")
    other = check(lambda A, W: A @ W.T * 3, reference, make_inputs, slips=slips)
    assert other.status == "wrong values" and other.slip is None
    assert check(reference, reference, make_inputs, slips=slips).slip is None


def test_a_slip_that_cannot_apply_is_skipped():
    def crashes(A, W):
        raise ValueError("not for these inputs")

    verdict = check(lambda A, W: A @ W.T + 1, reference, make_inputs, slips={"crash": crashes})
    assert verdict.status == "wrong values" and verdict.slip is None


def test_a_verdict_refuses_an_unknown_status():
    with pytest.raises(ValueError, match="status must be one of"):
        Verdict("almost", "close")


def test_tuples_of_results():
    def ref(A, W):
        return A @ W.T, A.sum()

    assert check(lambda A, W: (A @ W.T, A.sum()), ref, make_inputs)
    assert check(lambda A, W: A @ W.T, ref, make_inputs).status == "wrong shape"


ALL_CHECKERS = [(lesson, name, checker) for lesson in lessons()
                for name, checker in lesson_exercises(lesson).items()]


def stub(*args, **kwargs):
    raise NotImplementedError


class RaisingArray:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("__array__ refuses")


class RaisingFloat:
    def __float__(self):
        raise RuntimeError("__float__ refuses")


class RaisingLen:
    def __len__(self):
        raise RuntimeError("__len__ refuses")

    def __getitem__(self, index):
        raise RuntimeError("__getitem__ refuses")


JUNK = ("a string", [[1, 2], [3]], float("nan"), 2**2000, (2**2000,) * 3, [2**2000] * 3,
        RaisingArray(), RaisingFloat(), RaisingLen(), (RaisingFloat(),) * 3)


@pytest.mark.parametrize("lesson, name, checker", ALL_CHECKERS,
                         ids=[f"{lesson}-{name}" for lesson, name, _ in ALL_CHECKERS])
def test_every_checker_knows_a_stub_and_survives_junk(lesson, name, checker):
    assert checker(stub).status == "not implemented"
    # (a function that updates its arguments in place returns None: it did nothing)
    assert checker(lambda *args, **kwargs: None).status in ("not implemented", "not in place")
    for junk in JUNK:   # a checker never raises, whatever it is given back
        verdict = checker(lambda *args, junk=junk, **kwargs: junk)
        assert not verdict and verdict.status in ("wrong shape", "wrong values", "error",
                                                  "not in place"), (junk, verdict)
    verdict = checker(lambda *args, **kwargs: 1 / 0)
    assert verdict.status == "error" and "ZeroDivisionError" in repr(verdict)
    verdict = checker(lambda *args, **kwargs: sys.exit(3))   # exit() stops no grading run
    assert verdict.status == "error" and "SystemExit" in repr(verdict)


def test_arrays_inside_lists_are_copied_and_watched_too():
    def listed(rng):
        return [rng.normal(size=(4, 3)), rng.normal(size=(2, 3))], 2.0

    def scaled_sum(arrays, c):
        return c * sum(a.sum() for a in arrays)

    def edits_the_list(arrays, c):
        arrays[0] *= 0.0
        return scaled_sum(arrays, c)

    assert check(scaled_sum, scaled_sum, listed)
    verdict = check(edits_the_list, scaled_sum, listed)
    assert verdict.status == "changed inputs" and "`arrays`" in repr(verdict)
