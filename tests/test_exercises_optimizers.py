"""Checkers of lesson 06: the momentum count on the bowl matches the predicted rate, the
Adam reference agrees with nnlib's Adam and a hand-computed first step, the paper's
efficient form of Adam passes, and right, wrong and unfinished answers get the right
verdict, with the slip named."""

import numpy as np
import pytest

import nnlib
from nnlib.exercises.optimizers import (
    ADAM_SLIPS,
    EXERCISES,
    OFF_BY_ONE,
    REBOUND,
    ROOT_N_SLIP,
    STEPS_SEED,
    STEPS_SLIPS,
    STEPS_TRIALS,
    _bowl_inputs,
    _forgiving,
    check_adam_step,
    check_steps_to_shrink,
    counts_rounding_allows,
    efficient_adam_step,
    reference_adam_step,
    reference_steps_to_shrink,
)


def test_exercises_are_listed_in_lesson_order():
    assert list(EXERCISES) == ["steps_to_shrink", "adam_step"]
    assert EXERCISES["steps_to_shrink"] is check_steps_to_shrink
    assert EXERCISES["adam_step"] is check_adam_step


# -- steps_to_shrink -----------------------------------------------------------------------
def solution_steps_to_shrink(curvatures, lr, beta, factor=1e-6, max_steps=10_000):
    theta = np.ones(len(curvatures))
    velocity = np.zeros_like(theta)
    for step in range(1, max_steps + 1):
        velocity *= beta
        velocity -= lr * curvatures * theta
        theta += velocity
        if np.sqrt(np.sum(theta ** 2)) <= factor * np.sqrt(len(theta)):
            return step
    return max_steps


def test_steps_to_shrink_reference_follows_the_predicted_rates():
    # gradient descent at lr = 2/(λ_min + λ_max) shrinks by (κ−1)/(κ+1) every step, exactly
    # when w starts at 1; tuned momentum needs far fewer steps, a little more than the rate
    # (√κ−1)/(√κ+1) alone predicts
    curvatures, kappa = np.array([1.0, 50.0]), 50.0
    gd = reference_steps_to_shrink(curvatures, 2 / 51, 0.0)
    assert gd == int(np.ceil(np.log(1e-6) / np.log((kappa - 1) / (kappa + 1))))
    rho = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    momentum = reference_steps_to_shrink(curvatures, 4 / (1 + np.sqrt(kappa)) ** 2, rho ** 2)
    assert np.log(1e-6) / np.log(rho) < momentum < 1.5 * np.log(1e-6) / np.log(rho)
    assert reference_steps_to_shrink(curvatures, 0.05, 0.0, max_steps=10) == 10   # diverges


def test_steps_to_shrink_trials_cover_momentum_gradient_descent_another_factor_and_max_steps():
    rng = np.random.default_rng(STEPS_SEED)   # the checker's seed, its trials in order
    trials = [_bowl_inputs(rng, kind) for kind in STEPS_TRIALS]
    momentum, gd, slow = trials[0], trials[3], trials[4]
    assert 0.6 <= momentum[2] <= 0.9 and momentum[3] == 1e-6
    assert gd[2] == 0.0 and gd[3] != 1e-6
    assert slow[2] > 0 and reference_steps_to_shrink(*slow) == slow[4]
    theta, velocity = np.ones(len(slow[0])), np.zeros(len(slow[0]))
    for _ in range(slow[4]):                   # max_steps runs out far from the threshold
        velocity = slow[2] * velocity - slow[1] * slow[0] * theta
        theta = theta + velocity
    assert np.linalg.norm(theta) > 1e3 * slow[3] * np.sqrt(len(theta))
    for args in trials:                        # no trial lies near a tie: counts compare exactly
        assert counts_rounding_allows(*args) == {reference_steps_to_shrink(*args)}


def test_one_step_off_passes_only_at_a_tie():
    # λ = 1, lr = 0.5, β = 0 halves θ exactly at every step: with factor 2⁻¹⁰ the distance
    # after step 10 equals the threshold, so rounding could put the crossing at 10 or 11
    one = np.array([1.0])
    assert reference_steps_to_shrink(one, 0.5, 0.0, 2.0 ** -10) == 10
    assert counts_rounding_allows(one, 0.5, 0.0, 2.0 ** -10) == {10, 11}
    assert counts_rounding_allows(one, 0.5, 0.0, 2.0 ** -10 * (1 + 1e-6)) == {10}
    assert counts_rounding_allows(one, 0.5, 0.0, 2.0 ** -10 * (1 - 1e-12)) == {10, 11}
    assert counts_rounding_allows(one, 0.5, 0.0, 2.0 ** -10 * (1 + 1e-12)) == {10, 11}
    assert counts_rounding_allows(one, 0.5, 0.0, 2.0 ** -9 * (1 - 1e-12)) == {9, 10}   # just missed
    assert counts_rounding_allows(one, 0.5, 0.0, 2.0 ** -10, max_steps=10) == {10}
    # the checker takes a count that rounding allows as the reference's, and only such a count
    assert _forgiving(lambda *args: 11)(one, 0.5, 0.0, 2.0 ** -10, 10_000) == 10
    assert _forgiving(lambda *args: 11)(one, 0.5, 0.0, 2.0 ** -10 * (1 + 1e-6), 10_000) == 11
    assert _forgiving(lambda *args: "11")(one, 0.5, 0.0, 2.0 ** -10, 10_000) == "11"


def test_steps_to_shrink_checker_accepts_the_solution_and_names_each_slip():
    assert check_steps_to_shrink(solution_steps_to_shrink).status == "correct"
    for slip in STEPS_SLIPS:
        update = STEPS_SLIPS[slip]

        def slipped(curvatures, lr, beta, factor=1e-6, max_steps=10_000, update=update):
            w, velocity = np.ones(len(curvatures)), np.zeros(len(curvatures))
            for step in range(1, max_steps + 1):
                update(w, velocity, curvatures * w, lr, beta)
                if not np.isfinite(w).all():
                    return max_steps
                if np.linalg.norm(w) <= factor * np.sqrt(len(w)):
                    return step
            return max_steps

        verdict = check_steps_to_shrink(slipped)
        assert verdict.status == "wrong values" and verdict.slip == slip, (slip, verdict)
        # counts in words: the bowl, the learner's count and the reference's, no array talk
        assert "on the bowl λ = (" in repr(verdict) and "your count is" in repr(verdict)
        assert "the reference's" in repr(verdict) and "entry" not in repr(verdict)


def test_moving_with_the_old_velocity_is_named_with_the_count_one_too_many():
    """θ += v before v is updated: the first step moves θ by 0, then the right path follows,
    so every count is the reference's + 1, and the message names both causes."""
    def old_velocity(curvatures, lr, beta, factor=1e-6, max_steps=10_000):
        theta, velocity = np.ones(len(curvatures)), np.zeros(len(curvatures))
        for step in range(1, max_steps + 1):
            theta = theta + velocity
            velocity = beta * velocity - lr * curvatures * theta
            if np.linalg.norm(theta) <= factor * np.sqrt(len(theta)):
                return step
        return max_steps

    first = _bowl_inputs(np.random.default_rng(STEPS_SEED))
    assert old_velocity(*first) == reference_steps_to_shrink(*first) + 1
    too_many = next(iter(OFF_BY_ONE))
    verdict = check_steps_to_shrink(old_velocity)
    assert verdict.slip == too_many and "old velocity" in too_many and "count a step" in too_many


def test_a_threshold_without_root_n_is_named_not_taken_for_an_off_by_one():
    """‖θ‖ ≤ factor (√n forgotten) costs at least 2 steps on the checker's first bowl, so
    it is named, and no off-by-one count is taken for it."""
    def without_root_n(curvatures, lr, beta, factor=1e-6, max_steps=10_000):
        theta, velocity = np.ones(len(curvatures)), np.zeros(len(curvatures))
        for step in range(1, max_steps + 1):
            velocity = beta * velocity - lr * curvatures * theta
            theta = theta + velocity
            if np.linalg.norm(theta) <= factor:
                return step
        return max_steps

    first = _bowl_inputs(np.random.default_rng(STEPS_SEED))
    assert without_root_n(*first) >= reference_steps_to_shrink(*first) + 2
    verdict = check_steps_to_shrink(without_root_n)
    assert verdict.status == "wrong values" and verdict.slip == ROOT_N_SLIP, verdict
    for slip in OFF_BY_ONE:
        assert check_steps_to_shrink(lambda *args, by=OFF_BY_ONE[slip]:
                                     reference_steps_to_shrink(*args) + by).slip == slip


def test_steps_to_shrink_checker_other_verdicts():
    def stub(curvatures, lr, beta, factor=1e-6, max_steps=10_000):
        raise NotImplementedError

    def one_late(curvatures, lr, beta, factor=1e-6, max_steps=10_000):
        return solution_steps_to_shrink(curvatures, lr, beta, factor, max_steps) + 1

    def tests_before_moving(curvatures, lr, beta, factor=1e-6, max_steps=10_000):
        theta, velocity = np.ones(len(curvatures)), np.zeros(len(curvatures))
        for step in range(max_steps):          # counts from 0: one step too few
            velocity = beta * velocity - lr * curvatures * theta
            theta = theta + velocity
            if np.linalg.norm(theta) <= factor * np.sqrt(len(theta)):
                return step
        return max_steps

    def factor_fixed(curvatures, lr, beta, factor=1e-6, max_steps=10_000):
        return solution_steps_to_shrink(curvatures, lr, beta, 1e-6, max_steps)

    def never_is_minus_one(curvatures, lr, beta, factor=1e-6, max_steps=10_000):
        count = solution_steps_to_shrink(curvatures, lr, beta, factor, max_steps)
        return -1 if count == max_steps else count

    def momentum_only(curvatures, lr, beta, factor=1e-6, max_steps=10_000):
        return solution_steps_to_shrink(curvatures, lr, beta or 0.9, factor, max_steps)

    def five_late(curvatures, lr, beta, factor=1e-6, max_steps=10_000):
        return solution_steps_to_shrink(curvatures, lr, beta, factor, max_steps) + 5

    def scales_curvatures(curvatures, lr, beta, factor=1e-6, max_steps=10_000):
        curvatures *= 1.0
        curvatures[0] = 1.0
        return solution_steps_to_shrink(curvatures, lr, beta, factor, max_steps)

    assert check_steps_to_shrink(stub).status == "not implemented"
    too_many, too_few = OFF_BY_ONE
    for candidate, slip in ((one_late, too_many), (tests_before_moving, too_few)):
        verdict = check_steps_to_shrink(candidate)      # exact: no tie on the checker's bowls
        assert verdict.status == "wrong values" and verdict.slip == slip, verdict
    rng = np.random.default_rng(STEPS_SEED)             # the checker's trials, in order
    trials = [_bowl_inputs(rng, kind) for kind in STEPS_TRIALS]
    for candidate, trial in ((momentum_only, 3), (factor_fixed, 3), (never_is_minus_one, 4)):
        verdict = check_steps_to_shrink(candidate)
        args = trials[trial]
        assert verdict.status == "wrong values" and verdict.slip is None, verdict
        assert f"factor = {args[3]:.3g} and max_steps = {args[4]}:" in repr(verdict)
    verdict = check_steps_to_shrink(five_late)
    assert verdict.status == "wrong values" and verdict.slip is None
    curvatures, lr, beta, _, _ = _bowl_inputs(np.random.default_rng(STEPS_SEED))   # the first trial
    expected = reference_steps_to_shrink(curvatures, lr, beta)
    assert f"your count is {expected + 5} steps, the reference's {expected}." in repr(verdict)
    bowl = ", ".join(f"{c:.3g}" for c in curvatures)
    assert f"λ = ({bowl}) with lr = {lr:.3g}, β = {beta:.3g}, factor = 1e-06" in repr(verdict)
    verdict = check_steps_to_shrink(lambda *args: float("nan"))
    assert verdict.status == "wrong values" and "your count is nan steps" in repr(verdict)
    assert check_steps_to_shrink(scales_curvatures).status == "changed inputs"



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


def test_adam_step_checker_accepts_the_papers_efficient_form():
    # Kingma & Ba's efficient order differs from the first form by a few parts in a million
    # (its ε is ε·√(1 − β₂ᵗ) in the first form's terms): both are Adam, both pass
    flat, ref = np.array([0.5, -1.0, 2.0]), np.array([0.5, -1.0, 2.0])
    m, v, m_ref, v_ref = (np.zeros(3) for _ in range(4))
    rng = np.random.default_rng(3)
    for t in range(1, 7):
        grad = rng.normal(size=3) * np.array([1e-3, 1.0, 10.0])
        efficient_adam_step(flat, grad, m, v, t, 0.01)
        reference_adam_step(ref, grad, m_ref, v_ref, t, 0.01)
    assert not np.array_equal(flat, ref) and np.allclose(flat, ref, rtol=1e-4)

    def efficient(flat, grad, m, v, t, lr, beta1, beta2, eps):
        m[:] = beta1 * m + (1 - beta1) * grad
        v[:] = beta2 * v + (1 - beta2) * grad ** 2
        flat -= lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t) * m / (np.sqrt(v) + eps)

    assert check_adam_step(efficient).status == "correct"


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

    def eps_omitted(flat, grad, m, v, t, lr, beta1, beta2, eps):
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad ** 2
        flat -= lr * (m / (1 - beta1 ** t)) / np.sqrt(v / (1 - beta2 ** t))

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
        "ε is left out (flat -= lr · m̂ / √v̂)": (eps_omitted, 1),
    }
    assert set(wrong) == set(ADAM_SLIPS)
    for slip, (candidate, step) in wrong.items():
        verdict = check_adam_step(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, (slip, verdict)
        assert f"step {step}" in repr(verdict)
        assert any(word in repr(verdict) for word in ("%", "times", "inf or nan"))   # relative


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
    assert "check each of the five formulas, ε included" in repr(verdict)
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
                grad = rng.normal(size=6) * 10.0 ** rng.uniform(-3, 1, size=6)   # mixed scales
                ADAM_SLIPS[slip](flat, grad, m, v, t, 0.01, beta1, beta2, 1e-8)
                adam.step(ref, grad)
                apart |= not np.allclose(flat, ref, rtol=1e-9, atol=1e-12)
        assert apart
