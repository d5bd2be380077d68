"""Figures the lessons share: loss curves, decision boundaries, weight heat maps.

Each function draws on the Axes it is given (default: pyplot's current one) and
returns it, so a lesson can put several on one figure.
"""

import numpy as np

from ._figures import (
    CLASS_COLORS,
    CLASS_MARKERS,
    POINT_EDGE,
    PROBABILITY_ALPHA,
    PROBABILITY_CMAP,
    check_resolution,
    output_on_grid,
    probability_colorbar,
)


def use_style():
    """The course's plotting style (seaborn 'whitegrid', readable font sizes)."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")


def _current_axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.gca()


def plot_losses(losses, ax=None, label="training loss", title="Loss during training",
                xlabel="step", log=True):
    """Line plot of a 1-D sequence of losses (e.g. History.losses) against the step
    1, 2, …; log scale by default. Returns the Axes."""
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
    X = net.check_X(X)
    if X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2 input features, got {X.shape[1]}")
    labels = np.asarray(Y)
    if labels.ndim not in (1, 2) or len(labels) != len(X):
        raise ValueError(f"Y must hold one label per row of X ({len(X)} rows, shape (N, 1) "
                         f"or (N,)), got shape {labels.shape}")
    labels = labels.reshape(len(X), -1)[:, 0]
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
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(loc="best")   # where it covers the fewest samples
    probability_colorbar(surface, ax)
    return ax


def plot_weights(net, axes=None, title="Weights of layer {l}"):
    """One heat map per weight matrix W (n_out, n_in), rows = receiving neurons, with a
    shared symmetric colour scale. axes: one per layer (default: a new pyplot figure).
    Returns the list of Axes."""
    if axes is None:
        import matplotlib.pyplot as plt

        width = min(10.0, 3.2 * net.n_layers)   # inches: at most 1000 pixels at 100 dpi
        _, axes = plt.subplots(1, net.n_layers, figsize=(width, 3), squeeze=False,
                               layout="constrained")
        axes = list(axes[0])
    limit = max(np.abs(W).max() for W in net.Ws) or 1.0
    for l, (W, ax) in enumerate(zip(net.Ws, axes)):
        image = ax.imshow(W, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        ax.set(title=title.format(l=l), xlabel="from neuron (input)", ylabel="to neuron (output)")
        ax.grid(False)
    axes[0].figure.colorbar(image, ax=axes, label="weight")
    return axes
