"""train(): training an MLP on its flat weight vector, with checked arguments."""

import math

import numpy as np

from ._engine import Engine
from ._scipy import train_scipy
from ._validate import callable_or_none, positive
from ._validate import seed as check_seed
from .history import History, raise_diverged
from .network import check_network
from .optim import SCIPY_METHODS, SGD, STEP_OPTIMIZERS, check_name


def train(net, X, Y, optimizer="sgd", lr=0.1, epochs=1, batch_size=None, shuffle=True,
          seed=None, callback=None, record_every=None, test_data=None, steps=None,
          weight_decay=0.0, l1=0.0, betas=None):
    """Train `net` in place; return a History.

    X (N, n_in), Y (N, n_out). Each epoch visits the samples in mini-batches of
    `batch_size` rows (None, or more than N: the whole set), in a fresh seeded
    order if `shuffle`, else as consecutive slices in data order (the last may
    be shorter). 'sgd', 'momentum', 'rmsprop' and 'adam' take one step per mini-batch;
    'lbfgs' and 'cg' hand the full-batch loss to scipy.optimize.minimize and run
    `epochs` iterations (`lr`, `batch_size` and `shuffle` are not used there).
    steps: if given, stop after exactly this many optimizer steps (iterations for
    'lbfgs'/'cg') instead of after `epochs`; the last epoch may be cut short.
    seed: None (fresh randomness) or an integer ≥ 0, for the shuffling.
    callback(step, net, loss, grad) runs after each step; returning True stops. It may
    change the weights in place; under 'lbfgs'/'cg' SciPy's run then restarts from the
    changed weights (and forgets its curvature estimate).
    test_data: optional (X_test, Y_test), scored after every complete epoch.
    weight_decay: λ ≥ 0, for these step optimizers: each step first shrinks every
    weight (not the biases) by lr · λ of itself (see nnlib.optim).
    l1: λ₁ ≥ 0, for the same optimizers: after each step every weight moves lr · λ₁
    towards 0 and stops at 0 (L1's soft thresholding, see nnlib.optim).
    betas: None (the defaults), or the running averages' decay rates, each in [0, 1):
    (β,) for 'momentum' and 'rmsprop' (0.9), (β₁, β₂) for 'adam' (0.9, 0.999).
    Every argument is checked before any weight changes. Raises TrainingDiverged,
    naming the optimizer, the step and lr, if the loss or the weights stop being
    finite, also on the last step: a returned net always has finite weights and loss.
    """
    net = check_network(net)
    X, Y = net.check_XY(X, Y)
    optimizer = check_name(optimizer)
    lr = positive("lr", lr)
    epochs = positive("epochs", epochs, integer=True)
    if batch_size is not None:
        batch_size = min(positive("batch_size", batch_size, integer=True), len(X))
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    seed = check_seed(seed)
    callback = callable_or_none("callback", callback)
    if steps is not None:
        steps = positive("steps", steps, integer=True)
        steps_per_epoch = 1 if optimizer in SCIPY_METHODS else math.ceil(len(X) / (batch_size or len(X)))
        epochs = math.ceil(steps / steps_per_epoch)
    if record_every is not None:
        record_every = positive("record_every", record_every, integer=True)
    test_data = _check_test_data(net, test_data)
    opt = step_optimizer(net, optimizer, lr, weight_decay, l1, betas)
    history = History(lr, optimizer)
    _check_start(net, history)
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            if optimizer in SCIPY_METHODS:
                last_X, last_Y = train_scipy(net, X, Y, optimizer, epochs, callback,
                                             record_every, test_data, history)
            else:
                last_X, last_Y = _train_steps(net, X, Y, opt, epochs, batch_size, shuffle, seed,
                                              callback, record_every, test_data, history,
                                              max_steps=steps)
            _check_final(net, last_X, last_Y, history)
    finally:
        history._finish_recording()
    return history


def _check_start(net, history):
    """Raise TrainingDiverged (step 0) if the weights hold NaN or inf before training."""
    bad = int(np.count_nonzero(~np.isfinite(net.weights.flat)))
    if bad:
        raise_diverged(history, 0, f"{bad} of the net's {net.weights.size} weights are "
                       "NaN or inf already", cause="The learning rate is not the cause: the "
                       "weights were like this before training (left by an earlier run that "
                       "diverged?). Draw fresh ones with net.reset(seed).")


# the keyword of each running average's β, in the order `betas` gives them
BETAS = {"sgd": (), "momentum": ("beta",), "rmsprop": ("beta",), "adam": ("beta1", "beta2")}
STEPPERS = ", ".join(map(repr, STEP_OPTIMIZERS))
AVERAGERS = ", ".join(repr(name) for name in STEP_OPTIMIZERS if BETAS[name])   # with a β


def step_optimizer(net, name, lr, weight_decay, l1=0.0, betas=None):
    """The step optimizer `name` (None for SciPy's), with weight decay and L1 on the
    weights and the running averages' `betas`."""
    if name in SCIPY_METHODS:
        for keyword, value in (("weight_decay", weight_decay), ("l1", l1)):
            if value != 0:
                raise ValueError(f"{keyword} is for {STEPPERS}, got "
                                 f"{keyword}={value!r} with {name!r}")
        if betas is not None:
            raise ValueError(f"betas are for {AVERAGERS}, got betas={betas!r} "
                             f"with {name!r}")
        return None
    options = {}
    if betas is not None:
        names = BETAS[name]
        if not names:
            raise ValueError(f"betas are for {AVERAGERS}, got betas={betas!r} "
                             f"with {name!r}")
        if not isinstance(betas, (tuple, list)) or len(betas) != len(names):
            raise ValueError(f"betas for {name!r} must be a tuple of {len(names)} "
                             f"({', '.join(names)}), each in [0, 1), got betas={betas!r}")
        options = dict(zip(names, betas))
    decayed = None
    if weight_decay or l1:
        decayed = np.zeros(net.weights.size)
        for W in net.weights.split(decayed)[0::2]:
            W[:] = 1.0                      # weights decay, biases do not
    return STEP_OPTIMIZERS[name](lr, weight_decay=weight_decay, decayed=decayed, l1=l1,
                                 **options)


def _check_test_data(net, test_data):
    """test_data as a checked pair (X_test, Y_test), or an error that names test_data."""
    if test_data is None:
        return None
    if not isinstance(test_data, (tuple, list)) or len(test_data) != 2:
        got = type(test_data).__name__
        if hasattr(test_data, "__len__"):
            got += f" of length {len(test_data)}"
        raise TypeError(f"test_data must be a pair (X_test, Y_test), got a {got}")
    try:
        return net.check_XY(*test_data)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"test_data: {exc}") from None


def _train_steps(net, X, Y, opt, epochs, batch_size, shuffle, seed, callback, record_every,
                 test_data, history, max_steps=None):
    """Run the mini-batch steps; return the last mini-batch (Xb, Yb) for the final check."""
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
    halt = False
    for epoch in range(epochs):
        for Xb, Yb in _batches(X, Y, batch, shuffle, rng):
            loss = engine.loss_and_gradient(Xb, Yb, scale)
            if not math.isfinite(loss):
                what = f"the loss of the next mini-batch (epoch {epoch + 1}) is {loss}"
                if history.steps == 0:
                    what = f"the loss of the first mini-batch at the starting weights is {loss}"
                raise_diverged(history, history.steps, what)
            if fused_sgd:
                opt.decay(flat)
                flat -= grad                  # θ ← θ − lr · g, with lr · g from the engine
                opt.shrink(flat)
            else:
                opt.step(flat, grad)
            history._losses.append(loss)
            step = history.steps
            halt = (callback is not None and callback(step, net, loss, grad)) or step == max_steps
            if record_every and step % record_every == 0:
                history._record(flat, step)  # after the callback, which may change weights
            if halt:
                break
        if test_data is not None and history.steps == (epoch + 1) * steps_per_epoch:
            history._test_losses.append(net.loss_unchecked(*test_data))  # complete epochs only
        if halt:
            break
    return Xb, Yb  # a gathered batch stays in its buffer: nothing was drawn after it


def _check_final(net, X, Y, history):
    """Raise TrainingDiverged unless the weights and the loss of (X, Y), the last
    mini-batch, are finite at the weights training ends with: one pass over the
    weights and one forward pass, to catch a blow-up on the very last step."""
    flat = net.weights.flat
    bad = int(np.count_nonzero(~np.isfinite(flat)))
    if bad:
        what = f"{bad} of the {flat.size} weights are NaN or inf"
    else:
        loss = net.loss_unchecked(X, Y)
        if math.isfinite(loss):
            return
        what = (f"the loss at the starting weights is {loss}" if history.steps == 0 else
                f"the loss of the last mini-batch at the final weights is {loss}")
    raise_diverged(history, history.steps, what)


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
