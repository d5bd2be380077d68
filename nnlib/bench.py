"""The test bench widget: controls that retrain one small network and redraw its figure.

This module connects the controls (nnlib.benchcontrols) to what they change. Each change
retrains from the same checkpoint (the starting flat weights) with
nnlib.experiments.train_run, on a data set of nnlib.data.DATASETS (or from a student's
target function, nnlib.data.target_data), drawn by nnlib.benchplots.BenchFigure, with the
network diagram of nnlib.benchdiagram and the neuron maps of nnlib.benchneurons;
nnlib.benchlive plays a run step by step. Show a `TestBench()` as the last expression of a
notebook cell.
"""

import base64
import html
import io
import traceback

import numpy as np

from ._bench_settings import (
    BENCH_GRID_LRS,
    LOSSES,
    MAX_HIDDEN_LAYERS,
    NOISE_MEANING,
    PROBLEM_NOTES,
    REGRESSION_LOSS,
    TARGET_NAME,
    betas_of,
    check_batch,
    check_loss,
    check_settings,
    kind_of,
    parse_hidden,
    regularisation_options,
)
from ._validate import choice
from ._validate import seed as check_seed
from .benchcontrols import FIGURE_ALT, NEW_LAYER_WIDTH, BenchControls, note_html
from .benchdiagram import network_svg
from .benchlive import LiveControls, record_every, record_run, recording_of, run_up_to
from .benchneurons import neuron_caption, neuron_png
from .benchplots import LR_FORMAT, STEP_VIEWS, BenchFigure, plot_lr_grid
from .benchreadout import readout_lines
from .data import (
    DEFAULT_FEATURES,
    FEATURES,
    REGRESSION,
    check_features,
    check_target,
    feature_matrix,
    make_data,
    target_data,
)
from .experiments import FeatureInputs, build_net, lr_grid_search, train_run, with_gradient_check
from .optim import SCIPY_METHODS, STEP_OPTIMIZERS

GRID_DPI = 100
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"   # ipywidgets 7 and 8 alike
STATIC_NOTE = ("A picture of the test bench: its controls need a running kernel. "
               "Run the cell to use them.")


class TestBench(BenchControls):
    """Sliders and menus for one network, its data and its training; every change
    retrains from the same checkpoint and redraws one figure.

    Every argument must be a value its control can show (a ValueError or TypeError names
    it and the range, or lists the valid names); batch_size None (or the number of
    training samples) is full batch; seed None draws a fresh one, else it seeds both the
    data and the starting weights.

    Training: the learning rate (log slider, 10⁻⁴ … 100), steps, batch size (up to the
    whole training set), optimizer, β (momentum's or RMSprop's, or Adam's β₁) and Adam's β₂ (greyed
    where the optimizer has none), regularisation 'none', 'L1' (nnlib.train's l1: weights
    step towards 0 and stop there) or 'L2' (its weight_decay; for Adam decoupled, AdamW)
    and its rate λ, on the weights and not the biases. The network: hidden layers as text
    ("8, 8") or with the "+ layer", "− layer" and per-layer "+ a_l", "− a_l" buttons (at
    most MAX_HIDDEN_LAYERS layers of 1 … MAX_WIDTH), activation, loss, the initialisation
    (init: 'auto', He for ReLU-type layers and Xavier otherwise, or one of
    nnlib.initializers.INITS) and its scale.

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

    "training data %" is the share of the samples the network trains on (10 … 90 %, as
    Playground's ratio of training to test data); the rest is the test set, drawn hollow on
    the map. Seeds: "new data" draws a new data seed (the samples, their training/test split and
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
    network takes as its inputs, made from the points (x₀, x₁): 'x0', 'x1', 'x0^2',
    'x1^2', 'x0*x1', 'sin x0', 'sin x1' (default ('x0', 'x1'), the points as they are),
    one toggle each; the network's input width is their number, and a change builds a new
    network from the weights seed. The map and the neuron pictures stay over (x₀, x₁). Data
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
    exception of the latest failed action, or None), grid_search (the latest GridSearch),
    readout, image, diagram (the network with its weights, nnlib.benchdiagram), neuron_image
    and neuron_caption (every hidden neuron's output over the inputs, nnlib.benchneurons),
    grid_image, widget (the layout).
    """

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, dataset=None, hidden="8, 8", activation="tanh", optimizer="sgd",
                 lr=0.3, steps=200, batch_size=32, n_samples=200, noise=0.15, seed=0,
                 smoothing="raw", panel="gradient norms", regularisation="none",
                 regularisation_rate=0.01, beta=0.9, beta2=0.999, loss=None, init_scale=1.0,
                 target=None, target_inputs=2, features=DEFAULT_FEATURES, training_percent=75,
                 init="auto"):
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
                       smoothing, regularisation, regularisation_rate, beta, beta2, loss,
                       init_scale, target=target is not None, training_percent=training_percent,
                       init=init)
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
        n_train = len(self._draw(dataset, n_samples, noise, seed, training_percent)[0])
        batch_size = check_batch(batch_size, n_train)
        self.net = self.data = self.checkpoint = self.run = self.grid_search = None
        self.view = self.net_data = None   # the net seen from the points, the data it takes
        self.previous_run = self.saved = self._recording = self._shown = None
        self._saved_note = self._start_note = ""
        self._hidden = [8, 8]  # used while the hidden-layers text does not parse
        self._quiet = False    # True while the bench itself moves a control
        self.message, self.error = "", None
        self._plot = BenchFigure()
        self.figure = self._plot.figure
        settings = dict(dataset=dataset, hidden=hidden, activation=activation,
                        optimizer=optimizer, lr=lr, steps=steps, batch_size=batch_size,
                        n_samples=n_samples, noise=noise, smoothing=smoothing, panel=panel,
                        regularisation=regularisation, regularisation_rate=regularisation_rate,
                        beta=beta, beta2=beta2, loss=loss, init_scale=init_scale,
                        features=features, training_percent=training_percent, init=init)
        self._widgets = widgets
        self._build_controls(widgets, settings, n_train)
        self.live = LiveControls(widgets, self._style, self._show_step, self._guard)
        self._connect()
        self.widget = self._layout(widgets)
        self._new_data()

    def _connect(self):
        actions = {
            self._retrain: (self.lr_slider, self.steps_slider, self.batch_slider,
                            self.optimizer_menu, self.beta_menu, self.beta2_menu,
                            self.regularisation_menu, self.rate_menu),
            self._new_data: (self.samples_slider, self.training_slider, self.noise_slider,
                             self.dataset_menu),
            self._new_network: (self.hidden_text, self.activation_menu, self.loss_menu,
                                self.init_scheme_menu, self.init_menu),
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
        self.grid_button.on_click(self._guard(self._grid_search))
        self.add_layer_button.on_click(self._guard(lambda: self._set_hidden(
            self._hidden + [NEW_LAYER_WIDTH])))
        self.remove_layer_button.on_click(self._guard(lambda: self._set_hidden(
            self._hidden[:-1])))

    def _set_hidden(self, widths):
        """Write `widths` into the hidden-layers text, which builds the new network."""
        self.hidden_text.value = ", ".join(map(str, widths[:MAX_HIDDEN_LAYERS]))

    def _show_neuron_buttons(self):
        """One '−' and one '+' button per hidden layer, for the layers now built."""
        made = self._neuron_buttons_for(self._widgets, self._hidden)
        for l, change, button in made:
            widths = list(self._hidden)
            widths[l - 1] += change
            button.on_click(self._guard(lambda widths=widths: self._set_hidden(widths)))
        self.neuron_buttons.children = [button for *_, button in made]

    def _show_option_menus(self):
        """Each menu that the current optimizer or regularisation does not use is greyed."""
        optimizer = self.optimizer_menu.value
        betas = betas_of(optimizer, self.beta_menu.value, self.beta2_menu.value) or ()
        self.beta_menu.disabled, self.beta2_menu.disabled = len(betas) < 1, len(betas) < 2
        self.rate_menu.disabled = self.regularisation_menu.value == "none"

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

    def _draw(self, dataset, n_samples, noise, seed, training_percent):
        """The data (X, Y, X_test, Y_test) of a data-menu entry, training_percent % of the
        samples for training and the rest for testing."""
        test_size = 1 - training_percent / 100
        if dataset == TARGET_NAME:
            return target_data(self.target, n_samples, noise, seed=seed, test_size=test_size,
                               target_inputs=self.target_inputs)
        return make_data(dataset, n_samples, noise, seed=seed, test_size=test_size)

    def _new_data(self):
        dataset = self.dataset_menu.value
        self.data = self._draw(dataset, self.samples_slider.value, self.noise_slider.value,
                               self.data_seed, self.training_slider.value)
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
        self.noise_note.value = note_html(NOISE_MEANING[dataset])
        self.problem_note.value = note_html(PROBLEM_NOTES[kind_of(dataset)])
        self._new_network()

    def _show_batch_note(self):
        n_train, batch = len(self.data[0]), self.batch_slider.value
        self.batch_note.value = note_html(
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
            self.features_note.value = note_html(
                f"input features are made from two inputs (x₀, x₁); these data have "
                f"{self.data[0].shape[1]}, which the network takes as they are")
            return None, note
        if chosen:
            self._features = check_features(chosen)
        else:
            note = ("choose at least one input feature: the network needs an input. Still "
                    f"using {', '.join(FEATURES[name][0] for name in self._features)}.")
        self.features_note.value = note_html(
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
                             init_scale=self.init_menu.value, init=self.init_scheme_menu.value,
                             output="identity" if regression else "sigmoid")
        self.view = self.net if plain else FeatureInputs(self.net, features)
        self.checkpoint = self.net.weights.flat.copy()
        self._start_note = ""
        self._clear_grid_search()   # it was measured on the old data or network
        self._show_neuron_buttons()
        self._retrain(note)

    def _clear_grid_search(self):
        self.grid_search = None
        self.grid_image.layout.display = "none"

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
            self._clear_grid_search()
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
        self._show_option_menus()
        # a run shown from a step is recorded as it trains (once, not again for the record)
        every = None if start is None else record_every(self.steps_slider.value,
                                                        self.net.weights.size)
        self.run = train_run(self.net, self.net_data, lr=self.lr_slider.value,
                             steps=self.steps_slider.value, optimizer=self.optimizer_menu.value,
                             batch_size=self.batch_slider.value, seed=self.data_seed,
                             checkpoint=self.checkpoint, record_every=every, grad_check=False,
                             track_sharpness=self.panel_buttons.value == "sharpness",
                             betas=betas_of(self.optimizer_menu.value, self.beta_menu.value,
                                            self.beta2_menu.value),
                             **regularisation_options(self.regularisation_menu.value,
                                                      self.rate_menu.value))
        self.message = note or self.run.message
        self._recording = None if every is None else recording_of(
            self.run.history, self.net, self.checkpoint, every)
        self._shown = None
        self._show_batch_note()
        total = self.run.history.steps
        self.live.new_run(total, every or record_every(total, self.net.weights.size),
                          step=start)
        if start is None or start >= total:
            self._redraw(readout=False)
            self._check_gradient()       # after the picture, which does not show it
            self._show_readout()
        else:
            self._check_gradient()
            self._show_step(start)

    def _check_gradient(self):
        """The run's gradient check, at the trained weights the net holds."""
        self.run = with_gradient_check(self.run, self.net, *self.net_data[:2])

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

    def _redraw(self, readout=True):
        """Draw the run, whole or (while a step is shown) up to that step, fast; then the
        readout, if `readout`."""
        settings = (self.view, self.data, self.dataset_menu.value, self.smoothing_buttons.value,
                    self.previous_run)
        # a played run's weight maps keep one colour scale, the run's
        limit = None if self._recording is None else self._recording.weight_limit(self.net)
        shown = self.run if self._shown is None else run_up_to(self.run, self._shown)
        self._plot.frame(self.run, shown, *settings, weight_limit=limit,
                         view=self.panel_buttons.value)
        self.image.value = self._plot.png(drawn=True)
        self.diagram.value = network_svg(self.net, self._input_names())
        hidden = len(self.net.sizes) > 2
        self.neuron_image.layout.display = None if hidden else "none"
        if hidden:
            self.neuron_image.value = neuron_png(self.view, self.data[0])
        self.neuron_caption.value = html.escape(neuron_caption(self.net))
        if readout:
            self._show_readout()

    def _change_panel(self):
        """Show another view on the right; the sharpness is measured only when it is
        asked for, so the run is trained once more (the same run) to measure it."""
        if self.panel_buttons.value == "sharpness" and not self.run.sharpness.size:
            self._retrain(ghost=False, start=self._shown)
        else:
            self._redraw()

    def _grid_search(self):
        if self.optimizer_menu.value in SCIPY_METHODS:
            self.message = (f"{self.optimizer_menu.value} takes no learning rate: choose one of "
                            f"{', '.join(STEP_OPTIMIZERS)} for a grid of learning rates")
            self._show_readout()
            return
        self.net.weights.flat[:] = self.checkpoint
        try:
            self.grid_search = lr_grid_search(
                self.net, self.net_data[0], self.net_data[1], lrs=BENCH_GRID_LRS,
                steps=self.steps_slider.value, optimizer=self.optimizer_menu.value,
                batch_size=self.batch_slider.value, seed=self.data_seed)
        finally:
            self._retrain(ghost=False)  # the net shows the current settings' run again
        self.grid_image.value = self._grid_png()
        self.grid_image.layout.display = None
        self._show_readout()

    def _grid_png(self):
        from matplotlib.figure import Figure

        # outside pyplot, so never shown on its own; savefig renders it with Agg
        figure = Figure(figsize=(8, 3.8), dpi=GRID_DPI, layout="constrained")
        plot_lr_grid(self.grid_search, ax=figure.add_subplot(),
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
                             self.grid_search,
                             self.message)

    def _input_names(self):
        """The network's inputs' names: its features, or x₀, x₁ (x for one input)."""
        if self.view is not self.net:
            return [FEATURES[name][0] for name in self.view.features]
        return ["x"] if self.net.sizes[0] == 1 else None

    def _inputs_text(self):
        """' · inputs x₀², x₁²' when features are the network's inputs, else ''."""
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
