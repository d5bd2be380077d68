"""The test bench's controls and their layout: sliders, menus, buttons, the notes under
them, and where the pictures go. Building them is all this module does; nnlib.bench
(TestBench, a BenchControls) connects each control to what it changes.
"""

import html

from ._a11y import name_widgets
from ._bench_settings import (
    ACTIVATIONS,
    BENCH_GRID_LRS,
    BETA2S,
    BETAS,
    INIT_SCALES,
    INIT_SCHEMES,
    LOSSES,
    LR_DECADES,
    MAX_HIDDEN_LAYERS,
    MAX_WIDTH,
    NOISE_RANGE,
    REGULARISATION_RATES,
    REGULARISATIONS,
    SAMPLES_RANGE,
    STEPS_RANGE,
    TARGET_NAME,
    TRAINING_PERCENT_RANGE,
    batch_range,
    kind_of,
)
from ._figures import subscript
from .benchneurons import NEURON_ALT
from .benchplots import LR_FORMAT, SMOOTHING, STEP_VIEWS
from .data import DATASETS, FEATURES, REGRESSION
from .optim import OPTIMIZERS

LABEL_WIDTH = "110px"
FIGURE_ALT = ("The bench's figure for the current settings: the training loss at each step, "
              "the test loss, and the previous run's training loss dashed in grey (top left), "
              "the network's output over the inputs with the training data filled "
              "and the test data hollow (top middle; for classification the probability of "
              "class 1 and its 0.5 boundary, for regression the output's value on a diverging "
              "colour scale, the points coloured by their targets; for one input a curve "
              "through the data; with input features the map stays over x₀ and x₁), "
              "what the right-panel buttons choose at each step (top right: each layer's "
              "gradient norm, or its update-to-weight ratio, or the sharpness against 2/lr), and "
              "each weight matrix as a heat map (bottom). The text above it gives the numbers.")
GRID_ALT = ("The learning-rate grid: the loss after a short run at each learning rate, "
             "on a log axis. The text above names the best rate and where training diverges.")
NEW_LAYER_WIDTH = 4          # neurons in a layer added with "+ layer"


def note_html(text):
    """A small wrapped line of HTML under a control."""
    return (f"<div style='font-size: 11px; line-height: 1.3; white-space: normal'>"
            f"{html.escape(text, quote=False)}</div>")


class BenchControls:
    """Every control of the bench, as attributes, and the layout that holds them and the
    pictures (`widget`). `_build_controls` makes them from the starting settings."""

    def _build_controls(self, widgets, settings, n_train):
        """Make every control; `settings`: TestBench's keyword arguments, checked."""
        s = settings
        self._style = {"style": {"description_width": LABEL_WIDTH},
                       "layout": widgets.Layout(width="auto", min_width="280px")}
        self._make_sliders(widgets, s, n_train)
        self._make_menus(widgets, s)
        self._make_buttons(widgets)
        self.feature_buttons = {name: widgets.ToggleButton(
            value=name in s["features"], description=label, tooltip=f"input feature {label}",
            layout=widgets.Layout(width="auto")) for name, (label, _) in FEATURES.items()}
        notes = dict(layout=widgets.Layout(width="auto", margin=f"0 0 4px {int(LABEL_WIDTH[:-2]) + 8}px"))
        self.batch_note, self.noise_note = widgets.HTML(**notes), widgets.HTML(**notes)
        self.problem_note, self.features_note = widgets.HTML(**notes), widgets.HTML(**notes)
        self.neuron_buttons = widgets.Box(layout=widgets.Layout(flex_flow="row wrap"))
        self.controls = {control.description: control for control in (
            self.lr_slider, self.steps_slider, self.batch_slider, self.samples_slider,
            self.training_slider, self.noise_slider, self.hidden_text, self.activation_menu,
            self.optimizer_menu, self.beta_menu, self.beta2_menu, self.dataset_menu,
            self.smoothing_buttons,
            self.regularisation_menu, self.rate_menu, self.loss_menu, self.init_scheme_menu,
            self.init_menu)}

    def _make_sliders(self, widgets, s, n_train):
        def slider(kind, value, limits, description, **options):
            low, high, step = limits
            return kind(value=value, min=low, max=high, step=step, description=description,
                        continuous_update=False, **self._style, **options)

        self.lr_slider = slider(widgets.FloatLogSlider, s["lr"], LR_DECADES, "learning rate",
                                base=10, readout_format=LR_FORMAT)
        self.steps_slider = slider(widgets.IntSlider, s["steps"], STEPS_RANGE, "training steps")
        self.batch_slider = slider(widgets.IntSlider, s["batch_size"], batch_range(n_train),
                                   "batch size")
        self.samples_slider = slider(widgets.IntSlider, s["n_samples"], SAMPLES_RANGE, "samples")
        self.training_slider = slider(widgets.IntSlider, s["training_percent"],
                                      TRAINING_PERCENT_RANGE, "training data %")
        self.noise_slider = slider(widgets.FloatSlider, s["noise"], NOISE_RANGE, "noise")

    def _make_menus(self, widgets, s):
        def menu(options, value, description, **options_):
            return widgets.Dropdown(options=options, value=value, description=description,
                                    **self._style, **options_)

        self.hidden_text = widgets.Text(value=s["hidden"], description="hidden layers",
                                        placeholder="e.g. 8, 8", continuous_update=False,
                                        **self._style)
        self.activation_menu = menu(ACTIVATIONS, s["activation"], "activation")
        self.optimizer_menu = menu(OPTIMIZERS, s["optimizer"], "optimizer")
        self.beta_menu = menu(BETAS, s["beta"], "β (β₁ in Adam)",
                              tooltip="momentum's β, Adam's β₁: how much of the running "
                                      "average of the gradient each step keeps; RMSprop's β: "
                                      "the same for the squared gradient")
        self.beta2_menu = menu(BETA2S, s["beta2"], "β₂ (Adam)",
                               tooltip="Adam's β₂: how much of the running average of the "
                                       "squared gradient each step keeps")
        self.regularisation_menu = menu(REGULARISATIONS, s["regularisation"], "regularisation",
                                        tooltip="L1: weights step towards 0 and stop there; "
                                                "L2: weights shrink in proportion (weight decay)")
        self.rate_menu = menu([(f"{rate:g}", rate) for rate in REGULARISATION_RATES],
                              s["regularisation_rate"], "its rate λ")
        self.dataset_menu = menu(list(DATASETS) + ([TARGET_NAME] if self.target else []),
                                 s["dataset"], "data set")
        self.loss_menu = menu(list(LOSSES), s["loss"], "loss",   # regression: fixed
                              disabled=kind_of(s["dataset"]) == REGRESSION)
        self.init_scheme_menu = menu([(label, name) for name, label in INIT_SCHEMES.items()],
                                     s["init"], "initialisation")
        self.init_menu = menu([(f"× {scale:g}", scale) for scale in INIT_SCALES],
                              s["init_scale"], "initial weights")
        self.smoothing_buttons = widgets.ToggleButtons(
            options=SMOOTHING, value=s["smoothing"], description="loss curve",
            style=self._style["style"])
        self.panel_buttons = widgets.ToggleButtons(
            options=list(STEP_VIEWS), value=s["panel"], description="right panel",
            style=self._style["style"])

    def _make_buttons(self, widgets):
        auto = widgets.Layout(width="auto")

        def button(description, icon, tooltip, **options):
            return widgets.Button(description=description, icon=icon, tooltip=tooltip,
                                  layout=auto, **options)

        self.new_data_button = button("new data", "refresh", "new samples, split and "
                                      "mini-batch order; the same starting weights")
        self.new_weights_button = button("new starting weights", "random",
                                         "new starting weights; the same data")
        self.save_button = button("save this net", "floppy-o", "keep a copy of the weights shown")
        self.restore_button = button("back to saved", "undo", "start again from the saved "
                                     "weights", disabled=True)
        lrs = BENCH_GRID_LRS
        self.grid_button = button("learning-rate grid", "line-chart",
                                   f"train at {lrs.size} rates from {lrs.min():g} to "
                                   f"{lrs.max():g}")
        self.add_layer_button = button("+ layer", "", f"add a hidden layer of "
                                       f"{NEW_LAYER_WIDTH} neurons before the output")
        self.remove_layer_button = button("− layer", "", "remove the last hidden layer")

    def _neuron_buttons_for(self, widgets, hidden):
        """A '− a_l' and a '+ a_l' button for each hidden layer's width: a list of
        (layer index l ≥ 1, change ±1, Button)."""
        made = []
        for l, width in enumerate(hidden, start=1):
            for change, sign, words in ((-1, "−", "remove a neuron from"),
                                        (1, "+", "add a neuron to")):
                made.append((l, change, widgets.Button(
                    description=f"{sign} a{subscript(l)}", tooltip=f"{words} hidden layer "
                    f"a{subscript(l)} ({width} now)", layout=widgets.Layout(width="auto"),
                    disabled=not 1 <= width + change <= MAX_WIDTH)))
        self.add_layer_button.disabled = len(hidden) >= MAX_HIDDEN_LAYERS
        self.remove_layer_button.disabled = not hidden
        return made

    def _layout(self, widgets):
        """The outputs, and everything arranged: three columns of controls above them."""
        self.readout = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        # hidden until the first grid search: an empty image shows as a broken one
        self.grid_image = widgets.Image(format="png",
                                         layout=widgets.Layout(max_width="100%", display="none"))
        self.diagram = widgets.HTML(layout=widgets.Layout(max_width="100%"))
        self.neuron_caption = widgets.HTML()
        self.neuron_image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))

        def column(*controls):
            return widgets.VBox(list(controls), layout=widgets.Layout(
                flex="1 1 300px", min_width="280px", max_width="420px"))

        def row(label, *children):
            return widgets.HBox([widgets.Label(label, layout=widgets.Layout(width=LABEL_WIDTH)),
                                 *children], layout=widgets.Layout(flex_flow="row wrap"))

        columns = widgets.Box([
            column(self.lr_slider, self.steps_slider, self.batch_slider, self.batch_note,
                   self.optimizer_menu, self.beta_menu, self.beta2_menu,
                   self.regularisation_menu, self.rate_menu),
            column(self.dataset_menu, self.problem_note, self.samples_slider,
                   self.training_slider, self.noise_slider, self.noise_note, self.new_data_button,
                   self.new_weights_button),
            column(row("input features", *self.feature_buttons.values()), self.features_note,
                   self.hidden_text,
                   row("layers", self.add_layer_button, self.remove_layer_button),
                   row("neurons", self.neuron_buttons),
                   self.activation_menu, self.loss_menu, self.init_scheme_menu, self.init_menu,
                   self.grid_button, self.save_button, self.restore_button),
        ], layout=widgets.Layout(display="flex", flex_flow="row wrap", width="100%"))
        self.image.add_class("nnlib-bench-figure")
        self.grid_image.add_class("nnlib-bench-grid")
        self.neuron_image.add_class("nnlib-bench-neurons")
        self.diagram.add_class("nnlib-bench-network")
        layout = widgets.VBox([columns, self.live.widget, self.smoothing_buttons,
                               self.panel_buttons, self.readout, self.image, self.diagram,
                               self.neuron_caption, self.neuron_image, self.grid_image])
        layout.children += (name_widgets(widgets, layout, {
            "nnlib-bench-figure": FIGURE_ALT, "nnlib-bench-grid": GRID_ALT,
            "nnlib-bench-neurons": NEURON_ALT}),)
        return layout

