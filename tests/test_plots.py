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


def test_input_grid_covers_the_data_with_a_margin_and_zeros_elsewhere():
    X = np.array([[0.0, -1.0, 5.0], [2.0, 1.0, 7.0]])
    g0, g1, points = plots.input_grid(X, resolution=11)
    assert g0.shape == g1.shape == (11, 11) and points.shape == (121, 3)
    assert np.allclose([g0.min(), g0.max(), g1.min(), g1.max()], [-0.2, 2.2, -1.2, 1.2])
    assert np.array_equal(points[:, 0], g0.ravel()) and np.all(points[:, 2] == 0.0)
