"""Lesson 11's checkers: the references are right (centred differences, the lesson's
claims), each checker passes an independent solution, names every slip, calls a stub not
implemented, and never raises."""

import numpy as np
import pytest

import nnlib
from nnlib.autodiff import Value, mlp_gradient, topological_order
from nnlib.exercises import autodiff as checkers
from nnlib.exercises.autodiff import (
    FUNCTIONS,
    breadth_first,
    check_fixed_gradient,
    check_penalised_loss,
    check_topological_order,
    check_train_autodiff,
    reference_fixed_gradient,
    reference_penalised_loss,
    reference_train_autodiff,
)


def stub(*_):
    raise NotImplementedError


def test_exercises_are_listed_in_lesson_order():
    assert list(checkers.EXERCISES) == ["topological_order", "fixed_gradient", "train_autodiff",
                                        "penalised_loss"]


# -- exercise 1: a topological order, and the experiment that breaks it ----------------------

def recursive_order(root):
    """The lesson's solution: depth first, by recursion."""
    order, seen = [], set()

    def visit(v):
        if id(v) not in seen:
            seen.add(id(v))
            for parent in v.parents:
                visit(parent)
            order.append(v)

    visit(root)
    return order


def x2_plus_x4(x):
    x = Value(x)
    x2 = x * x
    return x, x2 + x2 * x2


def run_rules(root, order):
    """The backward pass with the rules run in `order`, as the lesson's backward(order)."""
    order = list(order)
    for v in order:
        v.grad = np.zeros_like(v.data)
    root.grad = np.ones_like(root.data)
    for v in order:
        if v.rule is not None:
            v.rule(v.grad)


@pytest.mark.parametrize("x0", [2.0, -1.5, 0.7, 3.0])
def test_breadth_first_loses_4x_cubed_on_x2_plus_x4(x0):
    """Exercise 1's solution: in reverse topological order dC/dx = 2x + 4x³ (36 at x = 2),
    in breadth-first order 2x (4 at x = 2): the 4x³ through x4 never reaches x."""
    x, C = x2_plus_x4(x0)
    run_rules(C, reversed(topological_order(C)))
    assert x.grad == pytest.approx(2 * x0 + 4 * x0 ** 3, rel=1e-15)
    x, C = x2_plus_x4(x0)
    run_rules(C, breadth_first(C))
    assert x.grad == pytest.approx(2 * x0, rel=1e-15)
    if x0 == 2.0:
        assert (float(x.grad), 2 * x0 + 4 * x0 ** 3) == (4.0, 36.0)


def test_topological_order_accepts_any_valid_order():
    assert check_topological_order(recursive_order)
    assert check_topological_order(topological_order)        # nnlib's, with a stack

    def parents_reversed(root):                               # another valid order
        order, seen = [], set()

        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for parent in reversed(v.parents):
                    visit(parent)
                order.append(v)

        visit(root)
        return tuple(order)

    assert check_topological_order(parents_reversed)


def test_topological_order_names_each_slip():
    def listed_twice(root):
        order = []

        def visit(v):
            for parent in v.parents:
                visit(parent)
            order.append(v)

        visit(root)
        return order

    cases = [(listed_twice, "wrong values", checkers.LISTED_TWICE),
             (lambda r: recursive_order(r)[:-1], "wrong shape", checkers.ROOT_MISSING),
             (lambda r: [v for v in recursive_order(r) if v.parents], "wrong shape",
              checkers.INPUTS_MISSING),
             (lambda r: recursive_order(r)[::-1], "wrong values", checkers.REVERSED),
             (lambda r: breadth_first(r)[::-1], "wrong values", checkers.BREADTH_FIRST_REVERSED)]
    for wrong, status, slip in cases:
        verdict = check_topological_order(wrong)
        assert verdict.status == status and verdict.slip == slip, verdict.message


def test_breadth_first_is_named_where_it_is_not_merely_reversed():
    x, C = x2_plus_x4(2.0)
    verdict = checkers._judge_order(breadth_first(C), C, "x2 + x2·x2")
    assert verdict.slip == checkers.BREADTH_FIRST, verdict.message
    # on Σ(x·x + x) breadth first is the reverse of a topological order, and told so
    assert check_topological_order(breadth_first).slip == checkers.REVERSED


def test_topological_order_never_raises_on_odd_answers():
    assert check_topological_order(stub).status == "not implemented"
    assert check_topological_order(lambda r: None).status == "not implemented"
    assert check_topological_order(lambda r: 3).status == "wrong shape"
    verdict = check_topological_order(lambda r: [v.data for v in recursive_order(r)])
    assert verdict.status == "wrong shape" and "the Values themselves" in verdict.message
    verdict = check_topological_order(lambda r: recursive_order(r) + [Value(1.0)])
    assert verdict.status == "wrong values" and "not computed from" in verdict.message
    verdict = check_topological_order(lambda r: 1 / 0)
    assert verdict.status == "error" and "ZeroDivisionError" in verdict.message


# -- exercise 2: find the bug ------------------------------------------------------------

def test_the_functions_gradients_against_centred_differences():
    x = np.random.default_rng(2).normal(size=6)
    for text, f in FUNCTIONS.items():
        numeric = nnlib.numerical_gradient(lambda t, f=f: float(f(t)), x.copy())
        np.testing.assert_allclose(reference_fixed_gradient(f, x), numeric, rtol=1e-6, atol=1e-9,
                                   err_msg=text)


def test_fixed_gradient():
    # an independent solution: the fixed rules are nnlib's own
    assert check_fixed_gradient(lambda f, x: reference_fixed_gradient(f, x))
    assert check_fixed_gradient(stub).status == "not implemented"
    assert check_fixed_gradient(lambda f, x: None).status == "not implemented"
    for wrong, slip in [
            (lambda f, x: checkers._gradient(checkers._assigning(True, True), f, x),
             "__mul__ still assigns (=) where it must add (+=), in its line for `other` (or both)"),
            (lambda f, x: checkers._gradient(checkers._assigning(False, True), f, x),
             "__mul__ still assigns (=) where it must add (+=), in its line for `other` (or both)"),
            (lambda f, x: checkers._gradient(checkers._assigning(True, False), f, x),
             "the line for `self` in __mul__ still assigns (=)"),
            (lambda f, x: 2 * x + 1, checkers.HARD_CODED)]:
        verdict = check_fixed_gradient(wrong)
        assert verdict.status == "wrong values" and verdict.slip == slip, verdict.message
    verdict = check_fixed_gradient(lambda f, x: np.array([3.0, -3.0, 2.0]))   # the demo's answer
    assert not verdict and verdict.slip == checkers.CONSTANT, verdict.message
    verdict = check_fixed_gradient(lambda f, x: 3 * x)
    assert verdict.status == "wrong values" and verdict.slip is None
    verdict = check_fixed_gradient(lambda f, x: f(x))                # f on the array itself
    assert not verdict


def test_the_hard_coded_answer_passes_the_first_function_only():
    """Why the checker tries several f: 2x + 1 is right for the first and wrong for another."""
    rng = np.random.default_rng(0)
    right = [np.allclose(2 * x + 1, reference_fixed_gradient(f, x))
             for f, x in zip(FUNCTIONS.values(), (rng.normal(size=4) for _ in FUNCTIONS))]
    assert right[0] and not all(right)


# -- exercise 3: train with autodiff -----------------------------------------------------

def autodiff_descent(net, X, Y, lr, steps):
    """An independent solution, on nnlib.autodiff."""
    losses = []
    for _ in range(steps):
        loss, grad = mlp_gradient(net, X, Y)
        losses.append(loss)
        net.weights.flat -= lr * grad
    return losses


def test_train_autodiff():
    assert check_train_autodiff(autodiff_descent)
    assert check_train_autodiff(stub).status == "not implemented"

    def uphill(net, X, Y, lr, steps):
        return autodiff_descent(net, X, Y, -lr, steps)

    def after(net, X, Y, lr, steps):
        autodiff_descent(net, X, Y, lr, 1)
        return autodiff_descent(net, X, Y, lr, steps - 1) + [net.loss(X, Y)]

    def once(net, X, Y, lr, steps):
        grad, losses = mlp_gradient(net, X, Y)[1], []
        for _ in range(steps):
            losses.append(net.loss(X, Y))
            net.weights.flat -= lr * grad
        return losses

    for wrong, slip in [(uphill, "the step goes uphill: θ + lr·∇𝓛"),
                        (after, "each loss was recorded after its step, not before"),
                        (once, "the gradient was computed once, before the loop, and never again"),
                        (lambda net, X, Y, lr, steps: autodiff_descent(net, X, Y, 1.0, steps),
                         "lr was left out: each step is the whole gradient")]:
        verdict = check_train_autodiff(wrong)
        assert verdict.status == "wrong values" and verdict.slip == slip, verdict.message

    def rebinding(net, X, Y, lr, steps):
        net.weights.flat = net.weights.flat - lr * mlp_gradient(net, X, Y)[1]

    verdict = check_train_autodiff(rebinding)
    assert verdict.status == "error" and "cannot be rebound" in verdict.message


def test_exercise_3s_experiment_holds_on_every_seed():
    """Its solution's claims: a [2, 8, 1] tanh net on the lesson's moons, 300 steps at
    lr = 1, seeds 0 to 4: the loss falls at every step, from 0.56–0.83 to 0.19–0.45, and the
    autodiff gradient stays within 1e-13 of backprop's, at every step and after."""
    X, Y = nnlib.data.moons(n=40, noise=0.2, seed=0)
    for seed in range(5):
        net = nnlib.MLP([2, 8, 1], "tanh", "sigmoid", "cross_entropy", seed=seed)
        losses, worst = [], 0.0
        for _ in range(300):
            loss, grad = mlp_gradient(net, X, Y)
            worst = max(worst, nnlib.relative_error(grad, net.gradient(X, Y)))
            losses.append(loss)
            net.weights.flat -= 1.0 * grad
        worst = max(worst, nnlib.relative_error(mlp_gradient(net, X, Y)[1], net.gradient(X, Y)))
        assert np.all(np.diff(losses) < 0) and worst < 1e-13, seed
        assert 0.56 < losses[0] < 0.83 and 0.19 < losses[-1] < 0.45, (seed, losses[0], losses[-1])
        np.testing.assert_allclose(losses, reference_train_autodiff(
            ([2, 8, 1], "tanh", "cross_entropy", seed), X, Y, 1.0, 300), rtol=1e-9)


# -- exercise 4: a loss nobody differentiated ----------------------------------------------

def test_penalised_loss_reference_against_centred_differences():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    W, b, lam = rng.normal(size=(2, 3)), rng.normal(size=2), 0.3

    def loss(theta):
        W_, b_ = theta[:6].reshape(2, 3), theta[6:]
        total = 0.0
        for x, y in zip(X, Y):                      # per sample, then the mean
            r = W_ @ x + b_ - y
            total += 0.5 * float(r @ r)
        return total / len(X) + lam / 2 * float((W_ ** 2).sum())

    theta = np.concatenate([W.ravel(), b])
    value, dW, db = reference_penalised_loss(X, Y, W, b, lam)
    assert value == pytest.approx(loss(theta), rel=1e-12)
    np.testing.assert_allclose(np.concatenate([dW.ravel(), db]),
                               nnlib.numerical_gradient(loss, theta), rtol=1e-6, atol=1e-8)


def right_loss(X, Y, W, b, lam, half=0.5, mean="samples", penalty=0.5, penalise_b=False):
    R = Value(X) @ W.T + b - Value(Y)
    scale = {"samples": 1 / len(X), "entries": 1 / Y.size, "none": 1.0}[mean]
    total = (R * R).sum() * Value(half * scale) + (W * W).sum() * Value(penalty * lam)
    if penalise_b:
        total = total + (b * b).sum() * Value(penalty * lam)
    return total


def test_penalised_loss():
    assert check_penalised_loss(right_loss)
    # the same loss as natural code: numbers mix with Values
    assert check_penalised_loss(lambda X, Y, W, b, lam: (
        ((Value(X) @ W.T + b - Value(Y)) ** 2).sum() / (2 * len(X)) + lam / 2 * (W * W).sum()))
    assert check_penalised_loss(stub).status == "not implemented"
    verdict = check_penalised_loss(lambda X, Y, W, b, lam: 1.0)
    assert verdict.status == "error" and "must return the loss as a Value" in verdict.message
    slips = {"the penalty (λ/2) Σ W² is missing": dict(penalty=0.0),
             "the ½ of the squared error is missing": dict(half=1.0),
             "the mean is over all N · n_out entries, not over the N samples":
                 dict(mean="entries"),
             "the 1/N is missing (a sum, not a mean)": dict(mean="none"),
             "the penalty was taken as λ Σ W², without its ½ (weight decay λ is (λ/2) Σ W²)":
                 dict(penalty=1.0),
             "the biases were penalised too": dict(penalise_b=True)}
    assert set(slips) == set(checkers.PENALISED_LOSS_SLIPS)
    for slip, switches in slips.items():
        verdict = check_penalised_loss(
            lambda X, Y, W, b, lam, switches=switches: right_loss(X, Y, W, b, lam, **switches))
        assert verdict.status == "wrong values" and verdict.slip == slip, verdict.message


def test_a_gradient_step_on_the_penalty_is_nnlibs_weight_decay():
    """Section 7's claim, on several nets: one gradient-descent step on 𝓛 + (λ/2) Σ W² is
    one step of nnlib.train(..., optimizer="sgd", weight_decay=λ)."""
    X, Y = nnlib.data.moons(n=30, noise=0.2, seed=1)
    for seed, lam in [(0, 0.1), (1, 0.5), (2, 0.01)]:
        net = nnlib.MLP([2, 5, 1], "tanh", "sigmoid", "cross_entropy", seed=seed)
        decayed = np.concatenate([np.full(W.size, 1.0) if k % 2 == 0 else np.zeros(W.size)
                                  for k, W in enumerate(net.weights.views)])
        expected = net.weights.flat - 0.3 * (net.gradient(X, Y) + lam * decayed * net.weights.flat)
        nnlib.train(net, X, Y, optimizer="sgd", lr=0.3, steps=1, weight_decay=lam)
        assert nnlib.relative_error(net.weights.flat, expected) < 1e-12


# -- every checker ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["train_autodiff", "penalised_loss"])
def test_every_slip_differs_from_the_reference_on_every_draw(name):
    make = {"train_autodiff": checkers._train_inputs,
            "penalised_loss": checkers._penalised_inputs}[name]
    reference = getattr(checkers, f"reference_{name}")
    slips = {"train_autodiff": checkers.TRAIN_SLIPS,
             "penalised_loss": checkers.PENALISED_LOSS_SLIPS}[name]
    rng = np.random.default_rng(0)
    for _ in range(3):
        args = make(rng)
        right = reference(*args)
        for slip, wrong in slips.items():
            got = wrong(*args)
            pairs = zip(right, got) if isinstance(right, tuple) else [(right, got)]
            assert any(np.shape(r) != np.shape(w) or not np.allclose(r, w) for r, w in pairs), slip


def test_every_fixed_gradient_slip_differs_from_the_reference_on_a_function_it_is_tried_on():
    rng = np.random.default_rng(0)
    for slip, wrong in checkers.FIXED_GRADIENT_SLIPS.items():
        x = rng.normal(size=5)
        assert any(not np.allclose(wrong(f, x), reference_fixed_gradient(f, x))
                   for f in FUNCTIONS.values()), slip


@pytest.mark.parametrize("answer", [lambda *a: exit(3), lambda *a: "text", lambda *a: [[1, 2], [3]],
                                    lambda *a: float("nan"), lambda *a: (1, 2, 3)])
def test_no_checker_raises(answer):
    for checker in checkers.EXERCISES.values():
        assert not checker(answer)
