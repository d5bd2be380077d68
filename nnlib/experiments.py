"""Experiments on training runs, no widgets: one measured run, and runs at many learning rates.

    build_net(n_in, hidden, activation, seed)  -> the test bench's MLP, one output (sigmoid
                                                  for classification, identity for regression)
    FeatureInputs(net, features)               -> that net seen from 2-D points, whose
                                                  features (nnlib.data.FEATURES) are its inputs
    train_run(net, data, lr, steps, ...)       -> BenchRun (History, test curve, gradient norms)
    lr_grid_search(net, X, Y, lrs, ...)        -> GridSearch: one run per learning rate, from
                                                  the same weights (final loss against the rate)
    gradient_descent_losses(net, X, Y, lrs)    -> full-batch loss curves of many rates at once
    sharpness_every_step(net, X, Y, lr, steps) -> the loss, λ_max and the offset along its
                                                  eigenvector at every step of one run
    learning_potential(loss)                   -> −ln(loss)

Runs are compared from a checkpoint, a copy of the flat weight vector
(`net.weights.flat.copy()`, restored with `net.weights.flat[:] = checkpoint`), so two
settings always start from the same weights.
"""

import dataclasses
import math

import numpy as np

from ._validate import choice, number, positive, real_array, vector
from ._validate import seed as check_seed
from .curvature import sharpness
from .data import check_features, feature_matrix
from .gradcheck import GradientCheckReport, gradient_check
from .history import History, TrainingDiverged
from .initializers import INITS
from .network import MLP, check_network
from .optim import SCIPY_METHODS, STEP_OPTIMIZERS, check_name
from .training import step_optimizer, train

GRADCHECK_SAMPLES = 16       # train_run checks the gradient on this many training samples
GRADCHECK_MAX_PARAMS = 1500  # and only for networks this small: it costs 2 losses per weight
GRADCHECK_EPS = 1e-5
SHARPNESS_POINTS = 25        # train_run(track_sharpness=True) measures λ_max this often per run
SHARPNESS_ITERATIONS = 30    # power iterations for the first measurement
SHARPNESS_WARM = 6           # and for each later one, which starts from the last eigenvector
GRID_LRS = np.logspace(-4, 1, 21)        # lr_grid_search's default rates
OUTPUTS = ("sigmoid", "identity")        # build_net's output: classification, regression
GRID_LRS.flags.writeable = False


def build_net(n_in, hidden=(8, 8), activation="tanh", seed=0, loss="cross_entropy",
              init_scale=1.0, output="sigmoid", init="auto"):
    """MLP [n_in, *hidden, 1] with a sigmoid output and `loss` ('cross_entropy' or 'mse'),
    or for regression (output='identity') an identity output, its loss 'mse'. init: one of
    nnlib.initializers.INITS, or 'auto': He initialisation for ReLU-type layers, Xavier
    otherwise; its weights (not the biases) times `init_scale` > 0. hidden: a sequence of
    widths (e.g. [8, 8], or [] for none); seed: None or an integer ≥ 0."""
    if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__iter__"):
        raise TypeError(f"hidden must be a sequence of layer widths like [8, 8] "
                        f"(one layer of 8: [8]), got {hidden!r}")
    init_scale = positive("init_scale", init_scale)
    choice("output", output, OUTPUTS)
    if output == "identity" and loss != "mse":
        raise ValueError(f"loss must be 'mse' for a regression net (output='identity'), got "
                         f"{loss!r}: cross-entropy needs outputs in (0, 1)")
    if choice("init", init, ["auto", *INITS]) == "auto":
        init = "he" if activation in ("relu", "leaky_relu") else "xavier"
    net = MLP([n_in, *hidden, 1], activation=activation, output_activation=output,
              loss=loss, init=init, seed=seed)
    for W in net.Ws:
        W *= init_scale
    return net


class FeatureInputs:
    """`net`, whose inputs are the chosen `features` of 2-D points (nnlib.data.FEATURES),
    seen from the points: forward(X) = net.forward(feature_matrix(X, features)) for X
    (N, 2), and forward_all likewise; every other attribute is the net's own (its weights
    included, so training the net moves this too). What the bench draws over (x₀, x₁)."""

    def __init__(self, net, features):
        self.net, self.features = check_network(net), check_features(features)
        if net.sizes[0] != len(self.features):
            raise ValueError(f"features: {len(self.features)} features {self.features} for a "
                             f"net of {net.sizes[0]} inputs; they must match")

    def __getattr__(self, name):
        return getattr(self.net, name)

    def forward(self, X):
        """The net's output (N, 1) for points X (N, 2)."""
        return self.net.forward(feature_matrix(X, self.features))

    def forward_all(self, X):
        """The net's Zs and As for points X (N, 2); As[0] holds their features."""
        return self.net.forward_all(feature_matrix(X, self.features))

    def __repr__(self):
        return f"<FeatureInputs {self.features} of {self.net!r}>"


def learning_potential(loss):
    """−ln(loss): higher is better; −inf for a loss that is not finite (a diverged
    run), +inf for a loss of 0, never NaN.

    The difference of two potentials counts factors of e between their losses:
    learning_potential(L) − learning_potential(L0) = ln(L0 / L). The potential alone is
    not the number of factors e the loss fell during training: that is ln(L0 / L) for the
    starting loss L0, which equals −ln(L) only when L0 = 1.
    """
    loss = float(number("loss", loss, False, "a number (a final loss)"))
    if not np.isfinite(loss):
        return -math.inf
    return -math.log(loss) if loss > 0 else math.inf


# -- one run -------------------------------------------------------------------------------
@dataclasses.dataclass(eq=False)
class BenchRun:
    """What `train_run` measured.

    history:         the nnlib History (history.losses: (steps,) mini-batch losses)
    lr, optimizer,   the settings of the run (betas None: the optimizer's defaults)
    weight_decay,
    l1, betas:
    batch_size:      the rows per step actually used (the training-set size for full batch)
    steps_requested: the number of steps asked for; history.steps is fewer if it diverged
    test_steps,      (k,) step numbers and test-set losses at the end of each epoch,
    test_losses:     and after the last step
    grad_norms:      (steps, n_layers) ‖gradient‖ of each layer's W and b together, per step
    update_ratios:   (steps, n_layers) ‖change of the layer's W and b‖ / ‖their values
                     before the step‖, per step (about 1e-3 is the usual healthy size)
    sharpness_steps, (k,) steps and λ_max, the most positive eigenvalue of the training
    sharpness:       loss's Hessian there (step 0: the start), if train_run was asked to
                     track it; else empty. Gradient descent is stable below λ_max = 2/lr.
    initial_loss:    training-set loss before the first step
    final_loss:      training-set loss after the last step; inf if the run diverged
    final_test_loss, accuracy: on the test set; inf and 0.0 if the run diverged (never NaN);
                     accuracy (output > 0.5 against label > 0.5) is None for a regression
                     net (identity output)
    r_squared:       regression: 1 − Σ(y − a)² / Σ(y − ȳ)² on the test set (1 a perfect fit,
                     0 no better than the mean ȳ), −inf if the run diverged;
                     None for classification
    potential:       learning_potential(final_loss)
    diverged:        True if the loss became non-finite
    message:         '' or a sentence about what went wrong, for the figure
    grad_check:      GradientCheckReport of the final network on GRADCHECK_SAMPLES samples,
                     or None if it was skipped
    grad_check_verdict: 'passed', 'FAILED', 'kink', 'rounding' (see nnlib.gradcheck.diagnose)
                     or 'skipped'
    """

    history: History
    lr: float
    optimizer: str
    weight_decay: float
    l1: float
    betas: tuple | None
    batch_size: int
    steps_requested: int
    test_steps: np.ndarray
    test_losses: np.ndarray
    grad_norms: np.ndarray
    update_ratios: np.ndarray
    sharpness_steps: np.ndarray
    sharpness: np.ndarray
    initial_loss: float
    final_loss: float
    final_test_loss: float
    accuracy: float | None
    r_squared: float | None
    potential: float
    diverged: bool
    message: str
    grad_check: GradientCheckReport | None
    grad_check_verdict: str

    def __repr__(self):
        state = "diverged" if self.diverged else f"final loss {self.final_loss:.3g}"
        return (f"<BenchRun {self.history.steps}/{self.steps_requested} steps of "
                f"{self.optimizer} at lr={self.lr:g}: {state}>")


def train_run(net, data, lr=0.1, steps=200, optimizer="sgd", batch_size=32, seed=0,
              checkpoint=None, grad_check=True, record_every=None, track_sharpness=False,
              weight_decay=0.0, l1=0.0, betas=None):
    """Train `net` for `steps` optimizer steps and measure everything the bench shows.

    data: (X, Y, X_test, Y_test), e.g. from nnlib.data.make_data. checkpoint: a flat
    weight vector to start from (copied into net.weights.flat first). steps: an integer
    ≥ 1. batch_size None or ≥ the training-set size: full batch. For 'lbfgs' and 'cg' a
    step is one iteration and lr, batch_size are not used. grad_check: check the final
    network's gradient (small networks only, see GRADCHECK_MAX_PARAMS). record_every:
    keep the flat weights every this many steps in the History (as nnlib.train does).
    weight_decay, l1, betas: as nnlib.train takes them (λ of weight decay, λ₁ of L1, both on
    the weights and not the biases; the running averages' β).
    track_sharpness: also measure λ_max on the training set at about SHARPNESS_POINTS
    evenly spaced steps (power iteration, warm-started; see nnlib.curvature).
    Every argument is checked before the weights change. Never raises for divergence:
    it is reported in `.diverged` and `.message`.
    Returns a BenchRun; `net` is left at its trained (or diverged) weights.
    """
    net = check_network(net)
    X, Y, X_test, Y_test = data = _check_data(net, data)
    optimizer = check_name(optimizer)
    lr = positive("lr", lr)
    step_optimizer(net, optimizer, lr, weight_decay, l1, betas)   # checks them, changes nothing
    steps = positive("steps", steps, integer=True)
    batch = len(X) if batch_size is None else min(positive("batch_size", batch_size, True), len(X))
    seed = check_seed(seed)
    if checkpoint is not None:
        checkpoint = vector("checkpoint", checkpoint, size=net.weights.size)
        net.weights.flat[:] = checkpoint
    with np.errstate(all="ignore"):
        initial_loss = float(net.loss(X, Y))
    recorder = _StepRecorder(net, steps, (X, Y) if track_sharpness else None)
    try:
        history = train(net, X, Y, optimizer=optimizer, lr=lr, steps=steps, batch_size=batch,
                        seed=seed, callback=recorder, weight_decay=weight_decay, l1=l1,
                        betas=betas,
                        test_data=(X_test, Y_test), record_every=record_every)
        raised = None
    except TrainingDiverged as exc:
        history, raised = exc.history, exc
    final_loss, final_test_loss, accuracy, r_squared = _scores(net, data)
    diverged = raised is not None or not np.isfinite(final_loss)
    if diverged:
        final_loss, final_test_loss = math.inf, math.inf
        accuracy, r_squared = (None, -math.inf) if is_regression(net) else (0.0, None)
    message = _run_message(lr, optimizer, raised, diverged, initial_loss, final_loss)
    steps_per_epoch = 1 if optimizer in SCIPY_METHODS else math.ceil(len(X) / batch)
    test_steps, test_losses = _test_curve(history, steps_per_epoch, final_test_loss)
    grad_norms, update_ratios = recorder.per_step(history.steps)
    run = BenchRun(history=history, lr=lr, optimizer=optimizer, weight_decay=weight_decay,
                   l1=l1, betas=betas, batch_size=batch,
                   steps_requested=steps, test_steps=test_steps, test_losses=test_losses,
                   grad_norms=grad_norms, update_ratios=update_ratios,
                   sharpness_steps=np.array(recorder.sharp_steps, dtype=int),
                   sharpness=np.array(recorder.sharp, dtype=float), initial_loss=initial_loss,
                   final_loss=final_loss, final_test_loss=final_test_loss, accuracy=accuracy,
                   r_squared=r_squared,
                   potential=learning_potential(final_loss), diverged=diverged,
                   message=message, grad_check=None, grad_check_verdict="skipped")
    return with_gradient_check(run, net, X, Y) if grad_check else run


def with_gradient_check(run, net, X, Y):
    """`run` with its gradient check: `net`'s backprop against centred differences on the
    first GRADCHECK_SAMPLES rows of (X, Y) (X (N, n_in), Y (N, n_out)), at its weights now;
    skipped for a run that diverged or a net over GRADCHECK_MAX_PARAMS parameters."""
    if run.diverged or net.weights.size > GRADCHECK_MAX_PARAMS:
        return run
    k = min(GRADCHECK_SAMPLES, len(X))
    with np.errstate(all="ignore"):
        report = gradient_check(net, X[:k], Y[:k], eps=GRADCHECK_EPS)
    return dataclasses.replace(run, grad_check=report, grad_check_verdict=report.verdict)


def _check_data(net, data):
    """data as four checked arrays (X, Y, X_test, Y_test), or an error that names data."""
    if not isinstance(data, (tuple, list)) or len(data) != 4:
        raise TypeError("data must be four arrays (X, Y, X_test, Y_test), as "
                        f"nnlib.data.make_data returns, got {type(data).__name__}"
                        + (f" of length {len(data)}" if hasattr(data, "__len__") else ""))
    checked = []
    for part, (X, Y) in (("training", data[:2]), ("test", data[2:])):
        try:
            checked += net.check_XY(X, Y)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"data, {part} part: {exc}") from None
    return tuple(checked)


class _StepRecorder:
    """A train() callback that keeps, after each step, the flat weights and the gradient
    (a row copy each: the callback stays cheap) and, every BLOCK steps, turns them into
    each layer's gradient norm and update-to-weight ratio in one vectorised pass; given
    `sharpness_data` (X, Y), also λ_max at step 0 and every few steps.
    `per_step(n)` -> (norms, ratios) of steps 1..n, each (n, n_layers), nan where unknown."""

    BLOCK = 64

    def __init__(self, net, steps, sharpness_data=None):
        self.starts = net.weights.offsets[:-1]  # of W0, b0, W1, b1, ... in the flat layout
        self.norms = np.full((steps, net.n_layers), np.nan)
        self.ratios = np.full((steps, net.n_layers), np.nan)
        self.weights = np.empty((self.BLOCK + 1, net.weights.size))  # row 0: before the block
        self.weights[0] = net.weights.flat
        self.grads = np.empty((self.BLOCK, net.weights.size))
        self.summarised = self.recorded = 0   # steps turned into norms; steps kept
        self.data, self.every = sharpness_data, max(1, round(steps / SHARPNESS_POINTS))
        self.sharp_steps, self.sharp, self.direction = [], [], None
        if sharpness_data is not None:
            self._measure(0, net)

    def _per_layer(self, values):
        """‖values‖ of each layer's W and b together, row by row: (rows, n_layers)."""
        squares = np.add.reduceat(values * values, self.starts, axis=1)  # Σ v² of each W, b
        return np.sqrt(squares[:, 0::2] + squares[:, 1::2])

    def _summarise(self):
        k, rows = self.recorded - self.summarised, slice(self.summarised, self.recorded)
        with np.errstate(all="ignore"):   # a diverging run's norms are inf: so be it
            self.norms[rows] = self._per_layer(self.grads[:k])
            moves = self._per_layer(np.diff(self.weights[: k + 1], axis=0))
            self.ratios[rows] = moves / self._per_layer(self.weights[:k])
        self.weights[0] = self.weights[k]
        self.summarised = self.recorded

    def per_step(self, n):
        self._summarise()
        return self.norms[:n], self.ratios[:n]

    def _measure(self, step, net):
        with np.errstate(all="ignore"):
            iterations = SHARPNESS_ITERATIONS if self.direction is None else SHARPNESS_WARM
            value, self.direction = sharpness(net, *self.data, iterations=iterations,
                                              start=self.direction)
        self.sharp_steps.append(step)
        self.sharp.append(value)

    def __call__(self, step, net, loss, grad):
        flat, k = net.weights.flat, step - self.summarised
        self.weights[k] = flat
        self.grads[k - 1] = grad
        self.recorded = step
        if k == self.BLOCK:
            self._summarise()
        if self.data is not None and step % self.every == 0 and np.isfinite(flat).all():
            self._measure(step, net)


def _scores(net, data):
    """Training loss, test loss, and test accuracy (threshold 0.5) and None, or for a
    regression net None and the test R², of `net` as it is now."""
    X, Y, X_test, Y_test = data
    with np.errstate(all="ignore"):
        out = net.forward(X_test)
        losses = float(net.loss(X, Y)), float(net.loss(X_test, Y_test))
        if not is_regression(net):
            return *losses, float(((out > 0.5) == (Y_test > 0.5)).mean()), None
        spread = float(((Y_test - Y_test.mean()) ** 2).sum())
        residual = float(((Y_test - out) ** 2).sum())
        r_squared = 1.0 - residual / spread if spread > 0 else (1.0 if residual == 0 else 0.0)
        return *losses, None, r_squared if np.isfinite(r_squared) else -math.inf


def is_regression(net):
    """True for a regression net (identity output, as build_net(output='identity') makes)."""
    return net.output_activation.name == "identity"


def _run_message(lr, optimizer, raised, diverged, initial_loss, final_loss):
    """'' for a run that went well, else a sentence saying what went wrong; `raised`
    is the TrainingDiverged that stopped the run, or None."""
    if raised is not None and raised.step == 0:
        return ("Diverged before the first step: the loss of the starting weights is not a "
                "finite number, so the learning rate is not the cause. Scale the inputs.")
    if diverged and optimizer in SCIPY_METHODS:
        after = "" if raised is None else f" after iteration {raised.step}"
        return (f"Diverged{after}: {optimizer}'s line search reached weights where the loss "
                "is no longer a finite number. Scale the inputs or run fewer iterations.")
    if raised is not None:
        return (f"Diverged after step {raised.step}: with lr = {lr:.3g} the loss grew "
                "until it was no longer a finite number. Try a smaller learning rate.")
    if diverged:
        return (f"Diverged: with lr = {lr:.3g} the loss is no longer a finite number. "
                "Try a smaller learning rate.")
    if final_loss > initial_loss and optimizer not in SCIPY_METHODS:
        return (f"The loss ended higher than it started ({final_loss:.3g} > "
                f"{initial_loss:.3g}): lr = {lr:.3g} is probably too large.")
    return ""


def _test_curve(history, steps_per_epoch, final_test_loss):
    """Step numbers and test losses: one per complete epoch, plus the last step if
    training stopped mid-epoch (and its test loss is finite)."""
    test_losses = history.test_losses
    test_steps = np.arange(1, test_losses.size + 1) * steps_per_epoch
    keep = test_steps <= history.steps
    test_steps, test_losses = test_steps[keep], test_losses[keep]
    if np.isfinite(final_test_loss) and (test_steps.size == 0 or test_steps[-1] < history.steps):
        test_steps = np.append(test_steps, history.steps)
        test_losses = np.append(test_losses, final_test_loss)
    return test_steps, test_losses


# -- many learning rates ---------------------------------------------------------------
@dataclasses.dataclass(eq=False)
class GridSearch:
    """Result of `lr_grid_search`; the arrays are in order of increasing learning rate.

    lrs (k,):          the learning rates tried, ascending
    final_losses (k,): training-set loss after `steps` steps (inf where it was not finite)
    diverged (k,):     bool, the final loss is not finite or above initial_loss
    best_lr:           the rate with the lowest final loss among those that did not
                       diverge, the smaller one on a tie (None if all diverged)
    divergence_lr:     the smallest rate that diverged (None if none did)
    initial_loss:      training-set loss of the starting weights
    steps, optimizer:  the settings of every run
    """

    lrs: np.ndarray
    final_losses: np.ndarray
    diverged: np.ndarray
    best_lr: float | None
    divergence_lr: float | None
    initial_loss: float
    steps: int
    optimizer: str

    def __repr__(self):
        best = "none" if self.best_lr is None else f"{self.best_lr:.3g}"
        div = "none" if self.divergence_lr is None else f"{self.divergence_lr:.3g}"
        return (f"<GridSearch of {self.lrs.size} rates, {self.steps} steps of {self.optimizer}: "
                f"best lr {best}, diverges from {div}>")


def lr_grid_search(net, X, Y, lrs=None, steps=200, optimizer="sgd", batch_size=None, seed=0):
    """A grid search over the learning rate: train `net` from its current weights once per
    rate, `steps` steps each, and record the final training-set loss. (Smith's range
    test is a different thing: one run whose rate rises at every step.) The weights are
    restored afterwards, also when training raises.

    lrs: learning rates, finite and > 0, in any order (default GRID_LRS,
    np.logspace(-4, 1, 21)). X (N, n_in), Y (N, 1). optimizer: one that takes a
    learning rate ('sgd', 'momentum', 'rmsprop', 'adam'). Returns a GridSearch.
    """
    net = check_network(net)
    X, Y = net.check_XY(X, Y)
    if check_name(optimizer) not in STEP_OPTIMIZERS:
        raise ValueError(f"lr_grid_search needs an optimizer that takes a learning rate, one "
                         f"of {', '.join(map(repr, STEP_OPTIMIZERS))}; {optimizer!r} takes "
                         "none, so every rate would give the same run")
    steps = positive("steps", steps, integer=True)
    if batch_size is not None:
        positive("batch_size", batch_size, integer=True)
    seed = check_seed(seed)
    lrs = np.sort(GRID_LRS if lrs is None else _check_lrs(lrs))
    checkpoint = net.weights.flat.copy()
    with np.errstate(all="ignore"):
        initial_loss = float(net.loss(X, Y))
    final = np.empty(lrs.size)
    try:
        for k, lr in enumerate(lrs):
            net.weights.flat[:] = checkpoint
            try:
                train(net, X, Y, optimizer=optimizer, lr=float(lr), steps=steps,
                      batch_size=batch_size, seed=seed)
                with np.errstate(all="ignore"):
                    final[k] = net.loss(X, Y)
            except TrainingDiverged:
                final[k] = np.inf
    finally:
        net.weights.flat[:] = checkpoint
    final[~np.isfinite(final)] = np.inf
    diverged = ~np.isfinite(final) | (final > initial_loss)
    ok = ~diverged
    return GridSearch(
        lrs=lrs, final_losses=final, diverged=diverged,
        best_lr=float(lrs[ok][np.argmin(final[ok])]) if ok.any() else None,
        divergence_lr=float(lrs[diverged].min()) if diverged.any() else None,
        initial_loss=initial_loss, steps=steps, optimizer=optimizer)


def gradient_descent_losses(net, X, Y, lrs, steps=200):
    """Full-batch gradient descent from `net`'s current weights, one run per learning rate,
    all the runs at once (stacked weights, one matrix product per layer for all of them).

    Returns the training-set loss before each step and after the last, shape
    (len(lrs), steps + 1), inf where it is not finite. Run k is nnlib.train(net.copy(), X,
    Y, lr=lrs[k], steps=steps): the same arithmetic, equal up to rounding (a chaotic run
    soon amplifies that). lrs: finite rates > 0, in any order. Not for a softmax output.
    `net`'s weights do not change.
    """
    net = check_network(net)
    X, Y = net.check_XY(X, Y)
    if net.output_activation.name == "softmax":
        raise ValueError("gradient_descent_losses is for element-wise outputs (sigmoid, "
                         "identity, ...), not softmax")
    lrs = _check_lrs(lrs)
    steps = positive("steps", steps, integer=True)
    runs, N, last = lrs.size, len(X), net.n_layers - 1
    Ws = [np.repeat(W[None], runs, axis=0) for W in net.Ws]     # (runs, n_out, n_in)
    bs = [np.repeat(b[None], runs, axis=0) for b in net.bs]     # (runs, n_out)
    fs = [net.layer_activation(l) for l in range(net.n_layers)]
    inputs = np.broadcast_to(X, (runs, *X.shape))
    losses = np.empty((runs, steps + 1))
    with np.errstate(all="ignore"):
        for step in range(steps + 1):
            Zs, As = [], [inputs]
            for W, b, f in zip(Ws, bs, fs):
                Zs.append(As[-1] @ W.transpose(0, 2, 1) + b[:, None, :])
                As.append(f(Zs[-1]))
            losses[:, step] = _stacked_loss(net, Zs[last], As[-1], Y)
            if step == steps:
                break
            if net.loss_fn.matched_to_output:                   # cross-entropy: A − Y
                delta = (As[-1] - Y) / N
            else:                                               # squared error
                delta = fs[last].backward(As[-1] - Y, Zs[last], As[-1]) / N
            for l in range(last, -1, -1):
                dW, db = delta.transpose(0, 2, 1) @ As[l], delta.sum(axis=1)
                if l > 0:
                    delta = (delta @ Ws[l]) * fs[l - 1].derivative(Zs[l - 1], As[l])
                Ws[l] -= lrs[:, None, None] * dW
                bs[l] -= lrs[:, None] * db
    losses[~np.isfinite(losses)] = np.inf
    return losses


def _stacked_loss(net, Z, A, Y):
    """net's loss for each run of stacked outputs Z, A (runs, N, n_out)."""
    if net.loss_fn.name == "cross_entropy":        # sigmoid output: log(1 + e^z) − y z
        return (np.logaddexp(0.0, Z) - Y * Z).sum(axis=(1, 2)) / len(Y)
    return 0.5 * ((A - Y) ** 2).sum(axis=(1, 2)) / len(Y)


def sharpness_every_step(net, X, Y, lr, steps, iterations=10):
    """Full-batch gradient descent from `net`'s weights at rate `lr`, measuring before
    every step the sharpness λ_max (nnlib.curvature.sharpness; its power iteration starts
    from the last step's eigenvector v, `iterations` rounds, 3 × that many the first time)
    and the weights' offset along v: the gradient's component along v divided by λ_max.
    On a quadratic loss that is exactly the distance from the minimum along v; each v is
    given the sign of the one before, so the offset's sign can be followed.

    Returns (losses (steps + 1,), sharpness (steps,), offsets (steps,)); the loss before
    each step and after the last. `net`'s weights are put back afterwards.
    """
    net = check_network(net)
    X, Y = net.check_XY(X, Y)
    lr = positive("lr", lr)
    steps = positive("steps", steps, integer=True)
    iterations = positive("iterations", iterations, integer=True)
    start, flat = net.weights.flat.copy(), net.weights.flat
    losses, lams, offsets, v = np.empty(steps + 1), np.empty(steps), np.empty(steps), None
    try:
        with np.errstate(all="ignore"):
            for step in range(steps):
                lam, new = sharpness(net, X, Y, iterations=iterations * (3 if v is None else 1),
                                     start=v)
                v = new if v is None or new @ v >= 0 else -new
                losses[step], gradient = net.loss_and_gradient(X, Y)
                lams[step], offsets[step] = lam, gradient @ v / lam
                flat -= lr * gradient
            losses[steps] = net.loss(X, Y)
    finally:
        flat[:] = start
    return losses, lams, offsets


def _check_lrs(lrs):
    """`lrs` as a 1-D float64 array of finite rates > 0, else a ValueError saying why."""
    expected = "a non-empty 1-D sequence of finite learning rates > 0, e.g. np.logspace(-4, 1, 21)"
    try:
        rates = real_array("lrs", lrs)  # text such as ['0.1'] is refused, as lr="0.1" is
    except TypeError:
        raise TypeError(f"lrs must be {expected}, as real numbers (not text or complex); "
                        f"got {lrs!r}") from None
    if rates.ndim != 1:
        got = f"an array of shape {rates.shape}"
    elif rates.size == 0:
        got = "no rates"
    elif not np.isfinite(rates).all():
        got = f"the non-finite rate(s) {rates[~np.isfinite(rates)].tolist()}"
    elif (rates <= 0).any():
        got = f"the rate(s) {rates[rates <= 0].tolist()}, not > 0"
    else:
        return rates
    raise ValueError(f"lrs must be {expected}; got {got}")
