"""The test bench's figures: loss curves, the model on its data, gradient norms,
weight heat maps, and the learning-rate grid search.

`BenchFigure` keeps one matplotlib Figure and updates its artists in place, which
is what makes a redraw fast enough to follow a slider (creating axes and tick
labels from scratch costs far more than drawing them). The same figure drawn
once, without widgets, is `plot_run(run, net, data)`.

Conventions: X (N, n_in), Y (N, 1); classification: labels 0/1 and one sigmoid output
(ModelPanel); regression: real targets and one identity output (ValuePanel).
"""

import contextlib
import math
import textwrap

import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox, IdentityTransform

from ._figures import (
    CLASS_COLORS,
    CLASS_MARKERS,
    POINT_EDGE,
    PROBABILITY_ALPHA,
    PROBABILITY_CMAP,
    canvas_pixels,
    colour_key,
    fixed_label_positions,
    fixed_title,
    grid_extent,
    log_axis,
    new_figure,
    nice_bound,
    output_on_grid,
    png_bytes,
    positive_or_nan,
    probability_colorbar,
    set_log_limits,
    steady_limits,
    subscript,
)
from ._validate import integer_at_least, positive, real_array
from .experiments import is_regression
from .optim import SCIPY_METHODS

SMOOTHING = ("raw", "moving average", "low-pass")
LR_FORMAT = ".2g"   # the learning rate as the bench's slider shows it, in titles too
PALETTE_COLOURS = 255
NOTE_BOX = dict(boxstyle="round", fc="mistyrose", ec="darkred")   # warnings on a panel
KEY_ROOM = 0.25   # a band above the output map, for its key (two rows): × the map's height
GHOST_COLOUR = "0.45"   # the previous run's loss curve
STEP_DECADES = 30   # the right panel spans up to this: gradient norms that vanish stay in view
BOX_PAD = 4   # pixels added to an axes' measured box: tick labels that move a little stay inside
VALUE_CMAP = "PuOr_r"   # regression: the output's value, diverging at 0 (not the classes' map)
VALUE_LABEL = "network output"
VALUE_POINTS = "tab:blue"   # regression with one input: the data around the output curve


def smooth(losses, method="raw", width=None):
    """Smoothed copy of a 1-D sequence of positive losses, shape (n,).

    Works on log(loss), so a curve spanning decades is averaged evenly (a
    geometric mean), then maps back.
    'raw':            no change
    'moving average': mean of the last `width` values (fewer at the start): causal,
                      so it lags behind the raw curve, like a live readout would
    'low-pass':       Gaussian filter of standard deviation width / 2, centred: no lag
    width: window length in steps (default: 1/20 of the curve, at least 3).
    """
    losses = real_array("losses", losses)
    if losses.ndim != 1:
        raise ValueError(f"losses must be a 1-D sequence, one loss per step, got shape "
                         f"{losses.shape}")
    if method not in SMOOTHING:
        raise ValueError(f"unknown smoothing {method!r}; expected one of: "
                         + ", ".join(repr(m) for m in SMOOTHING))
    if width is not None:  # 0 would give NaN, 2.5 would be cut to 2
        integer_at_least("width", width, 1, "None or a whole number of steps ≥ 1")
    if method == "raw" or losses.size < 3:
        return losses.copy()
    width = max(3, losses.size // 20) if width is None else int(width)
    logs = np.log(np.maximum(losses, 1e-300))
    if method == "moving average":
        sums = np.cumsum(np.concatenate([[0.0], logs]))
        stop = np.arange(1, losses.size + 1)
        start = np.maximum(stop - width, 0)
        return np.exp((sums[stop] - sums[start]) / (stop - start))
    from scipy.ndimage import gaussian_filter1d

    return np.exp(gaussian_filter1d(logs, sigma=width / 2, mode="nearest"))


def batch_kind(run, n_train):
    """'full batch' if every step of `run` saw all n_train training samples, else
    'mini-batch'."""
    full = run.optimizer in SCIPY_METHODS or run.batch_size >= n_train
    return "full batch" if full else "mini-batch"


def _step_axes(ax, ylabel):
    """A log-scale y axis against the training step, labels placed once."""
    log_axis(ax.yaxis)
    ax.set(xlabel="step", ylabel=ylabel)
    fixed_label_positions(ax, -0.13, -0.19)
    ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))


class LossPanel:
    """Training loss (raw in pale, smoothed in full colour) and test loss, log scale; the
    previous run's training loss as a grey dashed ghost."""

    def __init__(self, ax):
        self.ax, self.limits = ax, None   # limits: the y limits of the last picture
        _step_axes(ax, "loss (log scale)")
        (self.ghost,) = ax.plot([], [], color=GHOST_COLOUR, lw=1.4, ls="--",
                                label="previous run")
        self.ghost_key = ax.text(0.97, 0.97, "", transform=ax.transAxes, ha="right", va="top",
                                 fontsize=8.5, color=GHOST_COLOUR, fontweight="bold",
                                 bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none",
                                           alpha=0.7))
        (self.raw,) = ax.plot([], [], color="tab:blue", alpha=0.25, lw=1)
        (self.train,) = ax.plot([], [], color="tab:blue", lw=1.8, label="training")
        (self.test,) = ax.plot([], [], color="tab:orange", lw=1.8, marker="o", ms=3,
                               label="test set")
        self.key = colour_key(ax, [("training (mini-batch)", "tab:blue"),
                                   ("test set", "tab:orange")], 0.03, 0.11, columns=2,
                              column_width=0.6)   # one row, in a band kept free of data
        self.note = ax.text(0.5, 0.55, "", transform=ax.transAxes, ha="center", va="center",
                            fontsize=10, color="darkred", bbox=NOTE_BOX)

    def curves(self, run, smoothing="raw"):
        """The run's curves only (limits, titles and keys stay): a frame of a played run."""
        losses = run.history.losses
        steps = np.arange(1, losses.size + 1)
        self.raw.set_data(steps, positive_or_nan(losses))
        self.raw.set_visible(smoothing != "raw")
        self.train.set_data(steps, positive_or_nan(smooth(losses, smoothing)))
        self.test.set_data(run.test_steps, positive_or_nan(run.test_losses))
        self.note.set_visible(False)

    def update(self, run, n_train, smoothing="raw", ghost=None):
        """Draw `run` (a BenchRun) and, if given, the BenchRun `ghost` as the previous run."""
        losses = run.history.losses
        shown = [losses, run.test_losses]
        if ghost is not None and ghost.history.steps:
            old = ghost.history.losses
            self.ghost.set_data(np.arange(1, old.size + 1), positive_or_nan(smooth(old, smoothing)))
            self.ghost_key.set_text(f"╌ previous run: lr = {ghost.lr:{LR_FORMAT}} "
                                    f"({ghost.optimizer}, batch {ghost.batch_size})")
            shown.append(old)
        self.ghost.set_visible(len(shown) == 3)
        self.ghost_key.set_visible(len(shown) == 3)
        self.curves(run, smoothing)
        self.limits = set_log_limits(self.ax, np.concatenate(shown), 1.3, room_below=0.14,
                                     snap=True, kept=self.limits)
        self.ax.set_xlim(0, max(run.steps_requested, 1))
        self.note.set_text(textwrap.fill(run.message, 48, break_long_words=False))
        self.note.set_visible(bool(run.message))
        self.key[0].set_text(f"━ training ({batch_kind(run, n_train)})")
        smoothing_note = "" if smoothing == "raw" else f", {smoothing}"
        fixed_title(self.ax, f"Loss, lr = {run.lr:{LR_FORMAT}} ({run.optimizer}{smoothing_note})")


class ModelPanel:
    """Classification. Two or more inputs: the net's output as a colour map over the first
    two inputs, its 0.5 contour (the decision boundary) and the data. One input: the output
    curve over x with the data. Training points are filled, test points hollow."""

    regression = False

    def __init__(self, ax, n_inputs, resolution=50):
        self.ax, self.n_inputs, self.resolution = ax, n_inputs, resolution
        self.contour = self.colorbar = None
        entries = [(f"class {k}", color) for k, color in enumerate(CLASS_COLORS)]
        entries.append(("hollow: test data", POINT_EDGE))
        if n_inputs == 1:
            (self.curve,) = ax.plot([], [], color="k", lw=1.8, label="network output")
            self.points = [ax.plot([], [], "o", ms=3, color=c, label=f"class {k}")[0]
                           for k, c in enumerate(CLASS_COLORS)]
            self.test_points = [ax.plot([], [], "o", ms=3.5, mfc="none", mec=c, mew=0.9,
                                        label=f"class {k}, test")[0]
                                for k, c in enumerate(CLASS_COLORS)]
            ax.axhline(0.5, color="gray", lw=0.8, ls="--")
            ax.set(xlabel="x", ylabel="output a", ylim=(-0.08, 1.45))   # room for the key
            fixed_label_positions(ax, -0.13, -0.14)
            self.key = colour_key(ax, [("network output", "k")] + entries, 0.03, 0.97)
        else:
            self.image = ax.imshow(np.zeros((2, 2)), origin="lower", cmap=PROBABILITY_CMAP,
                                   vmin=0, vmax=1, aspect="auto", alpha=PROBABILITY_ALPHA,
                                   interpolation="bilinear")
            self.points = [ax.plot([], [], marker, ms=4, color=c, mec=POINT_EDGE, mew=0.6,
                                   label=f"class {k}")[0]
                           for k, (c, marker) in enumerate(zip(CLASS_COLORS, CLASS_MARKERS))]
            self.test_points = [ax.plot([], [], marker, ms=4.5, mfc="none", mec=c, mew=1.1,
                                        label=f"class {k}, test")[0]
                                for k, (c, marker) in enumerate(zip(CLASS_COLORS, CLASS_MARKERS))]
            # below the map: on its right the gradient panel's axis label is close
            self.colorbar = probability_colorbar(self.image, ax, orientation="horizontal",
                                                 fraction=0.05, pad=0.12, aspect=30)
            ax.set(xlabel="x₀", ylabel="x₁", xticks=[], yticks=[])  # fewer labels: faster
            fixed_label_positions(ax, -0.06, -0.04)
            ax.grid(False)
            self.key = colour_key(ax, entries, 0.03, 0.97, columns=2, column_width=0.25)
        self.note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                            fontsize=10, color="darkred", bbox=NOTE_BOX)

    def remove_colorbar(self):
        if self.colorbar is not None:
            self.colorbar.remove()
            self.colorbar = None

    def update(self, net, data, name=""):
        """Draw `net` over `data` = (X, Y, X_test, Y_test)."""
        X = data[0]
        for points, (inputs, targets) in ((self.points, data[:2]), (self.test_points, data[2:])):
            labels = targets[:, 0] > 0.5
            for k, marks in enumerate(points):
                mask = labels == k
                marks.set_data(inputs[mask, 0],
                               targets[mask, 0] if self.n_inputs == 1 else inputs[mask, 1])
        inputs = np.concatenate([X, data[2]])          # the view holds the test points too
        out = (self._show_curve(net, inputs, name) if self.n_inputs == 1
               else self._show_map(net, inputs, name))
        _show_problem(self.note, net, out)

    def _show_curve(self, net, X, name):
        x = np.linspace(X[:, 0].min(), X[:, 0].max(), 200)
        with np.errstate(all="ignore"):
            out = net.forward(x.reshape(-1, 1))[:, 0]
        self.curve.set_data(x, out)
        self.ax.set_xlim(x[0], x[-1])
        fixed_title(self.ax, f"Output on the {name} data")
        return out

    def _show_map(self, net, X, name):
        out, extent = _show_output_map(self, net, X, f"Decision boundary, {name}")
        if self.contour is not None:
            self.contour.remove()
            self.contour = None
        if np.isfinite(out).all() and out.min() < 0.5 < out.max():
            self.contour = self.ax.contour(out, levels=[0.5], colors="k", linewidths=1.5,
                                           extent=extent, origin="lower")
        return out


def _show_output_map(panel, net, X, title):
    """The net's output on a grid over the first two inputs of X as `panel`'s image, the
    axes fitted to it, and the title (saying where the other inputs are held); returns
    (output grid, extent)."""
    g0, g1, out = output_on_grid(net, X, panel.resolution)
    extent = grid_extent(g0, g1)
    panel.image.set_data(out)
    panel.image.set_extent(extent)
    # a band above the map holds the key: no changing artist reaches it, so it is kept
    # in the background, not drawn again on every frame
    panel.ax.set(xlim=extent[:2], ylim=(extent[2], extent[3] + KEY_ROOM * (extent[3] - extent[2])))
    held = f" (other {panel.n_inputs - 2} inputs at 0)" if panel.n_inputs > 2 else ""
    fixed_title(panel.ax, f"{title}{held}")
    return out, extent


def _show_problem(note, net, out):
    """Say on the panel if the weights or the output `out` are not finite."""
    problem = ("the weights are no longer finite" if not np.isfinite(net.weights.flat).all()
               else "the output overflows: not a finite number" if not np.isfinite(out).all()
               else "")
    note.set_text(problem)
    note.set_visible(bool(problem))


class ValuePanel:
    """Regression. Two or more inputs: the net's output VALUE as a diverging colour map over
    the first two inputs (white at 0, ± the largest |target| at the ends; no boundary), its
    colour bar labelled VALUE_LABEL, and the data coloured by their targets on the same
    scale. One input: the output curve over x through the points (x, y). Training points
    are filled, test points hollow."""

    regression = True

    def __init__(self, ax, n_inputs, resolution=50):
        self.ax, self.n_inputs, self.resolution = ax, n_inputs, resolution
        self.contour = self.colorbar = None
        if n_inputs == 1:
            (self.curve,) = ax.plot([], [], color="k", lw=1.8, label=VALUE_LABEL)
            self.points = [ax.plot([], [], "o", ms=3, color=VALUE_POINTS, label="training")[0]]
            self.test_points = [ax.plot([], [], "o", ms=3.5, mfc="none", mec=VALUE_POINTS,
                                        mew=0.9, label="test")[0]]
            ax.set(xlabel="x", ylabel="output a, target y")
            fixed_label_positions(ax, -0.13, -0.14)
            self.key = colour_key(ax, [(VALUE_LABEL, "k"), ("data (x, y)", VALUE_POINTS),
                                       ("hollow: test data", POINT_EDGE)], 0.03, 0.97)
        else:
            self.image = ax.imshow(np.zeros((2, 2)), origin="lower", cmap=VALUE_CMAP,
                                   vmin=-1, vmax=1, aspect="auto", alpha=PROBABILITY_ALPHA,
                                   interpolation="bilinear")
            self.points = [ax.scatter(np.zeros(0), np.zeros(0), s=18, marker="o",
                                      edgecolors=POINT_EDGE, linewidths=0.6)]
            # hollow: a ring in the target's colour inside a thin black one (seen at 0 too)
            self.test_points = [ax.scatter(np.zeros(0), np.zeros(0), s=s_, marker="o",
                                           facecolors="none", edgecolors=POINT_EDGE,
                                           linewidths=w)
                                for s_, w in ((38, 0.5), (22, 1.5))]
            self.colorbar = ax.figure.colorbar(self.image, ax=ax, orientation="horizontal",
                                               fraction=0.05, pad=0.12, aspect=30,
                                               extend="both")
            self.colorbar.set_label(VALUE_LABEL)
            self.colorbar.locator = MaxNLocator(5)
            ax.set(xlabel="x₀", ylabel="x₁", xticks=[], yticks=[])
            fixed_label_positions(ax, -0.06, -0.04)
            ax.grid(False)
            self.key = colour_key(ax, [("filled: training data", POINT_EDGE),
                                       ("hollow: test data", POINT_EDGE)], 0.03, 0.97)
        self.note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                            fontsize=10, color="darkred", bbox=NOTE_BOX)

    remove_colorbar = ModelPanel.remove_colorbar

    @staticmethod
    def value_limit(data):
        """The colour scale's end: the largest |target| of the training and test data."""
        largest = float(np.abs(np.concatenate([data[1], data[3]])).max())
        return largest if largest > 0 else 1.0

    def colours(self, values):
        """RGBA (N, 4) of target values on the map's colour scale."""
        return self.image.cmap(self.image.norm(values))

    def update(self, net, data, name=""):
        """Draw `net` over `data` = (X, Y, X_test, Y_test), Y real."""
        X = data[0]
        inputs = np.concatenate([X, data[2]])          # the view holds the test points too
        if self.n_inputs == 1:
            self.points[0].set_data(X[:, 0], data[1][:, 0])
            self.test_points[0].set_data(data[2][:, 0], data[3][:, 0])
            out = self._show_curve(net, inputs, np.concatenate([data[1], data[3]])[:, 0], name)
        else:
            limit = self.value_limit(data)
            self.image.set_clim(-limit, limit)
            self.points[0].set_offsets(X[:, :2])
            self.points[0].set_facecolor(self.colours(data[1][:, 0]))
            for ring in self.test_points:
                ring.set_offsets(data[2][:, :2])
            self.test_points[1].set_edgecolor(self.colours(data[3][:, 0]))
            out = self._show_map(net, inputs, name)
        _show_problem(self.note, net, out)

    def _show_curve(self, net, X, targets, name):
        x = np.linspace(X[:, 0].min(), X[:, 0].max(), 200)
        with np.errstate(all="ignore"):
            out = net.forward(x.reshape(-1, 1))[:, 0]
        self.curve.set_data(x, out)
        low, high = targets.min(), targets.max()
        pad = 0.1 * (high - low) + 1e-9
        self.ax.set(xlim=(x[0], x[-1]),    # room above the data for the key (three rows)
                    ylim=(low - pad, high + pad + 0.45 * (high - low + 2 * pad)))
        fixed_title(self.ax, f"Output and targets, {name}")
        return out

    def _show_map(self, net, X, name):
        return _show_output_map(self, net, X, f"Network output, {name}")[0]


# What the top-right panel can show: {view: (title, y label)}
STEP_VIEWS = {
    "gradient norms": ("Gradient norm per layer", "gradient norm (log scale)"),
    "update / weight": ("Update / weight per layer", "‖Δ(W, b)‖ / ‖(W, b)‖ (log scale)"),
    "sharpness": ("Sharpness λ_max against 2/lr", "λ_max (log scale)"),
}


class StepPanel:
    """One of STEP_VIEWS at every step, log scale: each layer's gradient norm
    ‖∂𝓛/∂(W_l, b_l)‖, or each layer's update-to-weight ratio, or the sharpness λ_max
    (measured every few steps) with 2/lr, the largest λ gradient descent is stable at."""

    def __init__(self, ax, view="gradient norms"):
        self.ax, self.view = ax, view
        _step_axes(ax, STEP_VIEWS[view][1])
        self.lines, self.key, self.limit, self.key_room = [], [], None, 0.0
        self.shape = self.limits = None   # limits: the y limits of the last picture

    def series(self, run):
        """(steps, values (k, m)): what the view draws of `run`, one column per line."""
        if self.view == "sharpness":
            return run.sharpness_steps, run.sharpness.reshape(-1, 1)
        values = run.grad_norms if self.view == "gradient norms" else run.update_ratios
        return np.arange(1, len(values) + 1), values

    def curves(self, run):
        """The lines only (the limits stay): a frame of a played run."""
        steps, values = self.series(run)
        for line, column in zip(self.lines, values.T):
            line.set_data(steps, positive_or_nan(column))

    def _new_lines(self, run):
        for artist in self.lines + self.key + ([self.limit] if self.limit else []):
            artist.remove()
        self.limit = None
        if self.view == "sharpness":
            self.lines = [self.ax.plot([], [], "o-", ms=3, lw=1.4, color="C0")[0]]
            self.limit = self.ax.axhline(2 / run.lr, color="0.35", ls="--", lw=1.2)
            entries = [("λ_max", "C0"), ("2/lr", "0.35")]
        else:
            self.lines = [self.ax.plot([], [], lw=1.4, color=f"C{l}")[0]
                          for l in range(run.grad_norms.shape[1])]
            entries = [(f"layer {l}", line.get_color()) for l, line in enumerate(self.lines)]
        rows = math.ceil(len(entries) / 3)
        self.key = colour_key(self.ax, entries, 0.03, 0.04 + 0.075 * rows, columns=3)
        self.key_room = 0.06 + 0.075 * rows        # the bottom band, kept free of data
        title, ylabel = STEP_VIEWS[self.view]
        fixed_title(self.ax, title)
        self.ax.set_ylabel(ylabel)

    def update(self, run, view=None):
        self.view = view or self.view
        shape = (self.view, run.grad_norms.shape[1])
        if shape != self.shape:
            self._new_lines(run)
            self.shape, self.limits = shape, None
        if self.limit is not None:
            self.limit.set_ydata([2 / run.lr] * 2)
        self.curves(run)
        values = self.series(run)[1].ravel()
        if self.limit is not None:
            values = np.append(values, 2 / run.lr)
        self.limits = set_log_limits(self.ax, values, 1.5, room_below=self.key_room, snap=True,
                                     kept=self.limits, decades=STEP_DECADES)
        self.ax.set_xlim(0, max(run.steps_requested, 1))


class WeightPanels:
    """One heat map per weight matrix W (rows: receiving neurons), shared colour scale."""

    def __init__(self, fig, spec, sizes):
        self.sizes, self.limit = list(sizes), None   # limit: the colour scale's, last picture
        n_layers = len(sizes) - 1
        cells = spec.subgridspec(1, n_layers, wspace=0.35)
        self.axes, self.images = [], []
        for l in range(n_layers):
            ax = fig.add_subplot(cells[0, l])
            image = ax.imshow(np.zeros((sizes[l + 1], sizes[l])), cmap="RdBu_r", vmin=-1, vmax=1,
                              aspect="auto", interpolation="nearest")
            ax.set(xlabel="from neuron", ylabel="to neuron" if l == 0 else "")
            fixed_label_positions(ax, -0.07, -0.05)
            ax.grid(False)
            fixed_title(ax, f"W{subscript(l)}: {sizes[l + 1]}×{sizes[l]}")
            ax.set_xticks([])  # the title gives the shape; tick labels cost redraw time
            ax.set_yticks([])
            self.axes.append(ax)
            self.images.append(image)
        self.colorbar = fig.colorbar(self.images[-1], ax=self.axes, fraction=0.04, pad=0.02,
                                     label="weight")
        self.colorbar.locator = MaxNLocator(4)

    def remove(self):
        self.colorbar.remove()
        for ax in self.axes:
            ax.remove()

    def update(self, net, limit=None):
        """Each map W of `net`, coloured from −L to L: L = limit, or (None) the largest |W|
        widened to the next 1, 2 or 5 × 10^k and kept from the last picture while it is at
        most 2.5 times the largest |W| (a slightly different run keeps its colour bar)."""
        if limit is None:
            finite = [np.abs(W[np.isfinite(W)]) for W in net.Ws]
            largest = max((f.max() for f in finite if f.size), default=1.0) or 1.0
            kept = None if self.limit is None else (0.0, self.limit)   # the scale runs from 0 up
            limit = steady_limits(kept, 0.0, largest, slack=2.5)[1]
        limit = self.limit = nice_bound(limit)
        for image, W in zip(self.images, net.Ws):
            image.set_data(np.where(np.isfinite(W), W, np.nan))
            image.set_clim(-limit, limit)


@contextlib.contextmanager
def _hidden(artists):
    """Hide `artists` for a while (to draw what lies under them)."""
    visible = [artist.get_visible() for artist in artists]
    for artist in artists:
        artist.set_visible(False)
    try:
        yield
    finally:
        for artist, shown in zip(artists, visible):
            artist.set_visible(shown)


class BenchFigure:
    """The bench's figure: loss | model and data | gradient norms on top, one weight
    heat map per layer below. `update(...)` redraws in place; `png()` renders it."""

    def __init__(self, figsize=(10.35, 5.94), dpi=80, pyplot=False):
        # The widget's figure stays out of pyplot, so the inline backend never shows it
        # on its own; plot_run's figure is a pyplot one, shown with plt.show().
        if pyplot:
            import matplotlib.pyplot as plt

            self.figure = plt.figure(figsize=figsize, dpi=dpi)
        else:
            self.figure = new_figure(figsize, dpi)
        self.grid = self.figure.add_gridspec(2, 3, height_ratios=[1.25, 1], hspace=0.45,
                                             wspace=0.3, left=0.085, right=0.95, top=0.94,
                                             bottom=0.08)
        self.loss = LossPanel(self.figure.add_subplot(self.grid[0, 0]))
        self.per_step = StepPanel(self.figure.add_subplot(self.grid[0, 2]))
        self.model_ax = self.figure.add_subplot(self.grid[0, 1])
        self.model = None
        self.weights = None
        self._background = self._background_looks = self._boxes = None

    def update(self, run, net, data, name="", smoothing="raw", ghost=None, weight_limit=None,
               view=None):
        """Draw `run` (a BenchRun), `net` (its trained MLP, or nnlib.experiments.FeatureInputs
        of it: the map is drawn over the points) and `data` = (X, Y, X_test, Y_test);
        `ghost`: the previous BenchRun, whose loss is drawn dashed, or None; weight_limit:
        the weight maps' colour scale ±limit (None: the largest |W| of `net`); view: what the
        top-right panel shows, one of STEP_VIEWS (None: as before)."""
        X, regression = data[0], is_regression(net)
        if self.model is None or (self.model.n_inputs, self.model.regression) != (X.shape[1],
                                                                                  regression):
            if self.model is not None:
                self.model.remove_colorbar()
            self.model_ax.clear()
            self.model = (ValuePanel if regression else ModelPanel)(self.model_ax, X.shape[1])
        if self.weights is None or self.weights.sizes != list(net.sizes):
            if self.weights is not None:
                self.weights.remove()
            self.weights = WeightPanels(self.figure, self.grid[1, :], net.sizes)
        self.loss.update(run, len(X), smoothing, ghost)
        self.model.update(net, data, name)
        self.per_step.update(run, view)
        self.weights.update(net, weight_limit)
        return self.figure

    def frame(self, run, shown, net, data, name="", smoothing="raw", ghost=None,
              weight_limit=None, view=None):
        """Draw `shown` (`run` itself, or `run` up to some step: nnlib.benchlive.run_up_to)
        with `net` holding its weights, fast. The axes keep the whole run's limits, widened
        to 1-2-5 steps (nice_bound), so the next run of a slider usually keeps them too.
        What then looks the same as in the last picture (axes, ticks, labels, keys) is not
        drawn again: it is kept as a background and copied back (blitting), and only the
        curves, maps, points and the texts that name the run are drawn on it. Then
        png(drawn=True) encodes it."""
        self.update(run, net, data, name, smoothing, ghost, weight_limit, view)
        if shown is not run:
            self.loss.curves(shown, smoothing)
            self.per_step.curves(shown)
        canvas, changing = self.figure.canvas, self._changing()
        looks, before = self._looks(changing), self._background_looks
        if self._background is None or looks.keys() != before.keys():
            with _hidden(changing):
                canvas.draw()
                self._boxes = self._tight_boxes()
        elif stale := [ax for ax in self.figure.axes if looks[id(ax)] != before[id(ax)]]:
            # new texts may reach further: their boxes are measured again (limits alone
            # change only tick labels, which stay inside the labels' box)
            retexted = [ax for ax in stale if looks[id(ax)][3] != before[id(ax)][3]]
            with _hidden(changing):
                self._redraw_axes(stale, retexted)
        if looks != before:
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._background_looks = looks
        canvas.restore_region(self._background)
        for artist in changing:
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return self.figure

    def _redraw_axes(self, stale, retexted):
        """Draw the axes `stale` again on the kept background: clear the boxes they took
        and take now (tick labels and all; measured again for `retexted`, whose texts
        changed), and draw again every axes in those boxes."""
        canvas = self.figure.canvas
        canvas.restore_region(self._background)
        boxes = {**self._boxes, **self._tight_boxes(retexted)} if retexted else self._boxes
        # cleared: with room on the right and at the top, where a tick label centred on the
        # axes' edge may reach out (the axis labels, fixed, bound the left and the bottom)
        cleared = [Bbox.union([self._boxes[id(ax)], boxes[id(ax)]]) for ax in stale]
        cleared = [Bbox([box.p0, box.p1 + BOX_PAD]) for box in cleared]
        for box in cleared:
            x0, y0 = np.floor(box.p0) - 1
            x1, y1 = np.ceil(box.p1) + 1
            blank = Rectangle((x0, y0), x1 - x0, y1 - y0, transform=IdentityTransform(),
                              facecolor=self.figure.get_facecolor(), edgecolor="none")
            blank.set_figure(self.figure)
            self.figure.draw_artist(blank)
        for ax in self.figure.axes:
            if any(boxes[id(ax)].overlaps(box) for box in cleared):
                self.figure.draw_artist(ax)
        self._boxes = boxes

    def _tight_boxes(self, axes=None):
        """{id(ax): its box on the canvas, in pixels, with tick labels and titles} for
        each of `axes` (None: all)."""
        renderer = self.figure.canvas.get_renderer()
        return {id(ax): ax.get_tightbbox(renderer) for ax in axes or self.figure.axes}

    def _looks(self, changing):
        """{id(axes): what the background shows of it}: its limits, colour scales and
        texts (those of `changing` left out, which are drawn on it)."""
        changing = set(map(id, changing))
        return {id(ax): (ax.get_xlim(), ax.get_ylim(),
                         tuple(image.get_clim() for image in ax.images if id(image) not in changing),
                         tuple((text.get_text(), text.get_visible())
                               for text in (*ax.texts, ax.title, ax.xaxis.label, ax.yaxis.label)
                               if id(text) not in changing))
                for ax in self.figure.axes}

    def _changing(self):
        """The artists a frame redraws, in drawing order (what lies on the model map and
        the weight maps too, as those are drawn over it)."""
        model, loss, per_step = self.model, self.loss, self.per_step
        on_map = [model.image] if model.n_inputs > 1 else []
        on_map += [] if model.contour is None else [model.contour]
        on_map += [*model.points, *model.test_points, model.note, *model.ax.spines.values()]
        if model.regression and model.n_inputs == 1:   # its curve may cross the key
            on_map += model.key
        if model.n_inputs == 1:
            on_map.insert(0, model.curve)
        weights = [*self.weights.images, *(s for ax in self.weights.axes
                                            for s in ax.spines.values())]
        on_loss = [loss.ghost, loss.raw, loss.train, loss.test, loss.ghost_key, loss.note,
                   loss.ax.title]
        on_step = [*per_step.lines, *([per_step.limit] if per_step.limit else [])]
        return [*on_loss, *on_step, *on_map, *weights]

    def png(self, compact=False, drawn=False):
        """The figure as PNG bytes, compressed at zlib level 1: redraw speed matters more
        here than a few kB. compact: in a palette, fully compressed (to store it).
        drawn: the canvas holds the picture already (after frame)."""
        if not drawn:
            self.figure.canvas.draw()
        if compact:
            return png_bytes(canvas_pixels(self.figure), PALETTE_COLOURS)
        return png_bytes(canvas_pixels(self.figure), compress_level=1)


def plot_run(run, net, data, name="", smoothing="raw", dpi=80):
    """The bench's figure for one run, without widgets: a pyplot Figure (in a notebook,
    end the cell with plt.show()). `net` must hold the weights `run` ended with."""
    positive("dpi", dpi)
    return BenchFigure(dpi=dpi, pyplot=True).update(run, net, data, name, smoothing)


def plot_lr_grid(result, ax=None, current_lr=None):
    """Final loss against learning rate (log-log) from `lr_grid_search`, with the best
    rate and the diverged rates marked. Returns the Axes."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
    lrs, losses, diverged = result.lrs, result.final_losses, result.diverged
    ax.plot(lrs[~diverged], losses[~diverged], "o-", color="tab:blue", ms=4,
            label="final training loss")
    ax.axhline(result.initial_loss, color="gray", ls="--", lw=1, label="loss before training")
    if diverged.any():
        finite = losses[np.isfinite(losses)]
        top = max(finite.max() if finite.size else result.initial_loss, result.initial_loss)
        shown = np.where(np.isfinite(losses), losses, top * 1.5)
        ax.plot(lrs[diverged], shown[diverged], "x", color="darkred", ms=8, mew=2,
                label="diverged (× at the top: not finite)")
        ax.axvspan(result.divergence_lr, lrs[-1] * 1.2, color="mistyrose", alpha=0.6, zorder=0)
    if result.best_lr is not None:
        ax.axvline(result.best_lr, color="tab:green", lw=1.5,
                   label=f"best lr ≈ {result.best_lr:.3g}")
    if current_lr is not None:
        ax.axvline(current_lr, color="k", ls=":", lw=1.2,
                   label=f"current lr = {current_lr:{LR_FORMAT}}")
    log_axis(ax.xaxis)
    log_axis(ax.yaxis)
    ax.set(xlabel="learning rate (log scale)", ylabel="final loss (log scale)",
           title=f"Learning-rate grid search ({result.steps} steps of {result.optimizer})")
    # beside the axes, where it covers no point
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, borderaxespad=0)
    return ax
