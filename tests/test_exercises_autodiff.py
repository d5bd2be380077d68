"""Lesson 10's checkers: the references agree with centred differences; each checker
passes an independent solution, names every slip, and calls a stub not implemented."""

import numpy as np
import pytest

import nnlib
from nnlib.autodiff import Value
from nnlib.exercises import autodiff as checkers
from nnlib.exercises.autodiff import (
    check_add_backward,
    check_penalised_loss,
    check_square_plus_gradient,
    check_tanh_backward,
    reference_add_backward,
    reference_penalised_loss,
    reference_square_plus_gradient,
    reference_tanh_backward,
)


def stub(*_):
    raise NotImplementedError


def test_exercises_are_listed_in_lesson_order():
    assert list(checkers.EXERCISES) == ["tanh_backward", "add_backward", "square_plus_gradient",
                                        "penalised_loss"]


# -- the references against centred differences ---------------------------------------------

def test_tanh_backward_reference_is_the_derivative_of_g_dot_tanh():
    rng = np.random.default_rng(0)
    z, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    numeric = nnlib.numerical_gradient(lambda t: float((g.ravel() * np.tanh(t)).sum()),
                                       z.ravel().copy())
    np.testing.assert_allclose(reference_tanh_backward(g, z, np.tanh(z)).ravel(), numeric,
                               rtol=1e-6, atol=1e-9)


def test_add_backward_reference_is_the_derivative_of_a_broadcast_add():
    rng = np.random.default_rng(1)
    x, b, g = rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=(5, 3))
    theta = np.concatenate([x.ravel(), b])
    numeric = nnlib.numerical_gradient(
        lambda t: float((g * (t[:15].reshape(5, 3) + t[15:])).sum()), theta)
    dx, db = reference_add_backward(g, x.shape, b.shape)
    np.testing.assert_allclose(np.concatenate([dx.ravel(), db]), numeric, rtol=1e-6, atol=1e-9)


def test_square_plus_gradient_reference_is_the_derivative():
    x = np.random.default_rng(2).normal(size=6)
    numeric = nnlib.numerical_gradient(lambda t: float((t * t + t).sum()), x.copy())
    np.testing.assert_allclose(reference_square_plus_gradient(x), numeric, rtol=1e-6, atol=1e-9)


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
        return total / len(X) + lam * float((W_ ** 2).sum())

    theta = np.concatenate([W.ravel(), b])
    value, dW, db = reference_penalised_loss(X, Y, W, b, lam)
    assert value == pytest.approx(loss(theta), rel=1e-12)
    np.testing.assert_allclose(np.concatenate([dW.ravel(), db]),
                               nnlib.numerical_gradient(loss, theta), rtol=1e-6, atol=1e-8)


# -- the checkers ------------------------------------------------------------------------

def test_tanh_backward():
    assert check_tanh_backward(lambda g, z, a: g * (1 - np.tanh(z) ** 2))
    assert check_tanh_backward(stub).status == "not implemented"
    for wrong, slip in [(lambda g, z, a: g * (1 - z ** 2),
                         "1 − z² was used where 1 − a² belongs (a = tanh(z))"),
                        (lambda g, z, a: 1 - a ** 2, "the incoming gradient g is missing"),
                        (lambda g, z, a: g * a * (1 - a),
                         "σ′'s a(1 − a) was used instead of tanh′ = 1 − a²")]:
        verdict = check_tanh_backward(wrong)
        assert verdict.status == "wrong values" and verdict.slip == slip, verdict.message
    verdict = check_tanh_backward(lambda g, z, a: g * a)
    assert verdict.status == "wrong values" and verdict.slip is None


def test_add_backward():
    def by_loops(g, x_shape, b_shape):
        db = np.zeros(b_shape)
        for row in g:
            for j, value in enumerate(row):
                db[j] += value
        return g.copy(), db

    assert check_add_backward(by_loops)
    assert check_add_backward(stub).status == "not implemented"
    for wrong, status, slip in [
            (lambda g, xs, bs: (g, g), "wrong shape", "db was not summed over the batch"),
            (lambda g, xs, bs: (g, g.mean(axis=0)), "wrong values",
             "db is the mean over the rows, not their sum"),
            (lambda g, xs, bs: (g, g.sum(axis=1)), "wrong shape",
             "db was summed over the wrong axis")]:
        verdict = check_add_backward(wrong)
        assert verdict.status == status and verdict.slip == slip, verdict.message


def test_square_plus_gradient():
    # an independent solution: the fixed class, built on nnlib's Value
    def fixed(x):
        v = Value(x)
        (v * v + v).sum().backward()
        return v.grad

    assert check_square_plus_gradient(fixed)
    assert check_square_plus_gradient(stub).status == "not implemented"

    class Assigning(Value):
        """__mul__ with `=` in the line for `self` (both=False) or in both lines."""
        both = True

        def __mul__(self, other):
            out = Assigning(self.data * other.data, (self, other))

            def rule(g):
                self.grad = g * other.data
                if type(self).both:
                    other.grad = g * self.data
                else:
                    other.grad += g * self.data
            out._rule = rule
            return out

        def __add__(self, other):
            out = Assigning(self.data + other.data, (self, other))

            def rule(g):
                self.grad += g
                other.grad += g
            out._rule = rule
            return out

    def buggy(x, both):
        Assigning.both = both
        v = Assigning(x)
        (v * v + v).sum().backward()
        return v.grad

    for wrong, slip in [(lambda x: buggy(x, True), "__mul__ still assigns (=) where it must add (+=)"),
                        (lambda x: buggy(x, False), "one of the two lines of __mul__ still assigns (=)"),
                        (lambda x: x + 1, "only one of the two uses of x in x·x was counted")]:
        verdict = check_square_plus_gradient(wrong)
        assert verdict.status == "wrong values" and verdict.slip == slip, verdict.message
    assert check_square_plus_gradient(lambda x: 3 * x).slip is None


def right_loss(X, Y, W, b, lam, half=0.5, mean="samples", penalty=1.0, penalise_b=False):
    R = Value(X) @ W.T + b - Value(Y)
    scale = {"samples": 1 / len(X), "entries": 1 / Y.size, "none": 1.0}[mean]
    total = (R * R).sum() * Value(half * scale) + (W * W).sum() * Value(penalty * lam)
    if penalise_b:
        total = total + (b * b).sum() * Value(lam)
    return total


def test_penalised_loss():
    assert check_penalised_loss(right_loss)
    # the same loss written as a mean over all entries times n_out
    assert check_penalised_loss(lambda X, Y, W, b, lam: (
        ((Value(X) @ W.T + b - Value(Y)) * (Value(X) @ W.T + b - Value(Y))).mean()
        * Value(0.5 * Y.shape[1]) + (W * W).sum() * Value(lam)))
    assert check_penalised_loss(stub).status == "not implemented"
    verdict = check_penalised_loss(lambda X, Y, W, b, lam: 1.0)
    assert verdict.status == "error" and "must return the loss as a Value" in verdict.message
    slips = {"the penalty λ Σ W² is missing": dict(penalty=0.0),
             "the ½ is missing": dict(half=1.0),
             "the mean is over all N · n_out entries, not over the N samples":
                 dict(mean="entries"),
             "the 1/N is missing (a sum, not a mean)": dict(mean="none"),
             "the penalty was taken as (λ/2) Σ W², not λ Σ W²": dict(penalty=0.5),
             "the biases were penalised too": dict(penalise_b=True)}
    assert set(slips) == set(checkers.PENALISED_LOSS_SLIPS)
    for slip, switches in slips.items():
        verdict = check_penalised_loss(
            lambda X, Y, W, b, lam, switches=switches: right_loss(X, Y, W, b, lam, **switches))
        assert verdict.status == "wrong values" and verdict.slip == slip, verdict.message


@pytest.mark.parametrize("name", ["tanh_backward", "add_backward", "square_plus_gradient",
                                  "penalised_loss"])
def test_every_slip_differs_from_the_reference_on_every_draw(name):
    make = {"tanh_backward": checkers._tanh_inputs, "add_backward": checkers._add_inputs,
            "square_plus_gradient": checkers._vector_input,
            "penalised_loss": checkers._penalised_inputs}[name]
    reference = getattr(checkers, f"reference_{name}")
    rng = np.random.default_rng(0)
    for _ in range(3):
        args = make(rng)
        right = reference(*args)
        for slip, wrong in getattr(checkers, f"{name.upper()}_SLIPS").items():
            got = wrong(*args)
            pairs = zip(right, got) if isinstance(right, tuple) else [(right, got)]
            assert any(np.shape(r) != np.shape(w) or not np.allclose(r, w) for r, w in pairs), slip
