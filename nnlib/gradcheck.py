"""Gradient checking: centred differences and the relative error."""

import numpy as np

from ._validate import positive, real_array
from .network import check_network


def numerical_gradient(f, theta, eps=1e-6):
    """Centred differences (f(θ + ε e_i) − f(θ − ε e_i)) / 2ε for every i.

    f: a scalar function of the 1-D float64 array `theta` (n,), which is nudged
    in place and restored exactly, so f may read it through views. theta is restored
    also when f raises or the run is interrupted (Ctrl-C).
    Returns an array of shape (n,).
    """
    if not isinstance(theta, np.ndarray) or theta.dtype != np.float64 or theta.ndim != 1:
        raise TypeError("theta must be a 1-D float64 NumPy array (it is nudged in place)")
    if not callable(f):
        raise TypeError(f"f must be a function of theta, got {type(f).__name__}")
    positive("eps", eps)
    grad = np.empty_like(theta)
    for i in range(theta.size):
        saved = theta[i]
        try:
            theta[i] = saved + eps
            f_plus = _one_number(f(theta), i)
            theta[i] = saved - eps
            f_minus = _one_number(f(theta), i)
        finally:
            theta[i] = saved
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _one_number(value, i):
    """`value`, f's result, as a float if it is one real number, else a TypeError."""
    try:
        arr = np.asarray(value)
    except Exception:  # ragged, or an object whose conversion raises
        arr = np.asarray(None)
    if arr.size == 1 and arr.dtype.kind in "iuf":
        return float(arr.reshape(()))
    got = (f"an array of shape {arr.shape}" if isinstance(value, (np.ndarray, list, tuple))
           else f"{value!r} ({type(value).__name__})")
    raise TypeError(f"f must return one real number (the loss at theta), got {got} "
                    f"when theta[{i}] was nudged; theta is restored")


def relative_error(a, b):
    """‖a − b‖ / (‖a‖ + ‖b‖): 0 for equal arrays, about 0.71 for unrelated random vectors,
    1 for opposite ones (b = −λa, λ ≥ 0, b = 0 included), 0 if both are 0, NaN if either
    holds NaN or inf.

    Scale-free, so one threshold (1e-7 in float64) works for big and tiny gradients:
    both are divided by their largest magnitude first, so the norms neither overflow
    (1e200) nor underflow (1e-170).
    """
    a = real_array("a", a)  # complex or text would be quietly cut to a wrong 0.0
    b = real_array("b", b)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs equal shapes, got {a.shape} and {b.shape}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("nan")
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    if scale == 0.0:
        return 0.0
    a, b = a / scale, b / scale
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


class GradientCheckReport:
    """Worst relative error per layer and group; `.max_error` overall (NaN if any is).

    rows: list of (layer, group, relative error, number of parameters), group is
    'weights' or 'biases'. differences: ‖analytic − numeric‖ of each row. noise: the
    rounding error expected of one centred difference (see `diagnose`). kinks: how many
    pre-activations of ReLU-type layers lie within one nudge of 0, where a centred
    difference straddles the kink and is no derivative; errors there are expected, not
    bugs. verdict: 'passed', 'FAILED', or, for a failure that says nothing about the
    formulas, 'kink' or 'rounding' (see `diagnose`).
    """

    def __init__(self, rows, tolerance, kinks=0, differences=None, noise=0.0):
        self.rows = rows
        self.tolerance = tolerance
        self.kinks = kinks
        self.differences = differences
        self.noise = noise
        self.max_error = float(np.max([row[2] for row in rows]))  # np.max keeps a NaN
        self.verdict = diagnose(self)

    @property
    def passed(self):
        """True when every group agrees to within `tolerance` (never for a NaN)."""
        return self.max_error <= self.tolerance

    def __repr__(self):
        lines = [f"{'layer':>5}  {'group':<8} {'params':>6}  relative error"]
        for layer, group, error, count in self.rows:
            lines.append(f"{layer:>5}  {group:<8} {count:>6}  {error:.1e}")
        verdict = {"kink": "inconclusive: at a ReLU kink",
                   "rounding": "inconclusive: gradients at rounding level"}.get(self.verdict,
                                                                             self.verdict)
        lines.append(f"max {self.max_error:.1e} ({verdict}, tolerance {self.tolerance:.0e})")
        if self.kinks:
            lines.append(f"note: {self.kinks} pre-activation(s) lie within one nudge of a ReLU "
                         "kink; differences across a kink are not derivatives")
        return "\n".join(lines)


def gradient_check(net, X, Y, eps=1e-5, tolerance=1e-7):
    """Compare `net.gradient(X, Y)` with centred differences of `net.loss`, group by group.

    eps = 1e-5 balances the two errors of a centred difference in float64: truncation
    (~eps²) and rounding (~1e-16 · loss / eps), so small gradients pass too. The weights
    are restored afterwards, also on an error or Ctrl-C. Returns a GradientCheckReport.
    """
    net = check_network(net)
    X, Y = net.check_XY(X, Y)
    eps = positive("eps", eps)
    tolerance = positive("tolerance", tolerance)
    analytic = net.gradient(X, Y)
    numeric = numerical_gradient(lambda _: net.loss_unchecked(X, Y), net.weights.flat, eps)
    rows, differences = [], []
    for k, (start, stop) in enumerate(zip(net.weights.offsets[:-1], net.weights.offsets[1:])):
        a, n = analytic[start:stop], numeric[start:stop]
        rows.append((k // 2, "weights" if k % 2 == 0 else "biases", relative_error(a, n),
                     int(stop - start)))
        differences.append(float(np.linalg.norm(a - n)))
    Zs, As = net._forward_all(X)
    # the loss is computed from numbers of size about |L| + mean |z_out| (cross-entropy
    # subtracts terms of the size of z), so each of L(θ ± ε) is off by about 2⁻⁵² times
    # that, and their centred difference by about 2⁻⁵² · scale / ε
    scale = abs(net.loss_fn.value(Zs[-1], As[-1], Y)) + float(np.abs(Zs[-1]).mean())
    noise = np.finfo(float).eps * scale / eps
    return GradientCheckReport(rows, tolerance, _count_kinks(net, Zs, As, eps), differences,
                               noise)


def diagnose(report):
    """The verdict on a GradientCheckReport: 'passed', 'FAILED', 'kink' or 'rounding'.

    'FAILED':   some group disagrees by more than rounding explains, or an error is NaN
                (NaN or inf weights, loss or gradient).
    'kink':     it failed, but some ReLU pre-activations sit within one nudge of the kink,
                where a centred difference is not a derivative.
    'rounding': it failed, but every failing group's ‖analytic − numeric‖ is within
                10 · noise · √count, where `noise` is the rounding error of one centred
                difference: when the whole gradient is that small (a loss near 0, or
                saturated units), a large *relative* error says nothing about the
                formulas. The size of the analytic gradient plays no part, so a
                gradient wrongly zeroed is still FAILED.
    """
    errors = [row[2] for row in report.rows]
    if not np.isfinite(errors).all():
        return "FAILED"
    if report.passed:
        return "passed"
    if report.differences is None:
        return "kink" if report.kinks else "FAILED"
    for (_, _, error, count), difference in zip(report.rows, report.differences):
        if error > report.tolerance and difference > 10 * report.noise * np.sqrt(count):
            return "kink" if report.kinks else "FAILED"
    return "rounding"


def _count_kinks(net, Zs, As, eps):
    """How many pre-activations of ReLU-type layers one ±eps nudge of a parameter can move
    across 0. Nudging a weight of layer l moves its z by up to eps · max|a_prev| (a bias:
    eps); a shift reaching layer l through its inputs grows at most by the largest row sum
    of |W| (every hidden f has |f′| ≤ 1). The window of layer l is the larger of the two."""
    kinked = ("relu", "leaky_relu")
    count, reach = 0, 0.0
    for l, (Z, W) in enumerate(zip(Zs, net.Ws)):
        direct = eps * max(1.0, float(np.abs(As[l]).max()))
        reach = max(direct, float(np.abs(W).sum(axis=1).max()) * reach)
        if net.layer_activation(l).name in kinked:
            count += int((np.abs(Z) < reach).sum())
    return count
