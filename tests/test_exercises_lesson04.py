"""Checkers of lesson 04: the references agree with independent computations (nnlib's
FlatWeights, Xavier init and Adam), and right, wrong and unfinished answers get the right
verdict, with the slip named."""

import numpy as np
import pytest

import nnlib
from nnlib.exercises.core import TRANSPOSED
from nnlib.exercises.lesson04 import (
    ADAM_SLIPS,
    COPIES,
    EXERCISES,
    LAYER_VIEWS_SLIPS,
    REBOUND,
    SHAPE_LISTS,
    XAVIER_STD_SLIPS,
    check_adam_step,
    check_layer_views,
    check_xavier_std,
    reference_adam_step,
    reference_layer_views,
    reference_xavier_std,
)


def test_exercises_are_listed_in_lesson_order():
    assert list(EXERCISES) == ["layer_views", "xavier_std", "adam_step"]
    assert EXERCISES["adam_step"] is check_adam_step


# -- layer_views --------------------------------------------------------------------------
def solution_layer_views(flat, shapes):
    sizes = [int(np.prod(shape)) for shape in shapes]
    pieces = np.split(flat, np.cumsum(sizes)[:-1])
    return [piece.reshape(shape) for piece, shape in zip(pieces, shapes)]


def test_layer_views_reference_matches_flat_weights():
    for shapes in SHAPE_LISTS:
        weights = nnlib.FlatWeights(shapes)
        weights.flat[:] = np.arange(weights.flat.size, dtype=float)
        for got, want in zip(reference_layer_views(weights.flat, shapes), weights.views):
            assert got.shape == want.shape and np.array_equal(got, want)
            assert np.shares_memory(got, weights.flat)


def test_layer_views_accepts_the_solution():
    verdict = check_layer_views(solution_layer_views)
    assert verdict and verdict.status == "correct"
    assert "view" in repr(verdict)


def test_layer_views_refuses_copies_with_the_right_values():
    def copies(flat, shapes):
        return [view.copy() for view in solution_layer_views(flat, shapes)]

    def flattened_then_split(flat, shapes):
        return solution_layer_views(flat.flatten(), shapes)  # flatten() always copies

    def views_of_a_private_buffer(flat, shapes):
        buffer = np.concatenate([flat, [0.0]])       # a new array holding the same numbers
        return solution_layer_views(buffer[:-1], shapes)  # views, but of the wrong array

    for candidate in (copies, flattened_then_split, views_of_a_private_buffer):
        verdict = check_layer_views(candidate)
        assert verdict.status == "not in place" and verdict.slip == COPIES
        assert "copy" in repr(verdict) and "item 0" in repr(verdict)


def test_layer_views_writes_into_the_views_too():
    def read_only(flat, shapes):
        views = solution_layer_views(flat, shapes)
        for view in views:
            view.flags.writeable = False         # right values, follows flat, cannot write
        return views

    verdict = check_layer_views(read_only)
    assert verdict.status == "not in place" and "read-only" in repr(verdict)

    def as_strided_views(flat, shapes):
        return [np.lib.stride_tricks.as_strided(v) for v in solution_layer_views(flat, shapes)]

    assert check_layer_views(as_strided_views)   # views made another way are still views


def test_layer_views_names_the_wrong_order_and_the_missing_offsets():
    def column_by_column(flat, shapes):
        sizes = [int(np.prod(shape)) for shape in shapes]
        pieces = np.split(flat, np.cumsum(sizes)[:-1])
        return [piece.reshape(shape[::-1]).T for piece, shape in zip(pieces, shapes)]

    def every_piece_from_zero(flat, shapes):
        return [flat[:int(np.prod(shape))].reshape(shape) for shape in shapes]

    wrong = {
        "each piece is filled column by column (order=\"F\"), not row by row": column_by_column,
        "every piece starts at the beginning of flat (the offsets are not added up)":
            every_piece_from_zero,
    }
    assert set(wrong) == set(LAYER_VIEWS_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_layer_views(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, (slip, verdict)

    def reversed_order(flat, shapes):
        return solution_layer_views(flat[::-1], shapes)   # a view, but the wrong numbers

    verdict = check_layer_views(reversed_order)
    assert verdict.status == "wrong values" and verdict.slip is None
    assert "item 0" in repr(verdict)


def test_layer_views_wrong_shape():
    def transposed(flat, shapes):
        return [view.T for view in solution_layer_views(flat, shapes)]

    def one_too_few(flat, shapes):
        return solution_layer_views(flat, shapes)[:-1]

    verdict = check_layer_views(transposed)
    assert verdict.status == "wrong shape" and verdict.slip == TRANSPOSED
    assert "(2, 3)" in repr(verdict) and "(3, 2)" in repr(verdict)
    verdict = check_layer_views(one_too_few)
    assert verdict.status == "wrong shape" and "list of 4 arrays" in repr(verdict)
    assert check_layer_views(lambda flat, shapes: flat).status == "wrong shape"


def test_layer_views_changed_inputs_not_implemented_and_errors():
    def stub(flat, shapes):
        raise NotImplementedError

    def forgot_return(flat, shapes):
        solution_layer_views(flat, shapes)

    def crashes(flat, shapes):
        return [flat.reshape(shape) for shape in shapes]

    def zeroes_flat(flat, shapes):
        flat[:] = 0.0
        return solution_layer_views(flat, shapes)

    assert check_layer_views(stub).status == "not implemented"
    assert "not implemented yet" in repr(check_layer_views(stub))
    assert "return" in repr(check_layer_views(forgot_return))
    verdict = check_layer_views(crashes)
    assert verdict.status == "error" and "ValueError" in repr(verdict)
    assert check_layer_views(zeroes_flat).status == "changed inputs"


# -- xavier_std ----------------------------------------------------------------------------
def test_xavier_std_reference_matches_the_sample_std_of_xavier_weights():
    # The reference formula agrees with the spread of weights nnlib's Xavier init draws.
    net = nnlib.MLP([400, 300], init="xavier", seed=0)
    sample_std = net.Ws[0].std()
    assert abs(reference_xavier_std(400, 300) - sample_std) < 0.01 * sample_std
    assert check_xavier_std(lambda n_in, n_out: (2 / (n_in + n_out)) ** 0.5)


def test_xavier_std_checker_names_each_slip():
    wrong = {
        "only n_in is used (that is He's √(2 / n_in))": lambda n_in, n_out: (2 / n_in) ** 0.5,
        "only n_out is used": lambda n_in, n_out: (2 / n_out) ** 0.5,
        "the square root is missing (that is the variance)": lambda n_in, n_out: 2 / (n_in + n_out),
        "the square root is taken of the denominator only (2 / √(n_in + n_out))":
            lambda n_in, n_out: 2 / (n_in + n_out) ** 0.5,
        "the 2 is missing (√(1 / (n_in + n_out)))": lambda n_in, n_out: (n_in + n_out) ** -0.5,
    }
    assert set(wrong) == set(XAVIER_STD_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_xavier_std(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, (slip, verdict)


def test_xavier_std_wrong_shape_and_stub():
    shape = check_xavier_std(lambda n_in, n_out: np.full(2, np.sqrt(2 / (n_in + n_out))))
    assert shape.status == "wrong shape" and "(2,)" in repr(shape)
    unknown = check_xavier_std(lambda n_in, n_out: 3.0)
    assert unknown.status == "wrong values" and unknown.slip is None

    def stub(n_in, n_out):
        raise NotImplementedError

    assert check_xavier_std(stub).status == "not implemented"


# -- adam_step -----------------------------------------------------------------------------
def solution_adam_step(flat, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    flat -= lr * m_hat / (np.sqrt(v_hat) + eps)


def test_adam_reference_follows_a_hand_computed_first_step_and_nnlib():
    # At t = 1 the bias correction gives m̂ = g and v̂ = g², so the step is lr · g / (|g| + ε):
    # a move of almost exactly lr against the sign of every gradient entry.
    flat, grad = np.array([1.0, -2.0, 0.5]), np.array([0.3, -4.0, 1e-3])
    reference_adam_step(flat, grad, np.zeros(3), np.zeros(3), 1, lr=0.1)
    assert np.allclose(flat, [1.0 - 0.1, -2.0 + 0.1, 0.5 - 0.1 * 1e-3 / (1e-3 + 1e-8)])
    rng = np.random.default_rng(0)
    mine, theirs, adam = rng.normal(size=5), None, nnlib.optim.Adam(lr=0.02, beta1=0.8, beta2=0.99)
    theirs, m, v = mine.copy(), np.zeros(5), np.zeros(5)
    for t in range(1, 8):
        grad = rng.normal(size=5)
        reference_adam_step(mine, grad, m, v, t, 0.02, 0.8, 0.99, 1e-8)
        adam.step(theirs, grad)
        assert np.allclose(mine, theirs, rtol=1e-12, atol=1e-15)


def test_adam_step_checker_accepts_the_solution():
    verdict = check_adam_step(solution_adam_step)
    assert verdict and verdict.status == "correct"


def test_adam_step_checker_names_each_slip():
    def no_bias_correction(flat, grad, m, v, t, lr, beta1, beta2, eps):
        m[:] = beta1 * m + (1 - beta1) * grad
        v[:] = beta2 * v + (1 - beta2) * grad ** 2
        flat -= lr * m / (np.sqrt(v) + eps)

    def betas_swapped(flat, grad, m, v, t, lr, beta1, beta2, eps):
        solution_adam_step(flat, grad, m, v, t, lr, beta2, beta1, eps)

    def state_not_kept(flat, grad, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * grad            # rebinds the local names only
        v = beta2 * v + (1 - beta2) * grad ** 2
        flat -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)

    def t_from_zero(flat, grad, m, v, t, lr, beta1, beta2, eps):
        solution_adam_step(flat, grad, m, v, t - 1, lr, beta1, beta2, eps)

    def corrected_stored(flat, grad, m, v, t, lr, beta1, beta2, eps):
        m *= beta1
        m += (1 - beta1) * grad
        m /= 1 - beta1 ** t
        v *= beta2
        v += (1 - beta2) * grad ** 2
        v /= 1 - beta2 ** t
        flat -= lr * m / (np.sqrt(v) + eps)

    def eps_inside(flat, grad, m, v, t, lr, beta1, beta2, eps):
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad ** 2
        flat -= lr * m / (1 - beta1 ** t) / np.sqrt(v / (1 - beta2 ** t) + eps)

    wrong = {
        "the bias correction is missing": (no_bias_correction, 1),
        "β₁ and β₂ are swapped": (betas_swapped, 2),    # step 1 gives m̂ = g, v̂ = g² anyway
        "m and v are not updated in place (they stay 0)": (state_not_kept, 2),
        "t started at 0 (the bias correction uses t − 1)": (t_from_zero, 1),
        "the corrected m̂ and v̂ were stored back into m and v": (corrected_stored, 2),
        "ε is inside the square root": (eps_inside, 1),
    }
    assert set(wrong) == set(ADAM_SLIPS)
    for slip, (candidate, step) in wrong.items():
        verdict = check_adam_step(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, (slip, verdict)
        assert f"step {step}" in repr(verdict)


def test_adam_step_checker_other_verdicts():
    def stub(flat, grad, m, v, t, lr, beta1, beta2, eps):
        raise NotImplementedError

    def rebinds_flat(flat, grad, m, v, t, lr, beta1, beta2, eps):
        flat = flat - lr * grad             # noqa: F841  (a new array; the caller's is untouched)

    def crashes(flat, grad, m, v, t, lr, beta1, beta2, eps):
        flat -= lr * grad[:2]

    def plain_sgd(flat, grad, m, v, t, lr, beta1, beta2, eps):
        flat -= lr * grad

    def clips_grad(flat, grad, m, v, t, lr, beta1, beta2, eps):
        np.clip(grad, -1e6, 0.0, out=grad)
        solution_adam_step(flat, grad, m, v, t, lr, beta1, beta2, eps)

    assert check_adam_step(stub).status == "not implemented"
    verdict = check_adam_step(rebinds_flat)
    assert verdict.status == "not in place" and verdict.slip == REBOUND
    verdict = check_adam_step(crashes)
    assert verdict.status == "error" and "ValueError" in repr(verdict)
    verdict = check_adam_step(plain_sgd)
    assert verdict.status == "wrong values" and verdict.slip is None
    assert check_adam_step(clips_grad).status == "changed inputs"


@pytest.mark.parametrize("slip", list(ADAM_SLIPS))
def test_each_adam_slip_moves_flat_away_from_adam_within_two_steps(slip):
    rng = np.random.default_rng(1)
    for beta1, beta2 in ((0.9, 0.999), (0.5, 0.9)):
        flat, m, v = rng.normal(size=6), np.zeros(6), np.zeros(6)
        ref, adam = flat.copy(), nnlib.optim.Adam(lr=0.01, beta1=beta1, beta2=beta2)
        apart = False
        with np.errstate(all="ignore"):
            for t in (1, 2):
                grad = rng.normal(size=6)
                ADAM_SLIPS[slip](flat, grad, m, v, t, 0.01, beta1, beta2, 1e-8)
                adam.step(ref, grad)
                apart |= not np.allclose(flat, ref, rtol=1e-9, atol=1e-12)
        assert apart
