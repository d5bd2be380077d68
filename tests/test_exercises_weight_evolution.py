"""Lesson 09 checkers: the references agree with nnlib's own layout and forward pass,
and with plain loops; the checkers pass an independent solution, name every slip, and
call a stub not implemented."""

import numpy as np
import pytest

import nnlib
from nnlib.exercises import weight_evolution as checkers
from nnlib.exercises.core import matches
from nnlib.exercises.weight_evolution import (
    check_hidden_activations,
    check_layer_history,
    check_relative_changes,
    reference_hidden_activations,
    reference_layer_history,
    reference_relative_changes,
)


def stub(*args):
    raise NotImplementedError


def test_exercises_are_listed_in_lesson_order():
    assert list(checkers.EXERCISES) == ["layer_history", "hidden_activations",
                                        "relative_changes"]
    assert checkers.EXERCISES["relative_changes"] is check_relative_changes


# -- the references are right ----------------------------------------------------------------

@pytest.mark.parametrize("sizes", [[3, 4, 2], [2, 5, 3, 1], [4, 1, 1]])
def test_layer_history_reference_matches_net_weights_split(sizes):
    net = nnlib.MLP(sizes, seed=0)
    snapshots = np.random.default_rng(1).normal(size=(4, net.weights.size))
    for layer in range(net.n_layers):
        expected = np.array([net.weights.split(flat)[2 * layer] for flat in snapshots])
        np.testing.assert_array_equal(reference_layer_history(snapshots, sizes, layer), expected)


def test_hidden_activations_reference_matches_forward_all():
    net = nnlib.MLP([3, 4, 1], activation="tanh", seed=2)
    X = np.random.default_rng(3).normal(size=(6, 3))
    expected = net.forward_all(X)[1][1]
    np.testing.assert_allclose(reference_hidden_activations(net.weights.flat, net.sizes, X),
                               expected, rtol=1e-14)


@pytest.mark.parametrize("sizes", [[3, 4, 2], [2, 5, 3, 1]])
def test_relative_changes_reference_matches_a_loop_over_nnlib_views(sizes):
    net = nnlib.MLP(sizes, seed=0)
    rng = np.random.default_rng(4)
    snapshots = rng.normal(size=(6, net.weights.size))
    expected = np.empty((5, net.n_layers))
    for t in range(5):
        before, after = net.weights.split(snapshots[t]), net.weights.split(snapshots[t + 1])
        for layer in range(net.n_layers):
            W0, W1 = before[2 * layer], after[2 * layer]
            expected[t, layer] = (np.sqrt(sum((w1 - w0) ** 2 for w0, w1 in zip(W0.flat, W1.flat)))
                                  / np.sqrt(sum(w ** 2 for w in W0.flat)))
    np.testing.assert_allclose(reference_relative_changes(snapshots, sizes), expected, rtol=1e-12)


def test_relative_changes_of_a_training_run_shrink():
    X, Y = nnlib.data.circles(n=100, seed=0)
    net = nnlib.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid",
                    loss="cross_entropy", seed=0)
    history = nnlib.train(net, X, Y, optimizer="adam", lr=0.05, epochs=200, record_every=10)
    ratios = reference_relative_changes(history.snapshots, net.sizes)
    assert ratios.shape == (len(history.snapshots) - 1, 2)
    assert (ratios[-1] < ratios[0]).all() and (ratios > 0).all()


# -- the checkers' verdicts --------------------------------------------------------------

def plain_layer_history(snapshots, sizes, layer):
    # an independent solution: one frame and one entry at a time
    start = sum(sizes[k] * sizes[k + 1] + sizes[k + 1] for k in range(layer))
    n_in, n_out = sizes[layer], sizes[layer + 1]
    out = np.empty((len(snapshots), n_out, n_in))
    for f, flat in enumerate(snapshots):
        for j in range(n_out):
            for k in range(n_in):
                out[f, j, k] = flat[start + j * n_in + k]
    return out


def test_layer_history_checker_verdicts():
    assert check_layer_history(plain_layer_history)
    assert check_layer_history(stub).status == "not implemented"

    def biases_not_skipped(snapshots, sizes, layer):
        start = sum(sizes[k] * sizes[k + 1] for k in range(layer))
        n_in, n_out = sizes[layer], sizes[layer + 1]
        return snapshots[:, start:start + n_in * n_out].reshape(-1, n_out, n_in)

    def column_major(snapshots, sizes, layer):
        start = sum(sizes[k] * sizes[k + 1] + sizes[k + 1] for k in range(layer))
        n_in, n_out = sizes[layer], sizes[layer + 1]
        return snapshots[:, start:start + n_in * n_out].reshape(-1, n_out, n_in, order="F")

    def last_frame_only(snapshots, sizes, layer):
        return plain_layer_history(snapshots, sizes, layer)[-1]

    for wrong, slip in [(biases_not_skipped, "the biases of the earlier layers were not skipped"),
                        (column_major, "the block was reshaped to (n_in, n_out) and transposed, "
                                       "but W is stored row by row"),
                        (last_frame_only, "only the last frame was returned")]:
        verdict = check_layer_history(wrong)
        assert not verdict and verdict.slip == slip, verdict.message
        assert slip in verdict.message


def plain_hidden(flat, sizes, X, f=np.tanh):
    n_in, n_hidden = sizes[:2]
    W = flat[:n_in * n_hidden].reshape(n_hidden, n_in)
    b = flat[n_in * n_hidden:n_in * n_hidden + n_hidden]
    return np.array([[f(sum(W[j, k] * x[k] for k in range(n_in)) + b[j])
                      for j in range(n_hidden)] for x in X])


def test_hidden_activations_checker_verdicts():
    assert check_hidden_activations(plain_hidden)
    assert check_hidden_activations(stub).status == "not implemented"

    def no_bias(flat, sizes, X):
        n_in, n_hidden = sizes[:2]
        return np.tanh(X @ flat[:n_in * n_hidden].reshape(n_hidden, n_in).T)

    def column_major(flat, sizes, X):
        n_in, n_hidden = sizes[:2]
        W = flat[:n_in * n_hidden].reshape(n_in, n_hidden).T
        return np.tanh(X @ W.T + flat[n_in * n_hidden:n_in * n_hidden + n_hidden])

    def sigmoid(flat, sizes, X):
        return plain_hidden(flat, sizes, X, f=lambda z: 1 / (1 + np.exp(-z)))

    def no_tanh(flat, sizes, X):
        return plain_hidden(flat, sizes, X, f=lambda z: z)

    for wrong, slip in [(no_bias, "b0 was left out"),
                        (column_major, "W0 was reshaped to (n_in, n_hidden) and transposed, "
                                       "but W is stored row by row"),
                        (sigmoid, "σ was used instead of tanh"),
                        (no_tanh, "tanh is missing (that is Z, not the activation A)")]:
        verdict = check_hidden_activations(wrong)
        assert not verdict and verdict.slip == slip, verdict.message

    verdict = check_hidden_activations(lambda flat, sizes, X: plain_hidden(flat, sizes, X).T)
    assert verdict.status == "wrong shape" and verdict.slip == "the result is the transpose of " \
                                                              "the right one"


def plain_relative_changes(snapshots, sizes, with_biases=False, skip_biases=True,
                           base="before", root=True, divide=True):
    # an independent solution by loops, with switches that make each slip
    n_frames, n_layers = len(snapshots), len(sizes) - 1
    out = np.empty((n_frames - 1, n_layers))
    start = 0
    for layer in range(n_layers):
        n_in, n_out = sizes[layer], sizes[layer + 1]
        idx = list(range(start, start + n_in * n_out + (n_out if with_biases else 0)))
        start += n_in * n_out + (n_out if skip_biases else 0)
        for t in range(n_frames - 1):
            origin = 0 if base == "first" else t
            step = sum((snapshots[t + 1, i] - snapshots[origin, i]) ** 2 for i in idx)
            size = sum(snapshots[t + 1 if base == "after" else t, i] ** 2 for i in idx)
            if root:
                step, size = np.sqrt(step), np.sqrt(size)
            out[t, layer] = step / size if divide else step
    return out


def test_relative_changes_checker_verdicts():
    assert check_relative_changes(plain_relative_changes)
    assert check_relative_changes(stub).status == "not implemented"
    slips = {
        "the biases were counted in the norms": dict(with_biases=True),
        "the biases of the earlier layers were not skipped": dict(skip_biases=False),
        "the change was divided by ‖W_l‖ after the step, not before it": dict(base="after"),
        "the change was measured from the first frame, not from the frame before":
            dict(base="first"),
        "the squared norms were divided (the square roots are missing)": dict(root=False),
        "the change was not divided by ‖W_l‖": dict(divide=False),
    }
    assert set(slips) == set(checkers.RELATIVE_CHANGES_SLIPS)
    for slip, switches in slips.items():
        verdict = check_relative_changes(
            lambda S, sizes, switches=switches: plain_relative_changes(S, sizes, **switches))
        assert not verdict and verdict.slip == slip, verdict.message

    verdict = check_relative_changes(lambda S, sizes: plain_relative_changes(S, sizes).T)
    assert verdict.slip == "the result is the transpose of the right one"

    def in_place(S, sizes):
        S *= 2                       # changes its input (the ratios stay the same)
        return plain_relative_changes(S, sizes)

    assert check_relative_changes(in_place).status == "changed inputs"


@pytest.mark.parametrize("name", ["layer_history", "hidden_activations", "relative_changes"])
def test_every_slip_differs_from_the_reference_on_the_drawn_inputs(name):
    make = {"layer_history": checkers._layer_history_inputs,
            "hidden_activations": checkers._hidden_inputs,
            "relative_changes": checkers._relative_changes_inputs}[name]
    reference = getattr(checkers, f"reference_{name}")
    slips = getattr(checkers, f"{name.upper()}_SLIPS")
    rng = np.random.default_rng(0)
    draws = [make(rng) for _ in range(4)]
    for slip, wrong in slips.items():
        differs = False
        for args in draws:
            right, got = reference(*args), wrong(*args)
            differs |= not matches(got, right, rtol=1e-5, atol=1e-8)
        assert differs, slip
