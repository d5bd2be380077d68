"""The test bench widget: controls that retrain one small network and redraw its figure.

This module only builds the controls and connects them. Each change retrains from the same
checkpoint (the starting flat weights) with nnlib.experiments.train_run, on a data set of
nnlib.data.DATASETS, drawn by nnlib.benchplots.BenchFigure. Show a `TestBench()` as the
last expression of a notebook cell.
"""

import base64
import html
import io
import traceback

import numpy as np

from ._a11y import name_widgets
from ._bench_settings import (
    ACTIVATIONS,
    BATCH_RANGE,
    LR_DECADES,
    NOISE_RANGE,
    SAMPLES_RANGE,
    STEPS_RANGE,
    check_settings,
    parse_hidden,
)
from ._validate import seed as check_seed
from .benchplots import LR_FORMAT, SMOOTHING, BenchFigure, plot_lr_range_test
from .data import DATASETS, make_data
from .experiments import (
    GRADCHECK_MAX_PARAMS,
    GRADCHECK_SAMPLES,
    RANGE_TEST_LRS,
    build_net,
    lr_range_test,
    train_run,
)
from .optim import OPTIMIZERS, SCIPY_METHODS

RANGE_TEST_DPI = 100
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"   # ipywidgets 7 and 8 alike
FIGURE_ALT = ("The bench's figure for the current settings: the loss at each training step "
              "(top left), the network's output over the inputs with the data (top middle), "
              "each layer's gradient norm at each step (top right), and each weight matrix as "
              "a heat map (bottom). The text above it gives the numbers.")
RANGE_ALT = ("The learning-rate range test: the loss after a short run at each learning rate, "
             "on a log axis. The text above names the best rate and where training diverges.")
STATIC_NOTE = ("A picture of the test bench: its controls need a running kernel. "
               "Run the cell to use them.")


class TestBench:
    """Sliders and menus for one network, its data and its training; every change
    retrains from the same checkpoint and redraws one figure.

    Every argument must be a value its control can show (a ValueError or TypeError names
    it and the range, or lists the valid names); seed None draws a fresh one.
    Holds controls (description -> widget; also attributes lr_slider, steps_slider, ...),
    net, data (X, Y, X_test, Y_test), checkpoint (the starting flat weights), seed, run
    (the latest BenchRun), history (its History), figure, message (the latest warning or
    error, '' if none), error (the exception of the latest failed action, or None),
    range_test (the latest RangeTest), readout, image, range_image, widget (the layout).
    """

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, dataset="moons", hidden="8, 8", activation="tanh", optimizer="sgd",
                 lr=0.3, steps=200, batch_size=32, n_samples=200, noise=0.15, seed=0,
                 smoothing="raw"):
        import ipywidgets as widgets  # only the widget needs it

        check_settings(dataset, hidden, activation, optimizer, lr, steps, batch_size,
                        n_samples, noise, smoothing)
        seed = check_seed(seed)
        self._seeds = np.random.default_rng(seed)
        self.seed = int(self._seeds.integers(0, 10_000)) if seed is None else seed
        self.net = self.data = self.checkpoint = self.run = self.range_test = None
        self._hidden = [8, 8]  # used while the hidden-layers text does not parse
        self.message, self.error = "", None
        self._plot = BenchFigure()
        self.figure = self._plot.figure
        # widths that follow the page: each control fills its column, columns wrap
        style = {"style": {"description_width": "110px"},
                 "layout": widgets.Layout(width="auto", min_width="280px")}
        self._make_sliders(widgets, style, lr, steps, batch_size, n_samples, noise)
        self._make_menus(widgets, style, hidden, activation, optimizer, dataset, smoothing)
        self._make_buttons(widgets)
        self.controls = {control.description: control for control in (
            self.lr_slider, self.steps_slider, self.batch_slider, self.samples_slider,
            self.noise_slider, self.hidden_text, self.activation_menu, self.optimizer_menu,
            self.dataset_menu, self.smoothing_buttons)}
        self._connect()
        self.widget = self._layout(widgets)
        self._new_data()

    # -- building the controls ---------------------------------------------------------
    def _make_sliders(self, widgets, style, lr, steps, batch_size, n_samples, noise):
        def slider(kind, value, limits, description, **options):
            low, high, step = limits
            return kind(value=value, min=low, max=high, step=step, description=description,
                        continuous_update=False, **style, **options)

        self.lr_slider = slider(widgets.FloatLogSlider, lr, LR_DECADES, "learning rate",
                                base=10, readout_format=LR_FORMAT)
        self.steps_slider = slider(widgets.IntSlider, steps, STEPS_RANGE, "training steps")
        self.batch_slider = slider(widgets.IntSlider, batch_size, BATCH_RANGE, "batch size")
        self.samples_slider = slider(widgets.IntSlider, n_samples, SAMPLES_RANGE, "samples")
        self.noise_slider = slider(widgets.FloatSlider, noise, NOISE_RANGE, "noise")

    def _make_menus(self, widgets, style, hidden, activation, optimizer, dataset, smoothing):
        def menu(options, value, description):
            return widgets.Dropdown(options=options, value=value, description=description,
                                    **style)

        self.hidden_text = widgets.Text(value=hidden, description="hidden layers",
                                        placeholder="e.g. 8, 8", continuous_update=False,
                                        **style)
        self.activation_menu = menu(ACTIVATIONS, activation, "activation")
        self.optimizer_menu = menu(OPTIMIZERS, optimizer, "optimizer")
        self.dataset_menu = menu(list(DATASETS), dataset, "data set")
        self.smoothing_buttons = widgets.ToggleButtons(options=SMOOTHING, value=smoothing,
                                                       description="loss curve",
                                                       style=style["style"])

    def _make_buttons(self, widgets):
        self.reset_button = widgets.Button(description="new seed (reset)", icon="refresh",
                                           tooltip="new data and new starting weights",
                                           layout=widgets.Layout(width="auto"))
        lrs = RANGE_TEST_LRS
        self.range_button = widgets.Button(
            description="learning-rate range test", icon="line-chart",
            tooltip=f"train at {lrs.size} rates from {lrs.min():g} to {lrs.max():g}",
            layout=widgets.Layout(width="auto"))

    def _connect(self):
        actions = {
            self._retrain: (self.lr_slider, self.steps_slider, self.batch_slider,
                            self.optimizer_menu),
            self._new_data: (self.samples_slider, self.noise_slider, self.dataset_menu),
            self._new_network: (self.hidden_text, self.activation_menu),
            self._redraw: (self.smoothing_buttons,),
        }
        for action, controls in actions.items():
            handler = self._guard(action)
            for control in controls:
                control.observe(handler, names="value")
        self.reset_button.on_click(self._guard(self._reset))
        self.range_button.on_click(self._guard(self._range_test))

    def _layout(self, widgets):
        """The outputs, and everything arranged: three columns of controls above them."""
        self.readout = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        # hidden until the first range test: an empty image shows as a broken one
        self.range_image = widgets.Image(format="png",
                                         layout=widgets.Layout(max_width="100%", display="none"))

        def column(*controls):
            return widgets.VBox(list(controls), layout=widgets.Layout(
                flex="1 1 300px", min_width="280px", max_width="420px"))

        columns = widgets.Box([
            column(self.lr_slider, self.steps_slider, self.batch_slider, self.optimizer_menu),
            column(self.dataset_menu, self.samples_slider, self.noise_slider, self.reset_button),
            column(self.hidden_text, self.activation_menu, self.range_button),
        ], layout=widgets.Layout(display="flex", flex_flow="row wrap", width="100%"))
        self.image.add_class("nnlib-bench-figure")
        self.range_image.add_class("nnlib-bench-range")
        layout = widgets.VBox([columns, self.smoothing_buttons, self.readout, self.image,
                               self.range_image])
        layout.children += (name_widgets(widgets, layout, {
            "nnlib-bench-figure": FIGURE_ALT, "nnlib-bench-range": RANGE_ALT}),)
        return layout

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
        self._clear_range_test()   # it was measured on the old data or network
        self._retrain(note)

    def _clear_range_test(self):
        self.range_test = None
        self.range_image.layout.display = "none"

    def _reset(self):
        self.seed = int(self._seeds.integers(1, 10_000))
        self._new_data()

    def _retrain(self, note=""):
        self.run = train_run(self.net, self.data, lr=self.lr_slider.value,
                             steps=self.steps_slider.value, optimizer=self.optimizer_menu.value,
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
        self.net.weights.flat[:] = self.checkpoint
        try:
            self.range_test = lr_range_test(
                self.net, self.data[0], self.data[1], lrs=RANGE_TEST_LRS, steps=self.steps_slider.value,
                optimizer=self.optimizer_menu.value, batch_size=self.batch_slider.value,
                seed=self.seed)
        finally:
            self._retrain()  # the net shows the current settings' run again
        self.range_image.value = self._range_png()
        self.range_image.layout.display = None
        self._show_readout()

    def _range_png(self):
        from matplotlib.figure import Figure

        # outside pyplot, so never shown on its own; savefig renders it with Agg
        figure = Figure(figsize=(8, 3.8), dpi=RANGE_TEST_DPI, layout="constrained")
        plot_lr_range_test(self.range_test, ax=figure.add_subplot(),
                           current_lr=self.lr_slider.value)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()

    # -- the text under the controls ---------------------------------------------------
    def readout_text(self):
        """The readout as plain lines (what the HTML readout shows)."""
        run, net = self.run, self.net
        X, X_test = self.data[0], self.data[2]
        lines = [f"seed {self.seed} · {self.dataset_menu.value}: {len(X)} training and "
                 f"{len(X_test)} test samples · network {net.sizes} "
                 f"({net.activation.name}), {net.weights.size} parameters"]
        if run is not None:
            if run.diverged:
                lines.append(f"{run.history.steps} of {run.steps_requested} steps, then "
                             "diverged · final loss: not finite · ln(L₀/L) = −∞")
            else:
                lines.append(
                    f"{run.history.steps} steps · training loss L₀ = {run.initial_loss:.3g} → "
                    f"L = {run.final_loss:.3g} · ln(L₀/L) = "
                    f"{np.log(run.initial_loss / run.final_loss):.2f} (factors of e the loss "
                    f"fell) · test loss {run.final_test_loss:.3g} · test accuracy "
                    f"{run.accuracy:.0%}")
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
                "kink": (f"inconclusive: {report.kinks} ReLU pre-activation(s) sit at the kink, "
                         "where differences are no derivatives"),
                "rounding": ("inconclusive: those gradients are so small that rounding in the "
                             "differences explains the gap (saturated units?)"),
            }.get(run.grad_check_verdict, run.grad_check_verdict)  # or 'passed', 'FAILED'
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
        body = "<br>".join(html.escape(line, quote=False) for line in self.readout_text())
        self.readout.value = f"<div style='font-family: monospace; font-size: 12px'>{body}</div>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget, and for front ends without a widget manager or kernel (an
        untrusted or static notebook) a picture of the bench with a line saying so; the
        picture's alt text travels in the metadata, as nnlib.plots.show puts it."""
        png = base64.b64encode(self._plot.png(compact=True)).decode("ascii")
        alt = f"the test bench: {FIGURE_ALT}"
        data = {
            WIDGET_VIEW: {"version_major": 2, "version_minor": 0,
                          "model_id": self.widget.model_id},
            "text/html": (f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt)}" '
                          f'style="max-width:100%"><p>{html.escape(STATIC_NOTE)}</p>'),
            "image/png": png,
            "text/plain": f"<TestBench: seed {self.seed}> {STATIC_NOTE}",
        }
        return data, {"image/png": {"alt": alt}}

    def __repr__(self):
        return f"<TestBench: {self.run!r}>"
