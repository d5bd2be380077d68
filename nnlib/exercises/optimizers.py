"""Checkers for the lesson "Optimizers on the flat vector".

check_adam_step(adam_step)      one Adam step in place on the flat vector, against
                                nnlib.optim.Adam over several steps

Each returns a Verdict (see `nnlib.exercises.check`) that names the usual slip when it
sees one, and never raises.
"""

import warnings

import numpy as np

from ..optim import Adam
from .core import Verdict, not_implemented, raised

# -- Exercise 1: adam_step ------------------------------------------------------------------

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


ADAM_SLIPS = {
    "the bias correction is missing": _no_bias_correction,
    "β₁ and β₂ are swapped": _betas_swapped,
    "m and v are not updated in place (they stay 0)": _state_not_kept,
    "t started at 0 (the bias correction uses t − 1)": _t_from_zero,
    "the corrected m̂ and v̂ were stored back into m and v": _corrected_means_stored,
    "ε is inside the square root": _eps_inside,
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
            ref.step(ref_flat, grad)
            for slip, (s_flat, s_m, s_v) in slipped.items():
                ADAM_SLIPS[slip](s_flat, grad.copy(), s_m, s_v, t, **settings)
            if not np.array_equal(given, grad):
                return Verdict("changed inputs", f"{name} changed grad at step {t}. Only flat, "
                               "m and v may change.", slip="it changed its inputs")
            if np.array_equal(flat, before):
                return Verdict("not in place", f"{name}: flat did not change at step {t}. It "
                               f"looks like {REBOUND}: update it in place (flat -= ...).",
                               slip=REBOUND)
            if not np.allclose(flat, ref_flat, rtol=1e-9, atol=1e-12):
                finite = np.isfinite(flat).all()
                diff = float(np.abs(flat - ref_flat).max()) if finite else float("inf")
                message = (f"{name}: wrong values after step {t} with {settings}, largest "
                           f"difference {diff:.3g} from nnlib.optim.Adam")
                for slip, (s_flat, _, _) in slipped.items():
                    if np.allclose(flat, s_flat, rtol=1e-9, atol=1e-12, equal_nan=True):
                        return Verdict("wrong values", f"{message}. It looks like {slip}.", diff,
                                       slip=slip)
                hint = ("check the bias correction and which β goes with m and which with v"
                        if t == 1 else "are m and v updated in place, and t used as given?")
                return Verdict("wrong values", f"{message} ({hint}).", diff)
    return Verdict("correct", f"{name}: correct! flat matches nnlib.optim.Adam after each of "
                   f"{steps} steps, with {len(ADAM_SETTINGS)} settings of lr, β₁ and β₂.", 0.0)


EXERCISES = {
    "adam_step": check_adam_step,
}
