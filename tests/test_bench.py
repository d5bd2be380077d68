"""The test bench widget, driven as a learner would (slider.value = ..., button.click()),
and the bench's figures drawn without widgets."""

import base64
import html
import math
import re
from io import BytesIO

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image
from traitlets import TraitError

import nnlib
from nnlib._bench_settings import (
    LR_DECADES,
    MAX_HIDDEN_LAYERS,
    MAX_WIDTH,
    NOISE_MEANING,
    NOISE_RANGE,
    SAMPLES_RANGE,
    STEPS_RANGE,
    TARGET_NAME,
    batch_range,
    parse_hidden,
)
from nnlib._figures import canvas_pixels, nice_bound
from nnlib.bench import TestBench
from nnlib.benchlive import MIN_INTERVAL
from nnlib.benchneurons import COLOURS, GAP, TILE, hidden_outputs, neuron_pixels
from nnlib.benchplots import plot_run, smooth
from nnlib.data import DATASET_KINDS, DATASETS, make_data
from nnlib.experiments import build_net, lr_grid_search, train_run


# -- parsing the hidden-layers text ----------------------------------------------------
@pytest.mark.parametrize("text, widths", [("8, 8", [8, 8]), ("16 4", [16, 4]), (" 3 ", [3]),
                                          ("", []), ("5,", [5]), ("1,128", [1, 128])])
def test_parse_hidden_accepts_lists_of_widths(text, widths):
    assert parse_hidden(text) == widths


@pytest.mark.parametrize("text, culprit", [("8, x", "'x'"), ("2.5", "'2.5'"), ("0", "0"),
                                           (str(MAX_WIDTH + 1), str(MAX_WIDTH + 1)),
                                           ("2 " * (MAX_HIDDEN_LAYERS + 1),
                                            str(MAX_HIDDEN_LAYERS + 1))])
def test_parse_hidden_names_what_is_wrong(text, culprit):
    with pytest.raises(ValueError, match=f"hidden layers: .*{culprit}"):
        parse_hidden(text)


# -- smoothing --------------------------------------------------------------------------
def test_smoothing_methods():
    rng = np.random.default_rng(0)
    losses = np.exp(-np.linspace(0, 3, 100) + 0.3 * rng.normal(size=100))
    np.testing.assert_array_equal(smooth(losses, "raw"), losses)
    width = 7
    expected = [np.exp(np.mean(np.log(losses[max(0, k - width + 1):k + 1]))) for k in range(100)]
    np.testing.assert_allclose(smooth(losses, "moving average", width), expected, rtol=1e-12)
    low = smooth(losses, "low-pass", width)
    assert low.shape == losses.shape
    assert np.std(np.diff(np.log(low))) < 0.5 * np.std(np.diff(np.log(losses)))
    np.testing.assert_allclose(smooth(np.full(50, 0.3), "low-pass"), 0.3)
    with pytest.raises(ValueError, match="unknown smoothing"):
        smooth(losses, "median")


def test_plot_run_without_widgets():
    data = make_data("moons", n=100, seed=0)
    net = build_net(2, [6, 4], "tanh", seed=0)
    run = train_run(net, data, lr=0.3, steps=60)
    fig = plot_run(run, net, data, name="moons", smoothing="low-pass")
    loss_ax, grad_ax, model_ax, probability_bar, *weight_axes, colorbar = fig.axes
    for ax in (loss_ax, grad_ax, model_ax):
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    # the loss panel plots the raw mini-batch losses and their low-pass curve, on a log axis
    curves = [line.get_ydata() for line in loss_ax.lines if len(line.get_ydata())]
    assert loss_ax.get_yscale() == "log"
    assert any(np.array_equal(c, run.history.losses) for c in curves)
    assert any(np.allclose(c, smooth(run.history.losses, "low-pass")) for c in curves)
    assert any(np.array_equal(c, run.test_losses) for c in curves)
    # one gradient-norm curve and one weight map per layer, each map the layer's weights
    assert [np.array_equal(line.get_ydata(), run.grad_norms[:, l])
            for l, line in enumerate(grad_ax.lines)] == [True] * net.n_layers
    assert [np.array_equal(ax.images[0].get_array(), W)
            for ax, W in zip(weight_axes, net.Ws)] == [True] * net.n_layers
    assert colorbar.get_ylabel() == "weight"
    assert probability_bar.get_xlabel() == "predicted probability of class 1"
    assert model_ax.images[0].get_clim() == (0, 1)
    plt.close(fig)


# -- the widget, driven like a learner ------------------------------------------------------
@pytest.fixture
def bench():
    return TestBench(steps=100)


def has_nan(text):
    return re.search(r"\bnan\b", text, flags=re.IGNORECASE) is not None


def png_of(bench):
    value = bench.image.value
    assert value[:8] == b"\x89PNG\r\n\x1a\n"
    return value


def test_bench_starts_trained_with_all_controls(bench):
    assert (bench.lr_slider.min, bench.lr_slider.max, bench.lr_slider.step) == LR_DECADES
    assert bench.lr_slider.base == 10
    assert LR_DECADES[1] == 2 and bench.lr_slider.max == 2       # up to lr = 100
    for control, limits in [(bench.steps_slider, STEPS_RANGE),
                            (bench.batch_slider, batch_range(150)),   # up to the training set
                            (bench.samples_slider, SAMPLES_RANGE),
                            (bench.noise_slider, NOISE_RANGE)]:
        assert (control.min, control.max, control.step) == limits
    assert len(bench.controls) == 18
    for name, control in bench.controls.items():
        assert control.description == name
    assert list(bench.dataset_menu.options) == list(DATASETS)
    assert set(bench.optimizer_menu.options) == set(nnlib.OPTIMIZERS)
    assert bench.history is bench.run.history and bench.history.steps == 100
    assert bench.run.final_loss < bench.run.initial_loss
    png_of(bench)
    assert bench.run.grad_check.passed
    text = "\n".join(bench.readout_text())
    assert f"{bench.run.final_loss:.3g}" in text and "passed" in text
    assert not has_nan(text)
    assert bench.readout.value.count("<br>") == len(bench.readout_text()) - 1
    assert bench.error is None and bench.message == ""


def test_every_lr_change_retrains_from_the_same_checkpoint(bench):
    first = bench.history.losses
    image = png_of(bench)
    bench.lr_slider.value = 0.01
    assert bench.history.lr == 0.01
    assert png_of(bench) != image
    assert bench.history.losses[0] == first[0]          # same start
    assert not np.array_equal(bench.history.losses, first)
    bench.lr_slider.value = 0.3
    np.testing.assert_array_equal(bench.history.losses, first)


def test_a_diverging_learning_rate_is_a_message_not_a_traceback(bench):
    bench.activation_menu.value = "identity"
    bench.lr_slider.value = 10.0
    assert bench.lr_slider.value == 10.0 and bench.error is None
    assert bench.run.diverged and bench.history.steps < 100
    note = bench._plot.loss.note
    assert note.get_visible() and "Diverged" in note.get_text()
    text = "\n".join(bench.readout_text())
    assert "diverged" in text and "−∞" in text and not has_nan(text)
    assert "skipped, the network diverged" in text
    png_of(bench)
    bench.lr_slider.value = 0.1                          # and back to normal
    assert not bench.run.diverged and not note.get_visible() and bench.message == ""


@pytest.mark.parametrize("control, value", [
    ("lr_slider", 1e-4), ("lr_slider", 10.0), ("steps_slider", 10), ("steps_slider", 2000),
    ("batch_slider", 1), ("batch_slider", 150), ("samples_slider", 20), ("lr_slider", 100.0),
    ("samples_slider", 1000), ("noise_slider", 0.0), ("noise_slider", 0.5),
])
def test_extreme_slider_values(bench, control, value):
    slider = getattr(bench, control)
    slider.value = value
    assert slider.value == value and bench.error is None
    steps = bench.steps_slider.value
    assert bench.history.steps == steps or bench.run.diverged
    assert bench.run.grad_norms.shape == (bench.history.steps, bench.net.n_layers)
    n = len(bench.data[0]) + len(bench.data[2])
    assert n == bench.samples_slider.value
    text = "\n".join(bench.readout_text())
    assert not has_nan(text)
    png_of(bench)


def test_tiny_learning_rate_barely_moves(bench):
    bench.lr_slider.value = 1e-4
    losses = bench.history.losses
    assert abs(bench.run.final_loss - bench.run.initial_loss) < 0.01 * bench.run.initial_loss
    assert losses.size == 100


def test_hidden_layers_text(bench):
    bench.hidden_text.value = "5"
    assert bench.net.sizes == [2, 5, 1] and bench.run.grad_norms.shape[1] == 2
    assert [ax.get_title() for ax in bench._plot.weights.axes] == ["W₀: 5×2", "W₁: 1×5"]
    bench.hidden_text.value = ""
    assert bench.net.sizes == [2, 1]
    bench.hidden_text.value = "4, four"
    assert bench.error is None and bench.net.sizes == [2, 1]
    assert "'four'" in bench.message and "'four'" in bench.readout.value
    bench.hidden_text.value = "4, 4"
    assert bench.net.sizes == [2, 4, 4, 1] and bench.message == ""


def test_data_sets_activations_and_optimizers(bench):
    for name, n_in in [("toy 1-D", 1), ("noisy half-plane", 15), ("XOR", 2), ("circles", 2)]:
        bench.dataset_menu.value = name
        assert bench.net.sizes[0] == n_in and bench.error is None
        assert name in bench._plot.model.ax.get_title()
    for activation in ("relu", "leaky_relu", "sigmoid", "identity", "tanh"):
        bench.activation_menu.value = activation
        assert bench.net.activation.name == activation and bench.error is None
    for optimizer in ("momentum", "adam", "lbfgs", "cg", "sgd"):
        bench.optimizer_menu.value = optimizer
        assert bench.history.optimizer == optimizer and bench.error is None
        if optimizer in ("lbfgs", "cg"):  # the readout says lr and batch size do nothing
            assert "not used" in "\n".join(bench.readout_text())


def test_new_data_keeps_the_starting_weights(bench):
    seed, X, checkpoint = bench.weights_seed, bench.data[0], bench.checkpoint
    bench.new_data_button.click()
    assert bench.error is None and bench.weights_seed == seed and bench.data_seed != 0
    assert not np.array_equal(bench.data[0], X)
    np.testing.assert_array_equal(bench.checkpoint, checkpoint)
    np.testing.assert_array_equal(bench.data[0], make_data("moons", 200, 0.15,
                                                           seed=bench.data_seed)[0])
    assert f"data seed {bench.data_seed}" in bench.readout.value


def test_new_starting_weights_keep_the_data(bench):
    seed, X, checkpoint = bench.data_seed, bench.data[0], bench.checkpoint
    bench.new_weights_button.click()
    assert bench.error is None and bench.data_seed == seed and bench.weights_seed != 0
    np.testing.assert_array_equal(bench.data[0], X)
    assert not np.array_equal(bench.checkpoint, checkpoint)
    np.testing.assert_array_equal(bench.checkpoint, build_net(
        2, [8, 8], "tanh", seed=bench.weights_seed).weights.flat)
    assert f"weights seed {bench.weights_seed}" in bench.readout.value


def test_smoothing_redraws_without_retraining(bench):
    history = bench.history
    raw = bench._plot.loss.train.get_ydata().copy()
    for method in ("moving average", "low-pass"):
        bench.smoothing_buttons.value = method
        assert bench.history is history
        np.testing.assert_allclose(bench._plot.loss.train.get_ydata(),
                                   smooth(history.losses, method))
        assert bench._plot.loss.raw.get_visible()
    bench.smoothing_buttons.value = "raw"
    np.testing.assert_array_equal(bench._plot.loss.train.get_ydata(), raw)


def test_grid_button(bench):
    history = bench.history
    bench.grid_button.click()
    assert bench.error is None and bench.grid_search is not None
    assert bench.grid_image.value[:4] == b"\x89PNG"
    np.testing.assert_array_equal(bench.grid_search.lrs, np.logspace(-4, 2, 25))   # to 100
    np.testing.assert_array_equal(bench.history.losses, history.losses)  # retrained the same
    X, Y = bench.data[0], bench.data[1]
    direct = lr_grid_search(build_net(2, [8, 8], "tanh", seed=0), X, Y,
                           lrs=np.logspace(-4, 2, 25), steps=100, batch_size=32, seed=0)
    np.testing.assert_array_equal(bench.grid_search.final_losses, direct.final_losses)
    assert f"{bench.grid_search.best_lr:.3g}" in bench.readout.value
    result = bench.grid_search
    bench.optimizer_menu.value = "lbfgs"  # takes no learning rate: refused with a message
    bench.grid_button.click()
    assert bench.grid_search is result and bench.message and bench.error is None


def test_unexpected_errors_show_in_the_readout(bench, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr("nnlib.bench.train_run", broken)
    bench.lr_slider.value = 0.05
    assert isinstance(bench.error, RuntimeError)
    assert "RuntimeError" in bench.readout.value and "boom" in bench.readout.value


def test_bench_shows_the_live_widget_or_a_picture_of_itself(bench):
    """The display holds the widget's view (live in JupyterLab and Colab) and, for a
    front end without widgets or kernel, the bench's figure and a line saying so."""
    import ipywidgets
    from IPython.core.formatters import DisplayFormatter

    assert isinstance(bench.widget, ipywidgets.VBox)
    data, metadata = DisplayFormatter().format(bench)
    view = data["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == bench.widget.model_id and view["version_major"] == 2
    png = base64.b64decode(data["image/png"])
    picture = np.array(Image.open(BytesIO(png)).convert("RGB")).astype(int)
    bench.figure.canvas.draw()
    figure = np.asarray(bench.figure.canvas.buffer_rgba())[..., :3].astype(int)
    assert picture.shape == figure.shape and np.abs(picture - figure).mean() < 3
    assert data["image/png"] in data["text/html"]
    assert "running kernel" in data["text/plain"] and "running kernel" in data["text/html"]
    assert "VBox" not in data["text/plain"]
    # the picture's alt text says what the bench's figure shows, in the metadata and the HTML
    alt = metadata["image/png"]["alt"]
    assert alt.startswith("the test bench: ") and "loss" in alt and "weight matrix" in alt
    assert f'alt="{html.escape(alt)}"' in data["text/html"]


# -- what the bench shows --------------------------------------------------------------------
def test_a_redraw_keeps_the_background_where_the_axes_look_the_same(bench, monkeypatch):
    """A nearby learning rate keeps the (snapped) axes: the figure is not drawn again, only
    the run's artists on the kept background. A rate whose losses need other limits draws
    those axes again, and only those. Either way the picture is the full draw's, but for a
    few antialiased pixels where the blitted texts overlap."""
    draws, axes_drawn = [], []
    canvas = bench.figure.canvas
    monkeypatch.setattr(canvas, "draw", lambda *a, draw=canvas.draw: (draws.append(1), draw()))
    draw_artist = bench.figure.draw_artist
    monkeypatch.setattr(bench.figure, "draw_artist", lambda artist: (
        axes_drawn.append(artist) if artist in bench.figure.axes else None, draw_artist(artist)))

    def differs_from_a_full_draw():
        blitted = canvas_pixels(bench.figure)
        canvas.draw()
        full = canvas_pixels(bench.figure)
        return (np.abs(blitted.astype(int) - full).max(axis=2) > 0).mean()

    bench.lr_slider.value = 0.31
    assert draws == [] and axes_drawn == [], "axes that look the same were drawn again"
    assert "lr = 0.31" in bench._plot.loss.ax.get_title()
    assert differs_from_a_full_draw() < 1e-3
    loss_ylim = bench._plot.loss.ax.get_ylim()
    bench.lr_slider.value = 0.003                   # the losses hardly fall: other y limits
    assert bench._plot.loss.ax.get_ylim() != loss_ylim
    assert len(draws) == 1 and bench._plot.loss.ax in axes_drawn
    assert bench._plot.model_ax not in axes_drawn and len(axes_drawn) < len(bench.figure.axes)
    assert differs_from_a_full_draw() < 1e-3
    bench.steps_slider.value = 50                   # new x limits: only the step plots again
    assert len(draws) == 2 and bench._plot.model_ax not in axes_drawn


def test_titles_show_the_learning_rate_as_the_slider_does(bench):
    bench.lr_slider.value = 10 ** 0.2                  # 1.58…, shown by the slider as 1.6
    shown = format(bench.lr_slider.value, bench.lr_slider.readout_format)
    assert shown == "1.6"
    assert bench._plot.loss.ax.get_title().startswith("Loss, lr = 1.6 (")


def test_loss_key_says_mini_batch_or_full_batch(bench):
    key = bench._plot.loss.key[0]
    assert bench.run.batch_size < len(bench.data[0]) and "mini-batch" in key.get_text()
    bench.batch_slider.value = bench.batch_slider.max   # all 150 training samples
    assert bench.batch_slider.max == len(bench.data[0]) == 150
    assert bench.run.batch_size == len(bench.data[0]) and "full batch" in key.get_text()
    assert "full batch" in bench.batch_note.value
    bench.batch_slider.value = 32
    bench.optimizer_menu.value = "lbfgs"
    assert "full batch" in key.get_text()


def test_readout_gives_the_log_ratio_of_the_losses(bench):
    text = "\n".join(bench.readout_text())
    ratio = math.log(bench.run.initial_loss / bench.run.final_loss)
    assert f"ln(L₀/L) = {ratio:.2f}" in text
    assert "−ln(loss)" not in text and "potential" not in text


def test_grid_image_is_hidden_until_used_and_cleared_by_a_new_seed(bench):
    assert bench.grid_image.layout.display == "none" and bench.grid_search is None
    bench.grid_button.click()
    assert bench.grid_image.layout.display is None and bench.grid_search is not None
    png = Image.open(BytesIO(bench.grid_image.value))
    assert png.size == (800, 380)                     # 8 × 3.8 inches at 100 dpi
    bench.new_data_button.click()
    assert bench.grid_image.layout.display == "none" and bench.grid_search is None
    assert "grid of" not in "\n".join(bench.readout_text())
    bench.grid_button.click()
    bench.hidden_text.value = "3"                     # a new network: the test is stale
    assert bench.grid_search is None


# -- refused at the door --------------------------------------------------------------------
@pytest.mark.parametrize("arguments, error, words", [
    (dict(lr=0), ValueError, ["lr", "0.0001", "10"]),
    (dict(lr=101.0), ValueError, ["lr", "0.0001", "100"]),
    (dict(lr="0.1"), TypeError, ["lr", "'0.1'"]),
    (dict(steps=0), ValueError, ["steps", "10", "2000"]),
    (dict(steps=15), ValueError, ["steps", "steps of 10"]),
    (dict(steps=100.0), TypeError, ["steps", "integer"]),
    (dict(batch_size=0), ValueError, ["batch_size", "1", "150", "full batch"]),
    (dict(batch_size=151), ValueError, ["batch_size", "from 1 to 150", "full batch"]),
    (dict(batch_size=16, n_samples=20), ValueError, ["batch_size", "from 1 to 15"]),
    (dict(batch_size=True), TypeError, ["batch_size"]),
    (dict(n_samples=0), ValueError, ["n_samples", "20", "1000"]),
    (dict(noise=-0.1), ValueError, ["noise", "0", "0.5"]),
    (dict(noise=float("nan")), ValueError, ["noise"]),
    (dict(dataset="spirals"), ValueError, ["dataset", "'spirals'", "'moons'", "'XOR'"]),
    (dict(activation="gelu"), ValueError, ["activation", "'tanh'", "'relu'"]),
    (dict(optimizer="adagrad"), ValueError, ["optimizer", "'sgd'", "'rmsprop'"]),
    (dict(smoothing="median"), ValueError, ["smoothing", "'raw'", "'low-pass'"]),
    (dict(hidden=8), TypeError, ["hidden", "'8, 8'", "int"]),
    (dict(hidden="8, x"), ValueError, ["hidden layers", "'x'"]),
    (dict(seed=-1), ValueError, ["seed", "-1"]),
    (dict(seed="abc"), TypeError, ["seed", "'abc'"]),
    (dict(seed=1.5), TypeError, ["seed", "1.5"]),
])
def test_bad_settings_are_refused_naming_the_argument(arguments, error, words):
    with pytest.raises(error) as caught:
        TestBench(**arguments)
    assert not isinstance(caught.value, TraitError)
    for word in words:
        assert word in str(caught.value), (word, str(caught.value))


def test_the_edges_of_each_range_are_accepted():
    low = TestBench(lr=1e-4, steps=10, batch_size=1, n_samples=20, noise=0.0)
    assert (low.lr_slider.value, low.steps_slider.value, low.batch_slider.value,
            low.samples_slider.value, low.noise_slider.value) == (1e-4, 10, 1, 20, 0.0)
    high = TestBench(lr=100.0, steps=10, batch_size=750, n_samples=1000, noise=0.5)
    assert (high.lr_slider.value, high.batch_slider.value, high.samples_slider.value,
            high.noise_slider.value) == (100.0, 750, 1000, 0.5)
    assert high.run.batch_size == len(high.data[0]) == 750 and "full batch" in high.batch_note.value
    full = TestBench(batch_size=None, steps=10)                  # None: full batch
    assert full.batch_slider.value == full.batch_slider.max == 150


def test_seed_none_means_fresh_randomness():
    seeds = {TestBench(seed=None, steps=10).data_seed for _ in range(4)}
    assert len(seeds) > 1
    bench = TestBench(seed=None, steps=10)
    assert bench.data_seed == bench.weights_seed
    np.testing.assert_array_equal(bench.checkpoint,
                                  build_net(2, [8, 8], "tanh", seed=bench.weights_seed).weights.flat)


# -- the ranges follow the data, the notes say what the controls do ------------------------
def test_batch_slider_follows_the_training_set_and_full_batch_stays_full(bench):
    bench.samples_slider.value = 1000
    assert bench.batch_slider.max == len(bench.data[0]) == 750
    assert bench.batch_slider.value == 32 and bench.error is None
    bench.batch_slider.value = 750
    assert "full batch: all 750" in bench.batch_note.value
    bench.samples_slider.value = 100                   # full batch stays full batch
    assert bench.batch_slider.value == bench.batch_slider.max == 75 == bench.run.batch_size
    assert "full batch: all 75" in bench.batch_note.value
    bench.batch_slider.value = 10
    assert "mini-batches of 10" in bench.batch_note.value and "8 steps per epoch" in bench.batch_note.value


def test_noise_note_says_what_noise_does_for_each_data_set(bench):
    for name in DATASETS:
        bench.dataset_menu.value = name
        assert html.escape(NOISE_MEANING[name], quote=False) in bench.noise_note.value
        if name == "noisy half-plane":
            assert "13 extra inputs" in bench.noise_note.value
    assert "added to each target" in bench.noise_note.value      # gaussians, last
    bench.dataset_menu.value = "toy 1-D"
    assert "× 5" in bench.noise_note.value


# -- live training ------------------------------------------------------------------------
def weights_after(bench, steps):
    """The bench's net trained from its checkpoint for `steps` steps by nnlib.train."""
    net = build_net(2, [8, 8], "tanh", seed=bench.weights_seed)
    net.weights.flat[:] = bench.checkpoint
    nnlib.train(net, bench.data[0], bench.data[1], lr=bench.lr_slider.value, steps=steps,
                batch_size=bench.batch_slider.value, seed=bench.data_seed,
                callback=lambda *_: None)          # train_run's update path: bit for bit
    return net.weights.flat


def test_live_buttons_are_named_controls(bench):
    live = bench.live
    for button, name in [(live.play_button, "play"), (live.pause_button, "pause"),
                         (live.step_button, "step"), (live.start_button, "reset to step 0"),
                         (bench.new_data_button, "new data"),
                         (bench.new_weights_button, "new starting weights"),
                         (bench.save_button, "save this net"),
                         (bench.restore_button, "back to saved")]:
        assert button.description == name
    assert live.scrubber.description == "show step"
    assert "step 100 of 100 (the end" in live.counter.value


def test_step_trains_the_next_steps_exactly_as_train_does(bench):
    live = bench.live
    assert live.tick == 1                      # 100 steps: one per update
    live.start_button.click()
    assert live.step_shown == 0 and "step 0 of 100" in live.counter.value
    np.testing.assert_array_equal(bench.net.weights.flat, bench.checkpoint)
    image = png_of(bench)
    for shown in (1, 2, 3):
        live.step_button.click()
        assert live.step_shown == shown and f"step {shown} of 100" in live.counter.value
    np.testing.assert_array_equal(bench.net.weights.flat, weights_after(bench, 3))
    plain = build_net(2, [8, 8], "tanh", seed=0)     # train's own fast path: to rounding
    nnlib.train(plain, bench.data[0], bench.data[1], lr=0.3, steps=3, batch_size=32, seed=0)
    np.testing.assert_allclose(bench.net.weights.flat, plain.weights.flat, rtol=1e-12, atol=1e-15)
    assert png_of(bench) != image
    assert bench._plot.loss.train.get_xdata().size == 3     # the loss so far
    np.testing.assert_array_equal(bench._plot.loss.train.get_ydata(), bench.history.losses[:3])
    assert bench.error is None


def test_step_takes_a_tick_of_steps_on_a_longer_run():
    bench = TestBench(steps=1000)
    bench.live.start_button.click()
    bench.live.step_button.click()
    assert bench.live.tick == 10 and bench.live.step_shown == 10
    np.testing.assert_array_equal(bench.net.weights.flat, weights_after(bench, 10))


def test_play_ticks_and_pause_stops(bench):
    live = bench.live
    live.play_button.click()                   # at the end: plays again from step 0
    assert live.playing and live.step_shown == 0
    for value in (1, 2, 3):                    # what the front end's clock sends
        live.clock.value = value
    assert live.step_shown == 3 and live.scrubber.value == 3
    np.testing.assert_array_equal(bench.net.weights.flat, weights_after(bench, 3))
    assert live.seconds_per_update > 0 and live.clock.interval >= MIN_INTERVAL
    live.pause_button.click()
    assert not live.playing and live.step_shown == 3
    live.play_button.click()                   # on from where it paused
    assert live.playing and live.step_shown == 3
    live.step_button.click()                   # step pauses
    assert not live.playing and live.step_shown == 4


def test_scrubber_shows_a_recorded_earlier_step(bench):
    history = bench.history
    bench.live.scrubber.value = 40
    assert bench.live.clock.value == 40 and "step 40 of 100" in bench.live.counter.value
    recorded_step, weights = bench.recording.at(40)
    assert recorded_step == 40 and bench.recording.every == 1
    np.testing.assert_array_equal(bench.net.weights.flat, weights)
    np.testing.assert_array_equal(weights, weights_after(bench, 40))
    np.testing.assert_array_equal(bench._plot.loss.train.get_ydata(), history.losses[:40])
    assert bench.history is history           # showing a step does not retrain
    limit = nice_bound(bench.recording.weight_limit(bench.net))   # widened to 1-2-5 steps
    assert bench._plot.weights.images[0].get_clim() == (-limit, limit)   # one scale for the run
    bench.live.scrubber.value = 100           # the end: the run's final weights again
    assert bench._plot.weights.images[0].get_clim() == (-limit, limit)
    final = build_net(2, [8, 8], "tanh", seed=0)
    train_run(final, bench.data, lr=0.3, steps=100, seed=0, checkpoint=bench.checkpoint)
    np.testing.assert_array_equal(bench.net.weights.flat, final.weights.flat)


def test_a_change_while_playing_plays_the_new_run_from_step_0(bench):
    live = bench.live
    live.play_button.click()
    live.clock.value = 30
    bench.lr_slider.value = 1.0
    assert live.playing and live.step_shown == 0 and bench.history.lr == 1.0
    np.testing.assert_array_equal(bench.net.weights.flat, bench.checkpoint)
    live.clock.value = 5
    np.testing.assert_array_equal(bench.net.weights.flat, weights_after(bench, 5))
    bench.smoothing_buttons.value = "low-pass"          # only redraws, at the step shown
    assert live.step_shown == 5 and live.playing
    live.pause_button.click()
    bench.lr_slider.value = 0.3                          # paused: the new run's end
    assert live.step_shown == 100 and not live.playing


def test_a_change_while_playing_trains_once(bench, monkeypatch):
    """While playing, a change records the new run as train_run trains it: no second
    training just for the record (record_run is not called)."""
    import nnlib.bench

    bench.live.play_button.click()
    monkeypatch.setattr(nnlib.bench, "record_run", lambda *args: pytest.fail("trained twice"))
    bench.lr_slider.value = 1.0
    bench.live.clock.value = 5
    np.testing.assert_array_equal(bench.net.weights.flat, weights_after(bench, 5))


def test_the_ghost_curve_holds_the_previous_run(bench):
    ghost = bench._plot.loss.ghost
    assert not ghost.get_visible() and bench.previous_run is None
    first = bench.history.losses
    bench.lr_slider.value = 0.05
    assert ghost.get_visible() and bench.previous_run.lr == 0.3
    np.testing.assert_array_equal(ghost.get_ydata(), first)
    assert "previous run: lr = 0.3" in bench._plot.loss.ghost_key.get_text()
    second = bench.history.losses
    bench.batch_slider.value = 8
    np.testing.assert_array_equal(ghost.get_ydata(), second)
    bench.grid_button.click()                           # the same run again: no new ghost
    np.testing.assert_array_equal(ghost.get_ydata(), second)


def test_save_and_back_to_saved_restore_the_weights_exactly(bench):
    assert bench.restore_button.disabled
    bench.live.scrubber.value = 60
    bench.save_button.click()
    saved = bench.net.weights.flat.copy()
    np.testing.assert_array_equal(bench.saved, saved)
    assert not bench.restore_button.disabled and "step 60" in bench.message
    bench.lr_slider.value = 3.0
    bench.new_weights_button.click()
    assert not np.array_equal(bench.net.weights.flat, saved)
    bench.restore_button.click()
    assert bench.error is None and bench.live.step_shown == 0
    np.testing.assert_array_equal(bench.net.weights.flat, saved)
    np.testing.assert_array_equal(bench.checkpoint, saved)
    assert "the net saved at step 60" in bench.readout.value
    bench.live.step_button.click()                       # and trains on from it
    np.testing.assert_array_equal(bench.net.weights.flat, weights_after(bench, 1))
    bench.hidden_text.value = "4"                        # another shape: refused, said why
    bench.restore_button.click()
    assert bench.error is None and "105 weights" in bench.message


# -- every hidden neuron's map (nnlib.benchneurons) --------------------------------------------
def tile_corners(pixels, layer, neuron, height=TILE):
    """The RGB of a neuron's map at its bottom-left and top-right corners."""
    top, left = (layer - 1) * (height + GAP), neuron * (TILE + GAP)
    return pixels[top + height - 1, left], pixels[top, left + TILE - 1]


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_each_hidden_neuron_has_its_map_in_its_layer_row(activation):
    X = make_data("moons", 60, 0.1, seed=1)[0]
    net = build_net(2, [5, 3], activation, seed=2)
    pixels = neuron_pixels(net, X)
    assert pixels.shape == (2 * (TILE + GAP) - GAP, 5 * (TILE + GAP) - GAP, 3)
    # the maps' corners against a forward pass written out, at the grid's two corners
    f = {"tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
         "relu": lambda z: np.maximum(z, 0)}[activation]
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
    corners = np.array([X.min(axis=0) - pad, X.max(axis=0) + pad])
    a1 = f(corners @ net.Ws[0].T + net.bs[0])
    a2 = f(a1 @ net.Ws[1].T + net.bs[1])
    for layer, a in ((1, a1), (2, a2)):
        low, high = {"tanh": (-1, 1), "sigmoid": (0, 1)}.get(activation, (None, None))
        if low is None:   # relu: ± the largest output of the layer on the whole grid
            high = np.abs(hidden_outputs(net, X)[layer - 1]).max()
            low = -high
        for neuron in range(a.shape[1]):
            expected = [COLOURS(np.clip((v - low) / (high - low), 0, 1), bytes=True)[:3]
                        for v in a[:, neuron]]
            assert np.array_equal(tile_corners(pixels, layer, neuron), expected), (layer, neuron)
    assert (pixels[TILE + GAP:, 3 * (TILE + GAP) - GAP:] == 255).all(), "layer 2: 3 maps, then white"


def test_the_neuron_maps_of_one_input_are_strips_and_overflow_is_grey():
    X = np.linspace(-1, 1, 30).reshape(-1, 1)
    net = build_net(1, [4], "tanh", seed=0)
    pixels = neuron_pixels(net, X)
    assert pixels.shape == (TILE // 4, 4 * (TILE + GAP) - GAP, 3)
    net.weights.flat[:] = np.nan
    assert (neuron_pixels(net, X)[:, :TILE] == 128).all()


def test_the_bench_shows_one_map_per_hidden_neuron_and_says_what_they_are(bench):
    def shown():
        return np.asarray(Image.open(BytesIO(bench.neuron_image.value)).convert("RGB"))

    assert np.array_equal(shown(), neuron_pixels(bench.net, bench.data[0]))
    assert "row 1: the 8 neurons of a_1, row 2: the 8 neurons of a_2" in bench.neuron_caption.value
    bench.hidden_text.value = "3"
    assert shown().shape == (TILE, 3 * (TILE + GAP) - GAP, 3)
    assert "row 1: the 3 neurons of a_1)" in bench.neuron_caption.value
    assert "blue -1, white 0, red 1" in bench.neuron_caption.value
    bench.hidden_text.value = ""
    assert bench.error is None and bench.neuron_image.layout.display == "none"
    assert "No hidden layer" in bench.neuron_caption.value


def test_the_map_shows_the_test_points_hollow_beside_the_filled_training_points(bench):
    X, Y, X_test, Y_test = bench.data
    model = bench._plot.model
    for marks, inputs, targets in ((model.points, X, Y), (model.test_points, X_test, Y_test)):
        shown = np.concatenate([np.column_stack(m.get_data()) for m in marks])
        by_class = np.concatenate([inputs[(targets[:, 0] > 0.5) == k, :2] for k in (0, 1)])
        assert np.array_equal(shown, by_class)
    assert all(m.get_markerfacecolor() == "none" for m in model.test_points)
    assert all(m.get_markerfacecolor() != "none" for m in model.points)
    left, right, bottom, top = model.image.get_extent()    # the map holds every point
    both = np.concatenate([X, X_test])
    assert left < both[:, 0].min() and both[:, 0].max() < right
    assert bottom < both[:, 1].min() and both[:, 1].max() < top


def test_the_right_panel_shows_update_ratios_or_sharpness_against_two_over_lr():
    bench = TestBench(steps=60, lr=1.0, batch_size=None)
    losses, trained = bench.run.history.losses.copy(), bench.run
    bench.panel_buttons.value = "update / weight"
    panel = bench._plot.per_step
    assert bench.run is trained, "another view of the same run: no retraining"
    assert [line.get_ydata().size for line in panel.lines] == [60] * 3
    assert np.allclose(panel.lines[1].get_ydata(), trained.update_ratios[:, 1], equal_nan=True)
    assert "Update / weight" in panel.ax.get_title() and panel.ax.get_ylabel().startswith("‖Δ")
    bench.panel_buttons.value = "sharpness"
    assert bench.error is None and bench.run is not trained
    assert np.array_equal(bench.run.history.losses, losses), "the same run, measured again"
    (line,) = panel.lines
    assert np.array_equal(line.get_xdata(), bench.run.sharpness_steps) and line.get_xdata()[0] == 0
    assert panel.limit.get_ydata()[0] == 2 / 1.0 and "2/lr" in panel.ax.get_title()
    bench.live.start_button.click()      # a step shown: the λ_max measured up to it
    bench.live.step_button.click()
    shown = bench.live.step_shown
    assert 0 < shown < 60 and line.get_xdata().max() <= shown < bench.run.sharpness_steps.max()
    bench.lr_slider.value = 2.0          # a new run keeps measuring while the view is chosen
    assert bench.run.sharpness.size > 0 and panel.limit.get_ydata()[0] == 1.0
    bench.panel_buttons.value = "gradient norms"
    assert len(panel.lines) == 3 and panel.limit is None
    with pytest.raises(ValueError, match="unknown panel 'curvature'"):
        TestBench(panel="curvature")


@pytest.mark.parametrize("regularisation, keyword", [("L2", "weight_decay"), ("L1", "l1")])
def test_regularisation_loss_and_initial_scale_reach_the_run_and_the_net(regularisation, keyword):
    bench = TestBench(steps=40)
    start = bench.checkpoint.copy()
    assert bench.rate_menu.disabled                 # "none": its rate means nothing
    bench.regularisation_menu.value = regularisation
    bench.rate_menu.value = 0.1
    assert not bench.rate_menu.disabled and bench.error is None
    assert (bench.run.weight_decay, bench.run.l1) == ((0.1, 0.0) if keyword == "weight_decay"
                                                      else (0.0, 0.1))
    X, Y = bench.data[0], bench.data[1]
    by_hand = build_net(2, [8, 8], "tanh", seed=bench.weights_seed)
    by_hand.weights.flat[:] = start
    history = nnlib.train(by_hand, X, Y, lr=0.3, steps=40, batch_size=32, seed=bench.data_seed,
                          callback=lambda *_: None, **{keyword: 0.1})
    assert np.allclose(bench.run.history.losses, history.losses, rtol=1e-12)
    bench.live.start_button.click()                 # a recorded step keeps the regularisation
    bench.live.scrubber.value = 40
    assert np.allclose(bench.net.weights.flat, by_hand.weights.flat, rtol=1e-12)
    if keyword == "l1":                             # L1 zeroes weights: the diagram drops them
        zeros = sum(int(np.count_nonzero(W == 0)) for W in bench.net.Ws)
        assert zeros > 0
        assert bench.diagram.value.count("<line") == sum(W.size for W in bench.net.Ws) - zeros
    bench.loss_menu.value = "squared error"
    assert "mse" in repr(bench.net)
    bench.init_menu.value = 4.0
    plain = build_net(2, [8, 8], "tanh", seed=bench.weights_seed, loss="mse")
    for W, W_plain, b, b_plain in zip(bench.net.weights.split(bench.checkpoint)[0::2], plain.Ws,
                                      bench.net.weights.split(bench.checkpoint)[1::2], plain.bs):
        assert np.allclose(W, 4.0 * W_plain) and np.array_equal(b, b_plain)
    bench.optimizer_menu.value = "lbfgs"            # L-BFGS takes no regularisation: said plainly
    assert f"{keyword} is for 'sgd', 'momentum', 'rmsprop', 'adam'" in bench.message


def test_the_beta_menus_reach_momentum_rmsprop_and_adam_and_grey_out_elsewhere():
    bench = TestBench(steps=30)
    assert bench.beta_menu.disabled and bench.beta2_menu.disabled        # sgd has no β
    X, Y = bench.data[0], bench.data[1]
    for optimizer, betas in (("momentum", (0.5,)), ("rmsprop", (0.5,)), ("adam", (0.5, 0.99))):
        bench.optimizer_menu.value = optimizer
        bench.beta_menu.value = 0.5
        bench.beta2_menu.value = 0.99
        assert bench.run.betas == betas and not bench.beta_menu.disabled
        assert bench.beta2_menu.disabled == (optimizer != "adam")
        by_hand = build_net(2, [8, 8], "tanh", seed=bench.weights_seed)
        by_hand.weights.flat[:] = bench.checkpoint
        history = nnlib.train(by_hand, X, Y, optimizer=optimizer, lr=0.3, steps=30,
                              batch_size=32, seed=bench.data_seed, betas=betas,
                              callback=lambda *_: None)
        assert np.allclose(bench.run.history.losses, history.losses, rtol=1e-12), optimizer


def test_layer_and_neuron_buttons_edit_the_hidden_layers(bench):
    def press(text):
        [button] = [b for b in (bench.add_layer_button, bench.remove_layer_button,
                                *bench.neuron_buttons.children) if b.description == text]
        button.click()

    assert [b.description for b in bench.neuron_buttons.children] == ["− a₁", "+ a₁", "− a₂",
                                                                       "+ a₂"]
    press("+ a₂")
    assert bench.hidden_text.value == "8, 9" and bench.net.sizes == [2, 8, 9, 1]
    press("− a₁")
    assert bench.net.sizes == [2, 7, 9, 1]
    press("+ layer")
    assert bench.net.sizes == [2, 7, 9, 4, 1] and len(bench.neuron_buttons.children) == 6
    for _ in range(3):
        press("− layer")
    assert bench.net.sizes == [2, 1] and bench.remove_layer_button.disabled
    assert bench.neuron_buttons.children == ()
    assert bench.error is None
    bench.hidden_text.value = "1, 2, 3, 4, 5"        # the most layers: no more can be added
    assert bench.add_layer_button.disabled
    [narrowest] = [b for b in bench.neuron_buttons.children if b.description == "− a₁"]
    assert narrowest.disabled                         # a layer keeps at least one neuron


def test_the_network_diagram_draws_each_weight_by_sign_and_size(bench):
    """One line per nonzero weight, red if positive and blue if negative, the widest for the
    largest |w|; a circle per neuron; the inputs named; a name for a screen reader."""
    from nnlib.benchdiagram import DIAGRAM_ALT, NEGATIVE, POSITIVE, WIDTH_RANGE

    svg = bench.diagram.value
    weights = np.concatenate([W.ravel() for W in bench.net.Ws])
    lines = re.findall(r'<line [^>]*stroke="(#\w+)" stroke-width="([\d.]+)"', svg)
    assert len(lines) == weights.size == 2 * 8 + 8 * 8 + 8
    order = [W.T for W in bench.net.Ws]         # drawn layer by layer
    assert [c for c, _ in lines].count(POSITIVE) == int((weights > 0).sum())
    assert [c for c, _ in lines].count(NEGATIVE) == int((weights < 0).sum())
    assert max(float(w) for _, w in lines) == pytest.approx(WIDTH_RANGE[1], abs=0.01)
    assert svg.count("<circle") == sum(bench.net.sizes) and len(order) == 3
    assert ">x₀<" in svg and ">x₁<" in svg and f'aria-label="{DIAGRAM_ALT}"' in svg
    bench.feature_buttons["x0^2"].value = True
    assert ">x₀²<" in bench.diagram.value


@pytest.mark.parametrize("keyword, value, words", [
    ("regularisation_rate", 0.5, ["regularisation_rate must be one of 0.0001, 0.001", "0.5"]),
    ("regularisation", "L3", ["unknown regularisation 'L3'", "'none', 'L1', 'L2'"]),
    ("beta", 0.999, ["beta must be one of 0, 0.5, 0.8, 0.9, 0.95, 0.99", "0.999"]),
    ("beta2", 0.5, ["beta2 must be one of 0.9, 0.99, 0.999, 0.9999", "0.5"]),
    ("init_scale", 3, ["init_scale must be one of 0.1, 0.5, 1, 2, 4", "3"]),
    ("loss", "hinge", ["unknown loss 'hinge'", "'cross-entropy', 'squared error'"]),
])
def test_the_new_menus_refuse_values_they_cannot_show(keyword, value, words):
    with pytest.raises(ValueError) as refused:
        TestBench(**{keyword: value})
    assert all(word in str(refused.value) for word in words), str(refused.value)


# -- regression: the data menu's regression sets and any target function -------------------
def product(X):
    return X[:, 0] * X[:, 1]


def test_a_target_bench_learns_the_function_over_seeds():
    """x₀x₁ on [−1, 1]², no noise, the bench's defaults for 600 steps. Measured over seeds
    0 … 7: L₀/L from 4.9 to 86, L / (½ Var y) (the loss of the best constant) from 0.015
    to 0.22, test R² from 0.70 to 0.985; the bounds leave room below the worst seed (7)."""
    for seed in range(8):
        bench = TestBench(target=product, seed=seed, noise=0.0, steps=600)
        X, Y, X_test, Y_test = bench.data
        run, net = bench.run, bench.net
        assert bench.error is None and not run.diverged, seed
        assert run.final_loss < run.initial_loss / 3, (seed, run.initial_loss, run.final_loss)
        assert run.final_loss < 0.35 * 0.5 * Y.var(), (seed, run.final_loss, Y.var())
        assert run.r_squared > 0.6 and run.accuracy is None, (seed, run.r_squared)
        # the loss is squared error of an identity output, computed here from the outputs
        out = net.forward(X)
        assert net.output_activation.name == "identity" and net.loss_fn.name == "mse"
        assert run.final_loss == pytest.approx(0.5 * np.mean((out - Y) ** 2), rel=1e-12)
        test_out = net.forward(X_test)
        r_squared = 1 - np.sum((Y_test - test_out) ** 2) / np.sum((Y_test - Y_test.mean()) ** 2)
        assert run.r_squared == pytest.approx(r_squared, rel=1e-12)


def test_a_target_bench_draws_uniform_inputs_and_adds_the_noise_to_the_targets():
    bench = TestBench(target=product, noise=0.0, steps=10)
    X, Y, X_test, Y_test = bench.data
    assert bench.dataset_menu.value == TARGET_NAME and TARGET_NAME in bench.dataset_menu.options
    np.testing.assert_array_equal(Y[:, 0], X[:, 0] * X[:, 1])
    np.testing.assert_array_equal(Y_test[:, 0], X_test[:, 0] * X_test[:, 1])
    assert len(X) == 150 and -1 <= X.min() and X.max() <= 1
    bench.samples_slider.value = 1000
    bench.noise_slider.value = 0.3            # the same sliders: σ of noise on the targets
    X, Y, X_test, Y_test = bench.data
    residual = np.concatenate([Y[:, 0] - product(X), Y_test[:, 0] - product(X_test)])
    assert len(residual) == 1000 and residual.std() == pytest.approx(0.3, rel=0.1)
    assert abs(residual.mean()) < 0.05
    assert "y = target(x) + noise" in bench.noise_note.value
    assert bench.error is None and "regression" in bench.problem_note.value


def grid_outputs(net, image):
    """The net's output on the map's own grid, computed here from the image's extent."""
    left, right, bottom, top = image.get_extent()
    rows, columns = image.get_array().shape
    g0, g1 = np.meshgrid(np.linspace(left, right, columns), np.linspace(bottom, top, rows))
    return net.forward(np.column_stack([g0.ravel(), g1.ravel()]))[:, 0].reshape(rows, columns)


def test_the_regression_map_shows_the_output_value_and_the_targets_colours():
    bench = TestBench(target=product, steps=300)
    X, Y, X_test, Y_test = bench.data
    model, figure = bench._plot.model, bench.figure
    values = np.asarray(model.image.get_array())
    np.testing.assert_allclose(values, grid_outputs(bench.net, model.image), rtol=1e-12)
    assert values.min() < -0.2 and values.max() > 0.2     # values, not probabilities in (0, 1)
    limit = np.abs(np.concatenate([Y, Y_test])).max()
    assert model.image.get_clim() == pytest.approx((-limit, limit))   # diverging, white at 0
    assert model.image.cmap.name == "PuOr_r" and model.contour is None   # no 0.5 boundary
    labels = [ax.get_xlabel() for ax in figure.axes]
    assert "network output" in labels and "predicted probability of class 1" not in labels
    colours = model.image.cmap(model.image.norm(Y[:, 0]))
    (filled,), (ring, coloured) = model.points, model.test_points
    np.testing.assert_array_equal(filled.get_offsets(), X)
    np.testing.assert_allclose(filled.get_facecolor(), colours)
    np.testing.assert_array_equal(coloured.get_offsets(), X_test)
    np.testing.assert_allclose(coloured.get_edgecolor(),
                               model.image.cmap(model.image.norm(Y_test[:, 0])))
    assert ring.get_facecolor().size == 0 and coloured.get_facecolor().size == 0   # hollow
    text = "\n".join(bench.readout_text())
    assert "test R²" in text and "accuracy" not in text and "(regression)" in text
    assert f"{bench.run.r_squared:.3f}" in text
    bench.live.start_button.click()                     # played like any run
    bench.live.step_button.click()
    assert bench.error is None and 0 < bench.live.step_shown < 300
    np.testing.assert_allclose(model.image.get_array(), grid_outputs(bench.net, model.image))


def test_a_one_input_target_draws_the_output_curve_through_the_targets():
    bench = TestBench(target=lambda X: np.sin(3 * X[:, 0]), target_inputs=1, steps=300,
                      lr=0.1, batch_size=None, noise=0.05)
    X, Y, X_test, Y_test = bench.data
    model = bench._plot.model
    assert X.shape[1] == 1 and bench.net.sizes[0] == 1
    x, out = model.curve.get_data()
    np.testing.assert_allclose(out, bench.net.forward(np.reshape(x, (-1, 1)))[:, 0])
    assert np.array_equal(np.column_stack(model.points[0].get_data()), np.hstack([X, Y]))
    assert np.array_equal(np.column_stack(model.test_points[0].get_data()),
                          np.hstack([X_test, Y_test]))
    assert model.test_points[0].get_markerfacecolor() == "none"
    assert not any(np.allclose(line.get_ydata(), 0.5) for line in model.ax.lines)  # no 0.5 line
    low, high = model.ax.get_ylim()
    assert low < Y.min() and Y.max() < high
    assert bench.run.r_squared > 0.7       # seed 0: 0.94 (measured)


def test_problem_type_follows_the_data_set_and_the_loss_menu_with_it(bench):
    assert not bench.loss_menu.disabled and "classification" in bench.problem_note.value
    bench.loss_menu.value = "squared error"
    for name in ("plane", "gaussians"):
        bench.dataset_menu.value = name
        assert DATASET_KINDS[name] == "regression" and bench.error is None
        assert bench.loss_menu.value == "squared error" and bench.loss_menu.disabled
        assert bench.net.output_activation.name == "identity"
        assert "regression" in bench.problem_note.value
        assert bench.run.accuracy is None and bench.run.r_squared is not None
    bench.loss_menu.value = "cross-entropy"      # a disabled menu set from code: still refused
    assert "loss must be 'mse' for a regression net" in bench.message
    bench.dataset_menu.value = "circles"         # back to the two-class choice made before
    assert bench.loss_menu.value == "squared error" and not bench.loss_menu.disabled
    assert bench.net.output_activation.name == "sigmoid" and "mse" in repr(bench.net)
    assert "predicted probability of class 1" in [ax.get_xlabel() for ax in bench.figure.axes]
    assert bench._plot.model.image.get_clim() == (0, 1)
    plane = TestBench(dataset="plane", steps=10)
    assert plane.loss_menu.value == "squared error" and plane.loss_menu.disabled
    plane.dataset_menu.value = "moons"           # the classification default comes back
    assert plane.loss_menu.value == "cross-entropy" and plane.run.accuracy is not None


@pytest.mark.parametrize("arguments, error, words", [
    (dict(target=3), TypeError, ["target must be a function", "3"]),
    (dict(target=lambda X: X), ValueError, ["target must return", "(49,) or (49, 1)"]),
    (dict(target=lambda X: X[:, 0] / 0), ValueError, ["target", "NaN or inf"]),
    (dict(target=product, target_inputs=3), ValueError, ["target_inputs must be 1", "3"]),
    (dict(target_inputs=1), ValueError, ["target_inputs", "without one"]),
    (dict(dataset=TARGET_NAME), ValueError, ["dataset", repr(TARGET_NAME)]),
    (dict(dataset="plane", loss="cross-entropy"), ValueError, ["loss", "'squared error'",
                                                              "'plane'"]),
    (dict(target=product, loss="cross-entropy"), ValueError, ["loss", repr(TARGET_NAME)]),
])
def test_a_bad_target_or_regression_setting_is_refused_naming_it(arguments, error, words):
    with np.errstate(all="ignore"), pytest.raises(error) as refused:
        TestBench(**arguments)
    assert all(word in str(refused.value) for word in words), str(refused.value)


def test_a_target_bench_can_switch_to_the_menus_data_sets_and_back():
    bench = TestBench(target=product, dataset="moons", steps=20)
    assert bench.dataset_menu.value == "moons" and bench.net.output_activation.name == "sigmoid"
    bench.dataset_menu.value = TARGET_NAME
    assert bench.error is None and bench.net.output_activation.name == "identity"
    bench.noise_slider.value = 0.0
    np.testing.assert_array_equal(bench.data[1][:, 0], product(bench.data[0]))
    assert bench.loss_menu.disabled and bench.run.r_squared is not None
    assert "your target (regression)" in bench.readout_text()[0]


# -- input features --------------------------------------------------------------------------
def test_the_networks_input_width_follows_the_chosen_features():
    bench = TestBench(dataset="circles", steps=20)
    assert bench.net.sizes[0] == 2 and bench.view is bench.net        # x₀, x₁: the points
    assert [name for name, b in bench.feature_buttons.items() if b.value] == ["x0", "x1"]
    for name, width in (("x0^2", 3), ("sin x1", 4), ("x0", 3)):
        bench.feature_buttons[name].value = not bench.feature_buttons[name].value
        assert bench.error is None and bench.net.sizes[0] == width == bench.net_data[0].shape[1]
    X = bench.data[0]
    chosen = np.column_stack([X[:, 1], X[:, 0] ** 2, np.sin(X[:, 1])])  # x₁, x₀², sin x₁
    np.testing.assert_array_equal(bench.net_data[0], chosen)
    assert bench.net.Ws[0].shape == (8, 3) and "inputs x₁, x₀², sin x₁" in bench.readout_text()[0]
    # the map is drawn over (x₀, x₁): the view feeds the features to the net
    points = np.array([[0.3, -0.7], [-1.1, 0.2]])
    features = np.column_stack([points[:, 1], points[:, 0] ** 2, np.sin(points[:, 1])])
    np.testing.assert_array_equal(bench.view.forward(points), bench.net.forward(features))
    np.testing.assert_allclose(bench._plot.model.image.get_array(),
                               grid_outputs(bench.view, bench._plot.model.image), rtol=1e-12)
    for name in ("x1", "x0^2", "sin x1"):          # none left: the last features stay
        bench.feature_buttons[name].value = False
    assert "choose at least one input feature" in bench.message and bench.net.sizes[0] == 1
    bench.dataset_menu.value = "toy 1-D"           # one input: taken as it is
    assert bench.net.sizes[0] == 1 and bench.view is bench.net and bench.error is None
    assert all(b.disabled for b in bench.feature_buttons.values())
    assert "as they are" in bench.features_note.value
    with pytest.raises(ValueError, match="unknown feature 'x2'"):
        TestBench(features=("x0", "x2"))


def test_x1_squared_and_x2_squared_alone_separate_circles_without_hidden_layers():
    """A linear model (no hidden layer) of x₀², x₁² draws a circle: the boundary of
    "circles". Measured over seeds 0 … 4 (200 steps): test accuracy 0.94 … 0.98; of
    x₀, x₁ the same model gets 0.38 … 0.58, about chance."""
    for seed in range(5):
        squares = TestBench(dataset="circles", hidden="", features=("x0^2", "x1^2"),
                            seed=seed, steps=200)
        plain = TestBench(dataset="circles", hidden="", seed=seed, steps=200)
        assert squares.net.sizes == [2, 1] and squares.error is None
        assert squares.run.accuracy >= 0.9, (seed, squares.run.accuracy)
        assert plain.run.accuracy <= 0.65, (seed, plain.run.accuracy)


def test_plot_run_draws_a_regression_run_without_widgets():
    data = nnlib.data.make_data("plane", n=100, noise=0.1, seed=0)
    net = build_net(2, [6], "tanh", seed=0, loss="mse", output="identity")
    run = train_run(net, data, lr=0.3, steps=60)
    fig = plot_run(run, net, data, name="plane")
    assert "network output" in [ax.get_xlabel() for ax in fig.axes]
    (model_ax,) = [ax for ax in fig.axes if ax.get_title().startswith("Network output")]
    assert model_ax.images[0].get_clim() == pytest.approx(
        (-np.abs(np.vstack([data[1], data[3]])).max(), np.abs(np.vstack([data[1], data[3]])).max()))
    plt.close(fig)


def test_the_training_share_splits_the_samples_and_the_batch_follows():
    """'training data %' sets the training and test parts (stratified, as make_data
    splits); full batch stays full; a value off the slider's grid is refused by name."""
    bench = TestBench(n_samples=200, batch_size=None, steps=20)
    assert (len(bench.data[0]), len(bench.data[2])) == (150, 50)        # the default 75 %
    bench.training_slider.value = 40
    X, Y, X_test, Y_test = bench.data
    assert (len(X), len(X_test)) == (80, 120) and bench.batch_slider.value == 80
    expected = make_data("moons", 200, 0.15, seed=bench.data_seed, test_size=0.6)
    for got, want in zip(bench.data, expected):
        np.testing.assert_array_equal(got, want)
    assert abs(Y.mean() - Y_test.mean()) < 0.01                        # stratified
    assert bench.run.history.steps == 20 and bench.error is None
    with pytest.raises(ValueError, match="training_percent must be an integer from 10 to 90 in "
                                         "steps of 5, got 42"):
        TestBench(training_percent=42)


@pytest.mark.parametrize("scheme", ["xavier", "he", "uniform"])
def test_the_initialisation_menu_builds_the_net_with_that_scheme(scheme):
    """The scheme reaches the net: its starting weights are MLP(init=scheme)'s of the same
    seed, times the scale; 'auto' is He for ReLUs and Xavier otherwise."""
    bench = TestBench(steps=10, init=scheme, init_scale=2.0)
    plain = nnlib.MLP([2, 8, 8, 1], activation="tanh", loss="cross_entropy", init=scheme,
                      seed=bench.weights_seed)
    for W, W_plain in zip(bench.net.weights.split(bench.checkpoint)[0::2], plain.Ws):
        np.testing.assert_array_equal(W, 2.0 * W_plain)
    bench.init_scheme_menu.value = "auto"
    bench.activation_menu.value = "relu"
    he = nnlib.MLP([2, 8, 8, 1], activation="relu", loss="cross_entropy", init="he",
                   seed=bench.weights_seed)
    np.testing.assert_array_equal(bench.net.weights.split(bench.checkpoint)[0], 2.0 * he.Ws[0])
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        TestBench(init="glorot")
