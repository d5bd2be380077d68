"""Checkers of lesson 06: the Adam reference agrees with nnlib's Adam and a hand-computed
first step, and right, wrong and unfinished answers get the right verdict, with the slip
named."""

import numpy as np
import pytest

import nnlib
from nnlib.exercises.optimizers import (
    ADAM_SLIPS,
    REBOUND,
    EXERCISES,
    check_adam_step,
    reference_adam_step,
)


def test_exercises_are_listed_in_lesson_order():
    assert list(EXERCISES) == ["adam_step"]
    assert EXERCISES["adam_step"] is check_adam_step



# -- adam_step -----------------------------------------------------------------------------
def solution_adam_step(flat, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    flat -= lr * m_hat / (np.sqrt(v_hat) + eps)


def test_adam_reference_follows_a_hand_computed_first_step_and_nnlib():
    # At t = 1 the bias correction gives m̂ = g and v̂ = g², so the step is lr · g / (|g| + ε):
    # a move of almost exactly lr against the sign of every gradient entry.
    flat, grad = np.array([1.0, -2.0, 0.5]), np.array([0.3, -4.0, 1e-3])
    reference_adam_step(flat, grad, np.zeros(3), np.zeros(3), 1, lr=0.1)
    assert np.allclose(flat, [1.0 - 0.1, -2.0 + 0.1, 0.5 - 0.1 * 1e-3 / (1e-3 + 1e-8)])
    rng = np.random.default_rng(0)
    mine, theirs, adam = rng.normal(size=5), None, nnlib.optim.Adam(lr=0.02, beta1=0.8, beta2=0.99)
    theirs, m, v = mine.copy(), np.zeros(5), np.zeros(5)
    for t in range(1, 8):
        grad = rng.normal(size=5)
        reference_adam_step(mine, grad, m, v, t, 0.02, 0.8, 0.99, 1e-8)
        adam.step(theirs, grad)
        assert np.allclose(mine, theirs, rtol=1e-12, atol=1e-15)


def test_adam_step_checker_accepts_the_solution():
    verdict = check_adam_step(solution_adam_step)
    assert verdict and verdict.status == "correct"


def test_adam_step_checker_names_each_slip():
    def no_bias_correction(flat, grad, m, v, t, lr, beta1, beta2, eps):
        m[:] = beta1 * m + (1 - beta1) * grad
        v[:] = beta2 * v + (1 - beta2) * grad ** 2
        flat -= lr * m / (np.sqrt(v) + eps)

    def betas_swapped(flat, grad, m, v, t, lr, beta1, beta2, eps):
        solution_adam_step(flat, grad, m, v, t, lr, beta2, beta1, eps)

    def state_not_kept(flat, grad, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * grad            # rebinds the local names only
        v = beta2 * v + (1 - beta2) * grad ** 2
        flat -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)

    def t_from_zero(flat, grad, m, v, t, lr, beta1, beta2, eps):
        solution_adam_step(flat, grad, m, v, t - 1, lr, beta1, beta2, eps)

    def corrected_stored(flat, grad, m, v, t, lr, beta1, beta2, eps):
        m *= beta1
        m += (1 - beta1) * grad
        m /= 1 - beta1 ** t
        v *= beta2
        v += (1 - beta2) * grad ** 2
        v /= 1 - beta2 ** t
        flat -= lr * m / (np.sqrt(v) + eps)

    def eps_inside(flat, grad, m, v, t, lr, beta1, beta2, eps):
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad ** 2
        flat -= lr * m / (1 - beta1 ** t) / np.sqrt(v / (1 - beta2 ** t) + eps)

    wrong = {
        "the bias correction is missing": (no_bias_correction, 1),
        "β₁ and β₂ are swapped": (betas_swapped, 2),    # step 1 gives m̂ = g, v̂ = g² anyway
        "m and v are not updated in place (they stay 0)": (state_not_kept, 2),
        "t started at 0 (the bias correction uses t − 1)": (t_from_zero, 1),
        "the corrected m̂ and v̂ were stored back into m and v": (corrected_stored, 2),
        "ε is inside the square root": (eps_inside, 1),
    }
    assert set(wrong) == set(ADAM_SLIPS)
    for slip, (candidate, step) in wrong.items():
        verdict = check_adam_step(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, (slip, verdict)
        assert f"step {step}" in repr(verdict)


def test_adam_step_checker_other_verdicts():
    def stub(flat, grad, m, v, t, lr, beta1, beta2, eps):
        raise NotImplementedError

    def rebinds_flat(flat, grad, m, v, t, lr, beta1, beta2, eps):
        flat = flat - lr * grad             # noqa: F841  (a new array; the caller's is untouched)

    def crashes(flat, grad, m, v, t, lr, beta1, beta2, eps):
        flat -= lr * grad[:2]

    def plain_sgd(flat, grad, m, v, t, lr, beta1, beta2, eps):
        flat -= lr * grad

    def clips_grad(flat, grad, m, v, t, lr, beta1, beta2, eps):
        np.clip(grad, -1e6, 0.0, out=grad)
        solution_adam_step(flat, grad, m, v, t, lr, beta1, beta2, eps)

    assert check_adam_step(stub).status == "not implemented"
    verdict = check_adam_step(rebinds_flat)
    assert verdict.status == "not in place" and verdict.slip == REBOUND
    verdict = check_adam_step(crashes)
    assert verdict.status == "error" and "ValueError" in repr(verdict)
    verdict = check_adam_step(plain_sgd)
    assert verdict.status == "wrong values" and verdict.slip is None
    assert check_adam_step(clips_grad).status == "changed inputs"


@pytest.mark.parametrize("slip", list(ADAM_SLIPS))
def test_each_adam_slip_moves_flat_away_from_adam_within_two_steps(slip):
    rng = np.random.default_rng(1)
    for beta1, beta2 in ((0.9, 0.999), (0.5, 0.9)):
        flat, m, v = rng.normal(size=6), np.zeros(6), np.zeros(6)
        ref, adam = flat.copy(), nnlib.optim.Adam(lr=0.01, beta1=beta1, beta2=beta2)
        apart = False
        with np.errstate(all="ignore"):
            for t in (1, 2):
                grad = rng.normal(size=6)
                ADAM_SLIPS[slip](flat, grad, m, v, t, 0.01, beta1, beta2, 1e-8)
                adam.step(ref, grad)
                apart |= not np.allclose(flat, ref, rtol=1e-9, atol=1e-12)
        assert apart
