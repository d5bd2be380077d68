"""Checkers of lesson 07: the right verdict for right, wrong and unfinished answers (each
named slip recognised by name, nothing raised), and references that agree with nnlib and
with finite differences."""

import json
from pathlib import Path

import numpy as np
from scipy.special import expit

import nnlib
from nnlib.exercises.xor import (
    AFFINE_SLIPS,
    CARD_GRAD_W,
    FROM_TO,
    GRADIENT_SLIPS,
    HIDDEN_ONE_MINUS_Z,
    PLANTED_BUG,
    SWAPPED_NEURONS,
    TOO_SMALL,
    XNOR,
    XOR_WEIGHT_SLIPS,
    check_affine_backward,
    check_gradient_221,
    check_xor_weights,
    reference_affine_backward,
    reference_gradient_221,
    xor_activations,
)
from nnlib.exercises.xor import (
    CORNERS as X_CORNERS,
)

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "07_xor.ipynb"


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def dsigmoid(z):
    s = sigmoid(z)
    return s * (1 - s)


# -- xor_weights -------------------------------------------------------------------------
K = 10.0
HAND = (np.array([[K, K], [K, K]]), np.array([-K / 2, -3 * K / 2]), np.array([[K, -K]]),
        np.array([-K / 2]))                     # OR, AND, then "OR and not AND"


def hand_weights():
    return tuple(a.copy() for a in HAND)


def test_xor_weights_accepts_a_derivation_and_refuses_a_stub():
    verdict = check_xor_weights(hand_weights)
    assert verdict and verdict.status == "correct" and "0.007, 0.992, 0.992, 0.007" in repr(verdict)
    H, a = xor_activations(*HAND)            # the activations the checker judged, by hand
    assert np.allclose(H[:, 0], sigmoid(K * X_CORNERS.sum(axis=1) - K / 2))
    assert np.all(np.abs(a - [0, 1, 1, 0]) < 0.01)

    def xor_weights():
        raise NotImplementedError

    assert check_xor_weights(xor_weights).status == "not implemented"
    assert check_xor_weights(lambda: None).status == "not implemented"


def test_xor_weights_accepts_other_solutions_in_lists():
    W0, b0, W1, b1 = HAND
    assert check_xor_weights(lambda: ((3 * W0).tolist(), list(3 * b0), 3 * W1, 3 * b1))
    assert check_xor_weights(lambda: (W0 * [[1.0, 1.3], [0.9, 1.0]], b0, W1, b1))


def test_xor_weights_names_each_slip():
    W0, b0, W1, b1 = HAND
    asymmetric = W0 * np.array([[1.0, 1.3], [0.9, 1.0]])      # works, and differs from its transpose
    wrong = {
        SWAPPED_NEURONS: lambda: (W0[::-1], b0[::-1], W1[:, ::-1], b1),   # XOR, roles swapped
        FROM_TO: lambda: (asymmetric.T, b0, W1, b1),
        TOO_SMALL: lambda: (W0 / 3, b0 / 3, W1 / 3, b1 / 3),
        XNOR: lambda: (W0, b0, -W1, -b1),
    }
    assert set(wrong) == set(XOR_WEIGHT_SLIPS)
    assert check_xor_weights(lambda: (W0[::-1], b0[::-1], W1, b1)).slip == SWAPPED_NEURONS
    assert check_xor_weights(lambda: (asymmetric, b0, W1, b1))
    for slip, candidate in wrong.items():
        verdict = check_xor_weights(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, (slip, verdict)
        assert slip in repr(verdict)


def test_xor_weights_names_the_neuron_and_corner_that_are_wrong():
    W0, b0, W1, b1 = HAND
    verdict = check_xor_weights(lambda: (W0, np.array([-K / 2, -K / 2]), W1, b1))   # two ORs
    assert verdict.status == "wrong values" and verdict.slip is None
    assert "Hidden neuron 1 should compute AND, but at (x_0, x_1) = (0, 1) it gives 0.993" in repr(verdict)
    verdict = check_xor_weights(lambda: (W0, b0, np.array([[K, 0.0]]), b1))          # output = OR
    assert "The output should compute XOR, but at (x_0, x_1) = (1, 1)" in repr(verdict)


def test_xor_weights_wrong_shapes_and_values_never_raise():
    W0, b0, W1, b1 = HAND
    column = check_xor_weights(lambda: (W0, b0, W1.T, b1))
    assert column.status == "wrong shape" and column.slip == FROM_TO and "(2, 1)" in repr(column)
    scalar = check_xor_weights(lambda: (W0, b0, W1, -K / 2))
    assert scalar.status == "wrong shape" and "b1 has shape (), expected (1,)" in repr(scalar)
    assert check_xor_weights(lambda: (W0, b0, W1)).status == "wrong shape"
    assert "got int" in repr(check_xor_weights(lambda: 3))
    assert check_xor_weights(lambda: ("a", b0, W1, b1)).status == "wrong shape"
    assert check_xor_weights(lambda: (W0 * np.nan, b0, W1, b1)).status == "wrong values"
    assert check_xor_weights(lambda: (W0, b0, W1, np.array([1e400]))).status == "wrong values"

    def crashes():
        return 1 / 0

    assert check_xor_weights(crashes).status == "error"


# -- affine_backward (the layer Z = A V + b, V = Wᵀ of shape (n_in, n_out)) ---------------
def test_affine_backward_reference_matches_finite_differences():
    rng = np.random.default_rng(1)
    A_in, V, b = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    target = rng.normal(size=(5, 2))

    def loss():            # any scalar function of Z works; this one has dL/dZ = Z - target
        Z = A_in @ V + b
        return 0.5 * np.sum((Z - target) ** 2)

    grad_out = A_in @ V + b - target
    grad_A, grad_V, grad_b = reference_affine_backward(grad_out, A_in, V)
    for array, analytic in ((A_in, grad_A), (V, grad_V), (b, grad_b)):
        numeric = nnlib.numerical_gradient(lambda _: loss(), array.reshape(-1)).reshape(array.shape)
        assert nnlib.relative_error(analytic, numeric) < 1e-8


def loop_affine_backward(grad_out, A_in, V):
    """The three sums of the solution, one index at a time."""
    N, n_out = grad_out.shape
    n_in = A_in.shape[1]
    grad_A, grad_V, grad_b = np.zeros((N, n_in)), np.zeros((n_in, n_out)), np.zeros(n_out)
    for n in range(N):
        for j in range(n_out):
            grad_b[j] += grad_out[n, j]
            for k in range(n_in):
                grad_A[n, k] += grad_out[n, j] * V[k, j]
                grad_V[k, j] += grad_out[n, j] * A_in[n, k]
    return grad_A, grad_V, grad_b


def test_affine_backward_accepts_a_solution_and_refuses_a_stub():
    assert check_affine_backward(loop_affine_backward).status == "correct"

    def stub(grad_out, A_in, V):
        raise NotImplementedError

    assert check_affine_backward(stub).status == "not implemented"


def test_affine_backward_names_each_slip():
    def untransposed_bug(grad_out, A_in, V):      # V where V.T belongs
        grad_A, grad_V, grad_b = loop_affine_backward(grad_out, A_in, V)
        return grad_out @ V, grad_V, grad_b

    def card_grad_W(grad_out, A_in, V):           # the card's BP4, shaped like W
        grad_A, grad_V, grad_b = loop_affine_backward(grad_out, A_in, V)
        return grad_A, grad_V.T, grad_b

    def mean_bias(grad_out, A_in, V):
        grad_A, grad_V, grad_b = loop_affine_backward(grad_out, A_in, V)
        return grad_A, grad_V, grad_b / len(A_in)

    def unsummed_bias(grad_out, A_in, V):
        grad_A, grad_V, _ = loop_affine_backward(grad_out, A_in, V)
        return grad_A, grad_V, grad_out.copy()

    def bias_over_rows(grad_out, A_in, V):
        grad_A, grad_V, _ = loop_affine_backward(grad_out, A_in, V)
        return grad_A, grad_V, np.array([row.sum() for row in grad_out])

    def divided_by_N(grad_out, A_in, V):
        grad_A, grad_V, grad_b = loop_affine_backward(grad_out, A_in, V)
        return grad_A, grad_V / len(A_in), grad_b / len(A_in)

    wrong = dict(zip(AFFINE_SLIPS, (untransposed_bug, card_grad_W, mean_bias, unsummed_bias,
                                    bias_over_rows, divided_by_N)))
    assert len(wrong) == len(AFFINE_SLIPS) and CARD_GRAD_W in wrong
    for slip, candidate in wrong.items():
        verdict = check_affine_backward(candidate)
        assert verdict.status in ("wrong values", "wrong shape") and verdict.slip == slip, (slip, verdict)
        assert slip in repr(verdict)
    assert "affine_backward (grad_V)" in repr(check_affine_backward(card_grad_W))


def test_affine_backward_other_verdicts():
    def two_results(grad_out, A_in, V):
        return loop_affine_backward(grad_out, A_in, V)[:2]

    assert check_affine_backward(two_results).status == "wrong shape"

    def keepdims_bias(grad_out, A_in, V):
        grad_A, grad_V, grad_b = loop_affine_backward(grad_out, A_in, V)
        return grad_A, grad_V, grad_b.reshape(1, -1)

    verdict = check_affine_backward(keepdims_bias)
    assert verdict.status == "wrong shape" and "(1, 3)" in repr(verdict) and "(result" not in repr(verdict)


# -- gradient_221 -------------------------------------------------------------------------
def loop_gradient_221(X, Y, W0, b0, W1, b1):
    """The chain rule one sample at a time, one weight at a time, with column vectors."""
    N = len(X)
    dW0, db0, dW1, db1 = np.zeros((2, 2)), np.zeros(2), np.zeros((1, 2)), np.zeros(1)
    for x, y in zip(X, Y):
        h = [sigmoid(W0[j, 0] * x[0] + W0[j, 1] * x[1] + b0[j]) for j in range(2)]
        a = sigmoid(W1[0, 0] * h[0] + W1[0, 1] * h[1] + b1[0])
        d_out = (a - y[0]) * a * (1 - a) / N            # dLoss/dz of the output
        db1[0] += d_out
        for j in range(2):
            dW1[0, j] += d_out * h[j]
            d_hidden = d_out * W1[0, j] * h[j] * (1 - h[j])
            db0[j] += d_hidden
            for k in range(2):
                dW0[j, k] += d_hidden * x[k]
    return dW0, db0, dW1, db1


def test_gradient_221_reference_agrees_with_nnlib_and_finite_differences():
    X, Y = nnlib.data.xor(noise=0.1, repeats=3, seed=1)
    net = nnlib.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", loss="mse",
                    seed=5)
    params = (net.Ws[0], net.bs[0], net.Ws[1], net.bs[1])
    got = reference_gradient_221(X, Y, *params)
    numeric = net.weights.split(nnlib.numerical_gradient(lambda _: net.loss(X, Y), net.weights.flat,
                                                            eps=1e-5))
    for analytic, from_nnlib, by_differences in zip(got, net.weights.split(net.gradient(X, Y)), numeric):
        assert analytic.shape == from_nnlib.shape
        assert np.allclose(analytic, from_nnlib, rtol=0, atol=1e-15)
        assert nnlib.relative_error(analytic, by_differences) < 1e-7


def test_gradient_221_accepts_a_solution_and_refuses_a_stub():
    verdict = check_gradient_221(loop_gradient_221)
    assert verdict and verdict.status == "correct"

    def stub(X, Y, W0, b0, W1, b1):
        raise NotImplementedError

    assert check_gradient_221(stub).status == "not implemented"


def _slipped_loop(prime_hidden=None, prime_output=None, sign=1.0, per_sample_scale=None,
                  bias="sum"):
    """loop_gradient_221 with one mistake; the arguments say which."""
    def gradient(X, Y, W0, b0, W1, b1):
        N = len(X)
        scale = (1 / N) if per_sample_scale is None else per_sample_scale(N)
        dW0, dW1 = np.zeros((2, 2)), np.zeros((1, 2))
        db0_rows, db1_rows = [], []
        for x, y in zip(X, Y):
            z = [W0[j, 0] * x[0] + W0[j, 1] * x[1] + b0[j] for j in range(2)]
            h = [sigmoid(zj) for zj in z]
            z_out = W1[0, 0] * h[0] + W1[0, 1] * h[1] + b1[0]
            a = sigmoid(z_out)
            out_prime = a * (1 - a) if prime_output is None else prime_output(z_out)
            d_out = sign * (a - y[0]) * out_prime * scale
            db1_rows.append([d_out])
            row = []
            for j in range(2):
                dW1[0, j] += d_out * h[j]
                hid_prime = h[j] * (1 - h[j]) if prime_hidden is None else prime_hidden(z[j], h[j])
                d_hidden = d_out * W1[0, j] * hid_prime
                row.append(d_hidden)
                for k in range(2):
                    dW0[j, k] += d_hidden * x[k]
            db0_rows.append(row)
        db0_rows, db1_rows = np.array(db0_rows), np.array(db1_rows)
        if bias == "sum":
            return dW0, db0_rows.sum(axis=0), dW1, db1_rows.sum(axis=0)
        if bias == "mean":
            return dW0, db0_rows.sum(axis=0) / N, dW1, db1_rows.sum(axis=0) / N
        return dW0, db0_rows, dW1, db1_rows
    return gradient


def test_gradient_221_names_each_slip():
    one_minus_z = lambda z: sigmoid(z) * (1 - z)    # noqa: E731
    wrong = {
        PLANTED_BUG: _slipped_loop(prime_hidden=lambda z, h: sigmoid(h) * (1 - sigmoid(h))),
        "σ′ of the output layer is missing": _slipped_loop(prime_output=lambda z: 1.0),
        "σ′ of the hidden layer is missing": _slipped_loop(prime_hidden=lambda z, h: 1.0),
        HIDDEN_ONE_MINUS_Z: _slipped_loop(prime_hidden=lambda z, h: h * (1 - z)),
        "σ(z)(1 − z) was used instead of σ(z)(1 − σ(z)), in both layers":
            _slipped_loop(prime_hidden=lambda z, h: one_minus_z(z), prime_output=one_minus_z),
        "σ′ of the hidden layer was written Z0(1 − Z0): the formula a(1 − a) taken at the "
        "pre-activation instead of the activation": _slipped_loop(prime_hidden=lambda z, h: z * (1 - z)),
        "the sign is flipped (Y − A instead of A − Y)": _slipped_loop(sign=-1.0),
        "the 1/N is missing": _slipped_loop(per_sample_scale=lambda N: 1.0),
        "the 1/N is doubled": _slipped_loop(per_sample_scale=lambda N: 1.0 / N**2),
        "the bias gradients are averaged over the batch instead of summed": _slipped_loop(bias="mean"),
        "the bias gradients are not summed over the batch": _slipped_loop(bias="none"),
    }
    assert set(wrong) == set(GRADIENT_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_gradient_221(candidate)
        assert verdict.status in ("wrong values", "wrong shape") and verdict.slip == slip, slip
        assert slip in repr(verdict)


def test_gradient_221_names_the_wrong_gradient_and_recognises_the_likeliest_wrong_fix():
    namespace = {"np": np, "expit": expit, "dsigmoid": dsigmoid}
    cell = next(c for c in _cells() if "def gradient_221_buggy(" in _source(c))
    source = _source(cell).replace("dsigmoid(H)", "H * (1 - Z0)")   # the student's fix, wrong
    assert "H * (1 - Z0)" in source
    exec(source, namespace)
    verdict = check_gradient_221(namespace["gradient_221_buggy"])
    assert verdict.status == "wrong values" and verdict.slip == HIDDEN_ONE_MINUS_Z
    assert repr(verdict).startswith("gradient_221 (dW0): wrong values") and "(result" not in repr(verdict)


def test_gradient_221_transposed_weight_gradient_and_changed_inputs():
    def transposed(X, Y, W0, b0, W1, b1):
        dW0, db0, dW1, db1 = loop_gradient_221(X, Y, W0, b0, W1, b1)
        return dW0.T, db0, dW1, db1

    verdict = check_gradient_221(transposed)
    assert verdict.slip == "the result is the transpose of the right one"

    def scales_X_in_place(X, Y, W0, b0, W1, b1):
        result = loop_gradient_221(X, Y, W0, b0, W1, b1)
        X *= 2
        return result

    assert check_gradient_221(scales_X_in_place).status == "changed inputs"


# -- the notebook's buggy function is the one the checker names
# (the exercises' layout and their solutions: test_exercise_layout.py and test_grade.py)
def _cells():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"])


def test_the_notebook_bug_is_the_planted_bug():
    namespace = {"np": np, "expit": expit, "dsigmoid": dsigmoid}
    cell = next(c for c in _cells() if "def gradient_221_buggy(" in _source(c))
    exec(_source(cell), namespace)
    verdict = check_gradient_221(namespace["gradient_221_buggy"])
    assert verdict.status == "wrong values" and verdict.slip == PLANTED_BUG
