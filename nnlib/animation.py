"""Animations of training: the weight movie, the hidden representation, trajectories.

Everything here replays what `train(..., record_every=k)` recorded:
`history.snapshots` (n_frames, n_params) holds copies of the flat weight vector,
the first taken before training, and `history.snapshot_steps` (n_frames,) the
step of each. `net.weights.split` gives the layout, so frame k of layer l is
`net.weights.split(history.snapshots[k])[2 * l]`, shaped (n_out, n_in).

Output needs no ffmpeg: `show_html(anim)` embeds a JavaScript player in the
notebook (PNG frames), `save_gif(anim, path)` writes a GIF with Pillow. Both
show a progress bar while the frames render.

Speed: saving an animation normally redraws the whole figure for every frame
(axes, ticks, labels, colour bar: most of the time goes into text). Here the
static part is drawn once; each frame only updates the data of the few artists
that change (`set_data`, `set_text`), draws just those over the saved
background (blitting), and hands the pixels to the writer as one image.
"""

import base64
import sys
from io import BytesIO
from pathlib import Path
from tempfile import TemporaryDirectory

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, HTMLWriter, PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .plots import input_grid

CLASS_COLORS = ("tab:blue", "tab:red")


# -- what was recorded ------------------------------------------------------------------

def _check_history(history, net):
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


def _pick_frames(n_frames, max_frames):
    """Indices of at most `max_frames` evenly spaced frames, always the first and last."""
    if max_frames is None or n_frames <= max_frames:
        return np.arange(n_frames)
    if isinstance(max_frames, bool) or not isinstance(max_frames, (int, np.integer)) \
            or max_frames < 2:
        raise ValueError(f"max_frames must be an integer of at least 2, got {max_frames!r}")
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
    recorded = history.losses
    losses = np.full(len(steps), np.nan)
    losses[steps > 0] = recorded[steps[steps > 0] - 1]
    return losses


def _title(step, loss):
    when = "before training" if step == 0 else f"step {step}"
    return when if np.isnan(loss) else f"{when} · loss {loss:.3g}"


def _new_figure(figsize, dpi):
    """A figure outside pyplot (so no stray PNG appears in a notebook) on an Agg canvas."""
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


class _FramePainter:
    """Fast frames: draw the static part of `source` once, then per frame redraw only the
    `animated` artists over that background (blitting) and show the pixels as one image
    filling `self.figure`, the figure the animation saves.

    Saving a frame of `self.figure` costs one image and a PNG encode instead of a full
    redraw of axes, ticks, labels and colour bar (5-10x faster for these small figures).
    """

    def __init__(self, source, animated):
        source.draw_without_rendering()      # lay out once (constrained layout) ...
        source.set_layout_engine(None)       # ... and keep those positions for every frame
        self.source, self.animated = source, list(animated)
        for artist in self.animated:
            artist.set_animated(True)        # left out of canvas.draw(): the background
        source.canvas.draw()
        self.background = source.canvas.copy_from_bbox(source.bbox)
        self.figure = Figure(figsize=source.get_size_inches(), dpi=source.dpi)
        ax = self.figure.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        self.pixels = self.render()
        self.picture = ax.imshow(self.pixels, interpolation="nearest", aspect="auto")
        self.figure.nnlib_pixels = lambda: self.pixels   # lets to_html skip a redraw

    def add(self, artist):
        """Animate one more artist (e.g. a contour made for this frame)."""
        artist.set_animated(True)
        self.animated.append(artist)

    def render(self):
        """The current frame's pixels, (height, width, 4) uint8."""
        canvas = self.source.canvas
        canvas.restore_region(self.background)
        for artist in self.animated:
            self.source.draw_artist(artist)
        return np.array(canvas.buffer_rgba())

    def paint(self):
        self.pixels = self.render()
        self.picture.set_data(self.pixels)


# -- the weight movie ----------------------------------------------------------------------

def animate_weights(history, net, layer=0, X=None, Y=None, input_names=None, max_frames=60,
                    fps=10, dpi=80, cmap="RdBu_r"):
    """The weights of `layer` as a heat map, one frame per snapshot.

    history: from train(..., record_every=k); net: the trained network (for the layout).
    X, Y: optional data for the exact loss in each frame's title (else the recorded loss).
    input_names: labels for the columns (the inputs of the layer); max_frames: at most this
    many evenly spaced snapshots (first and last included). The colour scale is symmetric
    and fixed over all frames, so colours compare across time.

    Returns a matplotlib FuncAnimation with extra attributes: `update(k)` draws frame k,
    `image` (the AxesImage), `frames` (n, n_out, n_in) the matrices shown, `steps` (n,),
    `losses` (n,), `figure`. Show it with show_html(anim) or save_gif(anim, path).
    """
    frames_all = layer_frames(history, net, layer)
    keep = _pick_frames(len(frames_all), max_frames)
    frames = frames_all[keep]
    steps = np.asarray(history.snapshot_steps)[keep]
    losses = (frame_losses(history, net, X, Y) if X is not None else frame_losses(history))[keep]
    n_out, n_in = frames.shape[1:]
    if input_names is not None and len(input_names) != n_in:
        raise ValueError(f"input_names has {len(input_names)} names, layer {layer} has "
                         f"{n_in} inputs")

    fig = _new_figure((min(7.5, 2.6 + 0.32 * n_in), min(5.0, 1.45 + 0.28 * n_out)), dpi)
    ax = fig.add_subplot()
    limit = float(np.abs(frames).max()) or 1.0
    image = ax.imshow(frames[0], cmap=cmap, vmin=-limit, vmax=limit, aspect="auto",
                      interpolation="nearest")
    colorbar = fig.colorbar(image, ax=ax, label="weight", pad=0.02)
    colorbar.ax.locator_params(nbins=3)
    ax.grid(False)
    if n_in <= 20:
        names = list(input_names) if input_names is not None else list(range(n_in))
        ax.set_xticks(range(n_in), names, rotation=90 if max(len(str(n)) for n in names) > 3
                      else 0)
    if n_out <= 10:
        ax.set_yticks(range(n_out))
    ax.set(xlabel="from input" if layer == 0 else f"from unit of layer {layer - 1}",
           ylabel="to neuron")
    title = ax.set_title(f"Layer {layer} weights, {_title(steps[-1], losses[-1])}")
    painter = _FramePainter(fig, [image, *ax.spines.values(), title])   # spines over image

    def update(k):
        image.set_data(frames[k])
        title.set_text(f"Layer {layer} weights, {_title(steps[k], losses[k])}")
        painter.paint()
        return (painter.picture,)

    update(0)
    anim = FuncAnimation(painter.figure, update, frames=len(frames), interval=1000 / fps)
    anim.update, anim.image, anim.figure, anim.source_figure = update, image, painter.figure, fig
    anim.frames, anim.steps, anim.losses, anim.fps = frames, steps, losses, fps
    return anim


def plot_weight_trajectories(history, net, layer=0, ax=None, input_names=None, title=None):
    """Each weight of `layer` against the training step: one line per weight.

    Lines are labelled by input name (one-neuron layers) or w[i, j]. Returns the Axes.
    """
    frames = layer_frames(history, net, layer)
    steps = np.asarray(history.snapshot_steps)
    n_out, n_in = frames.shape[1:]
    if input_names is not None and len(input_names) != n_in:
        raise ValueError(f"input_names has {len(input_names)} names, layer {layer} has "
                         f"{n_in} inputs")
    ax = ax or plt.gca()
    for i in range(n_out):
        for j in range(n_in):
            if n_out == 1:
                label = input_names[j] if input_names is not None else f"w[{j}]"
            else:
                name = f" ({input_names[j]})" if input_names is not None else ""
                label = f"w[{i}, {j}]{name}"
            ax.plot(steps, frames[:, i, j], label=label, linewidth=1.2)
    n_lines = n_out * n_in
    if n_lines <= 24:
        ax.legend(ncol=1 if n_lines <= 8 else 2, fontsize="small", loc="center left",
                  bbox_to_anchor=(1.01, 0.5))
    ax.set(title=title or f"Weights of layer {layer} during training", xlabel="step",
           ylabel="weight")
    return ax


# -- the hidden representation -------------------------------------------------------------

def animate_hidden(history, net, X, Y, layer=0, max_frames=60, fps=8, dpi=64, resolution=60):
    """The data as hidden `layer` sees it, frame by frame, next to the decision boundary.

    Left: each sample's activations in that layer (a 3-D scatter for 3 units, 2-D for 2),
    coloured by class. Right (for 2 inputs only): the net's output over the input plane,
    its 0.5 contour and the data. X (N, n_in), Y (N, 1) with labels 0/1; layer: a hidden
    layer (0 … n_layers − 2) with 2 or 3 units.

    Returns a FuncAnimation with extra attributes `update(k)`, `hidden` (n, N, units) the
    activations shown, `steps`, `losses` (exact, on X, Y), `figure`.
    """
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
    labels = Y[:, 0] > 0.5
    keep = _pick_frames(len(snapshots), max_frames)
    steps = np.asarray(history.snapshot_steps)[keep]
    show_input = X.shape[1] == 2

    twin = net.copy()
    hidden, outputs, losses = [], [], []
    if show_input:
        g0, g1, grid = input_grid(X, resolution)
        extent = (g0[0, 0], g0[0, -1], g1[0, 0], g1[-1, 0])
    for flat in snapshots[keep]:
        twin.weights.flat[:] = flat
        As = twin.forward_all(X)[1]
        hidden.append(As[layer + 1])
        losses.append(twin.loss(X, Y))
        if show_input:
            outputs.append(twin.forward(grid)[:, 0].reshape(g0.shape))
    hidden, losses = np.array(hidden), np.array(losses)

    fig = _new_figure((8.0 if show_input else 4.4, 4.0), dpi)
    if units == 3:
        ax_h = fig.add_subplot(1, 1 + show_input, 1, projection="3d")
        ax_h.view_init(elev=20, azim=-60)
    else:
        ax_h = fig.add_subplot(1, 1 + show_input, 1)
    lo_h, hi_h = hidden.min(axis=(0, 1)), hidden.max(axis=(0, 1))
    margin = 0.05 * (hi_h - lo_h) + 1e-9
    points = []
    for value, color in zip((False, True), CLASS_COLORS):
        coords = hidden[0][labels == value].T
        (line,) = ax_h.plot(*coords, linestyle="none", marker="o", markersize=3,
                            color=color, label=f"class {int(value)}")
        points.append(line)
    names = [f"$h_{i + 1}$" for i in range(units)]
    ax_h.set(xlim=(lo_h[0] - margin[0], hi_h[0] + margin[0]),
             ylim=(lo_h[1] - margin[1], hi_h[1] + margin[1]), xlabel=names[0], ylabel=names[1],
             title=f"What hidden layer {layer} sees")
    if units == 3:
        ax_h.set(zlim=(lo_h[2] - margin[2], hi_h[2] + margin[2]), zlabel=names[2])
        for axis in (ax_h.xaxis, ax_h.yaxis, ax_h.zaxis):
            axis.set_major_locator(MaxNLocator(nbins=3))

    contour = [None]
    if show_input:
        ax_in = fig.add_subplot(1, 2, 2)
        # A few flat colour bands (not a smooth gradient): clearer, and PNG frames stay small.
        bands = matplotlib.colormaps["RdBu_r"].resampled(10)
        surface = ax_in.imshow(outputs[0], origin="lower", extent=extent,
                               cmap=bands, vmin=0.0, vmax=1.0, alpha=0.45, aspect="auto",
                               interpolation="nearest")
        for value, color in zip((False, True), CLASS_COLORS):
            ax_in.plot(*X[labels == value].T, linestyle="none", marker="o", markersize=2.5,
                       color=color)
        ax_in.plot([], [], color="k", label="output = 0.5")
        ax_in.set(xlim=extent[:2], ylim=extent[2:], xlabel="$x_1$", ylabel="$x_2$",
                  title="Decision boundary (input space)")
        ax_in.grid(False)
    fig.legend(loc="outside lower center", ncol=3, fontsize="small")
    heading = fig.suptitle(_title(steps[-1], losses[-1]))
    over_image = [surface, *ax_in.spines.values()] if show_input else []
    painter = _FramePainter(fig, [*points, heading, *over_image])

    def update(k):
        for value, line in zip((False, True), points):
            coords = hidden[k][labels == value].T
            if units == 3:
                line.set_data_3d(*coords)
            else:
                line.set_data(*coords)
        if show_input:
            surface.set_data(outputs[k])
            if contour[0] is not None:
                painter.animated.remove(contour[0])
                contour[0].remove()
                contour[0] = None
            if outputs[k].min() < 0.5 < outputs[k].max():
                contour[0] = ax_in.contour(g0, g1, outputs[k], levels=[0.5], colors="k",
                                           linewidths=1.5)
                painter.add(contour[0])
        heading.set_text(_title(steps[k], losses[k]))
        painter.paint()
        return (painter.picture,)

    update(0)
    anim = FuncAnimation(painter.figure, update, frames=len(steps), interval=1000 / fps)
    anim.update, anim.figure, anim.source_figure, anim.fps = update, painter.figure, fig, fps
    anim.hidden, anim.steps, anim.losses = hidden, steps, losses
    return anim


# -- output: HTML player and GIF, with a progress bar ----------------------------------------

class _Progress:
    """A progress bar for rendering frames: an HTML <progress> element updated in place
    in Jupyter/Colab, a text bar on stderr elsewhere; removed when done."""

    def __init__(self, label, enabled=True):
        self.label, self.enabled, self.handle = label, enabled, None
        if enabled:
            try:
                from IPython import get_ipython
                shell = get_ipython()
                if shell is not None and hasattr(shell, "kernel"):
                    from IPython.display import display
                    self.handle = display(self._html(0, 1), display_id=True)
            except ImportError:
                pass

    def _html(self, done, total):
        from IPython.display import HTML
        return HTML(f"<progress value='{done}' max='{total}' style='width:16em'></progress> "
                    f"{self.label}: frame {done} of {total}")

    def __call__(self, done, total):
        if not self.enabled:
            return
        done += 1
        if self.handle is not None:
            if done == total or done % 5 == 0:
                self.handle.update(self._html(done, total))
        else:
            bar = "#" * (20 * done // total)
            sys.stderr.write(f"\r{self.label}: [{bar:<20}] {done}/{total}")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    def close(self):
        if self.handle is not None:
            from IPython.display import HTML
            self.handle.update(HTML(""))


def _figure_of(anim):
    return getattr(anim, "figure", None) or anim._fig


def _fps_of(anim, fps):
    if fps is not None:
        return fps
    return getattr(anim, "fps", None) or 1000 / getattr(anim, "_interval", 100)


class _CompactHTMLWriter(HTMLWriter):
    """matplotlib's HTML player with each PNG frame stored in a 255-colour palette:
    about 3x smaller than full RGBA frames (notebooks stay small), at ~2 ms per frame.
    Falls back to the plain HTMLWriter if its internals ever change."""

    def grab_frame(self, **savefig_kwargs):
        frames = getattr(self, "_saved_frames", None)
        if not self.embed_frames or self.frame_format != "png" or frames is None \
                or not hasattr(self, "_total_bytes") or getattr(self, "_hit_limit", True):
            return super().grab_frame(**savefig_kwargs)
        from PIL import Image

        pixels = getattr(self.fig, "nnlib_pixels", None)
        if (pixels is not None and self.dpi == self.fig.dpi
                and set(savefig_kwargs) <= {"facecolor", "transparent"}):
            picture = Image.fromarray(pixels()[..., :3])   # a _FramePainter's frame, as is
        else:
            buffer = BytesIO()
            self.fig.savefig(buffer, format="png", dpi=self.dpi, **savefig_kwargs)
            picture = Image.open(BytesIO(buffer.getvalue())).convert("RGB")
        buffer = BytesIO()
        picture.quantize(255, method=Image.Quantize.FASTOCTREE).save(buffer, format="png")
        data = base64.encodebytes(buffer.getvalue()).decode("ascii")
        self._total_bytes += len(data)
        if self._total_bytes >= self._bytes_limit:
            raise ValueError(f"the animation is larger than the embed limit "
                             f"({self._bytes_limit / 2**20:.0f} MB): use fewer frames "
                             "(max_frames) or a lower dpi")
        frames.append(data)


def to_html(anim, fps=None, progress=True, default_mode="loop"):
    """The animation as a self-contained HTML/JavaScript player (PNG frames): a string.

    The player of anim.to_jshtml(), with smaller (palette) frames and a progress bar
    while the frames render.
    """
    bar = _Progress("rendering", progress)
    try:
        with TemporaryDirectory() as tmp:
            path = Path(tmp, "animation.html")
            writer = _CompactHTMLWriter(fps=_fps_of(anim, fps), embed_frames=True,
                                        default_mode=default_mode)
            anim.save(str(path), writer=writer, progress_callback=bar)
            return path.read_text()
    finally:
        bar.close()


def show_html(anim, fps=None, progress=True):
    """Display object for a notebook: the HTML player of `anim`. Its figure is closed, so
    no static PNG follows the player. Put it last in a cell, or pass it to display()."""
    from IPython.display import HTML

    html = to_html(anim, fps=fps, progress=progress)
    plt.close(_figure_of(anim))   # a no-op for our figures, which pyplot never sees
    return HTML(html)


def save_gif(anim, path, fps=None, progress=True):
    """Write `anim` to a GIF file at `path` with Pillow (no ffmpeg needed); return the Path."""
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"save_gif writes GIF files; the path should end in .gif, got {path}")
    bar = _Progress(f"writing {path.name}", progress)
    try:
        anim.save(str(path), writer=PillowWriter(fps=_fps_of(anim, fps)), progress_callback=bar)
    finally:
        bar.close()
    return path
