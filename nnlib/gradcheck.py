"""Gradient checking: centred differences and the relative error."""

import numpy as np

from ._validate import positive


def numerical_gradient(f, theta, eps=1e-6):
    """Centred differences (f(θ + ε e_i) − f(θ − ε e_i)) / 2ε for every i.

    f: a scalar function of the 1-D float64 array `theta` (n,), which is nudged
    in place and restored exactly, so f may read it through views.
    Returns an array of shape (n,).
    """
    if not isinstance(theta, np.ndarray) or theta.dtype != np.float64 or theta.ndim != 1:
        raise TypeError("theta must be a 1-D float64 NumPy array (it is nudged in place)")
    positive("eps", eps)
    grad = np.empty_like(theta)
    for i in range(theta.size):
        saved = theta[i]
        theta[i] = saved + eps
        f_plus = f(theta)
        theta[i] = saved - eps
        f_minus = f(theta)
        theta[i] = saved
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """‖a − b‖ / max(‖a‖ + ‖b‖, 1e-300): 0 for equal arrays, ~1 for unrelated ones.

    Scale-free, so one threshold (1e-7 in float64) works for big and tiny gradients.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs equal shapes, got {a.shape} and {b.shape}")
    scale = max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)
    return float(np.linalg.norm(a - b) / scale)


class GradientCheckReport:
    """Worst relative error per layer and group; `.max_error` overall.

    rows: list of (layer, group, relative error, number of parameters), group is
    'weights' or 'biases'. kinks: how many pre-activations of ReLU-type layers sit
    within 1e-5 of 0, where a centred difference straddles the kink and is no
    derivative; errors there are expected, not bugs. verdict: 'passed', 'FAILED',
    or, for a failure that says nothing about the formulas, 'kink' or 'rounding'
    (see `diagnose`).
    """

    def __init__(self, rows, tolerance, kinks=0, verdict=None):
        self.rows = rows
        self.tolerance = tolerance
        self.kinks = kinks
        self.max_error = max(row[2] for row in rows)
        self.verdict = verdict or ("passed" if self.passed else "FAILED")

    @property
    def passed(self):
        """True when every group agrees to within `tolerance`."""
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
            lines.append(f"note: {self.kinks} pre-activation(s) lie within 1e-5 of a ReLU kink; "
                         "differences across a kink are not derivatives")
        return "\n".join(lines)


def gradient_check(net, X, Y, eps=1e-5, tolerance=1e-7):
    """Compare `net.gradient(X, Y)` with centred differences of `net.loss`, group by group.

    eps = 1e-5 balances the two errors of a centred difference in float64: truncation
    (~eps²) and rounding (~1e-16 · loss / eps), so small gradients pass too.
    """
    X, Y = net.check_XY(X, Y)
    analytic = net.gradient(X, Y)
    flat = net.weights.flat
    numeric = numerical_gradient(lambda _: net.loss_unchecked(X, Y), flat, eps)
    rows = []
    for k, (start, stop) in enumerate(zip(net.weights.offsets[:-1], net.weights.offsets[1:])):
        error = relative_error(analytic[start:stop], numeric[start:stop])
        rows.append((k // 2, "weights" if k % 2 == 0 else "biases", error, int(stop - start)))
    report = GradientCheckReport(rows, tolerance, _count_kinks(net, X))
    report.verdict = diagnose(report, net, X, Y, eps)
    return report


def diagnose(report, net, X, Y, eps=1e-5):
    """Read a GradientCheckReport of `net` on X, Y (made with step `eps`):
    'passed', 'FAILED', 'kink' or 'rounding'.

    'kink':     it failed, but some ReLU pre-activations sit at the kink, where a
                centred difference is not a derivative.
    'rounding': it failed, but the disagreement is no larger than rounding explains.
                The loss is computed from numbers of size about s = |L| + mean |z_out|
                (cross-entropy subtracts terms of the size of z), so L(θ ± ε) carry
                errors of about 2⁻⁵² · s, and a centred difference an error of about
                2⁻⁵² · s / ε per entry. When a group's whole gradient is that small (a
                loss near 0, or saturated units), a large *relative* error says
                nothing about the formulas.
    """
    if report.passed:
        return "passed"
    grad = net.gradient(X, Y)
    Zs, _ = net.forward_all(X)
    scale = abs(net.loss(X, Y)) + float(np.abs(Zs[-1]).mean())
    rounding = np.finfo(float).eps * scale / eps
    offsets = net.weights.offsets
    for k, (_, _, error, count) in enumerate(report.rows):
        if error <= report.tolerance:
            continue
        disagreement = error * 2 * np.linalg.norm(grad[offsets[k]:offsets[k + 1]])
        if disagreement > 10 * rounding * np.sqrt(count):
            return "kink" if report.kinks else "FAILED"
    return "rounding"


def _count_kinks(net, X):
    Zs, _ = net.forward_all(X)
    kinked = ("relu", "leaky_relu")
    return sum(int((np.abs(Z) < 1e-5).sum()) for l, Z in enumerate(Zs)
               if net.layer_activation(l).name in kinked)
