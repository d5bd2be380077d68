"""Lesson 10 checkers: the references agree with nnlib's own forward pass and training
loop; the checkers pass an independent solution, name every slip, and call a stub not
implemented."""

import numpy as np
import pytest

import nnlib
from nnlib.exercises import hidden_representations as checkers
from nnlib.exercises.core import matches
from nnlib.exercises.hidden_representations import (
    check_accuracy_by_width,
    check_line_angles,
    check_unit_lines,
    reference_accuracy_by_width,
    reference_line_angles,
    reference_unit_lines,
)


def stub(*args):
    raise NotImplementedError


def test_exercises_are_listed_in_lesson_order():
    assert list(checkers.EXERCISES) == ["unit_lines", "accuracy_by_width", "line_angles"]
    assert checkers.EXERCISES["unit_lines"] is check_unit_lines


# -- the references are right ----------------------------------------------------------------

def test_unit_lines_reference_gives_points_where_each_units_pre_activation_is_zero():
    net = nnlib.MLP([2, 4, 1], activation="tanh", seed=5)
    x1 = np.linspace(-1.5, 1.5, 7)
    x2 = reference_unit_lines(net.Ws[0], net.bs[0], x1)
    assert x2.shape == (4, 7)
    for j in range(4):
        Z0 = net.forward_all(np.column_stack([x1, x2[j]]))[0][0]
        np.testing.assert_allclose(Z0[:, j], 0.0, atol=1e-12)
        assert np.abs(np.delete(Z0, j, axis=1)).max() > 1e-3    # only unit j's line


def test_accuracy_by_width_reference_matches_training_each_net_by_hand():
    X, Y = nnlib.data.circles(n=40, noise=0.08, seed=1)
    got = reference_accuracy_by_width(X, Y, [1, 3], [0, 2], epochs=15, lr=0.05)
    assert got.shape == (2, 2)
    for i, width in enumerate([1, 3]):
        for k, seed in enumerate([0, 2]):
            net = nnlib.MLP([2, width, 1], activation="tanh", output_activation="sigmoid",
                            loss="cross_entropy", seed=seed)
            nnlib.train(net, X, Y, optimizer="adam", lr=0.05, steps=15)
            assert got[i, k] == np.mean((net.forward(X) > 0.5) == Y)


def test_line_angles_reference_matches_the_angles_of_the_lines_drawn_from_two_points():
    rng = np.random.default_rng(6)
    W0, b0 = rng.normal(size=(4, 2)), rng.normal(size=4)
    x2 = reference_unit_lines(W0, b0, np.array([0.0, 1.0]))     # two points on every line
    heading = np.degrees(np.arctan2(x2[:, 1] - x2[:, 0], 1.0))   # each line's direction
    for i in range(4):
        for j in range(4):
            turn = abs(heading[i] - heading[j]) % 180
            assert reference_line_angles(W0)[i, j] == pytest.approx(min(turn, 180 - turn), abs=1e-6)


def test_line_angles_reference_ignores_scale_and_sign():
    W0 = np.array([[1.0, 0.0], [-3.0, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(reference_line_angles(W0),
                               [[0, 0, 90], [0, 0, 90], [90, 90, 0]], atol=1e-12)


# -- the checkers' verdicts --------------------------------------------------------------

def plain_unit_lines(W0, b0, x1):
    # an independent solution: one unit and one point at a time
    return np.array([[(-b - w[0] * x) / w[1] for x in x1] for w, b in zip(W0, b0)])


def test_unit_lines_checker_verdicts():
    assert check_unit_lines(plain_unit_lines)
    assert check_unit_lines(stub).status == "not implemented"
    for wrong, slip in [(lambda W0, b0, x1: plain_unit_lines(W0, 0 * b0, x1), "b0 was left out"),
                        (lambda W0, b0, x1: -plain_unit_lines(W0, b0, x1), "the sign was lost"),
                        (lambda W0, b0, x1: plain_unit_lines(W0, b0 - 0.5, x1),
                         "the line where z = 0.5")]:
        verdict = check_unit_lines(wrong)
        assert not verdict and verdict.slip.startswith(slip), verdict.message
    verdict = check_unit_lines(lambda W0, b0, x1: plain_unit_lines(W0, b0, x1).T)
    assert verdict.slip == "the result is the transpose of the right one"


def plain_accuracy_by_width(X, Y, widths, seeds, epochs=400, lr=0.05, threshold=0.5):
    out = np.empty((len(widths), len(seeds)))
    for i, width in enumerate(widths):
        for k, seed in enumerate(seeds):
            net = nnlib.MLP([2, width, 1], activation="tanh", output_activation="sigmoid",
                            loss="cross_entropy", seed=seed)
            nnlib.train(net, X, Y, optimizer="adam", lr=lr, epochs=epochs)
            right = [(a > threshold) == y for a, y in zip(net.forward(X)[:, 0], Y[:, 0])]
            out[i, k] = sum(right) / len(right)
    return out


def test_accuracy_by_width_checker_verdicts():
    assert check_accuracy_by_width(plain_accuracy_by_width)
    assert check_accuracy_by_width(stub).status == "not implemented"
    verdict = check_accuracy_by_width(
        lambda *args, **kwargs: plain_accuracy_by_width(*args, **kwargs, threshold=0.0))
    assert not verdict and verdict.slip.startswith("the output was compared with 0"), verdict.message
    verdict = check_accuracy_by_width(lambda *args, **kwargs: plain_accuracy_by_width(*args, **kwargs).T)
    assert verdict.slip == "the result is the transpose of the right one"


def plain_line_angles(W0):
    # an independent solution: each pair's angle from the rows' headings
    heading = [np.degrees(np.arctan2(w[1], w[0])) for w in W0]
    out = np.empty((len(W0), len(W0)))
    for i, a in enumerate(heading):
        for j, b in enumerate(heading):
            turn = abs(a - b) % 180
            out[i, j] = min(turn, 180 - turn)
    return out


def test_line_angles_checker_verdicts():
    assert check_line_angles(plain_line_angles)
    assert check_line_angles(stub).status == "not implemented"

    def unsigned(W0):          # no absolute value: antiparallel rows give 180 − angle
        n = W0 / np.linalg.norm(W0, axis=1, keepdims=True)
        return np.degrees(np.arccos(np.clip(n @ n.T, -1, 1)))

    def columns(W0):           # the angles between the columns (one per input), not the rows
        return np.array([[np.degrees(np.arccos(min(1.0, abs(u @ v) / np.linalg.norm(u) / np.linalg.norm(v))))
                          for v in W0.T] for u in W0.T])

    for wrong, slip in [(unsigned, "the absolute value of the cosine is missing"),
                        (lambda W0: np.radians(plain_line_angles(W0)), "the angles are in radians"),
                        (columns, "the columns of W0 were compared")]:
        verdict = check_line_angles(wrong)
        assert not verdict and verdict.slip.startswith(slip), verdict.message

    def nan_on_the_diagonal(W0):
        out = plain_line_angles(W0)
        np.fill_diagonal(out, np.nan)
        return out

    verdict = check_line_angles(nan_on_the_diagonal)
    assert verdict.slip == checkers.NAN_SLIP and "clip" in verdict.message


@pytest.mark.parametrize("name", ["unit_lines", "accuracy_by_width", "line_angles"])
def test_every_slip_differs_from_the_reference_on_the_drawn_inputs(name):
    make = {"unit_lines": checkers._unit_lines_inputs,
            "accuracy_by_width": checkers._accuracy_by_width_inputs,
            "line_angles": checkers._line_angles_inputs}[name]
    reference = getattr(checkers, f"reference_{name}")
    slips = getattr(checkers, f"{name.upper()}_SLIPS")
    rng = np.random.default_rng(0)
    draws = [make(rng) for _ in range(2)]
    for slip, wrong in slips.items():
        assert any(not matches(wrong(*args), reference(*args), rtol=1e-5, atol=1e-8)
                   for args in draws), slip
