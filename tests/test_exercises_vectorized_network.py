"""Lesson 02 checkers: references agree with independent computations (plain loops,
centred differences, nnlib), every named slip is recognised by name, and stubs, wrong
shapes and changed inputs get the right verdict."""

import numpy as np
import pytest

import nnlib
from nnlib.exercises import vectorized_network as checkers
from nnlib.exercises.core import matches
from nnlib.exercises.vectorized_network import (
    BACKPROP_SLIPS,
    EXERCISES,
    LAYER_BACKWARD_SLIPS,
    LAYER_FORWARD_SLIPS,
    OVERFLOW,
    SOFTMAX_JACOBIAN_SLIPS,
    check_backprop,
    check_layer_backward,
    check_layer_forward,
    check_softmax_jacobian,
    reference_backprop,
    reference_layer_backward,
    reference_layer_forward,
    reference_softmax_jacobian,
)


def plain_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def flat(result):
    """All the numbers of a result (an array or a tuple/list of them) in one vector."""
    if isinstance(result, (tuple, list)):
        return np.concatenate([flat(r) for r in result])
    return np.ravel(np.asarray(result, dtype=float))


def test_exercises_are_listed_in_lesson_order():
    assert EXERCISES == {"layer_forward": check_layer_forward,
                         "layer_backward": check_layer_backward,
                         "backprop": check_backprop,
                         "softmax_jacobian": check_softmax_jacobian}
    for name in EXERCISES:
        assert f"check_{name}" in checkers.__doc__


@pytest.mark.parametrize("checker", EXERCISES.values(), ids=list(EXERCISES))
def test_a_stub_is_not_implemented(checker):
    def stub(*args):
        raise NotImplementedError

    assert checker(stub).status == "not implemented"


@pytest.mark.parametrize("reference, inputs, slips", [
    (reference_layer_forward, checkers._forward_inputs, LAYER_FORWARD_SLIPS),
    (reference_layer_backward, checkers._backward_inputs, LAYER_BACKWARD_SLIPS),
    (reference_backprop, lambda rng: checkers._network_inputs(rng, "sigmoid"), BACKPROP_SLIPS),
    (reference_backprop, lambda rng: checkers._network_inputs(rng, "tanh"), BACKPROP_SLIPS),
    (reference_backprop, lambda rng: checkers._network_inputs(rng, "tanh", same_widths=True),
     BACKPROP_SLIPS),
    (reference_softmax_jacobian, checkers._jacobian_inputs, SOFTMAX_JACOBIAN_SLIPS),
], ids=["layer_forward", "layer_backward", "backprop-sigmoid", "backprop-tanh",
        "backprop-same-widths", "softmax_jacobian"])
def test_every_slip_differs_from_the_reference_on_every_drawn_input(reference, inputs, slips):
    rng = np.random.default_rng(0)
    for _ in range(5):
        args = inputs(rng)
        right = reference(*args)
        for name, wrong in slips.items():
            if name.startswith("the sigmoid's A(1 − A)") and args[-1].name == "sigmoid":
                continue                         # that slip is only wrong for other f
            try:
                got = wrong(*args)
            except ValueError:                   # f′ of the wrong layer: a shape error
                assert name.startswith("BP2 used f′(Z_l)"), name
                continue
            assert not matches(got, right, rtol=1e-6, atol=1e-9), name


# -- Exercise 1: layer_forward ---------------------------------------------------------------

def test_layer_forward_reference_matches_a_loop_over_samples_and_neurons():
    rng = np.random.default_rng(1)
    A, W, b = rng.normal(size=(5, 3)), rng.normal(size=(4, 3)), rng.normal(size=4)
    Z = np.array([[sum(W[j, k] * A[n, k] for k in range(3)) + b[j] for j in range(4)]
                  for n in range(5)])
    assert np.allclose(reference_layer_forward(A, W, b), Z)


def test_layer_forward_checker_verdicts():
    assert check_layer_forward(lambda A, W, b: np.einsum("nk,jk->nj", A, W) + b)
    wrong = {
        "the bias is missing": lambda A, W, b: np.einsum("nk,jk->nj", A, W),
        "the activation was applied: that is A = σ(Z), not Z":
            lambda A, W, b: plain_sigmoid(np.einsum("nk,jk->nj", A, W) + b),
    }
    assert set(wrong) == set(LAYER_FORWARD_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_layer_forward(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, slip
    columns = check_layer_forward(lambda A, W, b: W @ A.T + b[:, None])   # samples as columns
    assert columns.status == "wrong shape"
    assert columns.slip == "the result is the transpose of the right one"


# -- Exercise 2: layer_backward --------------------------------------------------------------

def test_layer_backward_reference_matches_centred_differences():
    # A two-layer sigmoid net, mean cost ½‖a − y‖²: the reference must give layer 2's
    # gradients and layer 1's delta (= dC/dZ1) that finite differences agree with.
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))
    W1, b1, W2, b2 = (rng.normal(size=s) for s in [(4, 3), (4,), (2, 4), (2,)])

    def cost_from_Z1(Z1):
        A2 = plain_sigmoid(plain_sigmoid(Z1) @ W2.T + b2)
        return 0.5 * np.sum((A2 - Y) ** 2) / len(X)

    Z1 = X @ W1.T + b1
    A1 = plain_sigmoid(Z1)
    A2 = plain_sigmoid(A1 @ W2.T + b2)
    delta2 = (A2 - Y) * A2 * (1 - A2) / len(X)
    dW2, db2, delta1 = reference_layer_backward(delta2, W2, A1)

    flat_Z1 = Z1.ravel().copy()
    numeric = nnlib.numerical_gradient(lambda z: cost_from_Z1(z.reshape(Z1.shape)), flat_Z1)
    assert nnlib.relative_error(delta1.ravel(), numeric) < 1e-7

    net = nnlib.MLP([3, 4, 2], loss="mse")
    net.Ws[0][:], net.bs[0][:], net.Ws[1][:], net.bs[1][:] = W1, b1, W2, b2
    grad = net.weights.split(net.gradient(X, Y))
    assert np.allclose(grad[2], dW2) and np.allclose(grad[3], db2)
    dW1, db1, _ = reference_layer_backward(delta1, W1, X)   # delta_prev unused for inputs
    assert np.allclose(grad[0], dW1) and np.allclose(grad[1], db1)


def plain_layer_backward(delta, W, A_prev, slip=None):
    """An independent solution with explicit sums over samples and neurons; `slip` makes
    one mistake on purpose."""
    N, n_out = delta.shape
    n_in = W.shape[1]
    dW = np.zeros((n_out, n_in))
    db = np.zeros(n_out)
    delta_prev = np.zeros((N, n_in))
    for n in range(N):
        for j in range(n_out):
            db[j] += delta[n, j]
            for k in range(n_in):
                dW[j, k] += delta[n, j] * A_prev[n, k]
        for k in range(n_in):
            upstream = sum(W[j, k] * delta[n, j] for j in range(n_out))
            a = A_prev[n, k]
            if slip == "no σ′":
                slope = 1.0
            elif slip == "σ′ of A":
                slope = plain_sigmoid(a) * (1 - plain_sigmoid(a))
            else:
                slope = a * (1 - a)
            delta_prev[n, k] = upstream * slope
    if slip == "not summed":
        db = delta.copy()
    elif slip == "wrong axis":
        db = np.array([sum(row) for row in delta])
    elif slip == "means":
        dW, db = dW / N, db / N
    elif slip == "dW mean":
        dW = dW / N
    elif slip == "db mean":
        db = db / N
    elif slip == "sums first":
        dW = np.outer(delta.sum(axis=0), A_prev.sum(axis=0))
    return dW, db, delta_prev


def test_layer_backward_checker_verdicts():
    assert check_layer_backward(plain_layer_backward)

    def making(slip):
        return lambda delta, W, A_prev: plain_layer_backward(delta, W, A_prev, slip)

    wrong = {
        "σ′ is missing": making("no σ′"),
        "σ′ was taken of A_prev as if it were Z_prev: σ(A_prev)(1 − σ(A_prev))":
            making("σ′ of A"),
        "the bias gradient is not summed over the batch": making("not summed"),
        "the sum is over the wrong axis (db summed across each row, not down the batch)":
            making("wrong axis"),
        "the 1/N is doubled: dW and db are means over the batch, but delta already has the 1/N":
            making("means"),
        "the 1/N is doubled in dW: delta already has the 1/N, so dW is delta.T @ A_prev, "
        "not divided by N again": making("dW mean"),
        "the 1/N is doubled in db: delta already has the 1/N, so db is a sum over the batch, "
        "not a mean": making("db mean"),
        "the sums were taken before the product: (Σₙ δ⁽ⁿ⁾)(Σₙ a⁽ⁿ⁾)ᵀ is not Σₙ δ⁽ⁿ⁾ a⁽ⁿ⁾ᵀ":
            making("sums first"),
    }
    assert set(wrong) == set(LAYER_BACKWARD_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_layer_backward(candidate)
        assert verdict.status in ("wrong values", "wrong shape") and verdict.slip == slip, slip

    def transposed_dW(delta, W, A_prev):
        dW, db, delta_prev = plain_layer_backward(delta, W, A_prev)
        return dW.T, db, delta_prev

    verdict = check_layer_backward(transposed_dW)
    assert verdict.status == "wrong shape" and "result 0" in repr(verdict)
    assert verdict.slip == "the result is the transpose of the right one"

    def two_results(delta, W, A_prev):
        return plain_layer_backward(delta, W, A_prev)[:2]

    assert check_layer_backward(two_results).status == "wrong shape"


# -- Exercise 3: backprop --------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("sizes", [[3, 2], [2, 4, 3], [3, 5, 4, 2]])
def test_backprop_reference_matches_nnlib_and_centred_differences(sizes, activation):
    rng = np.random.default_rng(len(sizes))
    X, Y = rng.normal(size=(7, sizes[0])), rng.uniform(size=(7, sizes[-1]))
    net = nnlib.MLP(sizes, activation=activation, output_activation=activation, loss="mse",
                    seed=1)
    for b in net.bs:
        b[:] = rng.normal(0.0, 0.5, size=b.shape)    # non-zero biases, set in place
    Zs, As = net.forward_all(X)
    grads = reference_backprop(list(net.Ws), Zs, As, Y, nnlib.activations.get(activation))
    assert [(dW.shape, db.shape) for dW, db in grads] == \
        [(W.shape, b.shape) for W, b in zip(net.Ws, net.bs)]
    ours = np.concatenate([np.concatenate([dW.ravel(), db]) for dW, db in grads])
    assert nnlib.relative_error(ours, net.gradient(X, Y)) < 1e-12
    numeric = nnlib.numerical_gradient(lambda t: net.loss(X, Y), net.weights.flat)
    assert nnlib.relative_error(ours, numeric) < 1e-7


F_PRIME = {"sigmoid": lambda z: plain_sigmoid(z) * (1 - plain_sigmoid(z)),
           "tanh": lambda z: 1.0 / np.cosh(z) ** 2}


def plain_backprop(Ws, Zs, As, Y, f, slip=None):
    """An independent solution: one sample at a time, column vectors, the equations of
    section 9, f′ written out by hand; `slip` makes one mistake on purpose."""
    N, L = len(Y), len(Ws)
    dWs = [0.0] * L                                         # sums of outer products
    deltas = [np.zeros((N, W.shape[0])) for W in Ws]       # row n: sample n's δ of layer l
    for n in range(N):
        z = [Z[n] for Z in Zs]
        a = [A[n] for A in As]

        def d(l, z=z, a=a, in_bp2=False):
            if slip == "sigmoid prime" or (slip == "sigmoid prime in BP2" and in_bp2):
                return a[l + 1] * (1 - a[l + 1])
            return F_PRIME[f.name](z[l])

        delta = (a[-1] - Y[n]) * (1.0 if slip == "BP1" else d(L - 1))
        for l in reversed(range(L)):
            dWs[l] = dWs[l] + np.outer(delta, a[l + 1] if slip == "output" else a[l])
            deltas[l][n] = delta
            if l > 0:
                step = {"BP2": 1.0, "wrong layer": d(l) if slip == "wrong layer" else 1.0}
                delta = Ws[l].T @ delta * step.get(slip, d(l - 1, in_bp2=True))
    scale = {"no 1/N": 1.0, "1/N twice": 1.0 / N**2}.get(slip, 1.0 / N)
    grads = [(scale * dW, scale * (D if slip == "not summed" else D.sum(axis=0)))
             for dW, D in zip(dWs, deltas)]
    return grads[::-1] if slip == "reversed" else grads


def test_backprop_checker_accepts_independent_solutions():
    assert check_backprop(plain_backprop)
    assert check_backprop(lambda *args: tuple(plain_backprop(*args)))    # a tuple is fine too


def test_backprop_checker_names_each_slip():
    def making(slip):
        return lambda Ws, Zs, As, Y, f: plain_backprop(Ws, Zs, As, Y, f, slip)

    wrong = {
        "f′ is missing in BP1": making("BP1"),
        "f′ is missing in BP2": making("BP2"),
        "BP2 used f′(Z_l), of the layer the error comes from, instead of f′(Z_{l−1})":
            making("wrong layer"),
        "the sigmoid's A(1 − A) was used instead of f′ of the activation it is given":
            making("sigmoid prime"),
        "the sigmoid's A(1 − A) was used in BP2 instead of f′ of the activation it is given "
        "(BP1 has f′ right)": making("sigmoid prime in BP2"),
        "the 1/N is missing": making("no 1/N"),
        "the 1/N is doubled": making("1/N twice"),
        "the bias gradient is not summed over the batch": making("not summed"),
        "BP4 uses the layer's output A_{l+1} instead of its input A_l": making("output"),
        "the list runs from the last layer to the first": making("reversed"),
    }
    assert set(wrong) == set(BACKPROP_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_backprop(candidate)
        assert verdict.status in ("wrong values", "wrong shape") and verdict.slip == slip, \
            (slip, verdict.message)


def test_backprop_checker_catches_changed_inputs_and_wrong_shapes():
    def in_place(Ws, Zs, As, Y, f):
        right = reference_backprop(Ws, Zs, As, Y, f)
        As[-1] -= Y                              # overwrites the caller's forward pass
        return right

    verdict = check_backprop(in_place)
    assert verdict.status == "changed inputs" and verdict.slip == "it changed its inputs"

    def flat_vector(Ws, Zs, As, Y, f):
        return flat(reference_backprop(Ws, Zs, As, Y, f))

    assert check_backprop(flat_vector).status == "wrong shape"

    def crashes(Ws, Zs, As, Y, f):
        return [(Ws[0] @ Ws[0], None) for W in Ws]       # W_0 is never square here

    assert check_backprop(crashes).status == "error"


# -- Exercise 4: softmax_jacobian ------------------------------------------------------------

def plain_softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def test_softmax_jacobian_reference_matches_centred_differences_and_the_chain_rule():
    rng = np.random.default_rng(3)
    for K in (2, 3, 5):
        z = rng.normal(0.0, 2.0, size=K)
        J = reference_softmax_jacobian(z)
        h = 1e-6
        numeric = np.column_stack([(plain_softmax(z + h * e) - plain_softmax(z - h * e)) / (2 * h)
                                   for e in np.eye(K)])
        assert np.abs(J - numeric).max() < 1e-9
        y = np.eye(K)[rng.integers(0, K)]                 # Jᵀ ∇ₐC of the cross-entropy is a − y
        assert np.allclose(J.T @ (-y / plain_softmax(z)), plain_softmax(z) - y)
    assert np.isfinite(reference_softmax_jacobian(np.array([800.0, 799.0, 0.0]))).all()


def entry_by_entry(z):           # an independent solution: the quotient rule, one entry at a time
    e = np.exp(z - z.max())
    s = e.sum()
    K = len(z)
    return np.array([[(e[i] * s * (i == j) - e[i] * e[j]) / s**2 for j in range(K)]
                     for i in range(K)])


def test_softmax_jacobian_checker_verdicts():
    assert check_softmax_jacobian(entry_by_entry)

    def unshifted(z):
        a = np.exp(z) / np.exp(z).sum()
        return np.diag(a) - np.outer(a, a)

    wrong = {
        "only the diagonal a_i(1 − a_i) was kept, as if the softmax were element-wise: "
        "a_i also depends on every other z_j":
            lambda z: np.diag(np.diag(entry_by_entry(z))),
        "the diagonal term is missing: −a aᵀ alone leaves out the a_i 1[i = j] of the numerator":
            lambda z: -np.outer(plain_softmax(z), plain_softmax(z)),
        "the sign is flipped: a aᵀ − diag(a)": lambda z: -entry_by_entry(z),
        "the exponentials were not normalised: diag(e^z) − e^z (e^z)ᵀ":
            lambda z: np.diag(np.exp(z)) - np.outer(np.exp(z), np.exp(z)),
    }
    assert set(wrong) == set(SOFTMAX_JACOBIAN_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_softmax_jacobian(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, slip
        assert verdict.max_difference > 1e-3
    # a softmax without the max-shift is right for moderate z and overflows for z near 800
    verdict = check_softmax_jacobian(unshifted)
    assert verdict.status == "wrong values" and verdict.slip == OVERFLOW
    assert "inf or nan" in verdict.message
    assert check_softmax_jacobian(lambda z: entry_by_entry(z)[:-1]).status == "wrong shape"


# -- messages: relative differences -------------------------------------------------------------

def test_wrong_values_are_reported_relative_to_the_reference():
    scaled = check_layer_forward(lambda A, W, b: 1.5 * reference_layer_forward(A, W, b))
    assert scaled.status == "wrong values" and scaled.slip is None
    assert "50 % of the reference's largest entry" in scaled.message
    assert scaled.max_difference > 0          # the absolute difference, for the grader
    # a tiny relative slip reads as tiny, a gross one in times
    small = check_layer_forward(lambda A, W, b: reference_layer_forward(A, W, b) * (1 + 1e-3))
    assert "0.1 % of the reference's largest entry" in small.message
    large = check_layer_backward(lambda d, W, A: (d.T @ A, d.sum(axis=0), 1e3 * (d @ W) * A * (1 - A)))
    assert "999 times the reference's largest entry" in large.message
    assert "the largest difference is" in large.message
