"""The test bench widget: controls that retrain one small network and redraw its figure.

This module only builds the controls and connects them. Each change retrains from the same
checkpoint (the starting flat weights) with nnlib.experiments.train_run, on a data set of
nnlib.data.DATASETS (or from a student's target function, nnlib.data.target_data), drawn
by nnlib.benchplots.BenchFigure; nnlib.benchlive plays a run step by step. Show a
`TestBench()` as the last expression of a notebook cell.
"""

import base64
import html
import io
import traceback

import numpy as np

from ._a11y import name_widgets
from ._bench_settings import (
    ACTIVATIONS,
    INIT_SCALES,
    LOSSES,
    LR_DECADES,
    NOISE_MEANING,
    NOISE_RANGE,
    PROBLEM_NOTES,
    RANGE_TEST_LRS,
    REGRESSION_LOSS,
    SAMPLES_RANGE,
    STEPS_RANGE,
    TARGET_NAME,
    WEIGHT_DECAYS,
    batch_range,
    check_batch,
    check_loss,
    check_settings,
    kind_of,
    parse_hidden,
)
from ._validate import choice
from ._validate import seed as check_seed
from .benchlive import LiveControls, record_every, record_run, recording_of, run_up_to
from .benchneurons import NEURON_ALT, neuron_caption, neuron_png
from .benchplots import LR_FORMAT, SMOOTHING, STEP_VIEWS, BenchFigure, plot_lr_range_test
from .benchreadout import readout_lines
from .data import (
    DATASETS,
    DEFAULT_FEATURES,
    FEATURES,
    REGRESSION,
    check_features,
    check_target,
    feature_matrix,
    make_data,
    target_data,
)
from .experiments import FeatureInputs, build_net, lr_range_test, train_run
from .optim import OPTIMIZERS, SCIPY_METHODS

RANGE_TEST_DPI = 100
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"   # ipywidgets 7 and 8 alike
FIGURE_ALT = ("The bench's figure for the current settings: the loss at each training step "
              "(top left), the network's output over the inputs with the training data filled "
              "and the test data hollow (top middle; for classification the probability of "
              "class 1 and its 0.5 boundary, for regression the output's value on a diverging "
              "colour scale, the points coloured by their targets; for one input a curve "
              "through the data; with input features the map stays over x₁ and x₂), "
              "what the right-panel buttons choose at each step (top right: each layer's "
              "gradient norm, or its update-to-weight ratio, or the sharpness against 2/lr), and "
              "each weight matrix as a heat map (bottom). The text above it gives the numbers.")
RANGE_ALT = ("The learning-rate range test: the loss after a short run at each learning rate, "
             "on a log axis. The text above names the best rate and where training diverges.")
STATIC_NOTE = ("A picture of the test bench: its controls need a running kernel. "
               "Run the cell to use them.")


class TestBench:
    """Sliders and menus for one network, its data and its training; every change
    retrains from the same checkpoint and redraws one figure.

    Every argument must be a value its control can show (a ValueError or TypeError names
    it and the range, or lists the valid names); batch_size None (or the number of
    training samples) is full batch; seed None draws a fresh one, else it seeds both the
    data and the starting weights.

    Problem type follows from the data set, as in TensorFlow Playground: the two-class sets
    are classification (a sigmoid output, cross-entropy or squared error, the map shows the
    probability of class 1 and its 0.5 boundary); 'plane' and 'gaussians' are regression
    (an identity output and squared-error loss, the loss menu fixed to it; the map shows the
    output's value, the points their targets', and the readout the test R², no accuracy).
    loss None is the data's own. target: any function a student writes,
    `TestBench(target=lambda X: X[:, 0] * X[:, 1])`, learnt as regression: X (N, 2) (or
    (N, 1) with target_inputs=1, drawn as a curve) uniform on [−1, 1], targets
    target(X) + Normal(0, noise²), the samples and noise sliders as for the other sets;
    the data menu then offers it as 'your target' (chosen unless `dataset` says otherwise).
    A target that raises, or does not give N finite numbers, is refused naming target.

    Seeds: "new data" draws a new data seed (the samples, their training/test split and
    the order of the mini-batches) and keeps the starting weights' seed; "new starting
    weights" draws a new weights seed and keeps the data.

    Live training (nnlib.benchlive): play shows the run step by step, a few steps per
    update, from the step shown (from step 0 at the end); pause stops there; step pauses
    and shows the next few steps; "reset to step 0" pauses at the starting weights; the
    "show step" slider shows any recorded step. The net holds the weights of the step
    shown. Changing a setting while playing retrains from the same starting weights with
    the new setting and plays that run from step 0 (so its curve grows beside the ghost of
    the previous run); when paused or stopped, a change shows the new run's end, as before.
    Changing the loss-curve smoothing only redraws. "right panel" shows each layer's gradient
    norm, or its update-to-weight ratio, or the sharpness λ_max against 2/lr (measured only
    while that view is chosen: choosing it trains the same run once more to measure it).
    The previous run's loss stays on the loss plot as a grey dashed ghost, to compare two
    settings on one screen.

    "save this net" keeps a copy of the weights shown; "back to saved" makes that copy the
    starting weights (the run then trains on from it) and shows it, at step 0. New data, a
    new network or new starting weights start again from seeded fresh weights.

    Input features, as Playground's (nnlib.data.FEATURES): features names those the
    network takes as its inputs, made from the points (x₁, x₂): 'x1', 'x2', 'x1^2',
    'x2^2', 'x1*x2', 'sin x1', 'sin x2' (default ('x1', 'x2'), the points as they are),
    one toggle each; the network's input width is their number, and a change builds a new
    network from the weights seed. The map and the neuron pictures stay over (x₁, x₂). Data
    without exactly two inputs ('toy 1-D', 'noisy half-plane', a one-input target) go in as
    they are, and the toggles are disabled. Turning every toggle off keeps the last
    features, with a message.

    Holds controls (description -> widget; also attributes lr_slider, steps_slider, ...),
    feature_buttons (feature name -> its toggle), problem_note and features_note (what the
    problem type and the features are), target and target_inputs, net, data (X, Y, X_test,
    Y_test: the points), net_data (the same with each X as the network's inputs, its
    features), view (the net seen from the points: nnlib.experiments.FeatureInputs, or
    the net itself without features), checkpoint (the starting flat weights), data_seed,
    weights_seed, run (the latest BenchRun), previous_run (the one before, the ghost, or
    None), history (the run's History), recording (the run's recorded weights,
    nnlib.benchlive.Recording), saved (the saved flat weights, or None), live (the
    LiveControls), figure, message (the latest warning or error, '' if none), error (the
    exception of the latest failed action, or None), range_test (the latest RangeTest),
    readout, image, neuron_image and neuron_caption (every hidden neuron's output over the
    inputs, nnlib.benchneurons), range_image, widget (the layout).
    """

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, dataset=None, hidden="8, 8", activation="tanh", optimizer="sgd",
                 lr=0.3, steps=200, batch_size=32, n_samples=200, noise=0.15, seed=0,
                 smoothing="raw", panel="gradient norms", weight_decay=0.0,
                 loss=None, init_scale=1.0, target=None, target_inputs=2,
                 features=DEFAULT_FEATURES):
        import ipywidgets as widgets  # only the widget needs it

        if target is not None:
            check_target(target, target_inputs)
        elif target_inputs != 2:
            raise ValueError(f"target_inputs is the number of inputs of a target function; got "
                             f"target_inputs={target_inputs!r} without one (target=None)")
        self.target, self.target_inputs = target, target_inputs
        if dataset is None:
            dataset = "moons" if target is None else TARGET_NAME
        check_settings(dataset, hidden, activation, optimizer, lr, steps, n_samples, noise,
                       smoothing, weight_decay, loss, init_scale, target=target is not None)
        loss = check_loss(loss, dataset)
        self._features = features = check_features(features)
        # the loss a classification set goes back to after a regression set
        self._classification_loss = (loss if kind_of(dataset) != REGRESSION
                                     else "cross-entropy")
        seed = check_seed(seed)
        choice("panel", panel, STEP_VIEWS)
        self._seeds = np.random.default_rng(seed)
        seed = int(self._seeds.integers(0, 10_000)) if seed is None else seed
        self.data_seed = self.weights_seed = seed
        n_train = len(self._draw(dataset, n_samples, noise, seed)[0])
        batch_size = check_batch(batch_size, n_train)
        self.net = self.data = self.checkpoint = self.run = self.range_test = None
        self.view = self.net_data = None   # the net seen from the points, the data it takes
        self.previous_run = self.saved = self._recording = self._shown = None
        self._saved_note = self._start_note = ""
        self._hidden = [8, 8]  # used while the hidden-layers text does not parse
        self._quiet = False    # True while the bench itself moves a control
        self.message, self.error = "", None
        self._plot = BenchFigure()
        self.figure = self._plot.figure
        # widths that follow the page: each control fills its column, columns wrap
        style = {"style": {"description_width": "110px"},
                 "layout": widgets.Layout(width="auto", min_width="280px")}
        self._make_sliders(widgets, style, lr, steps, (batch_size, n_train), n_samples, noise)
        self._make_menus(widgets, style, hidden, activation, optimizer, dataset, smoothing)
        self.problem_note = widgets.HTML(layout=widgets.Layout(width="auto",
                                                               margin="0 0 4px 118px"))
        self.decay_menu = widgets.Dropdown(options=WEIGHT_DECAYS, value=weight_decay,
                                           description="L2 weight decay", **style)
        self.loss_menu = widgets.Dropdown(options=list(LOSSES), value=loss, description="loss",
                                          disabled=kind_of(dataset) == REGRESSION, **style)
        self.init_menu = widgets.Dropdown(
            options=[(f"× {scale:g}", scale) for scale in INIT_SCALES], value=init_scale,
            description="initial weights", **style)
        self.panel_buttons = widgets.ToggleButtons(options=list(STEP_VIEWS), value=panel,
                                                   description="right panel",
                                                   style=style["style"])
        self._make_buttons(widgets)
        self.feature_buttons = {name: widgets.ToggleButton(
            value=name in features, description=label, tooltip=f"input feature {label}",
            layout=widgets.Layout(width="auto")) for name, (label, _) in FEATURES.items()}
        self.features_note = widgets.HTML(layout=widgets.Layout(width="auto",
                                                                margin="0 0 4px 118px"))
        self.live = LiveControls(widgets, style, self._show_step, self._guard)
        self.controls = {control.description: control for control in (
            self.lr_slider, self.steps_slider, self.batch_slider, self.samples_slider,
            self.noise_slider, self.hidden_text, self.activation_menu, self.optimizer_menu,
            self.dataset_menu, self.smoothing_buttons, self.decay_menu, self.loss_menu,
            self.init_menu)}
        self._connect()
        self.widget = self._layout(widgets)
        self._new_data()

    # -- building the controls ---------------------------------------------------------
    def _make_sliders(self, widgets, style, lr, steps, batch, n_samples, noise):
        def slider(kind, value, limits, description, **options):
            low, high, step = limits
            return kind(value=value, min=low, max=high, step=step, description=description,
                        continuous_update=False, **style, **options)

        self.lr_slider = slider(widgets.FloatLogSlider, lr, LR_DECADES, "learning rate",
                                base=10, readout_format=LR_FORMAT)
        self.steps_slider = slider(widgets.IntSlider, steps, STEPS_RANGE, "training steps")
        self.batch_slider = slider(widgets.IntSlider, batch[0], batch_range(batch[1]),
                                   "batch size")
        self.samples_slider = slider(widgets.IntSlider, n_samples, SAMPLES_RANGE, "samples")
        self.noise_slider = slider(widgets.FloatSlider, noise, NOISE_RANGE, "noise")
        # what the batch size and the noise mean here, under each
        note = dict(layout=widgets.Layout(width="auto", margin="0 0 4px 118px"))
        self.batch_note, self.noise_note = widgets.HTML(**note), widgets.HTML(**note)

    def _make_menus(self, widgets, style, hidden, activation, optimizer, dataset, smoothing):
        def menu(options, value, description):
            return widgets.Dropdown(options=options, value=value, description=description,
                                    **style)

        self.hidden_text = widgets.Text(value=hidden, description="hidden layers",
                                        placeholder="e.g. 8, 8", continuous_update=False,
                                        **style)
        self.activation_menu = menu(ACTIVATIONS, activation, "activation")
        self.optimizer_menu = menu(OPTIMIZERS, optimizer, "optimizer")
        self.dataset_menu = menu(list(DATASETS) + ([TARGET_NAME] if self.target else []),
                                 dataset, "data set")
        self.smoothing_buttons = widgets.ToggleButtons(options=SMOOTHING, value=smoothing,
                                                       description="loss curve",
                                                       style=style["style"])

    def _make_buttons(self, widgets):
        auto = widgets.Layout(width="auto")
        self.new_data_button = widgets.Button(
            description="new data", icon="refresh", layout=auto,
            tooltip="new samples, split and mini-batch order; the same starting weights")
        self.new_weights_button = widgets.Button(
            description="new starting weights", icon="random", layout=auto,
            tooltip="new starting weights; the same data")
        self.save_button = widgets.Button(description="save this net", icon="floppy-o",
                                          tooltip="keep a copy of the weights shown",
                                          layout=auto)
        self.restore_button = widgets.Button(
            description="back to saved", icon="undo", disabled=True, layout=auto,
            tooltip="start again from the saved weights")
        lrs = RANGE_TEST_LRS
        self.range_button = widgets.Button(
            description="learning-rate range test", icon="line-chart",
            tooltip=f"train at {lrs.size} rates from {lrs.min():g} to {lrs.max():g}",
            layout=widgets.Layout(width="auto"))

    def _connect(self):
        actions = {
            self._retrain: (self.lr_slider, self.steps_slider, self.batch_slider,
                            self.optimizer_menu, self.decay_menu),
            self._new_data: (self.samples_slider, self.noise_slider, self.dataset_menu),
            self._new_network: (self.hidden_text, self.activation_menu, self.loss_menu,
                                self.init_menu),
            self._redraw: (self.smoothing_buttons,),
            self._change_panel: (self.panel_buttons,),
        }
        for action, controls in actions.items():
            handler = self._guard(action)
            for control in controls:
                control.observe(handler, names="value")
        for button in self.feature_buttons.values():
            button.observe(self._guard(self._new_network), names="value")
        self.new_data_button.on_click(self._guard(self._new_data_seed))
        self.new_weights_button.on_click(self._guard(self._new_weights_seed))
        self.save_button.on_click(self._guard(self._save))
        self.restore_button.on_click(self._guard(self._restore))
        self.range_button.on_click(self._guard(self._range_test))

    def _layout(self, widgets):
        """The outputs, and everything arranged: three columns of controls above them."""
        self.readout = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        # hidden until the first range test: an empty image shows as a broken one
        self.range_image = widgets.Image(format="png",
                                         layout=widgets.Layout(max_width="100%", display="none"))
        self.neuron_caption = widgets.HTML()
        self.neuron_image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))

        def column(*controls):
            return widgets.VBox(list(controls), layout=widgets.Layout(
                flex="1 1 300px", min_width="280px", max_width="420px"))

        columns = widgets.Box([
            column(self.lr_slider, self.steps_slider, self.batch_slider, self.batch_note,
                   self.optimizer_menu, self.decay_menu),
            column(self.dataset_menu, self.problem_note, self.samples_slider,
                   self.noise_slider, self.noise_note, self.new_data_button, self.new_weights_button),
            column(widgets.HBox([widgets.Label("input features", layout=widgets.Layout(
                       width="110px")), *self.feature_buttons.values()],
                       layout=widgets.Layout(flex_flow="row wrap")), self.features_note,
                   self.hidden_text, self.activation_menu, self.loss_menu, self.init_menu,
                   self.range_button, self.save_button, self.restore_button),
        ], layout=widgets.Layout(display="flex", flex_flow="row wrap", width="100%"))
        self.image.add_class("nnlib-bench-figure")
        self.range_image.add_class("nnlib-bench-range")
        self.neuron_image.add_class("nnlib-bench-neurons")
        layout = widgets.VBox([columns, self.live.widget, self.smoothing_buttons,
                               self.panel_buttons, self.readout,
                               self.image, self.neuron_caption, self.neuron_image,
                               self.range_image])
        layout.children += (name_widgets(widgets, layout, {
            "nnlib-bench-figure": FIGURE_ALT, "nnlib-bench-range": RANGE_ALT,
            "nnlib-bench-neurons": NEURON_ALT}),)
        return layout

    # -- what each control does --------------------------------------------------------
    def _guard(self, action):
        """Run `action` for a widget event; show errors in the readout, not as a traceback."""
        def handler(*_):
            if self._quiet:
                return
            self.error = None
            try:
                action()
            except Exception as exc:  # a UI callback: report any failure where it is seen
                self.error = exc
                self.message = f"Something went wrong: {type(exc).__name__}: {exc}"
                self._traceback = traceback.format_exc()
                self._show_readout()
        return handler

    def _draw(self, dataset, n_samples, noise, seed):
        """The data (X, Y, X_test, Y_test) of a data-menu entry."""
        if dataset == TARGET_NAME:
            return target_data(self.target, n_samples, noise, seed=seed,
                               target_inputs=self.target_inputs)
        return make_data(dataset, n_samples, noise, seed=seed)

    def _new_data(self):
        dataset = self.dataset_menu.value
        self.data = self._draw(dataset, self.samples_slider.value, self.noise_slider.value,
                               self.data_seed)
        n_train, slider = len(self.data[0]), self.batch_slider
        full = slider.value >= slider.max
        regression = kind_of(dataset) == REGRESSION
        self._quiet = True     # the batch size follows the data: no run on the old data
        try:
            slider.max = n_train
            if full:
                slider.value = n_train
            # regression has one loss: the menu shows it, fixed, until a two-class set
            if regression and not self.loss_menu.disabled:
                self._classification_loss = self.loss_menu.value
                self.loss_menu.value = REGRESSION_LOSS
            elif not regression and self.loss_menu.disabled:
                self.loss_menu.value = self._classification_loss
            self.loss_menu.disabled = regression
        finally:
            self._quiet = False
        self.noise_note.value = self._note(NOISE_MEANING[dataset])
        self.problem_note.value = self._note(PROBLEM_NOTES[kind_of(dataset)])
        self._new_network()

    @staticmethod
    def _note(text):
        return (f"<div style='font-size: 11px; line-height: 1.3; white-space: normal'>"
                f"{html.escape(text, quote=False)}</div>")

    def _show_batch_note(self):
        n_train, batch = len(self.data[0]), self.batch_slider.value
        self.batch_note.value = self._note(
            f"full batch: all {n_train} training samples, one step per epoch"
            if batch >= n_train else
            f"mini-batches of {batch} of the {n_train} training samples "
            f"({-(-n_train // batch)} steps per epoch)")

    def _choose_features(self):
        """The features the toggles choose (two-input data only), and a note: '' or why
        the toggles are not used."""
        two_inputs = self.data[0].shape[1] == 2
        for button in self.feature_buttons.values():
            button.disabled = not two_inputs
        chosen = [name for name, button in self.feature_buttons.items() if button.value]
        note = ""
        if not two_inputs:
            self.features_note.value = self._note(
                f"input features are made from two inputs (x₁, x₂); these data have "
                f"{self.data[0].shape[1]}, which the network takes as they are")
            return None, note
        if chosen:
            self._features = check_features(chosen)
        else:
            note = ("choose at least one input feature: the network needs an input. Still "
                    f"using {', '.join(FEATURES[name][0] for name in self._features)}.")
        self.features_note.value = self._note(
            "the network's inputs: " + ", ".join(FEATURES[name][0] for name in self._features))
        return self._features, note

    def _new_network(self):
        note = ""
        try:
            self._hidden = parse_hidden(self.hidden_text.value)
        except ValueError as exc:
            note = f"{exc}. Still using hidden layers {self._hidden}."
        features, features_note = self._choose_features()
        note = " ".join(filter(None, (note, features_note)))
        X, Y, X_test, Y_test = self.data
        plain = features in (None, DEFAULT_FEATURES)    # the points as they are
        self.net_data = self.data if plain else (
            feature_matrix(X, features), Y, feature_matrix(X_test, features), Y_test)
        regression = kind_of(self.dataset_menu.value) == REGRESSION
        self.net = build_net(self.net_data[0].shape[1], self._hidden, self.activation_menu.value,
                             seed=self.weights_seed, loss=LOSSES[self.loss_menu.value],
                             init_scale=self.init_menu.value,
                             output="identity" if regression else "sigmoid")
        self.view = self.net if plain else FeatureInputs(self.net, features)
        self.checkpoint = self.net.weights.flat.copy()
        self._start_note = ""
        self._clear_range_test()   # it was measured on the old data or network
        self._retrain(note)

    def _clear_range_test(self):
        self.range_test = None
        self.range_image.layout.display = "none"

    def _new_seed(self, old):
        while (seed := int(self._seeds.integers(1, 10_000))) == old:
            pass
        return seed

    def _new_data_seed(self):
        self.data_seed = self._new_seed(self.data_seed)
        self._new_data()

    def _new_weights_seed(self):
        self.weights_seed = self._new_seed(self.weights_seed)
        self._new_network()

    def _save(self):
        self.saved = self.net.weights.flat.copy()
        step = self.live.step_shown
        self._saved_note = (f"the net saved at step {step} of a run at lr = "
                            f"{self.run.lr:{LR_FORMAT}} ({self.run.optimizer})")
        self.restore_button.disabled = False
        self.message = f"saved: {self._saved_note}"
        self._show_readout()

    def _restore(self):
        if self.saved is None:
            self.message = "nothing saved yet: press 'save this net' first"
        elif self.saved.size != self.net.weights.size:
            self.message = (f"the saved net has {self.saved.size} weights, this network "
                            f"{self.net.weights.size}: set its layers back to go back to it")
        else:
            self.checkpoint = self.saved.copy()
            self._start_note = self._saved_note
            self._clear_range_test()
            self._retrain(start=0)
            return
        self._show_readout()

    def _retrain(self, note="", ghost=True, start=None):
        """Train the run of the current settings from the checkpoint, and show its end
        (`start` None, or paused), or play it from step 0, or show step `start`."""
        if ghost and self.run is not None:
            self.previous_run = self.run
        if start is None and self.live.playing:
            start = 0
        # a run shown from a step is recorded as it trains (once, not again for the record)
        every = None if start is None else record_every(self.steps_slider.value,
                                                        self.net.weights.size)
        self.run = train_run(self.net, self.net_data, lr=self.lr_slider.value,
                             steps=self.steps_slider.value, optimizer=self.optimizer_menu.value,
                             batch_size=self.batch_slider.value, seed=self.data_seed,
                             checkpoint=self.checkpoint, record_every=every,
                             track_sharpness=self.panel_buttons.value == "sharpness",
                             weight_decay=self.decay_menu.value)
        self.message = note or self.run.message
        self._recording = None if every is None else recording_of(
            self.run.history, self.net, self.checkpoint, every)
        self._shown = None
        self._show_batch_note()
        total = self.run.history.steps
        self.live.new_run(total, every or record_every(total, self.net.weights.size),
                          step=start)
        if start is None or start >= total:
            self._redraw()
        else:
            self._show_step(start)

    @property
    def recording(self):
        """The run's weights every few steps (recorded the first time they are needed)."""
        if self._recording is None:
            self._recording = record_run(self.net, self.net_data, self.run, self.checkpoint,
                                         self.data_seed)
        return self._recording

    def _show_step(self, step):
        """Put the recorded weights of `step` into the net and draw the run up to there."""
        step, weights = self.recording.at(step)
        self.net.weights.flat[:] = weights
        self._shown = None if step >= self.run.history.steps else step
        self._redraw()

    @property
    def history(self):
        """The History of the latest run."""
        return None if self.run is None else self.run.history

    def _redraw(self):
        """Draw the run, whole or (while a step is shown) up to that step, fast."""
        settings = (self.view, self.data, self.dataset_menu.value, self.smoothing_buttons.value,
                    self.previous_run)
        # a played run's weight maps keep one colour scale, the run's
        limit = None if self._recording is None else self._recording.weight_limit(self.net)
        shown = self.run if self._shown is None else run_up_to(self.run, self._shown)
        self._plot.frame(self.run, shown, *settings, weight_limit=limit,
                         view=self.panel_buttons.value)
        self.image.value = self._plot.png(drawn=True)
        hidden = len(self.net.sizes) > 2
        self.neuron_image.layout.display = None if hidden else "none"
        if hidden:
            self.neuron_image.value = neuron_png(self.view, self.data[0])
        self.neuron_caption.value = html.escape(neuron_caption(self.net))
        self._show_readout()

    def _change_panel(self):
        """Show another view on the right; the sharpness is measured only when it is
        asked for, so the run is trained once more (the same run) to measure it."""
        if self.panel_buttons.value == "sharpness" and not self.run.sharpness.size:
            self._retrain(ghost=False, start=self._shown)
        else:
            self._redraw()

    def _range_test(self):
        if self.optimizer_menu.value in SCIPY_METHODS:
            self.message = (f"{self.optimizer_menu.value} takes no learning rate: choose sgd, "
                            "momentum or adam for a range test")
            self._show_readout()
            return
        self.net.weights.flat[:] = self.checkpoint
        try:
            self.range_test = lr_range_test(
                self.net, self.net_data[0], self.net_data[1], lrs=RANGE_TEST_LRS,
                steps=self.steps_slider.value, optimizer=self.optimizer_menu.value,
                batch_size=self.batch_slider.value, seed=self.data_seed)
        finally:
            self._retrain(ghost=False)  # the net shows the current settings' run again
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
        start = (f"weights: {self._start_note}" if self._start_note
                 else f"weights seed {self.weights_seed}")
        dataset = self.dataset_menu.value
        return readout_lines(self.run, self.net, self.data, f"data seed {self.data_seed} · "
                             f"{dataset} ({kind_of(dataset)}){self._inputs_text()}", start,
                             self.range_test,
                             self.message)

    def _inputs_text(self):
        """' · inputs x₁², x₂²' when features are the network's inputs, else ''."""
        if self.view is self.net:
            return ""
        return " · inputs " + ", ".join(FEATURES[name][0] for name in self.view.features)

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
            "text/plain": (f"<TestBench: data seed {self.data_seed}, weights seed "
                           f"{self.weights_seed}> {STATIC_NOTE}"),
        }
        return data, {"image/png": {"alt": alt}}

    def __repr__(self):
        return f"<TestBench: {self.run!r}>"
