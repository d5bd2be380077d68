import numpy as np

from nnlib.exercises import check


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


def test_errors_in_learner_code_are_reported_not_raised():
    verdict = verdict_of(lambda A, W: A @ W)
    assert verdict.status == "error" and "ValueError" in repr(verdict)


def test_learner_cannot_spoil_the_inputs_of_the_reference():
    def destructive(A, W):
        result = A @ W.T
        A[:] = 0.0
        return result

    assert verdict_of(destructive)


def test_tuples_of_results():
    def ref(A, W):
        return A @ W.T, A.sum()

    assert check(lambda A, W: (A @ W.T, A.sum()), ref, make_inputs)
    assert check(lambda A, W: A @ W.T, ref, make_inputs).status == "wrong shape"
