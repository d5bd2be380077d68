"""Figures the lessons share: loss curves, decision boundaries, weight heat maps, and
`show`, which puts a figure in the notebook with its alt text.

Each plotting function draws on the Axes it is given (default: pyplot's current one) and
returns it, so a lesson can put several on one figure.
"""

import re

import numpy as np

from ._figures import (
    CLASS_COLORS,
    CLASS_MARKERS,
    POINT_EDGE,
    PROBABILITY_ALPHA,
    PROBABILITY_CMAP,
    check_alt,
    check_resolution,
    output_on_grid,
    probability_colorbar,
)
from ._validate import real_array
from .network import check_network


def use_style():
    """The course's plotting style: seaborn 'whitegrid', readable font sizes, and the
    'colorblind' palette, whose colours stay apart for readers with a colour-vision
    deficiency (tests/figcheck.py checks every legend's colours)."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", palette="colorblind")


CAPTION_PREFIX = "Figure. "
# escaped in the Markdown caption
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~])")


def show(alt, figure=None):
    """Show a figure with its alt text, then close it.

    alt: what the figure shows and what to notice, in a sentence or two (what a reader
    who cannot see it needs); figure: a matplotlib Figure (default: pyplot's current one).
    In Jupyter or Colab the output is the PNG, with `alt` as its text and in its metadata
    (the website's <img alt>), and under it a caption line "Figure. <alt>" that every
    reader sees. Elsewhere the figure goes to plt.show() and the caption is printed.
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    alt = check_alt(alt)
    if figure is None:
        if not plt.get_fignums():
            raise ValueError("show: there is no figure to show (draw one first, or pass figure=)")
        figure = plt.gcf()
    elif not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    try:
        from IPython import get_ipython
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        print(CAPTION_PREFIX + alt)
        plt.show()
        return
    from IPython.display import publish_display_data

    data, metadata = shell.display_formatter.format(figure, include={"image/png"})
    if "image/png" not in data:
        raise RuntimeError("show: this notebook's matplotlib backend makes no PNG; run "
                           "%matplotlib inline")
    metadata = {"image/png": {**metadata.get("image/png", {}), "alt": alt}}
    publish_display_data({"image/png": data["image/png"], "text/plain": alt}, metadata)
    publish_display_data({"text/markdown": "*Figure.* " + _MARKDOWN_SPECIAL.sub(r"\\\1", alt),
                          "text/plain": CAPTION_PREFIX + alt})
    plt.close(figure)


def _current_axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.gca()


def plot_losses(losses, ax=None, label="training loss", title="Loss during training",
                xlabel="step", log=True):
    """Line plot of a 1-D sequence of losses (e.g. History.losses) against the step
    1, 2, …; log scale by default. Returns the Axes."""
    losses = real_array("losses", losses)   # complex or text would be cast or parsed
    if losses.ndim != 1:
        raise ValueError(f"losses must be 1-D, one loss per step, got shape {losses.shape}")
    ax = _current_axes(ax)
    ax.plot(np.arange(1, len(losses) + 1), losses, label=label)
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel="loss")
    ax.legend(loc="best")
    return ax


def plot_decision_boundary(net, X, Y, ax=None, resolution=200, title="Decision boundary"):
    """The net's output over the plane of X's two inputs, its 0.5 contour, the data, and
    a colour bar of the predicted probability.

    X (N, 2), Y (N, 1) with labels 0/1 (or (N,)); resolution: grid points per axis
    (at least 2). Returns the Axes.
    """
    X = check_network(net).check_X(X)
    if X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2 input features, got {X.shape[1]}")
    labels = real_array("Y", Y)
    if not (labels.ndim == 1 or (labels.ndim == 2 and labels.shape[1] == 1)) \
            or len(labels) != len(X):
        raise ValueError(f"Y must hold one label per row of X ({len(X)} rows, shape (N, 1) "
                         f"or (N,)), got shape {labels.shape}")
    labels = labels.reshape(len(X))
    other = labels[~np.isin(labels, (0, 1))]
    if other.size:
        raise ValueError("Y must hold the labels 0 and 1 (a sample with any other value "
                         f"would not be drawn), got values such as {float(other[0]):g}")
    resolution = check_resolution(resolution)
    ax = _current_axes(ax)
    g0, g1, out = output_on_grid(net, X, resolution)
    surface = ax.contourf(g0, g1, out, levels=np.linspace(0, 1, 11), cmap=PROBABILITY_CMAP,
                          alpha=PROBABILITY_ALPHA, extend="neither")
    ax.contour(g0, g1, out, levels=[0.5], colors="k", linewidths=1.5)
    for value, (color, marker) in enumerate(zip(CLASS_COLORS, CLASS_MARKERS)):
        mask = labels == value
        ax.scatter(X[mask, 0], X[mask, 1], s=18, c=color, marker=marker, edgecolor=POINT_EDGE,
                   linewidth=0.6, label=f"class {value}")
    ax.set(title=title, xlabel="$x_0$", ylabel="$x_1$")
    ax.legend(loc="best")   # where it covers the fewest samples
    probability_colorbar(surface, ax)
    return ax


def _layer_axes(axes, n_layers):
    """`axes` as a list of at least `n_layers` Matplotlib Axes (one Axes for one layer)."""
    if hasattr(axes, "imshow"):
        axes = [axes]
    elif isinstance(axes, np.ndarray):
        axes = list(axes.ravel())   # as plt.subplots returns them
    if not isinstance(axes, (list, tuple)) or len(axes) < n_layers \
            or not all(hasattr(ax, "imshow") for ax in axes):
        raise TypeError(f"axes must be {n_layers} Matplotlib Axes, one per layer (or None for "
                        f"a new figure), got {type(axes).__name__}"
                        + (f" of {len(axes)}" if isinstance(axes, (list, tuple)) else ""))
    return list(axes)


def plot_weights(net, axes=None, title="Weights of layer {l}"):
    """One heat map per weight matrix W (n_out, n_in), rows = receiving neurons, with a
    shared symmetric colour scale. axes: one per layer (default: a new pyplot figure).
    Returns the list of Axes."""
    check_network(net)
    if axes is None:
        import matplotlib.pyplot as plt

        width = min(10.0, 3.2 * net.n_layers)   # inches: at most 1000 pixels at 100 dpi
        _, axes = plt.subplots(1, net.n_layers, figsize=(width, 3), squeeze=False,
                               layout="constrained")
        axes = list(axes[0])
    else:
        axes = _layer_axes(axes, net.n_layers)
    limit = max(np.abs(W).max() for W in net.Ws) or 1.0
    for l, (W, ax) in enumerate(zip(net.Ws, axes)):
        image = ax.imshow(W, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        ax.set(title=title.format(l=l), xlabel="from neuron (input)", ylabel="to neuron (output)")
        ax.grid(False)
    axes[0].figure.colorbar(image, ax=axes, label="weight")
    return axes
