"""Figures the lessons share: loss curves, decision boundaries, weight heat maps."""

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns


def use_style():
    """The course's plotting style (seaborn 'whitegrid', readable font sizes)."""
    sns.set_theme(style="whitegrid", context="notebook")


def plot_losses(losses, ax=None, label="training loss", title="Loss during training",
                xlabel="step", log=True):
    """Line plot of a 1-D sequence of losses (e.g. History.losses). Returns the Axes."""
    ax = ax or plt.gca()
    ax.plot(np.arange(1, len(losses) + 1), losses, label=label)
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel="loss")
    ax.legend()
    return ax


def input_grid(X, resolution):
    """A grid over the box around the first two inputs of X (N, n_in), 10 % margin.

    Returns g0, g1 (resolution, resolution), the grid's x1 and x2 values, and points
    (resolution², n_in), the grid as samples with every other input held at 0.
    """
    corner_lo, corner_hi = X[:, :2].min(axis=0), X[:, :2].max(axis=0)
    pad = 0.1 * (corner_hi - corner_lo) + 1e-9
    lo, hi = corner_lo - pad, corner_hi + pad
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    points = np.zeros((g0.size, X.shape[1]))
    points[:, 0], points[:, 1] = g0.ravel(), g1.ravel()
    return g0, g1, points


def plot_decision_boundary(net, X, Y, ax=None, resolution=200, title="Decision boundary"):
    """The net's output over the plane of X's two inputs, its 0.5 contour, and the data.

    X (N, 2), Y (N, 1) with labels 0/1. Returns the Axes.
    """
    X = net.check_X(X)
    if X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2 input features, got {X.shape[1]}")
    ax = ax or plt.gca()
    g0, g1, points = input_grid(X, resolution)
    out = net.forward(points)[:, 0].reshape(g0.shape)
    ax.contourf(g0, g1, out, levels=20, cmap="RdBu_r", alpha=0.6)
    ax.contour(g0, g1, out, levels=[0.5], colors="k", linewidths=1.5)
    labels = np.asarray(Y).reshape(len(X), -1)[:, 0]
    for value, color in ((0, "tab:blue"), (1, "tab:red")):
        mask = labels == value
        ax.scatter(X[mask, 0], X[mask, 1], s=12, c=color, edgecolor="white", linewidth=0.3,
                   label=f"class {value}")
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(loc="upper right")
    return ax


def plot_weights(net, axes=None, title="Weights of layer {l}"):
    """One heat map per weight matrix, rows = receiving neurons, with a shared
    symmetric colour scale. Returns the list of Axes."""
    if axes is None:
        _, axes = plt.subplots(1, net.n_layers, figsize=(3.2 * net.n_layers, 3), squeeze=False)
        axes = list(axes[0])
    limit = max(np.abs(W).max() for W in net.Ws) or 1.0
    for l, (W, ax) in enumerate(zip(net.Ws, axes)):
        image = ax.imshow(W, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        ax.set(title=title.format(l=l), xlabel="from neuron (input)", ylabel="to neuron (output)")
        ax.grid(False)
    plt.colorbar(image, ax=axes, label="weight")
    return axes
