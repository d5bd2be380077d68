"""Checkers for the lesson "Optimizers on the flat vector".

check_steps_to_shrink(steps_to_shrink)  momentum (heavy ball) on a quadratic bowl: how many
                                        steps until the distance to the minimum has shrunk
                                        (exact, but for one step where rounding could move
                                        the crossing)
check_adam_step(adam_step)              one Adam step in place on the flat vector, against
                                        nnlib.optim.Adam over several steps (the paper's
                                        "efficient" form, with ε placed differently, passes)

Each returns a Verdict (see `nnlib.exercises.check`) that names the usual slip when it
sees one, and never raises.
"""

import numbers
import warnings

import numpy as np

from ..optim import Adam
from .core import Verdict, as_floats, check, how_far, not_implemented, raised

# -- Exercise 1: steps_to_shrink ------------------------------------------------------------

def _reference_run(curvatures, lr, beta, factor, max_steps):
    """The reference's count and ‖θ‖ after each of its steps, (count,)."""
    theta = np.ones(len(curvatures))
    velocity = np.zeros_like(theta)
    start, distances = np.linalg.norm(theta), []
    for step in range(1, max_steps + 1):
        velocity[:] = beta * velocity - lr * curvatures * theta
        theta += velocity
        distances.append(np.linalg.norm(theta))
        if distances[-1] <= factor * start:
            return step, np.array(distances)
    return max_steps, np.array(distances)


def reference_steps_to_shrink(curvatures, lr, beta, factor=1e-6, max_steps=10_000):
    """Heavy-ball steps on the bowl L(θ) = ½ Σ λᵢ θᵢ² (λ = curvatures, (n,)) from θ = 1,
    v = 0, until ‖θ‖ ≤ factor · √n: the number of steps taken (max_steps if never)."""
    return _reference_run(curvatures, lr, beta, factor, max_steps)[0]


def counts_rounding_allows(curvatures, lr, beta, factor=1e-6, max_steps=10_000):
    """The counts a right answer may give: the reference's, and one step more or fewer only
    where the reference's distance after that step lies within a relative 1e-9 of the
    threshold factor · √n (there, and only there, the last bits of rounding can move the
    crossing)."""
    count, distances = _reference_run(np.asarray(curvatures, dtype=float), lr, beta, factor,
                                      max_steps)
    threshold = factor * np.sqrt(len(curvatures))

    def near(step):
        return 1 <= step <= len(distances) and abs(distances[step - 1] - threshold) <= 1e-9 * threshold

    allowed = {count}
    if near(count - 1):
        allowed.add(count - 1)     # rounding may cross one step earlier
    if near(count) and count < max_steps:
        allowed.add(count + 1)     # or one step later
    return allowed


def _steps_with(update, curvatures, lr, beta, factor, max_steps):
    theta, velocity = np.ones(len(curvatures)), np.zeros(len(curvatures))
    start = np.linalg.norm(theta)
    for step in range(1, max_steps + 1):
        update(theta, velocity, curvatures * theta, lr, beta)
        if not np.isfinite(theta).all():
            return max_steps
        if np.linalg.norm(theta) <= factor * start:
            return step
    return max_steps


def _average_form(theta, velocity, grad, lr, beta):   # v ← β v + (1 − β) g, θ ← θ − lr v
    velocity[:] = beta * velocity + (1 - beta) * grad
    theta -= lr * velocity


def _old_velocity(theta, velocity, grad, lr, beta):   # θ moves first; v gets the old gradient
    theta += velocity
    velocity[:] = beta * velocity - lr * grad


def _velocity_forgotten(theta, velocity, grad, lr, beta):  # β never used: gradient descent
    theta -= lr * grad


STEPS_SLIPS = {
    "the velocity is a running average, v ← βv + (1 − β)g, which shrinks the step by 1 − β":
        _average_form,
    "θ moves with the old velocity, and v is then updated with the gradient from before the move":
        _old_velocity,
    "the velocity is not kept: β has no effect, every step is a gradient-descent step":
        _velocity_forgotten,
}


def _threshold_without_root_n(curvatures, lr, beta, factor, max_steps):
    """‖θ‖ ≤ factor instead of factor · √n: the √n that ‖θ‖ starts at left out."""
    return reference_steps_to_shrink(curvatures, lr, beta, factor / np.sqrt(len(curvatures)),
                                     max_steps)


ROOT_N_SLIP = ("the threshold is factor, not factor · √n: ‖θ‖ starts at √n, and the distance "
               "must shrink to factor times that")
OFF_BY_ONE = {
    # θ moved with the old velocity, v then updated with the gradient at the new θ, gives
    # this count too: the first step moves θ by v = 0, then the right path follows, one late
    ("the count is one step too many: count a step once θ has moved, then test the distance; "
     "or θ moved with the old velocity before v was updated, so the first step moved it by 0"): 1,
    "the count is one step too few (count a step once θ has moved, then test the distance)": -1,
}


def _slip_counter(update):
    return lambda curvatures, lr, beta, factor, max_steps: _steps_with(
        update, curvatures, lr, beta, factor, max_steps)


def _one_off(by):
    return lambda *args: reference_steps_to_shrink(*args) + by


STEPS_TRIALS = ("momentum", "momentum", "momentum", "gradient descent", "too slow")
STEPS_SEED = 4   # its first bowl needs at least 2 more steps without √n: not an off-by-one


def _bowl_inputs(rng, kind="momentum"):
    """(curvatures, lr, beta, factor, max_steps) for one trial: momentum to 1e-6; gradient
    descent (β = 0) to another factor; or momentum given too few steps to get there."""
    curvatures = rng.uniform(1.0, 50.0, size=int(rng.integers(2, 6)))
    lr = rng.uniform(0.1, 0.5) / curvatures.max()
    if kind == "gradient descent":
        return curvatures, lr, 0.0, float(10 ** rng.uniform(-4, -2)), 10_000
    beta = rng.uniform(0.6, 0.9)
    return (curvatures, lr, beta, 1e-6, 10_000) if kind == "momentum" else (
        curvatures, lr, beta, 1e-9, 20)


def _forgiving(candidate):
    """The candidate, with a count that rounding could explain replaced by the reference's."""
    def counted(curvatures, lr, beta, factor, max_steps):
        allowed = counts_rounding_allows(np.array(curvatures, dtype=float), lr, beta, factor,
                                         max_steps)
        got = candidate(curvatures, lr, beta, factor, max_steps)
        number = isinstance(got, numbers.Real) and not isinstance(got, (bool, np.bool_))
        if len(allowed) > 1 and number and got in allowed:   # anything else: compared as it is
            return reference_steps_to_shrink(curvatures, lr, beta, factor, max_steps)
        return got
    return counted


def check_steps_to_shrink(candidate, name="steps_to_shrink"):
    """Call `candidate(curvatures, lr, beta, factor, max_steps)` on random bowls: three with
    momentum, one with gradient descent (β = 0) to another factor, one where max_steps
    runs out first. Counts must equal the reference's, except one step off where the
    reference's distance at the crossing is within a relative 1e-9 of the threshold. A
    wrong count is reported in words: the bowl, the learner's count and the reference's."""
    def in_words(got, expected, args):
        count, problem = as_floats(name, got)
        if problem is not None or count.shape != ():
            return None   # not one number: compare's words say what it is
        bowl = ", ".join(f"{c:.3g}" for c in args[0])
        return (f"{name}: wrong count on the bowl λ = ({bowl}) with lr = {args[1]:.3g}, "
                f"β = {args[2]:.3g}, factor = {args[3]:.3g} and max_steps = {args[4]}: your "
                f"count is {float(count):.6g} steps, the reference's {expected}.")

    kinds = iter(STEPS_TRIALS)
    slips = {slip: _slip_counter(update) for slip, update in STEPS_SLIPS.items()}
    slips[ROOT_N_SLIP] = _threshold_without_root_n
    slips.update({slip: _one_off(by) for slip, by in OFF_BY_ONE.items()})
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        verdict = check(_forgiving(candidate), reference_steps_to_shrink,
                        lambda rng: _bowl_inputs(rng, next(kinds)), name=name,
                        trials=len(STEPS_TRIALS), rtol=0.0, atol=0.0, seed=STEPS_SEED, in_words=in_words,
                        slips=slips)
    if verdict:
        verdict.message = (f"{name}: correct! Its step counts equal the reference's on 3 random "
                           "bowls with momentum, one with gradient descent (β = 0) to another "
                           "factor, and one where max_steps runs out first.")
    return verdict


# -- Exercise 2: adam_step ------------------------------------------------------------------

def reference_adam_step(flat, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Step t (1, 2, …) of Adam, in place on flat (n,), m (n,) and v (n,); returns None."""
    m[:] = beta1 * m + (1 - beta1) * grad
    v[:] = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    flat -= lr * m_hat / (np.sqrt(v_hat) + eps)


def _no_bias_correction(flat, grad, m, v, t, lr, beta1, beta2, eps):
    m[:] = beta1 * m + (1 - beta1) * grad
    v[:] = beta2 * v + (1 - beta2) * grad ** 2
    flat -= lr * m / (np.sqrt(v) + eps)


def _betas_swapped(flat, grad, m, v, t, lr, beta1, beta2, eps):
    reference_adam_step(flat, grad, m, v, t, lr, beta2, beta1, eps)


def _state_not_kept(flat, grad, m, v, t, lr, beta1, beta2, eps):
    reference_adam_step(flat, grad, m.copy(), v.copy(), t, lr, beta1, beta2, eps)


def _t_from_zero(flat, grad, m, v, t, lr, beta1, beta2, eps):
    reference_adam_step(flat, grad, m, v, t - 1, lr, beta1, beta2, eps)


def _corrected_means_stored(flat, grad, m, v, t, lr, beta1, beta2, eps):
    m[:] = (beta1 * m + (1 - beta1) * grad) / (1 - beta1 ** t)
    v[:] = (beta2 * v + (1 - beta2) * grad ** 2) / (1 - beta2 ** t)
    flat -= lr * m / (np.sqrt(v) + eps)


def _eps_inside(flat, grad, m, v, t, lr, beta1, beta2, eps):
    m[:] = beta1 * m + (1 - beta1) * grad
    v[:] = beta2 * v + (1 - beta2) * grad ** 2
    flat -= lr * (m / (1 - beta1 ** t)) / np.sqrt(v / (1 - beta2 ** t) + eps)


def _eps_omitted(flat, grad, m, v, t, lr, beta1, beta2, eps):
    m[:] = beta1 * m + (1 - beta1) * grad
    v[:] = beta2 * v + (1 - beta2) * grad ** 2
    flat -= lr * (m / (1 - beta1 ** t)) / np.sqrt(v / (1 - beta2 ** t))


def efficient_adam_step(flat, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Kingma & Ba's "more efficient" order (end of their section 2): fold both bias
    corrections into the rate and add ε to √v. Its ε acts as ε·√(1 − β₂ᵗ) in the first
    form, so the two differ by a few parts in a million; both are Adam."""
    m[:] = beta1 * m + (1 - beta1) * grad
    v[:] = beta2 * v + (1 - beta2) * grad ** 2
    rate = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    flat -= rate * m / (np.sqrt(v) + eps)


ADAM_SLIPS = {
    "the bias correction is missing": _no_bias_correction,
    "β₁ and β₂ are swapped": _betas_swapped,
    "m and v are not updated in place (they stay 0)": _state_not_kept,
    "t started at 0 (the bias correction uses t − 1)": _t_from_zero,
    "the corrected m̂ and v̂ were stored back into m and v": _corrected_means_stored,
    "ε is inside the square root": _eps_inside,
    "ε is left out (flat -= lr · m̂ / √v̂)": _eps_omitted,
}
REBOUND = "flat was rebound (flat = flat - …), not updated in place"

ADAM_SETTINGS = [dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8),
                 dict(lr=0.05, beta1=0.5, beta2=0.9, eps=1e-8)]


def check_adam_step(candidate, name="adam_step", steps=6):
    """Call `candidate(flat, grad, m, v, t, lr, beta1, beta2, eps)` for t = 1 … `steps` on
    seeded gradients, and compare `flat` after every step with nnlib.optim.Adam's.

    The candidate must update flat, m and v in place (m and v start at zeros) and may
    return anything; two settings of (lr, β₁, β₂) tell β₁ and β₂ apart. A wrong `flat`
    that equals what one of ADAM_SLIPS gives after the same steps is named.
    """
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _check_adam_step(candidate, name, steps)


def _check_adam_step(candidate, name, steps):
    rng = np.random.default_rng(5)
    for settings in ADAM_SETTINGS:
        n = int(rng.integers(5, 12))
        flat = rng.normal(size=n)
        ref_flat, ref = flat.copy(), Adam(**settings)
        efficient = (flat.copy(), np.zeros(n), np.zeros(n))   # the paper's other form
        m, v = np.zeros(n), np.zeros(n)
        slipped = {slip: (flat.copy(), np.zeros(n), np.zeros(n)) for slip in ADAM_SLIPS}
        for t in range(1, steps + 1):
            grad = rng.normal(size=n) * 10.0 ** rng.uniform(-3, 1, size=n)  # mixed scales
            before, given = flat.copy(), grad.copy()
            try:
                candidate(flat, given, m, v, t, **settings)
            except NotImplementedError:
                return not_implemented(name)
            except (Exception, SystemExit) as exc:  # any failure, exit() too: report it kindly
                return raised(name, exc)
            ref_before = ref_flat.copy()
            ref.step(ref_flat, grad)
            efficient_adam_step(efficient[0], grad.copy(), efficient[1], efficient[2], t,
                                **settings)
            for slip, (s_flat, s_m, s_v) in slipped.items():
                ADAM_SLIPS[slip](s_flat, grad.copy(), s_m, s_v, t, **settings)
            if not np.array_equal(given, grad):
                return Verdict("changed inputs", f"{name} changed grad at step {t}. Only flat, "
                               "m and v may change.", slip="it changed its inputs")
            if np.array_equal(flat, before):
                return Verdict("not in place", f"{name}: flat did not change at step {t}. It "
                               f"looks like {REBOUND}: update it in place (flat -= ...).",
                               slip=REBOUND)
            if not (np.allclose(flat, ref_flat, rtol=1e-9, atol=1e-12)
                    or np.allclose(flat, efficient[0], rtol=1e-9, atol=1e-12)):
                finite = np.isfinite(flat).all()
                diff = float(np.abs(flat - ref_flat).max()) if finite else float("inf")
                message = (f"{name}: wrong values after step {t} with {settings}; measured "
                           f"against the step nnlib.optim.Adam took, "
                           f"{how_far(diff, ref_flat - ref_before)}")
                for slip, (s_flat, _, _) in slipped.items():
                    if np.allclose(flat, s_flat, rtol=1e-9, atol=1e-12, equal_nan=True):
                        return Verdict("wrong values", f"{message}. It looks like {slip}.", diff,
                                       slip=slip)
                hint = ("check each of the five formulas, ε included" if t == 1
                        else "are m and v updated in place, and t used as given?")
                return Verdict("wrong values", f"{message} ({hint}).", diff)
    return Verdict("correct", f"{name}: correct! flat matches Adam (nnlib.optim.Adam, or the "
                   f"paper's efficient form) after each of {steps} steps, with "
                   f"{len(ADAM_SETTINGS)} settings of lr, β₁ and β₂.", 0.0)


EXERCISES = {
    "steps_to_shrink": check_steps_to_shrink,
    "adam_step": check_adam_step,
}
