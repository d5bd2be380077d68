"""nnlib.animation: snapshots are the trained weights, every frame shows the right data,
the fast (blitted) frames equal a full redraw, GIF and HTML output, clear errors."""

import gc

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import make_circles

import nnlib
from nnlib import animation

# Animations built only to inspect their frames are never saved; matplotlib warns about that.
pytestmark = pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")


@pytest.fixture(scope="module", autouse=True)
def collect_animations():
    yield
    gc.collect()        # free the animations while the warning filter is still active


def plain_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.fixture(scope="module")
def halfplane():
    X, Y = nnlib.data.noisy_halfplane(n=80, n_noise=3, seed=1)
    return X, Y


@pytest.fixture(scope="module")
def deep_run():
    """A [3, 4, 2] net trained with mini-batch Adam, recorded every 7 steps."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(50, 3))
    Y = (rng.uniform(size=(50, 2)) > 0.5).astype(float)
    net = nnlib.MLP([3, 4, 2], activation="tanh", loss="cross_entropy", seed=3)
    kwargs = dict(optimizer="adam", lr=0.02, epochs=12, batch_size=16, seed=7)
    history = nnlib.train(net, X, Y, record_every=7, **kwargs)
    return net, X, Y, kwargs, history


@pytest.fixture(scope="module")
def circles_run():
    X, y = make_circles(n_samples=120, noise=0.05, factor=0.5, random_state=0)
    Y = y.astype(float).reshape(-1, 1)
    net = nnlib.MLP([2, 3, 1], activation="tanh", loss="cross_entropy", seed=2)
    history = nnlib.train(net, X, Y, optimizer="adam", lr=0.05, epochs=150, record_every=10,
                          seed=0)
    return net, X, Y, history


# -- the recording --------------------------------------------------------------------------

def test_each_snapshot_equals_retraining_for_that_many_steps(deep_run):
    net, X, Y, kwargs, history = deep_run
    steps = history.snapshot_steps
    assert steps[0] == 0 and np.all(np.diff(steps) == 7) and steps[-1] == history.steps // 7 * 7
    for k in [0, 1, len(steps) // 2, len(steps) - 1]:
        twin = nnlib.MLP([3, 4, 2], activation="tanh", loss="cross_entropy", seed=3)
        if steps[k] > 0:
            nnlib.train(twin, X, Y, **kwargs,
                        callback=lambda step, *_, stop=steps[k]: step >= stop)
        np.testing.assert_allclose(history.snapshots[k], twin.weights.flat, rtol=0, atol=1e-12)


def test_snapshots_of_gradient_descent_match_a_plain_numpy_loop(halfplane):
    X, Y = halfplane
    net = nnlib.MLP([X.shape[1], 1], output_activation="sigmoid", loss="cross_entropy", seed=0)
    w, b = net.Ws[0][0].copy(), net.bs[0].copy()
    lr = 0.5
    history = nnlib.train(net, X, Y, optimizer="sgd", lr=lr, epochs=40, record_every=4)
    expected = [np.concatenate([w, b])]
    for step in range(1, 41):          # logistic regression, written out by hand
        residual = plain_sigmoid(X @ w + b) - Y[:, 0]
        w = w - lr * X.T @ residual / len(X)
        b = b - lr * residual.mean()
        if step % 4 == 0:
            expected.append(np.concatenate([w, b]))
    np.testing.assert_allclose(history.snapshots, np.array(expected), rtol=1e-10, atol=1e-12)


def test_layer_frames_follow_the_flat_layout(deep_run):
    net, _, _, _, history = deep_run
    W1 = animation.layer_frames(history, net, layer=1)
    assert W1.shape == (len(history.snapshots), 2, 4)
    start = 3 * 4 + 4                  # W0 (4, 3) then b0 (4,) come first
    np.testing.assert_array_equal(W1, history.snapshots[:, start:start + 8].reshape(-1, 2, 4))
    W1[:] = 0.0                         # a copy: the history is untouched
    assert np.abs(history.snapshots[:, start:start + 8]).max() > 0


def test_frame_losses_exact_and_recorded(halfplane):
    X, Y = halfplane
    net = nnlib.MLP([X.shape[1], 1], output_activation="sigmoid", loss="cross_entropy", seed=0)
    history = nnlib.train(net, X, Y, optimizer="sgd", lr=0.5, epochs=30, record_every=5)
    exact = animation.frame_losses(history, net, X, Y)
    # full batch: the loss recorded at step s + 1 is the loss of the weights after s steps
    np.testing.assert_allclose(exact[:-1], history.losses[history.snapshot_steps[:-1]],
                               rtol=1e-12)
    np.testing.assert_allclose(exact[-1], net.loss(X, Y), rtol=1e-12)
    recorded = animation.frame_losses(history)
    assert np.isnan(recorded[0])
    np.testing.assert_array_equal(recorded[1:], history.losses[history.snapshot_steps[1:] - 1])


# -- the weight movie --------------------------------------------------------------------------

def test_weight_frames_show_that_snapshot_with_a_fixed_colour_scale(deep_run):
    net, X, Y, _, history = deep_run
    anim = animation.animate_weights(history, net, layer=1, max_frames=None)
    frames = [net.weights.split(flat)[2] for flat in history.snapshots]
    limit = max(np.abs(W).max() for W in frames)
    assert len(anim.frames) == len(frames)
    pictures = []
    for k in [0, 3, len(frames) - 1, 1]:
        anim.update(k)
        np.testing.assert_array_equal(anim.image.get_array(), frames[k])
        assert anim.image.get_clim() == pytest.approx((-limit, limit))
        expected = "before training" if k == 0 else f"step {history.snapshot_steps[k]}"
        assert expected in anim.image.axes.get_title()
        pictures.append(anim.figure.nnlib_pixels().copy())
    assert not np.array_equal(pictures[0], pictures[2])     # the picture really changes
    plt.close("all")


def test_fast_frame_equals_a_full_redraw(deep_run):
    net, _, _, _, history = deep_run
    anim = animation.animate_weights(history, net, layer=0, max_frames=None)
    k = len(history.snapshots) - 1
    anim.update(k)
    fast = anim.figure.nnlib_pixels()[..., :3].astype(int)
    fig = anim.source_figure
    for artist in fig.axes[0].get_children():
        artist.set_animated(False)
    fig.canvas.draw()                          # the ordinary, complete drawing
    full = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    assert fast.shape == full.shape
    # identical but for a few pixels where tick marks touch the image's edge
    difference = np.abs(fast - full).max(axis=2)
    assert (difference > 2).sum() <= 10 and difference.max() < 32


def test_title_shows_step_and_exact_loss(halfplane):
    X, Y = halfplane
    net = nnlib.MLP([X.shape[1], 1], output_activation="sigmoid", loss="cross_entropy", seed=0)
    history = nnlib.train(net, X, Y, optimizer="adam", lr=0.05, epochs=20, record_every=10)
    anim = animation.animate_weights(history, net, X=X, Y=Y)
    title = anim.image.axes.title
    anim.update(0)
    assert "before training" in title.get_text()
    anim.update(2)
    assert "step 20" in title.get_text() and f"loss {net.loss(X, Y):.3g}" in title.get_text()


def test_max_frames_keeps_first_and_last(deep_run):
    net, _, _, _, history = deep_run
    anim = animation.animate_weights(history, net, max_frames=4)
    assert len(anim.frames) == 4
    assert anim.steps[0] == 0 and anim.steps[-1] == history.snapshot_steps[-1]
    np.testing.assert_array_equal(anim.frames[-1], net.weights.split(history.snapshots[-1])[0])


def test_trajectories_plot_every_weight_against_step(deep_run):
    net, _, _, _, history = deep_run
    fig, ax = plt.subplots()
    animation.plot_weight_trajectories(history, net, layer=1, ax=ax)
    frames = animation.layer_frames(history, net, 1)
    assert len(ax.lines) == 8 and ax.get_xlabel() == "step" and ax.get_legend() is not None
    line = ax.lines[5]                 # row 1, column 1
    np.testing.assert_array_equal(line.get_xdata(), history.snapshot_steps)
    np.testing.assert_array_equal(line.get_ydata(), frames[:, 1, 1])
    assert line.get_label() == "w[1, 1]"
    plt.close(fig)


# -- the hidden representation ---------------------------------------------------------------

def test_hidden_frames_show_the_hidden_activations(circles_run):
    net, X, Y, history = circles_run
    anim = animation.animate_hidden(history, net, X, Y, max_frames=None)
    inner = Y[:, 0] == 1
    for k in [0, len(history.snapshots) - 1]:
        flat = history.snapshots[k]
        W, b = flat[:6].reshape(3, 2), flat[6:9]
        H = np.tanh(X @ W.T + b)        # the hidden layer, by hand
        anim.update(k)
        outer_line, inner_line = anim.source_figure.axes[0].lines[:2]
        np.testing.assert_allclose(np.array(inner_line.get_data_3d()).T, H[inner], rtol=1e-12)
        np.testing.assert_allclose(np.array(outer_line.get_data_3d()).T, H[~inner], rtol=1e-12)
    assert anim.losses[-1] == pytest.approx(net.loss(X, Y))
    plt.close("all")


def test_hidden_layer_of_two_units_is_a_plane(circles_run):
    _, X, Y, _ = circles_run
    net = nnlib.MLP([2, 2, 1], activation="tanh", loss="cross_entropy", seed=0)
    history = nnlib.train(net, X, Y, optimizer="adam", lr=0.05, epochs=20, record_every=5)
    anim = animation.animate_hidden(history, net, X, Y)
    anim.update(len(anim.steps) - 1)
    H = net.forward_all(X)[1][1]
    np.testing.assert_allclose(np.column_stack(anim.source_figure.axes[0].lines[1].get_data()),
                               H[Y[:, 0] == 1], rtol=1e-12)


# -- output ---------------------------------------------------------------------------------

def test_gif_has_one_frame_per_snapshot(deep_run, tmp_path):
    net, _, _, _, history = deep_run
    anim = animation.animate_weights(history, net, max_frames=6)
    path = animation.save_gif(anim, tmp_path / "weights.gif", progress=False)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 6
        height, width = anim.figure.nnlib_pixels().shape[:2]
        assert gif.size == (width, height)
        gif.seek(0)
        first = np.array(gif.convert("RGB"))
        gif.seek(5)
        assert not np.array_equal(first, np.array(gif.convert("RGB")))


def test_html_player_embeds_every_frame(deep_run):
    net, _, _, _, history = deep_run
    before = plt.get_fignums()
    anim = animation.animate_weights(history, net, max_frames=5)
    html = animation.to_html(anim, progress=False)
    assert "<script" in html and "new Animation(" in html
    assert html.count("data:image/png;base64,") == 5
    shown = animation.show_html(anim, progress=False)
    assert "new Animation(" in shown.data
    assert plt.get_fignums() == before          # no figure left for pyplot to show


def test_progress_bar_outside_a_notebook(deep_run, capsys):
    net, _, _, _, history = deep_run
    anim = animation.animate_weights(history, net, max_frames=3)
    animation.to_html(anim, progress=True)
    assert capsys.readouterr().err.rstrip().endswith("3/3")


# -- bad input --------------------------------------------------------------------------------

def test_clear_errors(deep_run, circles_run, tmp_path):
    net, X, Y, kwargs, history = deep_run
    with pytest.raises(ValueError, match="layer 2 is out of range.*valid layers: 0 to 1"):
        animation.animate_weights(history, net, layer=2)
    with pytest.raises(ValueError, match="out of range"):
        animation.plot_weight_trajectories(history, net, layer=-1)
    plain = nnlib.train(net.copy(), X, Y, **kwargs)
    with pytest.raises(ValueError, match="no snapshots.*record_every"):
        animation.animate_weights(plain, net)
    with pytest.raises(ValueError, match="no snapshots"):
        animation.frame_losses(plain)
    with pytest.raises(ValueError, match="parameters per frame"):
        animation.animate_weights(history, nnlib.MLP([3, 5, 2]))
    with pytest.raises(ValueError, match="input_names has 2 names"):
        animation.animate_weights(history, net, input_names=["a", "b"])
    with pytest.raises(TypeError, match="layer must be an integer"):
        animation.layer_frames(history, net, layer=1.0)
    circles_net, Xc, Yc, circles_history = circles_run
    with pytest.raises(ValueError, match="hidden layers"):
        animation.animate_hidden(circles_history, circles_net, Xc, Yc, layer=1)
    wide = nnlib.MLP([2, 5, 1], seed=0)
    wide_history = nnlib.train(wide, Xc, Yc, epochs=2, record_every=1)
    with pytest.raises(ValueError, match="5 units"):
        animation.animate_hidden(wide_history, wide, Xc, Yc)
    anim = animation.animate_weights(history, net, max_frames=2)
    with pytest.raises(ValueError, match=r"\.gif"):
        animation.save_gif(anim, tmp_path / "movie.mp4")
    plt.close("all")
