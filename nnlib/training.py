"""train(): mini-batch training of an MLP on its flat weight vector; History."""

import math

import numpy as np

from ._engine import Engine
from ._validate import positive
from .optim import SCIPY_METHODS, SGD, STEP_OPTIMIZERS, check_name


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite. `.history` holds the steps up to that point."""

    def __init__(self, message, history):
        super().__init__(message)
        self.history = history


class History:
    """What one call of `train` recorded.

    losses:         (n_steps,) for 'sgd', 'momentum', 'adam': the loss of each step's
                    mini-batch, measured before that step's update (the weights after
                    k steps give losses[k]); for 'lbfgs', 'cg': the full-batch loss
                    after each iteration
    test_losses:    (n_epochs,) loss on `test_data` after each epoch (empty without it)
    snapshots:      (n_frames, n_params) copies of the flat weights, every `record_every`
                    steps (after the step and its callback), first frame before
                    training (None without record_every)
    snapshot_steps: (n_frames,) the step of each snapshot
    """

    def __init__(self, lr, optimizer):
        self.lr = lr
        self.optimizer = optimizer
        self._losses = []
        self._test_losses = []
        self.snapshots = None
        self.snapshot_steps = None
        self._n_frames = 0

    @property
    def losses(self):
        return np.array(self._losses)

    @property
    def test_losses(self):
        return np.array(self._test_losses)

    @property
    def steps(self):
        """Number of optimizer steps taken."""
        return len(self._losses)

    def _start_recording(self, flat, n_frames):
        self.snapshots = np.empty((n_frames, flat.size))
        self.snapshot_steps = np.empty(n_frames, dtype=int)
        self._record(flat, 0)

    def _record(self, flat, step):
        if self._n_frames == len(self.snapshots):
            return
        self.snapshots[self._n_frames] = flat
        self.snapshot_steps[self._n_frames] = step
        self._n_frames += 1

    def _finish_recording(self):
        if self.snapshots is not None:
            self.snapshots = self.snapshots[: self._n_frames]
            self.snapshot_steps = self.snapshot_steps[: self._n_frames]

    def __repr__(self):
        last = f", final loss {self._losses[-1]:.4g}" if self._losses else ""
        return f"<History: {self.steps} steps of {self.optimizer} at lr={self.lr:g}{last}>"


def train(net, X, Y, optimizer="sgd", lr=0.1, epochs=1, batch_size=None, shuffle=True,
          seed=None, callback=None, record_every=None, test_data=None, steps=None):
    """Train `net` in place; return a History.

    X (N, n_in), Y (N, n_out). Each epoch visits the samples in mini-batches of
    `batch_size` rows (None, or more than N: the whole set), in a fresh seeded
    order if `shuffle`, else as consecutive slices in data order (the last may
    be shorter). 'sgd', 'momentum' and 'adam' take one step per mini-batch;
    'lbfgs' and 'cg' hand the full-batch loss to scipy.optimize.minimize and run
    `epochs` iterations (`lr`, `batch_size` and `shuffle` are not used there).
    steps: if given, stop after exactly this many optimizer steps (iterations for
    'lbfgs'/'cg') instead of after `epochs`; the last epoch may be cut short.
    callback(step, net, loss, grad) runs after each step; returning True stops.
    test_data: optional (X_test, Y_test), scored after every complete epoch.
    Raises TrainingDiverged, naming the step and lr, if the loss stops being finite.
    """
    X, Y = net.check_XY(X, Y)
    optimizer = check_name(optimizer)
    lr = positive("lr", lr)
    epochs = positive("epochs", epochs, integer=True)
    if batch_size is not None:
        batch_size = min(positive("batch_size", batch_size, integer=True), len(X))
    if steps is not None:
        steps = positive("steps", steps, integer=True)
        steps_per_epoch = 1 if optimizer in SCIPY_METHODS else math.ceil(len(X) / (batch_size or len(X)))
        epochs = math.ceil(steps / steps_per_epoch)
    if record_every is not None:
        record_every = positive("record_every", record_every, integer=True)
    if test_data is not None:
        test_data = net.check_XY(*test_data)
    history = History(lr, optimizer)
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            if optimizer in SCIPY_METHODS:
                _train_scipy(net, X, Y, optimizer, epochs, callback, record_every, test_data,
                             history)
            else:
                _train_steps(net, X, Y, STEP_OPTIMIZERS[optimizer](lr), epochs, batch_size,
                             shuffle, seed, callback, record_every, test_data, history,
                             max_steps=steps)
    finally:
        history._finish_recording()
    return history


def _train_steps(net, X, Y, opt, epochs, batch_size, shuffle, seed, callback, record_every,
                 test_data, history, max_steps=None):
    batch = batch_size or len(X)
    steps_per_epoch = math.ceil(len(X) / batch)
    flat = net.weights.flat
    engine = Engine(net)
    grad = engine.grad
    if record_every:
        history._start_recording(flat, epochs * steps_per_epoch // record_every + 1)
    rng = np.random.default_rng(seed)
    # Plain SGD with no callback to show the gradient to: the engine folds lr into BP1 and
    # returns lr · g, so the update is a single pass (see nnlib/_engine.py).
    fused_sgd = isinstance(opt, SGD) and callback is None
    scale = opt.lr if fused_sgd else 1.0
    for epoch in range(epochs):
        for Xb, Yb in _batches(X, Y, batch, shuffle, rng):
            loss = engine.loss_and_gradient(Xb, Yb, scale)
            if not math.isfinite(loss):
                _raise_diverged(loss, history, f"epoch {epoch + 1}")
            if fused_sgd:
                flat -= grad                  # θ ← θ − lr · g, with lr · g from the engine
            else:
                opt.step(flat, grad)
            history._losses.append(loss)
            step = history.steps
            halt = callback is not None and callback(step, net, loss, grad)
            if record_every and step % record_every == 0:
                history._record(flat, step)  # after the callback, which may change weights
            if halt or step == max_steps:
                break
        if test_data is not None and history.steps == (epoch + 1) * steps_per_epoch:
            history._test_losses.append(net.loss_unchecked(*test_data))  # complete epochs only
        if halt or step == max_steps:
            return


def _batches(X, Y, batch, shuffle, rng):
    """One epoch's mini-batches (Xb, Yb) of `batch` rows (the last may be shorter): in a
    fresh order from `rng` if `shuffle`, else consecutive slices. Shuffled rows are
    gathered into two reused buffers, so the caller must use a batch before the next."""
    n = len(X)
    if not shuffle or batch >= n:
        for start in range(0, n, batch):
            yield X[start:start + batch], Y[start:start + batch]
        return
    X_buf, Y_buf = np.empty((batch, X.shape[1])), np.empty((batch, Y.shape[1]))
    order = rng.permutation(n)
    for start in range(0, n, batch):
        rows = order[start:start + batch]
        # mode="clip" (the rows are valid anyway): with `out`, mode="raise" copies through
        # a temporary
        yield (X.take(rows, axis=0, out=X_buf[:len(rows)], mode="clip"),
               Y.take(rows, axis=0, out=Y_buf[:len(rows)], mode="clip"))


def _train_scipy(net, X, Y, name, epochs, callback, record_every, test_data, history):
    from scipy.optimize import minimize  # loaded only when asked for: it takes a while

    flat = net.weights.flat
    engine = Engine(net)
    grad = engine.grad
    if record_every:
        history._start_recording(flat, epochs // record_every + 1)

    last = {"theta": None, "loss": None}  # the latest evaluation: `grad` holds its gradient

    def loss_and_grad(theta):
        flat[:] = theta
        last["theta"], last["loss"] = theta.copy(), engine.loss_and_gradient(X, Y)
        return last["loss"], grad.copy()

    class Stop(Exception):
        pass

    def after_iteration(theta):
        if not np.array_equal(theta, last["theta"]):  # usually the accepted point was the
            loss_and_grad(theta)                        # last one evaluated: no recomputing
        loss = last["loss"]
        if not math.isfinite(loss):
            _raise_diverged(loss, history, f"iteration {history.steps + 1}")
        history._losses.append(loss)
        step = history.steps
        if test_data is not None:
            history._test_losses.append(net.loss_unchecked(*test_data))
        stop = callback is not None and callback(step, net, loss, grad)
        if record_every and step % record_every == 0:
            history._record(flat, step)
        if stop:
            raise Stop

    try:
        result = minimize(loss_and_grad, flat.copy(), jac=True, method=SCIPY_METHODS[name],
                          callback=after_iteration, options={"maxiter": epochs})
        flat[:] = result.x
    except Stop:
        pass


def _raise_diverged(loss, history, where):
    raise TrainingDiverged(
        f"training diverged at step {history.steps + 1} ({where}) with "
        f"{history.optimizer} at lr={history.lr:g}: the loss became {loss}. "
        f"Try a smaller learning rate, e.g. lr={history.lr / 10:g}.", history)
