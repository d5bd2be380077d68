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
    check_nearest_points,
    reference_accuracy_by_width,
    reference_line_angles,
    reference_nearest_points,
)


def stub(*args):
    raise NotImplementedError


def test_exercises_are_listed_in_lesson_order():
    assert list(checkers.EXERCISES) == ["nearest_points", "accuracy_by_width", "line_angles"]
    assert checkers.EXERCISES["nearest_points"] is check_nearest_points


# -- the references are right ----------------------------------------------------------------

def test_nearest_points_reference_lies_on_each_units_line_and_nearest_the_origin():
    net = nnlib.MLP([2, 4, 1], activation="tanh", seed=5)
    net.bs[0][:] = [0.5, -1.0, 2.0, 0.3]
    W0, b0 = net.Ws[0], net.bs[0]
    points = reference_nearest_points(W0, b0)
    assert points.shape == (4, 2)
    for j in range(4):
        Z0 = net.forward_all(points[j][None, :])[0][0][0]
        assert abs(Z0[j]) < 1e-12 and np.abs(np.delete(Z0, j)).max() > 1e-3    # on unit j's line
        along = np.array([W0[j, 1], -W0[j, 0]])                             # the line's direction
        others = points[j] + np.linspace(-2, 2, 41)[:, None] * along
        assert np.linalg.norm(others, axis=1).min() >= np.linalg.norm(points[j]) - 1e-12


def test_accuracy_by_width_reference_matches_training_each_net_by_hand():
    X, Y = nnlib.data.circles(n=40, noise=0.05, seed=1)
    accuracy, first = reference_accuracy_by_width(X, Y, [1, 3], [0, 2], epochs=60, lr=0.1)
    assert accuracy.shape == first.shape == (2, 2)
    for i, width in enumerate([1, 3]):
        for k, seed in enumerate([0, 2]):
            scores = []
            for steps in range(1, 61):            # a fresh run for each length: no callback
                net = nnlib.MLP([2, width, 1], activation="tanh", output_activation="sigmoid",
                                loss="cross_entropy", seed=seed)
                nnlib.train(net, X, Y, optimizer="adam", lr=0.1, steps=steps)
                scores.append(np.mean((net.forward(X) > 0.5) == Y))
            assert accuracy[i, k] == scores[-1]
            separated = [step for step, score in enumerate(scores, start=1) if score >= 0.99]
            assert first[i, k] == (separated[0] if separated else np.inf)
    assert np.isinf(first[0]).all() and np.isfinite(first[1]).any()   # both kinds of run occur


def test_line_angles_reference_matches_the_angles_of_the_lines_drawn_from_two_points():
    rng = np.random.default_rng(6)
    W0, b0 = rng.normal(size=(4, 2)), rng.normal(size=4)
    points = reference_nearest_points(W0, b0)                   # on every line; toward a second
    second = points + np.column_stack([W0[:, 1], -W0[:, 0]])    # point, perpendicular to W0[j]
    heading = np.degrees(np.arctan2(*(second - points)[:, ::-1].T))   # each line's direction
    for i in range(4):
        for j in range(4):
            turn = abs(heading[i] - heading[j]) % 180
            assert reference_line_angles(W0)[i, j] == pytest.approx(min(turn, 180 - turn), abs=1e-6)


def test_line_angles_reference_ignores_scale_and_sign():
    W0 = np.array([[1.0, 0.0], [-3.0, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(reference_line_angles(W0),
                               [[0, 0, 90], [0, 0, 90], [90, 90, 0]], atol=1e-12)


# -- the checkers' verdicts --------------------------------------------------------------

def plain_nearest_points(W0, b0):
    # an independent solution: the least-norm solution of w · x = -b, one unit at a time
    return np.array([np.linalg.lstsq(w[None, :], [-b], rcond=None)[0] for w, b in zip(W0, b0)])


def test_nearest_points_checker_verdicts():
    assert check_nearest_points(plain_nearest_points)
    assert check_nearest_points(stub).status == "not implemented"
    for wrong, slip in [(lambda W0, b0: plain_nearest_points(W0, -b0), "the sign was lost"),
                        (lambda W0, b0: -b0[:, None] * W0 / np.linalg.norm(W0, axis=1)[:, None],
                         "divided by |w_j| once"),
                        (lambda W0, b0: np.column_stack([-b0 / W0[:, 0], -b0 / W0[:, 1]]),
                         "these are the points where the line crosses")]:
        verdict = check_nearest_points(wrong)
        assert not verdict and verdict.slip.startswith(slip), verdict.message
    verdict = check_nearest_points(lambda W0, b0: plain_nearest_points(W0, b0).T)
    assert verdict.slip == "the result is the transpose of the right one"


def plain_accuracy_by_width(X, Y, widths, seeds, epochs=400, lr=0.05, threshold=0.5):
    accuracy, first = np.empty((len(widths), len(seeds))), np.full((len(widths), len(seeds)), np.inf)
    for i, width in enumerate(widths):
        for k, seed in enumerate(seeds):
            net = nnlib.MLP([2, width, 1], activation="tanh", output_activation="sigmoid",
                            loss="cross_entropy", seed=seed)

            def score(model):
                right = [(a > threshold) == y for a, y in zip(model.forward(X)[:, 0], Y[:, 0])]
                return sum(right) / len(right)

            def watch(step, model, loss, grad, i=i, k=k):
                if first[i, k] == np.inf and score(model) >= 0.99:
                    first[i, k] = step

            nnlib.train(net, X, Y, optimizer="adam", lr=lr, epochs=epochs, callback=watch)
            accuracy[i, k] = score(net)
    return accuracy, first


def test_accuracy_by_width_checker_verdicts():
    assert check_accuracy_by_width(plain_accuracy_by_width)
    assert check_accuracy_by_width(stub).status == "not implemented"
    verdict = check_accuracy_by_width(
        lambda *args, **kwargs: plain_accuracy_by_width(*args, **kwargs, threshold=0.0))
    assert not verdict and verdict.slip.startswith("the output was compared with 0"), verdict.message

    def last_step(*args, **kwargs):
        accuracy, first = plain_accuracy_by_width(*args, **kwargs)
        epochs = args[4] if len(args) > 4 else kwargs.get("epochs", 400)
        return accuracy, np.where(np.isfinite(first), float(epochs), np.inf)   # stays separated

    def minus_one(*args, **kwargs):
        accuracy, first = plain_accuracy_by_width(*args, **kwargs)
        return accuracy, np.where(np.isfinite(first), first, -1)

    never = []                                 # whether each trial has a run that never separates

    def from_zero(*args, **kwargs):
        accuracy, first = plain_accuracy_by_width(*args, **kwargs)
        never.append(np.isinf(first).any())
        return accuracy, first - 1

    # Width 1 never separates, so the slips' steps hold np.inf where the reference's do: a wrong
    # step is a difference in the finite entries, not "inf or nan where the reference is finite".
    difference = "wrong values, the largest difference is"
    for wrong, slip, words in [(last_step, "the step was written down at every step", difference),
                               (from_zero, "the steps were counted from 0", difference),
                               (minus_one, "a run that never separates got -1",
                                "wrong values, a finite number where the reference is inf or nan")]:
        verdict = check_accuracy_by_width(wrong)
        assert not verdict and verdict.slip.startswith(slip), verdict.message
        assert words in verdict.message and "where the reference is finite" not in verdict.message, \
            verdict.message
    assert never and all(never)
    verdict = check_accuracy_by_width(
        lambda *args, **kwargs: tuple(t.T for t in plain_accuracy_by_width(*args, **kwargs)))
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


@pytest.mark.parametrize("name", ["nearest_points", "accuracy_by_width", "line_angles"])
def test_every_slip_differs_from_the_reference_on_the_drawn_inputs(name):
    make = {"nearest_points": checkers._nearest_points_inputs,
            "accuracy_by_width": checkers._accuracy_by_width_inputs,
            "line_angles": checkers._line_angles_inputs}[name]
    reference = getattr(checkers, f"reference_{name}")
    slips = getattr(checkers, f"{name.upper()}_SLIPS")
    rng = np.random.default_rng(0)
    draws = [make(rng) for _ in range(2)]
    for slip, wrong in slips.items():
        assert any(not matches(wrong(*args), reference(*args), rtol=1e-5, atol=1e-8)
                   for args in draws), slip
