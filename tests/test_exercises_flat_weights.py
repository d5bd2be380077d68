"""Checkers of lesson 05: the references agree with independent computations (nnlib's
FlatWeights and He init, and a measured ReLU chain), and right, wrong and unfinished
answers get the right verdict, with the slip named."""

import numpy as np

import nnlib
from nnlib.exercises.core import TRANSPOSED
from nnlib.exercises.flat_weights import (
    COPIES,
    EXERCISES,
    HE_STD_SLIPS,
    LAYER_VIEWS_SLIPS,
    REVERSED,
    SHAPE_LISTS,
    check_he_std,
    check_layer_views,
    reference_he_std,
    reference_layer_views,
    relu_gain_per_layer,
)


def test_exercises_are_listed_in_lesson_order():
    assert list(EXERCISES) == ["layer_views", "he_std"]
    assert EXERCISES["he_std"] is check_he_std


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
    def reversed_shape(flat, shapes):   # the pieces in order, each reshaped to (n_in, n_out)
        start, pieces = 0, []
        for shape in shapes:
            size = int(np.prod(shape))
            pieces.append(flat[start:start + size].reshape(shape[::-1]))
            start += size
        return pieces

    verdict = check_layer_views(reversed_shape)
    assert verdict.status == "wrong shape" and verdict.slip == REVERSED
    assert "(n_in, n_out) instead of (n_out, n_in)" in repr(verdict)
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


# -- he_std --------------------------------------------------------------------------------
def test_he_std_reference_matches_nnlib_and_keeps_the_variance_of_relu_layers():
    # The reference agrees with the spread of the weights nnlib's He init draws...
    net = nnlib.MLP([400, 300], init="he", seed=0)
    sample_std = net.Ws[0].std()
    assert abs(reference_he_std(400) - sample_std) < 0.01 * sample_std
    # ...and the measurement the correct verdict states holds: Var(z) kept within 10 % per
    # layer, while the factor 2 missing halves it.
    assert 0.9 < relu_gain_per_layer(reference_he_std(256)) < 1.1
    assert 0.45 < relu_gain_per_layer(np.sqrt(1 / 256)) < 0.6
    verdict = check_he_std(lambda n_in: (2 / n_in) ** 0.5)
    assert verdict and "keeps Var(z) about level: within 15 % per layer on each of 10 draws" in repr(verdict)


def test_he_std_checker_names_each_slip_and_measures_it():
    wrong = {
        "the half of Var(z_{l−1}) that ReLU throws away is not made up for (Var(z) halves in every ReLU "
        "layer)": lambda n_in: n_in ** -0.5,
        "ReLU's factor ½ ended up on the wrong side of the equation (Var(z) quarters in every ReLU "
        "layer)": lambda n_in: (2 * n_in) ** -0.5,
        "the answer is a variance, not a standard deviation": lambda n_in: 2 / n_in,
        "the answer is the edge r of a uniform distribution (whose variance is r²/3), not the "
        "standard deviation of a normal one": lambda n_in: (6 / n_in) ** 0.5,
        "the square root is taken of part of the variance only": lambda n_in: 2 / n_in ** 0.5,
    }
    assert set(wrong) == set(HE_STD_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_he_std(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, (slip, verdict)
        assert "per layer" in repr(verdict)
        # a nudge, not the answer: no message spells out the corrected formula
        assert not any(formula in repr(verdict) for formula in ("2 / n_in", "2/n_in", "√(2"))
    assert "factor of 0.54 per layer" in repr(check_he_std(lambda n_in: n_in ** -0.5))


def test_he_std_unknown_answers_wrong_shapes_and_stub():
    unknown = check_he_std(lambda n_in: 3.0)
    assert unknown.status == "wrong values" and unknown.slip is None
    assert "per layer" not in repr(unknown)          # σ = 3 is not worth measuring
    shape = check_he_std(lambda n_in: np.full(2, np.sqrt(2 / n_in)))
    assert shape.status == "wrong shape" and "(2,)" in repr(shape)

    def fails_at_256(n_in):
        if n_in == 256:
            raise ValueError("no")
        return 0.5 / n_in

    assert check_he_std(fails_at_256).status == "wrong values"   # the measurement stays silent

    def stub(n_in):
        raise NotImplementedError

    assert check_he_std(stub).status == "not implemented"
