"""Replays of a training run from its recorded weights: weight movie, hidden-layer movie, trajectories.

Everything here replays what `train(..., record_every=k)` recorded:
`history.snapshots` (n_frames, n_params) holds copies of the flat weight vector,
the first taken before training, and `history.snapshot_steps` (n_frames,) the
step of each. `net.weights.split` gives the layout, so frame k of layer l is
`net.weights.split(history.snapshots[k])[2 * l]`, shaped (n_out, n_in).

`animate_weights` and `animate_hidden` return a Movie: show it in a notebook with
`show_html(movie)` (a JavaScript player) or write it with `save_gif(movie, path)`;
neither needs ffmpeg.
"""

import matplotlib
import numpy as np
from matplotlib.ticker import MaxNLocator

from ._figures import (
    CLASS_COLORS,
    CLASS_MARKERS,
    POINT_EDGE,
    PROBABILITY_ALPHA,
    PROBABILITY_CMAP,
    check_resolution,
    grid_extent,
    input_grid,
    new_figure,
    output_on_grid,
    probability_colorbar,
)
from ._movie import Movie, save_gif, show_html, to_html
from ._validate import integer_at_least, positive
from .history import History
from .network import check_network

__all__ = ["layer_frames", "frame_losses", "animate_weights", "plot_weight_trajectories",
           "animate_hidden", "Movie", "WeightMovie", "HiddenMovie", "show_html", "to_html",
           "save_gif"]


# -- what was recorded ------------------------------------------------------------------

def _check_history(history, net):
    check_network(net)   # first: history and net swapped is named as such
    if not isinstance(history, History):
        raise TypeError("history must be the History that train(net, X, Y, ..., "
                        f"record_every=k) returns, got {type(history).__name__}")
    snapshots = getattr(history, "snapshots", None)
    if snapshots is None or len(snapshots) == 0:
        raise ValueError("history has no snapshots: train with record_every=k, e.g. "
                         "nnlib.train(net, X, Y, ..., record_every=10)")
    if snapshots.shape[1] != net.weights.size:
        raise ValueError(f"history.snapshots has {snapshots.shape[1]} parameters per frame, "
                         f"but the network has {net.weights.size}: pass the net that was trained")
    return snapshots


def _check_layer(net, layer, hidden=False):
    count = net.n_layers - 1 if hidden else net.n_layers
    what = "hidden layers" if hidden else "weight layers"
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)):
        raise TypeError(f"layer must be an integer, got {layer!r}")
    if not 0 <= layer < count:
        valid = f"0 to {count - 1}" if count else "none"
        raise ValueError(f"layer {layer} is out of range: this network {net.sizes} has "
                         f"{count} {what} (valid layers: {valid})")
    return int(layer)


def _check_names(input_names, frames, layer):
    if input_names is None:
        return
    if isinstance(input_names, str) or not isinstance(input_names, (list, tuple, np.ndarray)) \
            or not all(isinstance(name, str) for name in input_names):
        raise TypeError(f"input_names must be a list of {frames.shape[2]} text labels, one per "
                        f"input of layer {layer} (such as ['$x_1$', '$x_2$']), got {input_names!r}")
    if len(input_names) != frames.shape[2]:
        raise ValueError(f"input_names has {len(input_names)} names, layer {layer} has "
                         f"{frames.shape[2]} inputs")


def _pick_frames(n_frames, max_frames):
    """Indices of at most `max_frames` evenly spaced frames, always the first and last."""
    if max_frames is not None:
        max_frames = integer_at_least("max_frames", max_frames, 2)
    if max_frames is None or n_frames <= max_frames:
        return np.arange(n_frames)
    return np.unique(np.round(np.linspace(0, n_frames - 1, max_frames)).astype(int))


def layer_frames(history, net, layer=0):
    """The weight matrix of `layer` in every snapshot: (n_frames, n_out, n_in), a copy."""
    snapshots = _check_history(history, net)
    layer = _check_layer(net, layer)
    start, stop = net.weights.offsets[2 * layer], net.weights.offsets[2 * layer + 1]
    shape = net.weights.shapes[2 * layer]
    return snapshots[:, start:stop].reshape(len(snapshots), *shape).copy()


def frame_losses(history, net=None, X=None, Y=None):
    """A loss for each snapshot: (n_frames,).

    With `net`, `X`, `Y`: the exact loss of each snapshot's weights on (X, Y).
    Without: `history.losses[step - 1]`, the loss recorded at the step that
    ended with the snapshot (for mini-batch optimizers, the batch loss just
    before that step's update); NaN for a snapshot at step 0 (before training).
    """
    if X is not None:
        if net is None or Y is None:
            raise ValueError("frame_losses needs net, X and Y together to compute exact losses")
        snapshots = _check_history(history, net)
        X, Y = net.check_XY(X, Y)
        twin = net.copy()
        losses = np.empty(len(snapshots))
        for k, flat in enumerate(snapshots):
            twin.weights.flat[:] = flat
            losses[k] = twin.loss(X, Y)
        return losses
    if getattr(history, "snapshot_steps", None) is None or len(history.snapshot_steps) == 0:
        raise ValueError("history has no snapshots: train with record_every=k")
    steps = np.asarray(history.snapshot_steps)
    losses = np.full(len(steps), np.nan)
    losses[steps > 0] = history.losses[steps[steps > 0] - 1]
    return losses


def _when(step, loss):
    """'step 20 · loss 0.31', or 'before training'."""
    when = "before training" if step == 0 else f"step {step}"
    return when if np.isnan(loss) else f"{when} · loss {loss:.3g}"


# -- the weight movie ----------------------------------------------------------------------

class WeightMovie(Movie):
    """The weights of one layer as a heat map, one frame per snapshot.

    frames (n_frames, n_out, n_in): the matrices shown; image: the AxesImage; title: the
    title Text; plus the Movie's figure, steps, losses and fps.
    """

    def __init__(self, frames, steps, losses, layer, input_names, fps, dpi, cmap):
        n_out, n_in = frames.shape[1:]
        figure = new_figure((min(7.5, 2.6 + 0.32 * n_in), min(5.0, 1.45 + 0.28 * n_out)), dpi,
                            layout="constrained")
        super().__init__(figure, steps, losses, fps)
        self.frames, self.layer = frames, layer
        ax = figure.add_subplot()
        limit = float(np.abs(frames).max()) or 1.0   # one symmetric scale for all frames
        self.image = ax.imshow(frames[-1], cmap=cmap, vmin=-limit, vmax=limit, aspect="auto",
                               interpolation="nearest")
        figure.colorbar(self.image, ax=ax, label="weight", pad=0.02).ax.locator_params(nbins=3)
        ax.grid(False)
        if n_in <= 20:
            names = list(input_names) if input_names is not None else list(range(n_in))
            ax.set_xticks(range(n_in), names,
                          rotation=90 if max(len(str(n)) for n in names) > 3 else 0)
        if n_out <= 10:
            ax.set_yticks(range(n_out))
        ax.set(xlabel="from input" if layer == 0 else f"from unit of layer {layer - 1}",
               ylabel="to neuron")
        self.title = ax.set_title(self._title(len(frames) - 1))

    def _title(self, k):
        return f"Layer {self.layer} weights, {_when(self.steps[k], self.losses[k])}"

    def update(self, k):
        self.image.set_data(self.frames[k])
        self.title.set_text(self._title(k))
        return [self.image, *self.image.axes.spines.values(), self.title]   # spines over image


def animate_weights(history, net, layer=0, X=None, Y=None, input_names=None, max_frames=60,
                    fps=10, dpi=80, cmap="RdBu_r"):
    """The weights of `layer` as a heat map, one frame per snapshot: a WeightMovie.

    history: from train(..., record_every=k); net: the trained network (for the layout).
    X, Y: optional data for the exact loss in each frame's title (else the recorded loss).
    input_names: labels for the columns (the inputs of the layer); max_frames: at most this
    many evenly spaced snapshots (first and last included). The colour scale is symmetric
    and fixed over all frames, so colours compare across time.
    Show it with show_html(movie), or save it with save_gif(movie, path).
    """
    positive("fps", fps)
    positive("dpi", dpi)
    frames = layer_frames(history, net, layer)
    _check_names(input_names, frames, layer)
    keep = _pick_frames(len(frames), max_frames)
    losses = frame_losses(history, net, X, Y) if X is not None else frame_losses(history)
    return WeightMovie(frames[keep], np.asarray(history.snapshot_steps)[keep], losses[keep],
                       layer, input_names, fps, dpi, cmap)


def plot_weight_trajectories(history, net, layer=0, ax=None, input_names=None, title=None):
    """Each weight of `layer` against the training step: one line per weight.

    Lines are labelled by input name (one-neuron layers) or w[i, j]; the legend (up to
    24 lines) sits right of the axes. Returns the Axes.
    """
    frames = layer_frames(history, net, layer)
    _check_names(input_names, frames, layer)
    n_out, n_in = frames.shape[1:]
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    for i in range(n_out):
        for j in range(n_in):
            name = input_names[j] if input_names is not None else None
            if n_out == 1:
                label = name or f"w[{j}]"
            else:
                label = f"w[{i}, {j}]" + (f" ({name})" if name else "")
            ax.plot(history.snapshot_steps, frames[:, i, j], label=label, linewidth=1.2)
    if n_out * n_in <= 24:
        ax.legend(ncol=1 if n_out * n_in <= 8 else 2, fontsize="small", loc="center left",
                  bbox_to_anchor=(1.01, 0.5))
    ax.set(title=title or f"Weights of layer {layer} during training", xlabel="step",
           ylabel="weight")
    return ax


# -- the hidden representation -------------------------------------------------------------

class HiddenMovie(Movie):
    """Samples at their hidden activations (2-D or 3-D scatter), and for 2 inputs the
    net's output over the input plane with its 0.5 contour.

    hidden (n_frames, N, units): the activations shown; labels (N,): 0/1 class of each
    sample; plane: None, or (X, g0, g1, outputs) for a net of 2 inputs, with the grid
    g0, g1 (r, r) and the output on it in every frame, outputs (n_frames, r, r).
    Also the Movie's figure, steps, losses and fps.
    """

    def __init__(self, hidden, labels, steps, losses, layer, fps, dpi, plane=None):
        units = hidden.shape[2]
        figure = new_figure((4.4 if plane is None else 8.0, 4.0), dpi, layout="constrained")
        super().__init__(figure, steps, losses, fps)
        self.hidden, self.labels = hidden, labels
        ax = figure.add_subplot(1, 1 if plane is None else 2, 1,
                                projection="3d" if units == 3 else None)
        self.points = [ax.plot(*hidden[-1][labels == value].T, linestyle="none", marker=marker,
                               markersize=3.5, color=color, mec=POINT_EDGE, mew=0.4,
                               label=f"class {value}")[0]
                       for value, (color, marker) in enumerate(zip(CLASS_COLORS, CLASS_MARKERS))]
        _hidden_axes(ax, hidden, layer)
        self.heading = figure.suptitle(_when(self.steps[-1], self.losses[-1]))
        self.moving = [*self.points, self.heading]
        self.outputs = self.contour = None
        if plane is not None:
            self._input_plane(figure.add_subplot(1, 2, 2), *plane)
        figure.legend(loc="outside lower center", ncol=3, fontsize="small")

    def _input_plane(self, ax, X, g0, g1, outputs):
        self.outputs, self.grid = outputs, (g0, g1)
        extent = grid_extent(g0, g1)
        # A few flat colour bands (not a smooth gradient): clearer, and PNG frames stay small.
        bands = matplotlib.colormaps[PROBABILITY_CMAP].resampled(10)
        self.surface = ax.imshow(outputs[-1], origin="lower", extent=extent, cmap=bands,
                                 vmin=0.0, vmax=1.0, alpha=PROBABILITY_ALPHA, aspect="equal",
                                 interpolation="nearest")
        samples = [ax.plot(*X[self.labels == value].T, linestyle="none", marker=marker,
                           markersize=3.5, color=color, mec=POINT_EDGE, mew=0.4)[0]
                   for value, (color, marker) in enumerate(zip(CLASS_COLORS, CLASS_MARKERS))]
        probability_colorbar(self.surface, ax, pad=0.02)
        ax.plot([], [], color="k", label="output = 0.5")     # for the legend
        ax.set(xlim=extent[:2], ylim=extent[2:], xlabel="$x_0$", ylabel="$x_1$",
               title="Decision boundary (input space)")
        ax.grid(False)
        # the samples and spines lie over the changing surface: redrawn in every frame
        self.moving += [self.surface, *samples, *ax.spines.values()]

    def update(self, k):
        for value, line in enumerate(self.points):
            coords = self.hidden[k][self.labels == value].T
            if len(coords) == 3:
                line.set_data_3d(*coords)
            else:
                line.set_data(*coords)
        self.heading.set_text(_when(self.steps[k], self.losses[k]))
        if self.outputs is None:
            return self.moving
        self.surface.set_data(self.outputs[k])
        if self.contour is not None:
            self.contour.remove()
            self.contour = None
        if self.outputs[k].min() < 0.5 < self.outputs[k].max():
            self.contour = self.surface.axes.contour(*self.grid, self.outputs[k], levels=[0.5],
                                                     colors="k", linewidths=1.5)
            return self.moving + [self.contour]
        return self.moving


def _hidden_axes(ax, hidden, layer):
    """Limits (all frames, 5 % margin), labels and title of the hidden-activation axes."""
    units = hidden.shape[2]
    lo, hi = hidden.min(axis=(0, 1)), hidden.max(axis=(0, 1))
    margin = 0.05 * (hi - lo) + 1e-9
    names = [f"$a_{{{layer + 1},{i}}}$" for i in range(units)]   # the card's a_{l,j}
    for i, axis in enumerate("xyz"[:units]):
        ax.set(**{f"{axis}lim": (lo[i] - margin[i], hi[i] + margin[i]),
                  f"{axis}label": names[i]})
    ax.set_title(f"Hidden activations $A_{{{layer + 1}}}$")   # the card's A_{l+1} = f(Z_l)
    if units == 3:
        ax.view_init(elev=20, azim=-60)
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.set_major_locator(MaxNLocator(nbins=3))


def animate_hidden(history, net, X, Y, layer=0, max_frames=60, fps=8, dpi=96, resolution=60):
    """The data as a hidden layer sees it, frame by frame, next to the decision boundary.

    Left: each sample's activations A_{layer+1}, the output of weight layer `layer` (a 3-D
    scatter for 3 units, 2-D for 2), coloured by class. Right (for 2 inputs only): the net's
    output over the input plane, on equal axes, its 0.5 contour and the data. X (N, n_in),
    Y (N, 1) with labels 0/1; layer: 0 … n_layers − 2, a weight layer whose output is a
    hidden layer of 2 or 3 units. Returns a HiddenMovie; its losses are exact, on X, Y.
    """
    positive("fps", fps)
    positive("dpi", dpi)
    check_resolution(resolution)
    snapshots = _check_history(history, net)
    layer = _check_layer(net, layer, hidden=True)
    units = net.sizes[layer + 1]
    if units not in (2, 3):
        raise ValueError(f"hidden layer {layer} has {units} units; animate_hidden draws "
                         "layers of 2 or 3 units")
    X, Y = net.check_XY(X, Y)
    if net.sizes[-1] != 1:
        raise ValueError("animate_hidden colours the samples by a single 0/1 output; "
                         f"this network has {net.sizes[-1]} outputs")
    labels = (Y[:, 0] > 0.5).astype(int)
    keep = _pick_frames(len(snapshots), max_frames)
    twin, hidden, losses, outputs = net.copy(), [], [], []
    for flat in snapshots[keep]:
        twin.weights.flat[:] = flat
        hidden.append(twin.forward_all(X)[1][layer + 1])
        losses.append(twin.loss(X, Y))
        if X.shape[1] == 2:
            outputs.append(output_on_grid(twin, X, resolution)[2])
    plane = (X, *input_grid(X, resolution)[:2], np.array(outputs)) if outputs else None
    return HiddenMovie(np.array(hidden), labels, np.asarray(history.snapshot_steps)[keep],
                       np.array(losses), layer, fps, dpi, plane)
