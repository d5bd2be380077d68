"""The test bench: train one small network again and again from the same starting
weights, change one setting at a time, and see what the change does.

The pure part (no widgets, used headless by lesson 06 and the tests):
    make_data(name, n, noise, seed)        -> X, Y, X_test, Y_test (labels 0/1)
    parse_hidden("8, 8")                   -> [8, 8], or a ValueError that says why
    build_net(n_in, hidden, activation, seed)
    train_run(net, data, lr, steps, ...)   -> BenchRun (History, test curve, gradient norms)
    lr_range_test(net, X, Y, lrs, ...)     -> RangeTest (final loss against learning rate)
    learning_potential(loss)               -> −ln(loss)
The widget part: `TestBench()`, shown as the last expression of a notebook cell.

Every run starts from a checkpoint, a copy of the flat weight vector
(`net.weights.flat.copy()`, restored with `net.weights.flat[:] = checkpoint`), so
two settings are always compared from the same starting point.
"""

import html
import io
import math
import traceback

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import data as datasets
from .benchplots import SMOOTHING, BenchFigure, plot_lr_range_test
from .gradcheck import diagnose as gradcheck_verdict  # noqa: F401  (part of the bench API)
from .gradcheck import gradient_check
from .network import MLP
from .optim import OPTIMIZERS, SCIPY_METHODS
from .training import TrainingDiverged, train

DATASETS = ("toy 1-D", "XOR", "circles", "moons", "noisy half-plane")
ACTIVATIONS = ("tanh", "relu", "leaky_relu", "sigmoid", "identity")
MAX_HIDDEN_LAYERS = 5
MAX_WIDTH = 128
GRADCHECK_SAMPLES = 16
GRADCHECK_MAX_PARAMS = 1500
GRADCHECK_EPS = 1e-5


# -- data and network ------------------------------------------------------------------
def make_data(name="moons", n=200, noise=0.1, seed=0, test_size=0.25):
    """A seeded data set split into training and test parts (stratified).

    name:  one of DATASETS. `noise` is the spread of Gaussian noise on the inputs:
           for 'toy 1-D' times 5, the half-width of its inputs (x ∈ [−5, 5]); for
           'noisy half-plane' on its 13 extra, uninformative inputs only.
    n:     total number of samples (XOR: the 4 corners repeated n // 4 times).
    Returns X (n_train, n_in), Y (n_train, 1), X_test, Y_test, all float64, Y in {0, 1}.
    """
    n = int(n)
    if name == "toy 1-D":
        X, Y = datasets.toy_1d(n, noise=5 * noise, seed=seed)
        Y = (Y + 1) / 2
    elif name == "XOR":
        X, Y = datasets.xor(noise=noise, repeats=max(n // 4, 2), seed=seed)
    elif name == "circles":
        X, Y = datasets.circles(n, noise=noise, seed=seed)
    elif name == "moons":
        X, Y = datasets.moons(n, noise=noise, seed=seed)
    elif name == "noisy half-plane":
        X, Y = datasets.noisy_halfplane(n, noise=max(noise, 1e-3), seed=seed)
    else:
        raise ValueError(f"unknown data set {name!r}; expected one of: "
                         + ", ".join(repr(d) for d in DATASETS))
    X_train, X_test, Y_train, Y_test = datasets.train_test_split(X, Y, test_size=test_size,
                                                                 seed=seed)
    return X_train, Y_train, X_test, Y_test


def parse_hidden(text):
    """Hidden layer widths from text like "8, 8" (commas or spaces); "" means none.

    Raises ValueError with a message a learner can act on.
    """
    parts = [p for p in str(text).replace(",", " ").split()]
    widths = []
    for part in parts:
        try:
            width = int(part)
        except ValueError:
            raise ValueError(f"hidden layers: {part!r} is not a whole number; write the widths "
                             "separated by commas, e.g. 8, 8") from None
        if not 1 <= width <= MAX_WIDTH:
            raise ValueError(f"hidden layers: a width of {width} is outside 1 … {MAX_WIDTH}")
        widths.append(width)
    if len(widths) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"hidden layers: {len(widths)} layers is more than this bench "
                         f"trains live (at most {MAX_HIDDEN_LAYERS})")
    return widths


def build_net(n_in, hidden=(8, 8), activation="tanh", seed=0):
    """MLP [n_in, *hidden, 1] with a sigmoid output and cross-entropy loss; He
    initialisation for ReLU-type layers, Xavier otherwise."""
    init = "he" if activation in ("relu", "leaky_relu") else "xavier"
    return MLP([n_in, *hidden, 1], activation=activation, output_activation="sigmoid",
               loss="cross_entropy", init=init, seed=seed)


def learning_potential(loss):
    """−ln(loss): higher is better, +1 per factor e the loss fell. −inf for a loss that
    is not finite (the run diverged), never NaN."""
    loss = float(loss)
    if not np.isfinite(loss):
        return -math.inf
    return -math.log(loss) if loss > 0 else math.inf


# -- one run -------------------------------------------------------------------------------
class BenchRun:
    """What `train_run` measured.

    history:        the nnlib History (history.losses: (steps,) mini-batch losses)
    steps_requested the number of steps asked for; history.steps is fewer if it diverged
    test_steps,     (k,) step numbers and test-set losses at the end of each epoch,
    test_losses     and after the last step
    grad_norms:     (steps, n_layers) ‖gradient‖ of each layer's W and b together, per step
    initial_loss:   training-set loss before the first step
    final_loss:     training-set loss after the last step (inf if not finite)
    final_test_loss, accuracy: on the test set (nan-free: inf / 0 if the run diverged)
    potential:      learning_potential(final_loss)
    diverged:       True if the loss became non-finite (TrainingDiverged)
    message:        '' or a sentence about what went wrong, for the figure
    grad_check:     GradientCheckReport of the final network on 16 samples, or None
    grad_check_verdict: 'passed', 'FAILED', 'kink', 'rounding' (see nnlib.gradcheck.diagnose) or
                    'skipped'
    """

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __repr__(self):
        state = "diverged" if self.diverged else f"final loss {self.final_loss:.3g}"
        return f"<BenchRun {self.history.steps}/{self.steps_requested} steps of " \
               f"{self.optimizer} at lr={self.lr:g}: {state}>"


def train_run(net, data, lr=0.1, steps=200, optimizer="sgd", batch_size=32, seed=0,
              checkpoint=None, grad_check=True):
    """Train `net` for `steps` optimizer steps and measure everything the bench shows.

    data: (X, Y, X_test, Y_test) from make_data. checkpoint: a flat weight vector
    to start from (copied into net.weights.flat first), e.g. net.weights.flat.copy()
    taken earlier. batch_size None or ≥ the training-set size: full batch. For
    'lbfgs' and 'cg' a step is one iteration and lr, batch_size are not used.
    Never raises for divergence: it is reported in `.diverged` and `.message`.
    Returns a BenchRun; `net` is left at its trained (or diverged) weights.
    """
    X, Y, X_test, Y_test = data
    if checkpoint is not None:
        net.weights.flat[:] = checkpoint
    steps = int(steps)
    n = len(X)
    batch = n if batch_size is None else min(int(batch_size), n)
    steps_per_epoch = 1 if optimizer in SCIPY_METHODS else math.ceil(n / batch)
    with np.errstate(all="ignore"):
        initial_loss = net.loss(X, Y)
    norms = np.full((steps, net.n_layers), np.nan)

    starts = net.weights.offsets[:-1]  # of W0, b0, W1, b1, ... in the flat layout

    def record(step, net, loss, grad):
        squares = np.add.reduceat(grad * grad, starts)  # Σ g² of each W and each b
        norms[step - 1] = np.sqrt(squares[0::2] + squares[1::2])

    message = ""
    try:
        history = train(net, X, Y, optimizer=optimizer, lr=lr, steps=steps, batch_size=batch,
                        seed=seed, callback=record, test_data=(X_test, Y_test))
        diverged = False
    except TrainingDiverged as exc:
        history, diverged = exc.history, True
        message = (f"Diverged at step {history.steps + 1}: with lr = {lr:.3g} the loss grew "
                   "until it was no longer a finite number. Try a smaller learning rate.")
    with np.errstate(all="ignore"):
        final_loss = net.loss(X, Y)
        final_test_loss = net.loss(X_test, Y_test)
        accuracy = float(((net.forward(X_test) > 0.5) == (Y_test > 0.5)).mean())
    if not np.isfinite(final_loss):
        final_loss, final_test_loss, accuracy, diverged = math.inf, math.inf, 0.0, True
        message = message or (f"Diverged: with lr = {lr:.3g} the loss is no longer a finite "
                              "number. Try a smaller learning rate.")
    elif not diverged and final_loss > initial_loss and optimizer not in SCIPY_METHODS:
        message = (f"The loss ended higher than it started ({final_loss:.3g} > "
                   f"{initial_loss:.3g}): lr = {lr:.3g} is probably too large.")
    test_losses = history.test_losses
    test_steps = np.arange(1, test_losses.size + 1) * steps_per_epoch
    keep = test_steps <= history.steps
    test_steps, test_losses = test_steps[keep], test_losses[keep]
    if np.isfinite(final_test_loss) and (test_steps.size == 0 or test_steps[-1] < history.steps):
        # training stopped mid-epoch: score the test set at the last step too
        test_steps = np.append(test_steps, history.steps)
        test_losses = np.append(test_losses, final_test_loss)
    report, verdict = None, "skipped"
    if grad_check and not diverged and net.weights.size <= GRADCHECK_MAX_PARAMS:
        k = min(GRADCHECK_SAMPLES, n)
        with np.errstate(all="ignore"):
            report = gradient_check(net, X[:k], Y[:k], eps=GRADCHECK_EPS)
            verdict = report.verdict
    return BenchRun(history=history, lr=lr, optimizer=optimizer, batch_size=batch,
                    steps_requested=steps, test_steps=test_steps,
                    test_losses=test_losses, grad_norms=norms[: history.steps],
                    initial_loss=float(initial_loss), final_loss=float(final_loss),
                    final_test_loss=float(final_test_loss), accuracy=accuracy,
                    potential=learning_potential(final_loss), diverged=diverged,
                    message=message, grad_check=report, grad_check_verdict=verdict)


# -- learning-rate range test ----------------------------------------------------------
class RangeTest:
    """Result of `lr_range_test`.

    lrs (k,), final_losses (k,) (inf where training diverged), potentials (k,)
    (−ln final loss, −inf where diverged), diverged (k,) bool: the loss became
    non-finite or ended above initial_loss; best_lr: the rate with the lowest
    finite final loss; divergence_lr: the smallest diverged rate (None if none).
    """

    def __init__(self, lrs, final_losses, diverged, initial_loss, steps, optimizer):
        self.lrs = lrs
        self.final_losses = final_losses
        self.diverged = diverged
        self.initial_loss = initial_loss
        self.steps = steps
        self.optimizer = optimizer
        self.potentials = np.array([learning_potential(loss) for loss in final_losses])
        ok = ~diverged
        self.best_lr = float(lrs[ok][np.argmin(final_losses[ok])]) if ok.any() else None
        self.divergence_lr = float(lrs[diverged][0]) if diverged.any() else None

    def __repr__(self):
        best = "none" if self.best_lr is None else f"{self.best_lr:.3g}"
        div = "none" if self.divergence_lr is None else f"{self.divergence_lr:.3g}"
        return (f"<RangeTest of {self.lrs.size} rates, {self.steps} steps of {self.optimizer}: "
                f"best lr {best}, diverges from {div}>")


def lr_range_test(net, X, Y, lrs=None, steps=200, optimizer="sgd", batch_size=None, seed=0):
    """Train `net` from its current weights once per learning rate and record the
    final training-set loss. The weights are restored afterwards.

    lrs: increasing learning rates (default np.logspace(-4, 1, 21)). X (N, n_in), Y (N, 1).
    Returns a RangeTest.
    """
    lrs = np.logspace(-4, 1, 21) if lrs is None else np.asarray(lrs, dtype=np.float64)
    checkpoint = net.weights.flat.copy()
    with np.errstate(all="ignore"):
        initial_loss = net.loss(X, Y)
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
    return RangeTest(lrs, final, diverged, float(initial_loss), steps, optimizer)


# -- the widget ----------------------------------------------------------------------------
class TestBench:
    """Sliders and menus for one network, its data and its training; every change
    retrains from the same checkpoint and redraws one figure.

    Show it by making it the last expression of a notebook cell. What it holds:
    controls (dict name -> widget; also attributes lr_slider, steps_slider, ...),
    net, data (X, Y, X_test, Y_test), checkpoint (the starting flat weights), seed,
    run (the latest BenchRun), history (its History), figure (the matplotlib Figure),
    message (the latest warning or error, '' if none), readout (an HTML widget).
    """

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, dataset="moons", hidden="8, 8", activation="tanh", optimizer="sgd",
                 lr=0.3, steps=200, batch_size=32, n_samples=200, noise=0.15, seed=0,
                 smoothing="raw"):
        import ipywidgets as widgets  # only the widget part needs it

        self.seed = int(seed)
        self._seeds = np.random.default_rng(self.seed)
        self.net = self.data = self.checkpoint = self.run = None
        self._hidden = [8, 8]
        self.message = ""
        self.error = None
        self.range_test = None
        self._plot = BenchFigure()
        self.figure = self._plot.figure
        wide = {"description_width": "110px"}
        layout = widgets.Layout(width="340px")
        self.lr_slider = widgets.FloatLogSlider(
            value=lr, base=10, min=-4, max=1, step=0.1, description="learning rate",
            readout_format=".2g", continuous_update=False, style=wide, layout=layout)
        self.steps_slider = widgets.IntSlider(
            value=steps, min=10, max=2000, step=10, description="training steps",
            continuous_update=False, style=wide, layout=layout)
        self.batch_slider = widgets.IntSlider(
            value=batch_size, min=1, max=256, description="batch size",
            continuous_update=False, style=wide, layout=layout)
        self.samples_slider = widgets.IntSlider(
            value=n_samples, min=20, max=1000, step=10, description="samples",
            continuous_update=False, style=wide, layout=layout)
        self.noise_slider = widgets.FloatSlider(
            value=noise, min=0.0, max=0.5, step=0.01, description="noise",
            continuous_update=False, style=wide, layout=layout)
        self.hidden_text = widgets.Text(
            value=hidden, description="hidden layers", placeholder="e.g. 8, 8",
            continuous_update=False, style=wide, layout=layout)
        self.activation_menu = widgets.Dropdown(
            options=ACTIVATIONS, value=activation, description="activation", style=wide,
            layout=layout)
        self.optimizer_menu = widgets.Dropdown(
            options=OPTIMIZERS, value=optimizer, description="optimizer", style=wide,
            layout=layout)
        self.dataset_menu = widgets.Dropdown(
            options=DATASETS, value=dataset, description="data set", style=wide, layout=layout)
        self.smoothing_buttons = widgets.ToggleButtons(
            options=SMOOTHING, value=smoothing, description="loss curve", style=wide)
        self.reset_button = widgets.Button(
            description="new seed (reset)", tooltip="new data and new starting weights",
            icon="refresh")
        self.range_button = widgets.Button(
            description="learning-rate range test", tooltip="train at 21 rates from 1e-4 to 10",
            icon="line-chart", layout=widgets.Layout(width="220px"))
        self.controls = {
            "learning rate": self.lr_slider, "training steps": self.steps_slider,
            "batch size": self.batch_slider, "samples": self.samples_slider,
            "noise": self.noise_slider, "hidden layers": self.hidden_text,
            "activation": self.activation_menu, "optimizer": self.optimizer_menu,
            "data set": self.dataset_menu, "loss curve": self.smoothing_buttons,
        }
        self.readout = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.range_image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))

        for control in (self.lr_slider, self.steps_slider, self.batch_slider,
                        self.optimizer_menu):
            control.observe(self._guard(self._retrain), names="value")
        for control in (self.samples_slider, self.noise_slider, self.dataset_menu):
            control.observe(self._guard(self._new_data), names="value")
        for control in (self.hidden_text, self.activation_menu):
            control.observe(self._guard(self._new_network), names="value")
        self.smoothing_buttons.observe(self._guard(self._redraw), names="value")
        self.reset_button.on_click(self._guard(self._reset))
        self.range_button.on_click(self._guard(self._range_test))

        column = widgets.VBox
        self.widget = widgets.VBox([
            widgets.HBox([
                column([self.lr_slider, self.steps_slider, self.batch_slider,
                        self.optimizer_menu]),
                column([self.dataset_menu, self.samples_slider, self.noise_slider,
                        self.reset_button]),
                column([self.hidden_text, self.activation_menu, self.range_button]),
            ]),
            self.smoothing_buttons, self.readout, self.image, self.range_image,
        ])
        self._new_data()

    # -- what each control does --------------------------------------------------------
    def _guard(self, action):
        """Run `action` for a widget event; show errors in the readout, not as a traceback."""
        def handler(*_):
            self.error = None
            try:
                action()
            except Exception as exc:  # a UI callback: report any failure where it is seen
                self.error = exc
                self.message = f"Something went wrong: {type(exc).__name__}: {exc}"
                self._traceback = traceback.format_exc()
                self._show_readout()
        return handler

    def _new_data(self):
        self.data = make_data(self.dataset_menu.value, self.samples_slider.value,
                              self.noise_slider.value, seed=self.seed)
        self._new_network()

    def _new_network(self):
        note = ""
        try:
            self._hidden = parse_hidden(self.hidden_text.value)
        except ValueError as exc:
            note = f"{exc}. Still using hidden layers {self._hidden}."
        self.net = build_net(self.data[0].shape[1], self._hidden, self.activation_menu.value,
                             seed=self.seed)
        self.checkpoint = self.net.weights.flat.copy()
        self._retrain(note)

    def _reset(self):
        self.seed = int(self._seeds.integers(1, 10_000))
        self._new_data()

    def _retrain(self, note=""):
        self.run = train_run(self.net, self.data, lr=self.lr_slider.value,
                             steps=self.steps_slider.value,
                             optimizer=self.optimizer_menu.value,
                             batch_size=self.batch_slider.value, seed=self.seed,
                             checkpoint=self.checkpoint)
        self.message = note or self.run.message
        self._redraw()

    @property
    def history(self):
        """The History of the latest run."""
        return None if self.run is None else self.run.history

    def _redraw(self):
        self._plot.update(self.run, self.net, self.data, self.dataset_menu.value,
                          self.smoothing_buttons.value)
        self.image.value = self._plot.png()
        self._show_readout()

    def _range_test(self):
        if self.optimizer_menu.value in SCIPY_METHODS:
            self.message = (f"{self.optimizer_menu.value} takes no learning rate: choose sgd, "
                            "momentum or adam for a range test")
            self._show_readout()
            return
        X, Y = self.data[0], self.data[1]
        self.net.weights.flat[:] = self.checkpoint
        try:
            self.range_test = lr_range_test(
                self.net, X, Y, steps=self.steps_slider.value,
                optimizer=self.optimizer_menu.value, batch_size=self.batch_slider.value,
                seed=self.seed)
        finally:
            self._retrain()
        figure = Figure(figsize=(7.5, 4), dpi=72)
        FigureCanvasAgg(figure)
        plot_lr_range_test(self.range_test, ax=figure.add_subplot(),
                           current_lr=self.lr_slider.value)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        self.range_image.value = buffer.getvalue()
        self._show_readout()

    # -- the text under the controls ---------------------------------------------------
    def readout_text(self):
        """The readout as plain lines (what the HTML readout shows)."""
        run, net = self.run, self.net
        X, Y, X_test, Y_test = self.data
        lines = [f"seed {self.seed} · {self.dataset_menu.value}: {len(X)} training and "
                 f"{len(X_test)} test samples · network {net.sizes} "
                 f"({net.activation.name}), {net.weights.size} parameters"]
        if run is not None:
            if run.diverged:
                lines.append(f"{run.history.steps} of {run.steps_requested} steps, then "
                             "diverged · final loss: not finite · learning potential −∞")
            else:
                lines.append(
                    f"{run.history.steps} steps · training loss {run.initial_loss:.3g} → "
                    f"{run.final_loss:.3g} · test loss {run.final_test_loss:.3g} · test "
                    f"accuracy {run.accuracy:.0%} · learning potential −ln(loss) = "
                    f"{run.potential:.2f}")
            if run.optimizer in SCIPY_METHODS:
                lines.append(f"{run.optimizer} chooses its own step sizes: the learning rate "
                             "and batch size are not used")
            lines.append(self._gradcheck_text(run))
        if self.range_test is not None:
            lines.append(self._range_text(self.range_test))
        if self.message:
            lines.append(f"⚠ {self.message}")
        return lines

    def _gradcheck_text(self, run):
        if run.grad_check is not None:
            report = run.grad_check
            verdict = {
                "passed": "passed",
                "FAILED": "FAILED",
                "kink": (f"inconclusive: {report.kinks} ReLU pre-activation(s) sit at the kink, "
                         "where differences are no derivatives"),
                "rounding": ("inconclusive: those gradients are so small that rounding in the "
                             "differences explains the gap (saturated units?)"),
            }[run.grad_check_verdict]
            # below the tolerance the error is rounding noise: its digits change from one
            # machine to the next and mean nothing, so only the bound is shown
            error = (f"below {report.tolerance:.0e}" if report.passed
                     else f"{report.max_error:.1e}")
            return (f"gradient check on {min(GRADCHECK_SAMPLES, len(self.data[0]))} samples: "
                    f"max relative error {error}, {verdict}")
        if run.diverged:
            return "gradient check: skipped, the network diverged"
        return (f"gradient check: skipped for {self.net.weights.size} parameters (over "
                f"{GRADCHECK_MAX_PARAMS}); run nnlib.gradient_check(bench.net, X[:16], Y[:16])")

    @staticmethod
    def _range_text(result):
        best = "none" if result.best_lr is None else f"{result.best_lr:.3g}"
        where = ("no rate diverged" if result.divergence_lr is None
                 else f"diverges from lr = {result.divergence_lr:.3g}")
        return (f"range test ({result.steps} steps of {result.optimizer}): best lr = {best}, "
                f"{where}")

    def _show_readout(self):
        lines = self.readout_text()
        body = "<br>".join(html.escape(line, quote=False) for line in lines)
        self.readout.value = f"<div style='font-family: monospace; font-size: 12px'>{body}</div>"

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)

    def __repr__(self):
        return f"<TestBench: {self.run!r}>"
