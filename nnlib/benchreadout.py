"""The test bench's readout: the numbers of a run, as lines of plain text."""

import numpy as np

from .experiments import GRADCHECK_MAX_PARAMS, GRADCHECK_SAMPLES
from .optim import SCIPY_METHODS


def readout_lines(run, net, data, data_text, start_text, grid_search=None, message=""):
    """The readout's lines: the data (`data_text` names them, e.g. "data seed 0 · moons"),
    the network and its starting weights (`start_text`), the BenchRun `run` (or None),
    the GridSearch `grid_search` (or None) and a warning `message` ('' for none)."""
    X, X_test = data[0], data[2]
    lines = [f"{data_text}: {len(X)} training and {len(X_test)} test samples · network "
             f"{net.sizes} ({net.activation.name}), {net.weights.size} parameters · starting "
             f"{start_text}"]
    if run is not None:
        if run.diverged:
            lines.append(f"{run.history.steps} of {run.steps_requested} steps, then "
                         "diverged · final loss: not finite · ln(L₀/L) = −∞")
        else:
            lines.append(
                f"{run.history.steps} steps · training loss L₀ = {run.initial_loss:.3g} → "
                f"L = {run.final_loss:.3g} · ln(L₀/L) = "
                f"{np.log(run.initial_loss / run.final_loss):.2f} (factors of e the loss "
                f"fell) · test loss {run.final_test_loss:.3g} · " + score_text(run))
        if run.optimizer in SCIPY_METHODS:
            lines.append(f"{run.optimizer} chooses its own step sizes: the learning rate "
                         "and batch size are not used")
        lines.append(gradcheck_text(run, net, len(X)))
    if grid_search is not None:
        lines.append(grid_text(grid_search))
    if message:
        lines.append(f"⚠ {message}")
    return lines


def score_text(run):
    """The test score: accuracy for classification, R² (no accuracy) for regression."""
    if run.accuracy is not None:
        return f"test accuracy {run.accuracy:.0%}"
    return (f"test R² {run.r_squared:.3f} (1: a perfect fit, 0: no better than the mean "
            "target)")


def gradcheck_text(run, net, n_train):
    """What the run's gradient check found, or why it was skipped."""
    if run.grad_check is not None:
        report = run.grad_check
        verdict = {
            "kink": (f"inconclusive: {report.kinks} ReLU pre-activation(s) sit at the kink, "
                     "where differences are no derivatives"),
            "rounding": ("inconclusive: those gradients are so small that rounding in the "
                         "differences explains the gap (saturated units?)"),
        }.get(run.grad_check_verdict, run.grad_check_verdict)  # or 'passed', 'FAILED'
        # below the tolerance the error is rounding noise: its digits change from one
        # machine to the next and mean nothing, so only the bound is shown
        error = (f"below {report.tolerance:.0e}" if report.passed
                 else f"{report.max_error:.1e}")
        return (f"gradient check on {min(GRADCHECK_SAMPLES, n_train)} samples: "
                f"max relative error {error}, {verdict}")
    if run.diverged:
        return "gradient check: skipped, the network diverged"
    return (f"gradient check: skipped for {net.weights.size} parameters (over "
            f"{GRADCHECK_MAX_PARAMS}); run nnlib.gradient_check(bench.net, X[:16], Y[:16])")


def grid_text(result):
    """The grid search's answer in one line."""
    best = "none" if result.best_lr is None else f"{result.best_lr:.3g}"
    where = ("no rate diverged" if result.divergence_lr is None
             else f"diverges from lr = {result.divergence_lr:.3g}")
    return (f"grid of {result.lrs.size} rates ({result.steps} steps of {result.optimizer}): "
            f"best lr = {best}, {where}")
