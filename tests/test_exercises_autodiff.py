"""Lesson 11's checkers: the references are right (centred differences, the lesson's
claims), each checker passes an independent solution, names every slip, calls a stub not
implemented, and never raises."""

import numpy as np
import pytest

import nnlib
from nnlib.autodiff import Value, _unbroadcast, mlp_gradient, topological_order
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
    message = check_topological_order(lambda r: recursive_order(r)[:-1]).message
    assert "1 of its 4 Values is missing" in message, message


def test_breadth_first_is_named_where_it_is_not_merely_reversed():
    x, C = x2_plus_x4(2.0)
    verdict = checkers._judge_order(breadth_first(C), C, "x2 + x2·x2")
    assert verdict.slip == checkers.BREADTH_FIRST, verdict.message
    # on Σ(x·x + x) breadth first is the reverse of a topological order: the checker tries
    # x2 + x2·x2 first, so that breadth first is named, not "reversed"
    x = Value(np.ones(3))
    C = (x * x + x).sum()
    assert [id(v) for v in breadth_first(C)] == [id(v) for v in reversed(topological_order(C))]
    assert check_topological_order(breadth_first).slip == checkers.BREADTH_FIRST


def test_breadth_first_can_be_right_where_a_value_is_reached_along_paths_of_different_lengths():
    """Exercise 1's solution says breadth first *can* go wrong when a Value computed from
    others is reached along paths of different lengths: an input so reached is harmless
    (x + x·x at x = 3: 7), and so is x2 when the longer path is queued first (x4 + x2)."""
    x = Value(3.0)
    C = x + x * x
    run_rules(C, breadth_first(C))
    assert float(x.grad) == 7.0
    x = Value(2.0)
    x2 = x * x
    C = x2 * x2 + x2
    run_rules(C, breadth_first(C))
    assert float(x.grad) == 2 * 2.0 + 4 * 2.0 ** 3


def test_the_recursive_order_fails_on_a_long_chain_and_nnlibs_does_not():
    """Exercise 1's solution: recursion stops at Python's recursion limit (1,000 calls by
    default), nnlib's order keeps its own stack."""
    v = Value(1.0)
    for _ in range(1200):
        v = v + Value(1.0)
    assert len(topological_order(v)) == 2401
    with pytest.raises(RecursionError):
        recursive_order(v)


def test_topological_order_never_raises_on_odd_answers():
    assert check_topological_order(stub).status == "not implemented"
    assert check_topological_order(lambda r: None).status == "not implemented"
    assert check_topological_order(lambda r: 3).status == "wrong shape"
    verdict = check_topological_order(lambda r: (v for v in recursive_order(r)))
    assert verdict.status == "wrong shape" and "reversed()" in verdict.message, verdict.message
    verdict = check_topological_order(lambda r: [v.data for v in recursive_order(r)])
    assert verdict.status == "wrong shape" and "the Values themselves" in verdict.message
    verdict = check_topological_order(lambda r: recursive_order(r) + [Value(1.0)])
    assert verdict.status == "wrong values" and "not computed from" in verdict.message
    verdict = check_topological_order(lambda r: 1 / 0)
    assert verdict.status == "error" and "ZeroDivisionError" in verdict.message


# -- exercise 2: find the bug ------------------------------------------------------------

class BuggyValue(Value):
    """The lesson's BuggyValue, on nnlib's Value: __mul__ sums g and the other factor over
    the broadcast rows apart, then multiplies the sums; results keep their class."""

    def __add__(self, other):
        def rule(g):
            self.grad += _unbroadcast(g, self.data.shape)
            other.grad += _unbroadcast(g, other.data.shape)
        return type(self)(self.data + other.data, (self, other), rule)

    def __mul__(self, other):
        def rule(g):
            self.grad += _unbroadcast(g, self.data.shape) * _unbroadcast(other.data, self.data.shape)
            other.grad += _unbroadcast(g, other.data.shape) * _unbroadcast(self.data, other.data.shape)
        return type(self)(self.data * other.data, (self, other), rule)


def share(g, mine, theirs, fixed):
    if fixed:
        return _unbroadcast(g * theirs, mine.shape)
    return _unbroadcast(g, mine.shape) * _unbroadcast(theirs, mine.shape)


def fixed_class(self_fixed=True, other_fixed=True):
    """A subclass of BuggyValue with one line of __mul__ fixed, or both."""
    class FixedValue(BuggyValue):
        def __mul__(self, other):
            def rule(g):
                self.grad += share(g, self.data, other.data, self_fixed)
                other.grad += share(g, other.data, self.data, other_fixed)
            return type(self)(self.data * other.data, (self, other), rule)
    return FixedValue


def gradient_with(kind):
    return lambda f, x: checkers._gradient(kind, f, x)


def test_the_functions_gradients_against_centred_differences():
    x = np.random.default_rng(2).normal(size=6)
    for text, f in FUNCTIONS.items():
        numeric = nnlib.numerical_gradient(lambda t, f=f: float(f(t)), x.copy())
        np.testing.assert_allclose(reference_fixed_gradient(f, x), numeric, rtol=1e-6, atol=1e-9,
                                   err_msg=text)


def test_the_bug_shows_only_where_a_product_broadcasts():
    """The first function has no broadcast product, and BuggyValue gets it right; on every
    other one (M * v, v * M: v scales the columns of a (3, n) batch) it is wrong."""
    x = np.random.default_rng(4).normal(size=5)
    right = [np.allclose(checkers._gradient(BuggyValue, f, x), reference_fixed_gradient(f, x))
             for f in FUNCTIONS.values()]
    assert right == [True, False, False, False]


def test_fixed_gradient():
    assert check_fixed_gradient(gradient_with(fixed_class()))
    assert check_fixed_gradient(stub).status == "not implemented"
    assert check_fixed_gradient(lambda f, x: None).status == "not implemented"
    for wrong, slip in [(gradient_with(BuggyValue), checkers.OTHER_LINE),
                        (gradient_with(fixed_class(self_fixed=False)), checkers.SELF_LINE),
                        (gradient_with(fixed_class(other_fixed=False)), checkers.OTHER_LINE),
                        (reference_fixed_gradient, checkers.OTHER_CLASS),      # nnlib's Value
                        (lambda f, x: nnlib.numerical_gradient(lambda t: float(f(t)), x),
                         checkers.NUMERICAL),
                        (lambda f, x: f(x), checkers.NUMERICAL)]:
        verdict = check_fixed_gradient(wrong)
        assert verdict.status == "wrong values" and verdict.slip == slip, verdict.message
    # BuggyValue fixed in its own cell: a class of that name with the right rules
    assert check_fixed_gradient(gradient_with(type("BuggyValue", (Value,), {})))
    verdict = check_fixed_gradient(lambda f, x: np.array([3.0, -3.0, 2.0]))
    assert not verdict and verdict.slip == checkers.CONSTANT, verdict.message
    verdict = check_fixed_gradient(lambda f, x: 3 * x)
    assert verdict.status == "wrong values" and verdict.slip is None


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

    def backprop(net, X, Y, lr, steps):                       # nnlib's gradient, not ours
        losses = []
        for _ in range(steps):
            loss, grad = net.loss_and_gradient(X, Y)
            losses.append(loss)
            net.weights.flat -= lr * grad
        return losses

    for wrong in (backprop, lambda net, X, Y, lr, steps: (net.gradient(X, Y),
                                                           autodiff_descent(net, X, Y, lr, steps))[1]):
        verdict = check_train_autodiff(wrong)
        assert verdict.status == "wrong values" and verdict.slip == checkers.BACKPROP_USED, verdict.message


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
    X, Y, s = rng.normal(size=(6, 3)), rng.normal(size=(6, 2)), rng.uniform(0.2, 2.0, size=6)
    W, b, W_ref, lam = rng.normal(size=(2, 3)), rng.normal(size=2), rng.normal(size=(2, 3)), 0.3

    def loss(theta):
        W_, b_ = theta[:6].reshape(2, 3), theta[6:]
        total = 0.0
        for x, y, weight in zip(X, Y, s):            # per sample, then the mean
            r = W_ @ x + b_ - y
            total += 0.5 * weight * float(r @ r)
        return total / len(X) + lam / 2 * float(((W_ - W_ref) ** 2).sum())

    theta = np.concatenate([W.ravel(), b])
    value, dW, db = reference_penalised_loss(X, Y, s, W, b, W_ref, lam)
    assert value == pytest.approx(loss(theta), rel=1e-12)
    np.testing.assert_allclose(np.concatenate([dW.ravel(), db]),
                               nnlib.numerical_gradient(loss, theta), rtol=1e-6, atol=1e-8)


def right_loss(X, Y, s, W, b, W_ref, lam, half=0.5, mean="samples", weighted=True, penalty=0.5,
               towards_ref=True):
    R = Value(X) @ W.T + b - Value(Y)
    weights = Value((s if weighted else np.ones(len(X))).reshape(-1, 1))
    D = W - Value(W_ref) if towards_ref else W
    scale = {"samples": 1 / len(X), "entries": 1 / Y.size, "none": 1.0, "weights": 1 / s.sum()}[mean]
    return (weights * R * R).sum() * Value(half * scale) + (D * D).sum() * Value(penalty * lam)


def test_penalised_loss():
    assert check_penalised_loss(right_loss)
    # the same loss as natural code: numbers mix with Values
    assert check_penalised_loss(lambda X, Y, s, W, b, W_ref, lam: (
        (Value(s.reshape(-1, 1)) * (Value(X) @ W.T + b - Value(Y)) ** 2).sum() / (2 * len(X))
        + lam / 2 * ((W - Value(W_ref)) ** 2).sum()))
    assert check_penalised_loss(stub).status == "not implemented"
    verdict = check_penalised_loss(lambda *args: 1.0)
    assert verdict.status == "error" and "must return the loss as a Value" in verdict.message
    slips = {"the penalty (λ/2) Σ (W − W_ref)² is missing": dict(penalty=0.0),
             "the penalty pulls W towards 0, (λ/2) Σ W², not towards W_ref": dict(towards_ref=False),
             checkers.PENALTY_HALF: dict(penalty=1.0),
             "the sample weights s were left out": dict(weighted=False),
             "the weighted sum was divided by Σₙ sₙ, not by N": dict(mean="weights"),
             "the ½ of the squared error is missing": dict(half=1.0),
             "the mean is over all N · n_out entries, not over the N samples":
                 dict(mean="entries"),
             "the 1/N is missing (a sum, not a mean)": dict(mean="none")}
    assert set(slips) == set(checkers.PENALISED_LOSS_SLIPS)
    for slip, switches in slips.items():
        verdict = check_penalised_loss(
            lambda *args, switches=switches: right_loss(*args, **switches))
        assert verdict.status == "wrong values" and verdict.slip == slip, verdict.message
        assert "(the loss value)" in verdict.message and "result" not in verdict.message


def test_penalised_loss_names_the_gradient_that_differs_and_a_mix_of_classes():
    def detached_bias(X, Y, s, W, b, W_ref, lam):           # b enters as a constant
        return right_loss(X, Y, s, W, Value(b.data), W_ref, lam)

    verdict = check_penalised_loss(detached_bias)
    assert verdict.status == "wrong values" and "(b.grad)" in verdict.message, verdict.message

    class LessonValue:                                       # the lesson's own Value
        def __init__(self, data):
            self.data, self.parents = np.asarray(data, dtype=float), ()

    verdict = check_penalised_loss(lambda X, Y, s, W, b, W_ref, lam: W * LessonValue(lam))
    assert verdict.status == "error" and "do not mix" in verdict.message, verdict.message
    verdict = check_penalised_loss(lambda *args: LessonValue(0.0))
    assert verdict.status == "error" and "do not mix" in verdict.message, verdict.message
    # s as (N,) lines up with the outputs, not the samples: NumPy refuses (N, n_out) * (N,),
    # on either side, and the checker names the slip
    for flat in (lambda X, Y, s, W, b, W_ref, lam: (Value(s) * (Value(X) @ W.T + b - Value(Y)) ** 2).sum(),
                 lambda X, Y, s, W, b, W_ref, lam: ((Value(X) @ W.T + b - Value(Y)) ** 2 * Value(s)).sum()):
        verdict = check_penalised_loss(flat)
        assert verdict.status == "error" and verdict.slip == checkers.S_FLAT, verdict.message
        assert "broadcast" in verdict.message and "column (N, 1)" in verdict.message, verdict.message
    # another ValueError is reported as it was raised, with no slip named
    verdict = check_penalised_loss(lambda X, Y, s, W, b, W_ref, lam: (
        Value(s.reshape(1, -1)) * (Value(X) @ W.T + b - Value(Y)) ** 2).sum())
    assert verdict.status == "error" and verdict.slip is None and "broadcast" in verdict.message


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


def test_fixed_gradient_must_be_the_grad_backward_left():
    """Centred differences run through a class that descends from BuggyValue (even the
    unfixed one) agree to 1e-6, but are not what backward() left on the value: named."""
    for kind in (BuggyValue, fixed_class()):
        def cheat(f, x, kind=kind):
            return nnlib.numerical_gradient(lambda t: float(f(kind(t)).data), x.copy())
        verdict = check_fixed_gradient(cheat)
        assert verdict.status == "wrong values" and verdict.slip == checkers.NOT_BACKWARD, \
            verdict.message
