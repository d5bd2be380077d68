"""nnlib.animation: snapshots are the trained weights, every frame shows the right data,
a fast (blitted) frame equals a full redraw, the GIF and the HTML player hold every frame,
the player works, errors are clear, and no private matplotlib API is used."""

import ast
import base64
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import Animation
from matplotlib.figure import Figure
from PIL import Image
from sklearn.datasets import make_circles

import nnlib
from nnlib import animation

NNLIB = Path(nnlib.__file__).parent
PRESENTATION = ["animation.py", "_movie.py", "_figures.py", "plots.py", "benchplots.py"]

MOVIE_ALT = "The weights of one layer change as training goes on, & <grow>."


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


def full_redraw(movie, k):
    """Frame k drawn the ordinary way, on the movie's figure: every artist, no blitting."""
    movie.update(k)
    movie.figure.canvas.draw()
    return np.asarray(movie.figure.canvas.buffer_rgba())[..., :3].astype(int)


def assert_same_picture(fast, full):
    assert fast.shape == full.shape
    # identical but for a few antialiased pixels where tick marks touch a redrawn image
    difference = np.abs(fast.astype(int) - full).max(axis=2)
    assert (difference > 2).sum() <= 12 and difference.max() < 40


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
    movie = animation.animate_weights(history, net, layer=1, max_frames=None)
    frames = [net.weights.split(flat)[2] for flat in history.snapshots]
    limit = max(np.abs(W).max() for W in frames)
    assert len(movie) == len(movie.frames) == len(frames)
    pictures = []
    for k in [0, 3, len(frames) - 1, 1]:
        pictures.append(movie.pixels(k))
        np.testing.assert_array_equal(movie.image.get_array(), frames[k])
        assert movie.image.get_clim() == pytest.approx((-limit, limit))
        expected = "before training" if k == 0 else f"step {history.snapshot_steps[k]}"
        assert expected in movie.title.get_text()
    assert not np.array_equal(pictures[0], pictures[2])     # the picture really changes
    ax = movie.image.axes
    assert ax.get_xlabel() and ax.get_ylabel() and len(movie.figure.axes) == 2  # + colour bar


def test_fast_frame_equals_a_full_redraw(deep_run):
    net, _, _, _, history = deep_run
    movie = animation.animate_weights(history, net, layer=0, max_frames=None)
    last = len(movie) - 1
    movie.pixels(0)                               # the background is drawn at this frame
    fast = movie.pixels(last)
    assert_same_picture(fast, full_redraw(movie, last))
    # and against a fresh figure, laid out for that frame by matplotlib alone
    fresh = animation.animate_weights(history, net, layer=0, max_frames=None)
    fresh.update(last)
    fresh.figure.canvas.draw()
    assert_same_picture(fast, np.asarray(fresh.figure.canvas.buffer_rgba())[..., :3])


def test_title_shows_step_and_exact_loss(halfplane):
    X, Y = halfplane
    net = nnlib.MLP([X.shape[1], 1], output_activation="sigmoid", loss="cross_entropy", seed=0)
    history = nnlib.train(net, X, Y, optimizer="adam", lr=0.05, epochs=20, record_every=10)
    movie = animation.animate_weights(history, net, X=X, Y=Y)
    movie.update(0)
    assert "before training" in movie.title.get_text()
    movie.update(2)
    text = movie.title.get_text()
    assert "step 20" in text and f"loss {net.loss(X, Y):.3g}" in text
    assert movie.losses[2] == pytest.approx(net.loss(X, Y))


def test_max_frames_keeps_first_and_last(deep_run):
    net, _, _, _, history = deep_run
    movie = animation.animate_weights(history, net, max_frames=4)
    assert len(movie.frames) == len(movie.steps) == len(movie.losses) == 4
    assert movie.steps[0] == 0 and movie.steps[-1] == history.snapshot_steps[-1]
    np.testing.assert_array_equal(movie.frames[-1], net.weights.split(history.snapshots[-1])[0])


def test_trajectories_plot_every_weight_against_step(deep_run):
    net, _, _, _, history = deep_run
    fig, ax = plt.subplots()
    animation.plot_weight_trajectories(history, net, layer=1, ax=ax)
    frames = animation.layer_frames(history, net, 1)
    assert len(ax.lines) == 8 and ax.get_xlabel() == "step" and ax.get_ylabel() and ax.get_title()
    line = ax.lines[5]                 # row 1, column 1
    np.testing.assert_array_equal(line.get_xdata(), history.snapshot_steps)
    np.testing.assert_array_equal(line.get_ydata(), frames[:, 1, 1])
    fig.canvas.draw()                  # the legend sits beside the axes, over no line
    legend, inside = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend.x0 >= inside.x1
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == sorted(
        f"w[{i}, {j}]" for i in range(2) for j in range(4))
    plt.close(fig)


# -- the hidden representation ---------------------------------------------------------------

def test_hidden_frames_show_the_hidden_activations(circles_run):
    net, X, Y, history = circles_run
    movie = animation.animate_hidden(history, net, X, Y, max_frames=None)
    inner = Y[:, 0] == 1
    for k in [0, len(history.snapshots) - 1]:
        flat = history.snapshots[k]
        W, b = flat[:6].reshape(3, 2), flat[6:9]
        H = np.tanh(X @ W.T + b)        # the hidden layer, by hand
        movie.pixels(k)
        outer_line, inner_line = movie.points
        np.testing.assert_allclose(np.array(inner_line.get_data_3d()).T, H[inner], rtol=1e-12)
        np.testing.assert_allclose(np.array(outer_line.get_data_3d()).T, H[~inner], rtol=1e-12)
        np.testing.assert_allclose(movie.hidden[k], H, rtol=1e-12)
    assert movie.losses[-1] == pytest.approx(net.loss(X, Y))
    panels = [ax for ax in movie.figure.axes if ax.get_label() != "<colorbar>"]
    bars = [ax for ax in movie.figure.axes if ax.get_label() == "<colorbar>"]
    assert len(panels) == 2 and all(ax.get_title() for ax in panels)
    assert movie.figure.legends                   # the legend is below both panels
    assert [ax.get_ylabel() for ax in bars] == ["predicted probability of class 1"]


def test_hidden_fast_frame_equals_a_full_redraw(circles_run):
    net, X, Y, history = circles_run
    movie = animation.animate_hidden(history, net, X, Y, max_frames=8)
    movie.pixels(0)
    last = len(movie) - 1
    fast = movie.pixels(last)                    # with the decision boundary's contour
    assert movie.contour is not None
    assert_same_picture(fast, full_redraw(movie, last))


def test_hidden_layer_of_two_units_is_a_plane(circles_run):
    _, X, Y, _ = circles_run
    net = nnlib.MLP([2, 2, 1], activation="tanh", loss="cross_entropy", seed=0)
    history = nnlib.train(net, X, Y, optimizer="adam", lr=0.05, epochs=20, record_every=5)
    movie = animation.animate_hidden(history, net, X, Y)
    movie.pixels(len(movie) - 1)
    H = net.forward_all(X)[1][1]
    np.testing.assert_allclose(np.column_stack(movie.points[1].get_data()), H[Y[:, 0] == 1],
                               rtol=1e-12)
    assert movie.figure.axes[0].name == "rectilinear"


# -- output ---------------------------------------------------------------------------------

def test_gif_has_one_frame_per_snapshot(deep_run, tmp_path):
    net, _, _, _, history = deep_run
    movie = animation.animate_weights(history, net, max_frames=6, fps=5)
    path = animation.save_gif(movie, tmp_path / "weights.gif", progress=False)
    assert path == tmp_path / "weights.gif"
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 6
        height, width = movie.pixels(0).shape[:2]
        assert gif.size == (width, height)
        for k in [0, 5]:
            gif.seek(k)
            assert gif.info["duration"] == 200
            shown = np.array(gif.convert("RGB")).astype(int)
            assert np.abs(shown - movie.pixels(k)).mean() < 3   # a 256-colour copy of frame k


def decoded_frames(html):
    uris = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    return [np.array(Image.open(BytesIO(base64.b64decode(uri))).convert("RGB")) for uri in uris]


def test_html_player_embeds_every_frame(deep_run):
    net, _, _, _, history = deep_run
    before = plt.get_fignums()
    movie = animation.animate_weights(history, net, max_frames=5)
    html = animation.to_html(movie, MOVIE_ALT, progress=False)
    frames = decoded_frames(html)
    assert len(frames) == 5 + 1                 # the frames, and the first again as the poster
    for k, frame in enumerate(frames[1:]):
        assert np.abs(frame.astype(int) - movie.pixels(k)).mean() < 3
    assert "<script" in html and 'type="range"' in html and 'max="4"' in html
    # the <img> holds frame 0 and its size, so it shows before (and without) the script
    height, width = movie.pixels(0).shape[:2]
    image = re.search(r"<img [^>]*>", html).group(0)
    assert f'width="{width}"' in image and f'height="{height}"' in image
    assert np.abs(decoded_frames(image)[0].astype(int) - movie.pixels(0)).mean() < 3
    # the alt text of the whole movie: the picture's alt and a caption line, both escaped
    assert 'alt="The weights of one layer change as training goes on, &amp; &lt;grow&gt;."' \
        in image
    assert "<i>Movie.</i> The weights of one layer change as training goes on, &amp; " in html
    hint = re.search(r"<div data-do=\"hint\"[^>]*>([^<]*)</div>", html).group(1)
    assert "Run the cell to play" in hint
    assert re.search(r'data-do="controls" style="display:none', html)
    markup = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    assert not re.search(r"https?:|//[a-z]|@import|url\(", markup, flags=re.IGNORECASE)
    assert all(link.startswith("data:image/png;base64,")
               for link in re.findall(r'(?:src|href)="([^"]*)"', html))
    shown = animation.show_html(movie, MOVIE_ALT, progress=False)
    assert len(decoded_frames(shown.data)) == 6
    assert plt.get_fignums() == before          # no figure left for pyplot to show
    for alt, error in [(None, TypeError), ("", ValueError), ("weights.png", ValueError),
                       ("the weights", ValueError)]:
        with pytest.raises(error, match="alt must"):
            animation.to_html(movie, alt, progress=False)


def test_progress_bar_outside_a_notebook(deep_run, capsys):
    net, _, _, _, history = deep_run
    movie = animation.animate_weights(history, net, max_frames=3)
    animation.to_html(movie, MOVIE_ALT, progress=True)
    assert capsys.readouterr().err.rstrip().endswith("3/3")


# -- matplotlib's public API only ---------------------------------------------------------------

def test_movies_are_our_own_objects_on_plain_figures(deep_run, circles_run):
    net, _, _, _, history = deep_run
    reference = Figure()                   # what matplotlib itself puts on a drawn figure
    ax = reference.add_subplot()
    ax.set_title("t")
    ax.plot([0, 1], label="a")
    reference.legend()
    reference.suptitle("s")
    reference.canvas.draw()
    public = {name for name in vars(reference) if not name.startswith("_")}
    circles_net, X, Y, circles_history = circles_run
    for movie in [animation.animate_weights(history, net, max_frames=3),
                  animation.animate_hidden(circles_history, circles_net, X, Y, max_frames=3)]:
        assert isinstance(movie, animation.Movie) and not isinstance(movie, Animation)
        movie.pixels(0)
        assert {n for n in vars(movie.figure) if not n.startswith("_")} <= public
        assert movie.figure.get_size_inches()[0] * movie.figure.dpi <= 1000


def test_no_private_attributes_of_other_objects():
    """No module reads or sets another object's _private attribute (matplotlib's, say)."""
    for name in PRESENTATION:
        tree = ast.parse((NNLIB / name).read_text())
        private = [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                   and node.attr.startswith("_") and not node.attr.startswith("__")
                   and not (isinstance(node.value, ast.Name) and node.value.id == "self")]
        assert private == [], f"{name} uses {private}"


def test_importing_the_presentation_modules_loads_no_pyplot():
    code = ("import sys; import nnlib.animation, nnlib.plots, nnlib.benchplots; "
            "print([m for m in ('matplotlib.pyplot', 'seaborn', 'scipy.ndimage') "
            "if m in sys.modules])")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


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
    with pytest.raises(ValueError, match="max_frames must be an integer of at least 2"):
        animation.animate_weights(history, net, max_frames=1)
    circles_net, Xc, Yc, circles_history = circles_run
    with pytest.raises(ValueError, match="hidden layers"):
        animation.animate_hidden(circles_history, circles_net, Xc, Yc, layer=1)
    wide = nnlib.MLP([2, 5, 1], seed=0)
    wide_history = nnlib.train(wide, Xc, Yc, epochs=2, record_every=1)
    with pytest.raises(ValueError, match="5 units"):
        animation.animate_hidden(wide_history, wide, Xc, Yc)
    movie = animation.animate_weights(history, net, max_frames=2)
    with pytest.raises(ValueError, match=r"\.gif"):
        animation.save_gif(movie, tmp_path / "movie.mp4")
    assert not (tmp_path / "movie.mp4").exists()


@pytest.mark.parametrize("call, error, words", [
    (lambda h, n, c: animation.animate_weights(h, n, fps=0), ValueError, ["fps", "0"]),
    (lambda h, n, c: animation.animate_weights(h, n, fps=-2), ValueError, ["fps", "-2"]),
    (lambda h, n, c: animation.animate_weights(h, n, fps="10"), TypeError, ["fps", "'10'"]),
    (lambda h, n, c: animation.animate_weights(h, n, dpi=0), ValueError, ["dpi", "0"]),
    (lambda h, n, c: animation.animate_hidden(*c, fps=0), ValueError, ["fps", "0"]),
    (lambda h, n, c: animation.animate_hidden(*c, resolution=0), ValueError,
     ["resolution", "at least 2", "0"]),
    (lambda h, n, c: animation.animate_hidden(*c, resolution=1), ValueError,
     ["resolution", "at least 2"]),
    (lambda h, n, c: animation.animate_hidden(*c, resolution=2.5), TypeError,
     ["resolution", "2.5"]),
])
def test_bad_movie_settings_are_refused_at_the_door(deep_run, circles_run, call, error, words):
    net, _, _, _, history = deep_run
    circles_net, X, Y, circles_history = circles_run
    with pytest.raises(error) as caught:
        call(history, net, (circles_history, circles_net, X, Y))
    for word in words:
        assert word in str(caught.value), (word, str(caught.value))


@pytest.mark.parametrize("fps, error", [(0, ValueError), (-1, ValueError), ("5", TypeError),
                                        (float("inf"), ValueError)])
def test_players_and_gifs_refuse_a_bad_fps(deep_run, tmp_path, fps, error):
    net, _, _, _, history = deep_run
    movie = animation.animate_weights(history, net, max_frames=2)
    with pytest.raises(error, match="fps"):
        animation.to_html(movie, MOVIE_ALT, fps=fps, progress=False)
    with pytest.raises(error, match="fps"):
        animation.save_gif(movie, tmp_path / "movie.gif", fps=fps, progress=False)
    assert not (tmp_path / "movie.gif").exists()
