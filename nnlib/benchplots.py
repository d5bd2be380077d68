"""Figures of the test bench: loss curves, the model on its data, gradient norms,
weight heat maps and the learning-rate range test.

`BenchFigure` keeps one matplotlib Figure and updates its artists in place, which
is what makes a redraw fast enough to follow a slider (creating axes and tick
labels from scratch costs far more than drawing them). The same figure drawn
once, without widgets, is `plot_run(run, net, data)`.

Conventions: X (N, n_in), Y (N, 1) with labels 0/1; the net has one sigmoid output.
"""

import io
import math

import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, Locator, MaxNLocator, NullLocator
from scipy.ndimage import gaussian_filter1d

from .plots import input_grid

SMOOTHING = ("raw", "moving average", "low-pass")
CLASS_COLORS = ("tab:blue", "tab:red")


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
    losses = np.asarray(losses, dtype=np.float64)
    if method not in SMOOTHING:
        raise ValueError(f"unknown smoothing {method!r}; expected one of: "
                         + ", ".join(repr(m) for m in SMOOTHING))
    if method == "raw" or losses.size < 3:
        return losses.copy()
    width = max(3, losses.size // 20) if width is None else int(width)
    logs = np.log(np.maximum(losses, 1e-300))
    if method == "moving average":
        sums = np.cumsum(np.concatenate([[0.0], logs]))
        stop = np.arange(1, losses.size + 1)
        start = np.maximum(stop - width, 0)
        smoothed = (sums[stop] - sums[start]) / (stop - start)
    else:
        smoothed = gaussian_filter1d(logs, sigma=width / 2, mode="nearest")
    return np.exp(smoothed)


MAX_DECADES = 10  # a blow-up is clipped at the top: 1e-1 … 1e9 is plenty to see it


def _log_limits(ax, values, margin):
    """Log-axis limits around the finite positive `values`, at most MAX_DECADES tall
    (anchored at the smallest value), with a factor `margin` of room."""
    values = values[np.isfinite(values) & (values > 0)]
    if values.size:
        lo, hi = values.min(), values.max()
        hi = min(hi, lo * 10.0 ** MAX_DECADES)
        ax.set_ylim(lo / margin, hi * margin if hi > lo else lo * 2)


def _finite_or_nan(values):
    values = np.array(values, dtype=np.float64)
    values[~np.isfinite(values) | (values <= 0)] = np.nan
    return values


def _title(ax, text):
    # An explicit y keeps matplotlib from measuring the tick labels on every draw to
    # place the title, a large share of the redraw time.
    ax.set_title(text, fontsize=11, y=1.0, pad=5)


def _key(ax, entries, x, y, ha="left", fontsize=8.5):
    """A legend drawn as one coloured label per entry, stacked down from (x, y) in axes
    fractions: it reads like a legend but draws several times faster than
    matplotlib's Legend, which lays itself out again on every draw.
    entries: (text, colour) pairs. Returns the Text artists."""
    texts = []
    for k, (text, color) in enumerate(entries):
        texts.append(ax.text(x, y - 0.075 * k, f"━ {text}", color=color, fontsize=fontsize,
                             fontweight="bold", transform=ax.transAxes, ha=ha, va="top",
                             bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none",
                                       alpha=0.7)))
    return texts


def _place_labels(ax, x_label_at, y_label_at):
    """Fixed axis-label positions (in axes fractions): matplotlib otherwise measures every
    tick label on every draw to place them, a large share of the redraw time."""
    ax.xaxis.set_label_coords(0.5, x_label_at)
    ax.yaxis.set_label_coords(y_label_at, 0.5)


class FewLogTicks(Locator):
    """Log-axis ticks, at most about five: decades (every k-th for wide ranges), or
    1-2-5 (or finer) steps inside narrow ones, so a curve that spans less than a
    decade still gets numbers."""

    def __call__(self):
        return self.tick_values(*self.axis.get_view_interval())

    def tick_values(self, vmin, vmax):
        vmin, vmax = sorted((max(vmin, 1e-300), max(vmax, 1e-300)))
        lo, hi = math.floor(math.log10(vmin)), math.ceil(math.log10(vmax))
        for subs in ((1.0,), (1.0, 3.0), (1.0, 2.0, 5.0), (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)):
            ticks = np.array([m * 10.0 ** e for e in range(lo, hi + 1) for m in subs])
            if np.count_nonzero((ticks >= vmin) & (ticks <= vmax)) >= 3:
                break
        inside = ticks[(ticks >= vmin) & (ticks <= vmax)]
        if inside.size > 6:  # wide range: every k-th decade
            stride = math.ceil((hi - lo) / 5)
            ticks = 10.0 ** np.arange(stride * math.floor(lo / stride), hi + 1, stride)
        return ticks


def _log_axis(axis):
    """Log scale with plain-text labels (no mathtext), no minor ticks and at most a
    handful of major ones: every tick label costs redraw time."""
    axis.axes.set_yscale("log") if axis is axis.axes.yaxis else axis.axes.set_xscale("log")
    axis.set_minor_locator(NullLocator())
    axis.set_major_locator(FewLogTicks())
    axis.set_major_formatter(FuncFormatter(_plain_number))


def _plain_number(value, _position=None):
    """0.05, 2, 300 as they are; 1e-05 as 1e-5 and 1e+135 as 1e135 (short labels)."""
    if 1e-2 <= value < 1e3:
        return f"{value:g}"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


class LossPanel:
    """Training loss (raw in pale, smoothed in full colour) and test loss, log scale."""

    def __init__(self, ax):
        self.ax = ax
        _log_axis(ax.yaxis)
        (self.raw,) = ax.plot([], [], color="tab:blue", alpha=0.25, lw=1)
        (self.train,) = ax.plot([], [], color="tab:blue", lw=1.8, label="training (mini-batch)")
        (self.test,) = ax.plot([], [], color="tab:orange", lw=1.8, marker="o", ms=3,
                               label="test set")
        ax.set(xlabel="step", ylabel="loss (log scale)")
        _place_labels(ax, -0.13, -0.19)
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        self.key = _key(ax, [("training (mini-batch)", "tab:blue"), ("test set", "tab:orange")],
                        0.03, 0.17)
        self.note = ax.text(0.5, 0.55, "", transform=ax.transAxes, ha="center", va="center",
                            fontsize=10, color="darkred", wrap=True,
                            bbox=dict(boxstyle="round", fc="mistyrose", ec="darkred"))

    def update(self, run, smoothing="raw"):
        losses = run.history.losses
        steps = np.arange(1, losses.size + 1)
        self.raw.set_data(steps, _finite_or_nan(losses))
        self.raw.set_visible(smoothing != "raw")
        self.train.set_data(steps, _finite_or_nan(smooth(losses, smoothing)))
        self.test.set_data(run.test_steps, _finite_or_nan(run.test_losses))
        _log_limits(self.ax, np.concatenate([losses, run.test_losses]), 1.3)
        self.ax.set_xlim(0, max(run.steps_requested, 1))
        self.note.set_text(_wrap(run.message, 48))
        self.note.set_visible(bool(run.message))
        smoothing_note = "" if smoothing == "raw" else f", {smoothing}"
        _title(self.ax, f"Loss, lr = {run.lr:.3g} ({run.optimizer}{smoothing_note})")


def _wrap(text, width):
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join(lines + [line] if line else lines)


def model_grid(net, X, resolution=50):
    """The net's output over the plane of X's first two inputs (the others held at 0).

    Returns (extent, out): extent (x_lo, x_hi, y_lo, y_hi) and out (resolution, resolution),
    row i at the i-th grid value of x2.
    """
    g0, g1, grid = input_grid(X, resolution)
    with np.errstate(all="ignore"):
        out = net.forward(grid)[:, 0].reshape(g0.shape)
    return (g0[0, 0], g0[0, -1], g1[0, 0], g1[-1, 0]), out


class ModelPanel:
    """Two or more inputs: the net's output as a colour map over the first two inputs,
    its 0.5 contour (the decision boundary) and the data. One input: the output
    curve over x with the data."""

    def __init__(self, ax, n_inputs, resolution=50):
        self.ax, self.n_inputs, self.resolution = ax, n_inputs, resolution
        self.contour = None
        if n_inputs == 1:
            (self.curve,) = ax.plot([], [], color="k", lw=1.8, label="network output")
            self.points = [ax.plot([], [], "o", ms=3, color=c, label=f"class {k}")[0]
                           for k, c in enumerate(CLASS_COLORS)]
            ax.axhline(0.5, color="gray", lw=0.8, ls="--")
            ax.set(xlabel="x", ylabel="output a", ylim=(-0.08, 1.08))
            _place_labels(ax, -0.13, -0.14)
        else:
            self.image = ax.imshow(np.zeros((2, 2)), origin="lower", cmap="RdBu_r", vmin=0,
                                   vmax=1, aspect="auto", alpha=0.65, interpolation="bilinear")
            self.points = [ax.plot([], [], "o", ms=3.5, color=c, mec="white", mew=0.3,
                                   label=f"class {k}")[0] for k, c in enumerate(CLASS_COLORS)]
            ax.set(xlabel="x₁", ylabel="x₂", xticks=[], yticks=[])  # fewer labels: faster
            _place_labels(ax, -0.06, -0.04)
            ax.grid(False)
        entries = [("class 0", CLASS_COLORS[0]), ("class 1", CLASS_COLORS[1])]
        if n_inputs == 1:
            self.key = _key(ax, [("network output", "k")] + entries, 0.03, 0.97)
        else:
            self.key = _key(ax, entries, 0.97, 0.97, ha="right")
        self.note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                            fontsize=10, color="darkred",
                            bbox=dict(boxstyle="round", fc="mistyrose", ec="darkred"))

    def update(self, net, X, Y, name=""):
        labels = Y[:, 0] > 0.5
        finite = bool(np.isfinite(net.weights.flat).all())
        if self.n_inputs == 1:
            x = np.linspace(X[:, 0].min(), X[:, 0].max(), 200)
            with np.errstate(all="ignore"):
                out = net.forward(x.reshape(-1, 1))[:, 0]
            self.curve.set_data(x, out)
            for k, points in enumerate(self.points):
                mask = labels == k
                points.set_data(X[mask, 0], Y[mask, 0])
            self.ax.set_xlim(x[0], x[-1])
            _title(self.ax, f"Output on the {name} data")
        else:
            extent, out = model_grid(net, X, self.resolution)
            self.image.set_data(out)
            self.image.set_extent(extent)
            if self.contour is not None:
                self.contour.remove()
                self.contour = None
            if finite and np.isfinite(out).all() and out.min() < 0.5 < out.max():
                self.contour = self.ax.contour(out, levels=[0.5], colors="k", linewidths=1.5,
                                               extent=extent, origin="lower")
            for k, points in enumerate(self.points):
                mask = labels == k
                points.set_data(X[mask, 0], X[mask, 1])
            self.ax.set_xlim(extent[0], extent[1])
            self.ax.set_ylim(extent[2], extent[3])
            held = f" (other {self.n_inputs - 2} inputs at 0)" if self.n_inputs > 2 else ""
            _title(self.ax, f"Decision boundary, {name}{held}")
        problem = ("the weights are no longer finite" if not finite else
                   "the output overflows: not a finite number" if not np.isfinite(out).all()
                   else "")
        self.note.set_text(problem)
        self.note.set_visible(bool(problem))


class GradientPanel:
    """‖∂loss/∂(W, b)‖ of each layer at every step, log scale."""

    def __init__(self, ax):
        self.ax = ax
        _log_axis(ax.yaxis)
        ax.set(xlabel="step", ylabel="gradient norm (log scale)")
        _place_labels(ax, -0.13, -0.19)
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        self.lines = []
        _title(ax, "Gradient norm per layer")

    def update(self, run):
        norms = run.grad_norms
        n_layers = norms.shape[1]
        if len(self.lines) != n_layers:
            for line in self.lines:
                line.remove()
            self.lines = [self.ax.plot([], [], lw=1.4, label=f"layer {l}")[0]
                          for l in range(n_layers)]
            for text in getattr(self, "key", []):
                text.remove()
            colors = [line.get_color() for line in self.lines]
            self.key = _key(self.ax, [(f"layer {l}", colors[l]) for l in range(n_layers)],
                            0.03, 0.03 + 0.075 * (n_layers - 1))
        steps = np.arange(1, len(norms) + 1)
        for line, column in zip(self.lines, norms.T):
            line.set_data(steps, _finite_or_nan(column))
        _log_limits(self.ax, norms.ravel(), 1.5)
        self.ax.set_xlim(0, max(run.steps_requested, 1))


class WeightPanels:
    """One heat map per weight matrix W (rows: receiving neurons), shared colour scale."""

    def __init__(self, fig, spec, sizes):
        self.sizes = list(sizes)
        n_layers = len(sizes) - 1
        cells = spec.subgridspec(1, n_layers, wspace=0.35)
        self.axes, self.images = [], []
        for l in range(n_layers):
            ax = fig.add_subplot(cells[0, l])
            image = ax.imshow(np.zeros((sizes[l + 1], sizes[l])), cmap="RdBu_r", vmin=-1, vmax=1,
                              aspect="auto", interpolation="nearest")
            ax.set(xlabel="from neuron", ylabel="to neuron" if l == 0 else "")
            _place_labels(ax, -0.07, -0.05)
            ax.grid(False)
            _title(ax, f"W{l}: {sizes[l + 1]}×{sizes[l]}")
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

    def update(self, net):
        finite = [np.abs(W[np.isfinite(W)]) for W in net.Ws]
        limit = max((f.max() for f in finite if f.size), default=1.0) or 1.0
        for image, W in zip(self.images, net.Ws):
            image.set_data(np.where(np.isfinite(W), W, np.nan))
            image.set_clim(-limit, limit)


class BenchFigure:
    """The bench's figure: loss | model and data | gradient norms on top, one weight
    heat map per layer below. `update(...)` redraws in place; `png()` renders it."""

    def __init__(self, figsize=(11.5, 6.6), dpi=72, pyplot=False):
        # The widget's figure stays out of pyplot, so the inline backend never shows it
        # on its own; plot_run's figure is a pyplot one, shown with plt.show().
        if pyplot:
            self.figure = plt.figure(figsize=figsize, dpi=dpi)
        else:
            self.figure = Figure(figsize=figsize, dpi=dpi)
            FigureCanvasAgg(self.figure)
        self.grid = self.figure.add_gridspec(2, 3, height_ratios=[1.25, 1], hspace=0.45,
                                             wspace=0.3, left=0.06, right=0.95, top=0.94,
                                             bottom=0.08)
        self.loss = LossPanel(self.figure.add_subplot(self.grid[0, 0]))
        self.gradients = GradientPanel(self.figure.add_subplot(self.grid[0, 2]))
        self._model_ax = self.figure.add_subplot(self.grid[0, 1])
        self.model = None
        self.weights = None

    def update(self, run, net, data, name="", smoothing="raw"):
        """Draw `run` (a BenchRun), `net` (its trained MLP) and `data` = (X, Y, X_test, Y_test)."""
        X, Y = data[0], data[1]
        if self.model is None or self.model.n_inputs != X.shape[1]:
            self._model_ax.clear()
            self.model = ModelPanel(self._model_ax, X.shape[1])
        if self.weights is None or self.weights.sizes != list(net.sizes):
            if self.weights is not None:
                self.weights.remove()
            self.weights = WeightPanels(self.figure, self.grid[1, :], net.sizes)
        self.loss.update(run, smoothing)
        self.model.update(net, X, Y, name)
        self.gradients.update(run)
        self.weights.update(net)
        return self.figure

    def png(self):
        """The figure as PNG bytes. Drawn straight from the canvas and compressed at
        zlib level 1: redraw speed matters more here than a few kB."""
        canvas = self.figure.canvas
        canvas.draw()
        image = PIL.Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


def plot_run(run, net, data, name="", smoothing="raw", dpi=72):
    """The bench's figure for one run, without widgets: a pyplot Figure (in a notebook,
    end the cell with plt.show()). `net` must hold the weights `run` ended with."""
    return BenchFigure(dpi=dpi, pyplot=True).update(run, net, data, name, smoothing)


def plot_lr_range_test(result, ax=None, current_lr=None):
    """Final loss against learning rate (log-log) from `lr_range_test`, with the best
    rate and the diverged rates marked. Returns the Axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    lrs, losses = result.lrs, result.final_losses
    ok = ~result.diverged
    ax.plot(lrs[ok], losses[ok], "o-", color="tab:blue", ms=4, label="final training loss")
    ax.axhline(result.initial_loss, color="gray", ls="--", lw=1, label="loss before training")
    if result.diverged.any():
        finite = losses[np.isfinite(losses)]
        top = max(finite.max() if finite.size else result.initial_loss, result.initial_loss)
        shown = np.where(np.isfinite(losses) & result.diverged, losses, top * 1.5)
        ax.plot(lrs[result.diverged], shown[result.diverged], "x", color="darkred", ms=8,
                mew=2, label="diverged (× at the top: not finite)")
        ax.axvspan(result.divergence_lr, lrs[-1] * 1.2, color="mistyrose", alpha=0.6, zorder=0)
    if result.best_lr is not None:
        ax.axvline(result.best_lr, color="tab:green", lw=1.5,
                   label=f"best lr ≈ {result.best_lr:.3g}")
    if current_lr is not None:
        ax.axvline(current_lr, color="k", ls=":", lw=1.2, label=f"current lr = {current_lr:.3g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(xlabel="learning rate (log scale)", ylabel="final loss (log scale)",
           title=f"Learning-rate range test ({result.steps} steps of {result.optimizer})")
    ax.legend(loc="upper left", fontsize=8)
    return ax
