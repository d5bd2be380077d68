"""Checkers of lesson 04: the right verdict for right, wrong and unfinished answers."""

import numpy as np

from nnlib.exercises.lesson04 import check_adam_step, check_layer_views, check_xavier_std


# -- layer_views --------------------------------------------------------------------------
def solution_layer_views(flat, shapes):
    sizes = [int(np.prod(shape)) for shape in shapes]
    pieces = np.split(flat, np.cumsum(sizes)[:-1])
    return [piece.reshape(shape) for piece, shape in zip(pieces, shapes)]


def test_layer_views_accepts_the_solution():
    verdict = check_layer_views(solution_layer_views)
    assert verdict and verdict.status == "correct"
    assert "view" in repr(verdict)


def test_layer_views_refuses_copies_with_the_right_values():
    def copies(flat, shapes):
        return [view.copy() for view in solution_layer_views(flat, shapes)]

    def flattened_then_split(flat, shapes):
        return solution_layer_views(flat.flatten(), shapes)  # flatten() always copies

    for candidate in (copies, flattened_then_split):
        verdict = check_layer_views(candidate)
        assert not verdict and verdict.status == "copy"
        assert "copy" in repr(verdict) and "item 0" in repr(verdict)


def test_layer_views_refuses_views_of_another_array():
    def views_of_a_private_buffer(flat, shapes):
        buffer = np.concatenate([flat, [0.0]])       # a new array holding the same numbers
        return solution_layer_views(buffer[:-1], shapes)  # views, but of the wrong array

    verdict = check_layer_views(views_of_a_private_buffer)
    assert verdict.status == "copy"


def test_layer_views_wrong_values():
    def reversed_order(flat, shapes):
        return solution_layer_views(flat[::-1], shapes)   # a view, but the wrong numbers

    verdict = check_layer_views(reversed_order)
    assert verdict.status == "wrong values" and verdict.max_difference > 0
    assert "item 0" in repr(verdict)


def test_layer_views_wrong_shape():
    def transposed(flat, shapes):
        return [view.T for view in solution_layer_views(flat, shapes)]

    def one_too_few(flat, shapes):
        return solution_layer_views(flat, shapes)[:-1]

    verdict = check_layer_views(transposed)
    assert verdict.status == "wrong shape" and "(2, 3)" in repr(verdict) and "(3, 2)" in repr(verdict)
    verdict = check_layer_views(one_too_few)
    assert verdict.status == "wrong shape" and "list of 4 arrays" in repr(verdict)
    assert check_layer_views(lambda flat, shapes: flat).status == "wrong shape"


def test_layer_views_not_implemented_and_errors():
    def stub(flat, shapes):
        raise NotImplementedError

    def forgot_return(flat, shapes):
        solution_layer_views(flat, shapes)

    def crashes(flat, shapes):
        return [flat.reshape(shape) for shape in shapes]

    assert check_layer_views(stub).status == "not implemented"
    assert "not implemented yet" in repr(check_layer_views(stub))
    assert "return" in repr(check_layer_views(forgot_return))
    verdict = check_layer_views(crashes)
    assert verdict.status == "error" and "ValueError" in repr(verdict)


# -- xavier_std ----------------------------------------------------------------------------
def test_xavier_std_matches_the_sample_std_of_xavier_weights():
    # The reference formula agrees with the spread of weights nnlib's Xavier init draws.
    import nnlib

    net = nnlib.MLP([400, 300], init="xavier", seed=0)
    sample_std = net.Ws[0].std()
    assert abs(sample_std - np.sqrt(2 / 700)) < 0.01 * sample_std
    assert check_xavier_std(lambda n_in, n_out: (2 / (n_in + n_out)) ** 0.5)


def test_xavier_std_wrong_values_shape_and_stub():
    he = check_xavier_std(lambda n_in, n_out: np.sqrt(2 / n_in))
    assert he.status == "wrong values" and he.max_difference > 0
    variance = check_xavier_std(lambda n_in, n_out: 2 / (n_in + n_out))
    assert variance.status == "wrong values"
    shape = check_xavier_std(lambda n_in, n_out: np.full(2, np.sqrt(2 / (n_in + n_out))))
    assert shape.status == "wrong shape" and "(2,)" in repr(shape)

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


def test_adam_step_checker_follows_a_hand_computed_first_step():
    # At t = 1 the bias correction gives m̂ = g and v̂ = g², so the step is lr · g / (|g| + ε):
    # a move of almost exactly lr against the sign of every gradient entry.
    flat, grad = np.array([1.0, -2.0, 0.5]), np.array([0.3, -4.0, 1e-3])
    solution_adam_step(flat, grad, np.zeros(3), np.zeros(3), 1, lr=0.1)
    assert np.allclose(flat, [1.0 - 0.1, -2.0 + 0.1, 0.5 - 0.1 * 1e-3 / (1e-3 + 1e-8)])
    verdict = check_adam_step(solution_adam_step)
    assert verdict and verdict.status == "correct"


def test_adam_step_checker_verdicts():
    def stub(flat, grad, m, v, t, lr, beta1, beta2, eps):
        raise NotImplementedError

    def no_bias_correction(flat, grad, m, v, t, lr, beta1, beta2, eps):
        m[:] = beta1 * m + (1 - beta1) * grad
        v[:] = beta2 * v + (1 - beta2) * grad ** 2
        flat -= lr * m / (np.sqrt(v) + eps)

    def betas_swapped(flat, grad, m, v, t, lr, beta1, beta2, eps):
        solution_adam_step(flat, grad, m, v, t, lr, beta2, beta1, eps)

    def state_not_kept(flat, grad, m, v, t, lr, beta1, beta2, eps):
        m, v = m.copy(), v.copy()            # m and v never change between steps
        solution_adam_step(flat, grad, m, v, t, lr, beta1, beta2, eps)

    def rebinds_flat(flat, grad, m, v, t, lr, beta1, beta2, eps):
        flat = flat - lr * grad             # noqa: F841  (a new array; the caller's is untouched)

    def crashes(flat, grad, m, v, t, lr, beta1, beta2, eps):
        flat -= lr * grad[:2]

    assert check_adam_step(stub).status == "not implemented"
    first = check_adam_step(no_bias_correction)
    assert first.status == "wrong values" and "step 1" in repr(first)
    assert check_adam_step(betas_swapped).status == "wrong values"
    later = check_adam_step(state_not_kept)
    assert later.status == "wrong values" and "step 2" in repr(later)
    assert check_adam_step(rebinds_flat).status == "not in place"
    verdict = check_adam_step(crashes)
    assert verdict.status == "error" and "ValueError" in repr(verdict)
