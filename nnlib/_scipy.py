"""Training through scipy.optimize.minimize (L-BFGS, CG) on the flat weight vector."""

import math

import numpy as np

from ._engine import Engine
from .history import raise_diverged
from .optim import SCIPY_METHODS


def train_scipy(net, X, Y, name, epochs, callback, record_every, test_data, history):
    """Run SciPy's L-BFGS or CG for up to `epochs` iterations; return (X, Y) for the final
    check. If the callback changes the weights, SciPy's run restarts from them."""
    from scipy.optimize import minimize  # loaded only when asked for: it takes a while

    flat = net.weights.flat
    engine = Engine(net)
    grad = engine.grad
    if record_every:
        history._start_recording(flat, epochs // record_every + 1)

    last = {"theta": None, "loss": None}  # the latest evaluation: `grad` holds its gradient

    def loss_and_grad(theta):
        flat[:] = theta
        if not np.array_equal(theta, last["theta"]):  # SciPy starts by asking for x0 again
            last["theta"], last["loss"] = theta.copy(), engine.loss_and_gradient(X, Y)
        return last["loss"], grad.copy()

    class Stop(Exception):
        pass

    class Moved(Exception):
        """The callback changed the weights: SciPy's run no longer describes them."""

    def after_iteration(theta):
        loss = loss_and_grad(theta)[0]  # usually the last point evaluated: not recomputed
        if not math.isfinite(loss):
            raise_diverged(history, history.steps + 1, f"the full-batch loss became {loss}")
        history._losses.append(loss)
        step = history.steps
        if test_data is not None:
            history._test_losses.append(net.loss_unchecked(*test_data))
        stop = callback is not None and callback(step, net, loss, grad)
        if record_every and step % record_every == 0:
            history._record(flat, step)
        if stop:
            raise Stop
        if callback is not None and not np.array_equal(flat, theta):
            raise Moved

    start_loss = loss_and_grad(flat.copy())[0]
    if not math.isfinite(start_loss):
        raise_diverged(history, 0, f"the full-batch loss at the starting weights is {start_loss}")
    while history.steps < epochs:
        try:
            result = minimize(loss_and_grad, flat.copy(), jac=True, method=SCIPY_METHODS[name],
                              callback=after_iteration,
                              options={"maxiter": epochs - history.steps})
            flat[:] = result.x
            break
        except Stop:
            break
        except Moved:
            continue  # start a fresh SciPy run from the weights the callback left
    return X, Y
