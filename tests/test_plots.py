import matplotlib.pyplot as plt
import numpy as np

from nnlib import MLP, data, plots, train


def test_loss_curve_has_labels_and_the_data():
    plots.use_style()
    fig, ax = plt.subplots()
    plots.plot_losses([1.0, 0.5, 0.25], ax=ax)
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss" and ax.get_title()
    assert ax.get_yscale() == "log" and ax.get_legend() is not None
    assert np.array_equal(ax.lines[0].get_ydata(), [1.0, 0.5, 0.25])
    plt.close(fig)


def test_decision_boundary_and_weight_maps():
    X, Y = data.moons(n=60, seed=0)
    net = MLP([2, 5, 1], activation="tanh", seed=0)
    train(net, X, Y, optimizer="lbfgs", epochs=50)
    fig, ax = plt.subplots()
    plots.plot_decision_boundary(net, X, Y, ax=ax, resolution=30)
    assert ax.get_xlabel() == "$x_1$" and len(ax.collections) >= 3
    plt.close(fig)
    axes = plots.plot_weights(net)
    assert len(axes) == 2
    image = axes[0].images[0]
    assert np.array_equal(image.get_array(), net.Ws[0])
    assert image.get_clim()[0] == -image.get_clim()[1]
    plt.close("all")
