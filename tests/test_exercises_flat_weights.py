"""Checkers of lesson 05: the references agree with independent computations (nnlib's
FlatWeights and Xavier init), and right, wrong and unfinished answers get the right
verdict, with the slip named."""

import numpy as np

import nnlib
from nnlib.exercises.core import TRANSPOSED
from nnlib.exercises.flat_weights import (
    COPIES,
    EXERCISES,
    LAYER_VIEWS_SLIPS,
    SHAPE_LISTS,
    XAVIER_STD_SLIPS,
    check_layer_views,
    check_xavier_std,
    reference_layer_views,
    reference_xavier_std,
)


def test_exercises_are_listed_in_lesson_order():
    assert list(EXERCISES) == ["layer_views", "xavier_std"]
    assert EXERCISES["xavier_std"] is check_xavier_std



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
