"""The test bench, headless: its pure functions against plain re-implementations, and
the widget driven as a learner would (slider.value = ..., button.click())."""

import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

import nnlib
from nnlib.bench import (
    DATASETS,
    TestBench,
    build_net,
    gradcheck_verdict,
    learning_potential,
    lr_range_test,
    make_data,
    parse_hidden,
    train_run,
)
from nnlib.benchplots import plot_lr_range_test, plot_run, smooth
from nnlib.gradcheck import GradientCheckReport


# -- data, parsing, potential ------------------------------------------------------------
@pytest.mark.parametrize("name, n_in", [("toy 1-D", 1), ("XOR", 2), ("circles", 2),
                                        ("moons", 2), ("noisy half-plane", 15)])
def test_make_data_shapes_labels_and_seeds(name, n_in):
    X, Y, X_test, Y_test = make_data(name, n=120, noise=0.1, seed=3)
    assert X.shape[1] == X_test.shape[1] == n_in
    assert Y.shape == (len(X), 1) and Y_test.shape == (len(X_test), 1)
    assert set(np.unique(np.vstack([Y, Y_test]))) == {0.0, 1.0}
    assert len(X_test) == pytest.approx(0.25 * (len(X) + len(X_test)), abs=1)
    again = make_data(name, n=120, noise=0.1, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip((X, Y, X_test, Y_test), again))
    other = make_data(name, n=120, noise=0.1, seed=4)
    assert not np.array_equal(X, other[0])


def test_make_data_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown data set 'spirals'"):
        make_data("spirals")


@pytest.mark.parametrize("text, widths", [("8, 8", [8, 8]), ("16 4", [16, 4]), (" 3 ", [3]),
                                          ("", []), ("5,", [5])])
def test_parse_hidden_accepts_lists_of_widths(text, widths):
    assert parse_hidden(text) == widths


@pytest.mark.parametrize("text, message", [("8, x", "'x' is not a whole number"),
                                           ("2.5", "'2.5' is not a whole number"),
                                           ("0", "width of 0 is outside"),
                                           ("500", "width of 500 is outside"),
                                           ("2 2 2 2 2 2", "6 layers is more")])
def test_parse_hidden_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_hidden(text)


def test_learning_potential_is_minus_log_loss_and_never_nan():
    assert learning_potential(math.exp(-3)) == pytest.approx(3.0)
    assert learning_potential(1.0) == 0.0
    assert learning_potential(float("inf")) == -math.inf
    assert learning_potential(float("nan")) == -math.inf


# -- one run against a plain loop ----------------------------------------------------------
def plain_full_batch_sgd(net, X, Y, lr, steps):
    """Reference: full-batch gradient descent written out, with per-layer gradient norms."""
    losses, norms = [], []
    for _ in range(steps):
        losses.append(net.loss(X, Y))
        grad = net.gradient(X, Y)
        views = net.weights.split(grad)
        norms.append([np.sqrt(np.sum(views[2 * l] ** 2) + np.sum(views[2 * l + 1] ** 2))
                      for l in range(net.n_layers)])
        net.weights.flat[:] = net.weights.flat - lr * grad
    return np.array(losses), np.array(norms)


def test_train_run_matches_a_plain_loop_and_restores_the_checkpoint():
    data = make_data("moons", n=80, noise=0.2, seed=1)
    net = build_net(2, [5, 3], "tanh", seed=1)
    checkpoint = net.weights.flat.copy()
    run = train_run(net, data, lr=0.5, steps=40, batch_size=None, checkpoint=checkpoint)
    trained = net.weights.flat.copy()

    net.weights.flat[:] = checkpoint
    losses, norms = plain_full_batch_sgd(net, data[0], data[1], 0.5, 40)
    np.testing.assert_allclose(run.history.losses, losses, rtol=1e-10)
    np.testing.assert_allclose(run.grad_norms, norms, rtol=1e-10)
    np.testing.assert_allclose(trained, net.weights.flat, rtol=1e-10)
    assert run.final_loss == pytest.approx(net.loss(data[0], data[1]))
    assert run.initial_loss == pytest.approx(losses[0])
    assert run.potential == pytest.approx(-np.log(run.final_loss))

    # the same settings from the same checkpoint give the same run, however the net was left
    net.weights.flat[:] = 123.0
    again = train_run(net, data, lr=0.5, steps=40, batch_size=None, checkpoint=checkpoint)
    np.testing.assert_array_equal(again.history.losses, run.history.losses)


def test_train_run_counts_steps_not_epochs_and_scores_the_test_set():
    data = make_data("circles", n=100, noise=0.1, seed=0)  # 75 training samples
    net = build_net(2, [6], "relu", seed=0)
    run = train_run(net, data, lr=0.1, steps=50, batch_size=16, checkpoint=None)
    assert run.history.steps == 50 and run.grad_norms.shape == (50, 2)
    # 5 steps per epoch (75 / 16 rounded up): test loss after epochs 1 … 10
    np.testing.assert_array_equal(run.test_steps, np.arange(5, 51, 5))
    assert run.test_losses.shape == (10,)
    assert run.test_losses[-1] == pytest.approx(net.loss(data[2], data[3]))
    accuracy = np.mean((net.forward(data[2]) > 0.5) == (data[3] > 0.5))
    assert run.accuracy == pytest.approx(accuracy)
    assert run.grad_check.passed and run.grad_check_verdict == "passed"


def test_a_diverging_run_is_reported_not_raised():
    data = make_data("moons", n=100, noise=0.1, seed=0)
    net = build_net(2, [8, 8], "identity", seed=0)
    run = train_run(net, data, lr=10.0, steps=200, batch_size=32)
    assert run.diverged and run.history.steps < 200
    assert run.final_loss == math.inf and run.potential == -math.inf
    assert "Diverged at step" in run.message and "smaller learning rate" in run.message
    assert run.grad_check is None and run.grad_check_verdict == "skipped"
    assert np.isfinite(run.history.losses).all()
    assert not math.isnan(run.final_test_loss) and not math.isnan(run.accuracy)


def test_a_too_large_rate_that_does_not_blow_up_is_flagged():
    data = make_data("moons", n=200, noise=0.15, seed=0)
    net = build_net(2, [8, 8], "tanh", seed=0)
    run = train_run(net, data, lr=10.0, steps=200, batch_size=32)
    assert not run.diverged and run.final_loss > run.initial_loss
    assert "higher than it started" in run.message
    # saturated tanh units: tiny gradients, so differences drown in rounding
    assert run.grad_check_verdict in ("passed", "rounding")


def test_gradcheck_verdict_fails_a_real_disagreement():
    X, Y, _, _ = make_data("moons", n=40, seed=0)
    net = build_net(2, [4], "tanh", seed=0)
    report = nnlib.gradient_check(net, X[:16], Y[:16])
    assert gradcheck_verdict(report, net, X[:16], Y[:16]) == "passed"
    wrong = GradientCheckReport([(0, "weights", 0.3, 8)] + report.rows[1:], 1e-7)
    assert gradcheck_verdict(wrong, net, X[:16], Y[:16]) == "FAILED"


# -- range test -------------------------------------------------------------------------
def test_lr_range_test_agrees_with_separate_runs_and_keeps_the_weights():
    X, Y, _, _ = make_data("XOR", n=40, noise=0.1, seed=0)
    net = build_net(2, [4], "tanh", seed=2)
    start = net.weights.flat.copy()
    lrs = np.array([1e-3, 1e-1, 1.0, 30.0, 1e4])
    result = lr_range_test(net, X, Y, lrs=lrs, steps=30, batch_size=None)
    np.testing.assert_array_equal(net.weights.flat, start)
    for lr, final in zip(lrs, result.final_losses):
        twin = build_net(2, [4], "tanh", seed=2)
        try:
            nnlib.train(twin, X, Y, lr=lr, epochs=30)
            expected = twin.loss(X, Y)
        except nnlib.TrainingDiverged:
            expected = np.inf
        assert final == pytest.approx(expected, rel=1e-10) or (final == expected == np.inf)
    initial = net.loss(X, Y)
    expected = ~np.isfinite(result.final_losses) | (result.final_losses > initial)
    np.testing.assert_array_equal(result.diverged, expected)
    ok = ~result.diverged
    assert result.best_lr == lrs[ok][np.argmin(result.final_losses[ok])]
    assert result.diverged[-1] and result.divergence_lr == lrs[result.diverged][0]
    assert not np.isnan(result.potentials).any()
    ax = plot_lr_range_test(result, current_lr=0.1)  # on a new pyplot figure
    assert ax.get_xscale() == "log" and "range test" in ax.get_title()
    assert any("best lr" in t.get_text() for t in ax.get_legend().get_texts())
    plt.close(ax.figure)


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
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:3] == ["Loss, lr = 0.3 (sgd, low-pass)", "Gradient norm per layer",
                          "Decision boundary, moons"]
    assert "W0: 6×2" in titles and "W2: 1×4" in titles
    loss_ax = fig.axes[0]
    assert loss_ax.get_yscale() == "log" and loss_ax.get_xlabel() == "step"
    assert [t.get_text() for t in loss_ax.texts if t.get_text().startswith("━")] == [
        "━ training (mini-batch)", "━ test set"]   # the colour key
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
    assert "learning rate" in bench.lr_slider.description
    assert (bench.lr_slider.min, bench.lr_slider.max, bench.lr_slider.base) == (-4, 1, 10)
    for name, control in bench.controls.items():
        assert control.description == name
    assert list(bench.dataset_menu.options) == list(DATASETS)
    assert set(bench.optimizer_menu.options) == set(nnlib.OPTIMIZERS)
    assert bench.history is bench.run.history and bench.history.steps == 100
    assert bench.run.final_loss < bench.run.initial_loss
    png_of(bench)
    text = "\n".join(bench.readout_text())
    assert "100 steps" in text
    assert "gradient check on 16 samples: max relative error below 1e-07, passed" in text
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
    ("batch_slider", 1), ("batch_slider", 256), ("samples_slider", 20),
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
    assert [ax.get_title() for ax in bench._plot.weights.axes] == ["W0: 5×2", "W1: 1×5"]
    bench.hidden_text.value = ""
    assert bench.net.sizes == [2, 1]
    bench.hidden_text.value = "4, four"
    assert bench.error is None and bench.net.sizes == [2, 1]
    assert "'four' is not a whole number" in bench.message
    assert "'four' is not a whole number" in bench.readout.value
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
        if optimizer in ("lbfgs", "cg"):
            assert "not used" in "\n".join(bench.readout_text())


def test_reset_draws_a_new_seed_new_data_and_new_weights(bench):
    seed, X, checkpoint = bench.seed, bench.data[0], bench.checkpoint
    bench.reset_button.click()
    assert bench.seed != seed
    assert not np.array_equal(bench.data[0], X)
    assert not np.array_equal(bench.checkpoint, checkpoint)
    np.testing.assert_array_equal(bench.checkpoint,
                                  build_net(2, [8, 8], "tanh", seed=bench.seed).weights.flat)
    assert f"seed {bench.seed}" in bench.readout.value


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


def test_range_test_button(bench):
    history = bench.history
    bench.range_button.click()
    assert bench.error is None and bench.range_test is not None
    assert bench.range_image.value[:4] == b"\x89PNG"
    np.testing.assert_array_equal(bench.range_test.lrs, np.logspace(-4, 1, 21))
    np.testing.assert_array_equal(bench.history.losses, history.losses)  # retrained the same
    assert "range test (100 steps of sgd): best lr" in bench.readout.value
    bench.optimizer_menu.value = "lbfgs"
    bench.range_button.click()
    assert "takes no learning rate" in bench.message


def test_unexpected_errors_show_in_the_readout(bench, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr("nnlib.bench.train_run", broken)
    bench.lr_slider.value = 0.05
    assert isinstance(bench.error, RuntimeError)
    assert "Something went wrong: RuntimeError: boom" in bench.readout.value


def test_bench_displays_its_widget(bench, capsys):
    import ipywidgets
    assert isinstance(bench.widget, ipywidgets.VBox)
    bench._ipython_display_()  # outside IPython, display() prints the widget's repr
    assert "VBox" in capsys.readouterr().out
