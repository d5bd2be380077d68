"""nnlib.plots and the figure helpers: the data drawn is the data given, every figure has
a title, axis labels and a legend that covers no data, log axes read well, sizes stay small."""

import io
import math
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.path import Path

from nnlib import MLP, _figures, benchplots, data, plots, train


def points_under(box, ax):
    """How many data points of `ax` (line vertices, scatter points) lie inside `box`
    (display coordinates)."""
    shown = [line.get_transform().transform(line.get_xydata()) for line in ax.lines]
    shown += [c.get_offset_transform().transform(c.get_offsets()) for c in ax.collections
              if len(c.get_offsets())]
    xy = np.concatenate(shown)
    return int(np.sum((xy[:, 0] > box.x0) & (xy[:, 0] < box.x1)
                      & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1)))


def points_under_legend(ax):
    ax.figure.canvas.draw()
    return points_under(ax.get_legend().get_window_extent(), ax)


def test_loss_curve_has_labels_and_the_data():
    plots.use_style()
    fig, ax = plt.subplots()
    losses = np.exp(-np.linspace(0, 4, 50))
    plots.plot_losses(losses, ax=ax)
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss" and ax.get_title()
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(1, 51))
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), losses)
    assert points_under_legend(ax) == 0
    plt.close(fig)


def test_decision_boundary_is_where_the_output_is_one_half():
    X, Y = data.moons(n=60, seed=0)
    net = MLP([2, 1], output_activation="sigmoid", seed=0)
    net.Ws[0][:] = [[1.0, -2.0]]       # the output is 0.5 on the line x0 - 2 x1 + 0.5 = 0
    net.bs[0][:] = [0.5]
    fig, ax = plt.subplots()
    plots.plot_decision_boundary(net, X, Y, ax=ax, resolution=60)
    assert ax.get_title() and ax.get_xlabel() == "$x_0$" and ax.get_ylabel() == "$x_1$"
    path = ax.collections[1].get_paths()[0]                     # the 0.5 contour
    boundary = path.vertices if path.codes is None else path.vertices[path.codes != Path.CLOSEPOLY]
    assert len(boundary) > 10
    np.testing.assert_allclose(boundary[:, 0] - 2 * boundary[:, 1] + 0.5, 0.0, atol=1e-3)
    samples = np.concatenate([c.get_offsets() for c in ax.collections[2:]])
    assert sorted(map(tuple, samples)) == sorted(map(tuple, X))
    assert points_under_legend(ax) == 0
    plt.close(fig)
    with pytest.raises(ValueError, match="2 input features"):
        plots.plot_decision_boundary(MLP([3, 1]), np.zeros((4, 3)), np.zeros((4, 1)))


def relative_luminance(rgb):
    """WCAG 2 relative luminance of an sRGB colour (components 0 … 1)."""
    rgb = np.asarray(rgb[:3], dtype=float)
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast(a, b):
    lighter, darker = sorted([relative_luminance(a), relative_luminance(b)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_decision_boundary_has_a_probability_colour_bar_and_samples_that_stand_out():
    X, Y = data.moons(n=60, seed=0)
    net = MLP([2, 4, 1], output_activation="sigmoid", seed=0)
    fig, ax = plt.subplots()
    plots.plot_decision_boundary(net, X, Y, ax=ax, resolution=30)
    surface = ax.collections[0]
    bar = fig.axes[1]
    assert bar.get_ylabel() == "predicted probability of class 1"
    assert surface.get_clim() == (0.0, 1.0)
    fig.canvas.draw()
    # every sample's edge stands out from the background wherever it sits (white shows
    # through the translucent map), and the two classes differ in colour and in marker
    alpha = surface.get_alpha()
    scatters = ax.collections[2:]
    for p in np.linspace(0, 1, 11):
        background = alpha * np.array(surface.cmap(p)[:3]) + (1 - alpha) * np.ones(3)
        for points in scatters:
            assert contrast(points.get_edgecolor()[0], background) > 4.5
    faces = [tuple(points.get_facecolor()[0]) for points in scatters]
    markers = [points.get_paths()[0].vertices.shape for points in scatters]
    assert faces[0] != faces[1] and markers[0] != markers[1]
    plt.close(fig)


@pytest.mark.parametrize("arguments, error, words", [
    (dict(Y=np.zeros((5, 1))), ValueError, ["Y", "60 rows", "(5, 1)"]),
    (dict(Y=np.zeros((60, 1, 1))), ValueError, ["Y", "(60, 1, 1)"]),
    (dict(resolution=0), ValueError, ["resolution", "at least 2", "0"]),
    (dict(resolution=1), ValueError, ["resolution", "at least 2", "1"]),
    (dict(resolution=20.5), TypeError, ["resolution", "20.5"]),
    (dict(resolution="50"), TypeError, ["resolution", "'50'"]),
])
def test_decision_boundary_refuses_bad_input_at_the_door(arguments, error, words):
    X, Y = data.moons(n=60, seed=0)
    net = MLP([2, 1], output_activation="sigmoid", seed=0)
    arguments = {"Y": Y, **arguments}
    fig, ax = plt.subplots()
    with pytest.raises(error) as caught:
        plots.plot_decision_boundary(net, X, ax=ax, **arguments)
    for word in words:
        assert word in str(caught.value), (word, str(caught.value))
    assert len(ax.collections) == 0 and len(fig.axes) == 1   # nothing drawn
    plt.close(fig)


def test_weight_maps_show_each_matrix_on_one_symmetric_scale():
    net = MLP([2, 6, 6, 6, 6, 1], seed=0)
    axes = plots.plot_weights(net)
    assert len(axes) == net.n_layers
    limit = max(np.abs(W).max() for W in net.Ws)
    for l, ax in enumerate(axes):
        np.testing.assert_array_equal(ax.images[0].get_array(), net.Ws[l])
        assert ax.images[0].get_clim() == pytest.approx((-limit, limit))
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    figure = axes[0].figure
    assert figure.get_size_inches()[0] * figure.dpi <= 1000
    plt.close("all")


def test_input_grid_covers_the_data_with_a_margin_and_zeros_elsewhere():
    X = np.array([[0.0, -1.0, 5.0], [2.0, 1.0, 7.0]])
    g0, g1, points = _figures.input_grid(X, resolution=11)
    assert g0.shape == g1.shape == (11, 11) and points.shape == (121, 3)
    assert np.allclose([g0.min(), g0.max(), g1.min(), g1.max()], [-0.2, 2.2, -1.2, 1.2])
    assert np.array_equal(points[:, 0], g0.ravel()) and np.all(points[:, 2] == 0.0)
    assert _figures.grid_extent(g0, g1) == pytest.approx((-0.2, 2.2, -1.2, 1.2))


@pytest.mark.parametrize("lo, hi", [(0.02, 0.05), (0.3, 0.9), (1e-3, 1.0), (1e-8, 1e9),
                                    (0.5, 200.0), (1e-300, 1e300)])
def test_few_log_ticks_are_few_and_readable(lo, hi):
    ticks = np.asarray(_figures.FewLogTicks().tick_values(lo, hi))
    inside = ticks[(ticks >= lo * (1 - 1e-9)) & (ticks <= hi * (1 + 1e-9))]
    assert 2 <= len(inside) <= 7
    for value in inside:
        label = _figures.plain_number(value)
        assert float(label) == pytest.approx(value, rel=1e-9)
        assert "+" not in label and "e-0" not in label and len(label) <= 7


def test_log_limits_clip_a_blow_up():
    fig, ax = plt.subplots()
    _figures.set_log_limits(ax, np.array([0.1, 0.5, np.inf, np.nan, -1.0, 1e30]), margin=1.0)
    lo, hi = ax.get_ylim()
    assert lo == pytest.approx(0.1) and math.log10(hi / lo) == pytest.approx(_figures.MAX_DECADES)
    plt.close(fig)


def bench_run(X, Y, hidden, steps=40):
    net = MLP([X.shape[1], *hidden, 1], activation="tanh", loss="cross_entropy", seed=0)
    history = train(net, X, Y, optimizer="sgd", lr=0.5, epochs=steps)
    run = SimpleNamespace(history=history, lr=0.5, optimizer="sgd", steps_requested=steps,
                          batch_size=len(X),
                          test_steps=np.arange(1, steps + 1, 5),
                          test_losses=history.losses[::5], message="",
                          grad_norms=np.abs(np.random.default_rng(0).normal(
                              size=(steps, net.n_layers))))
    return run, net, (X, Y, X, Y)


def test_bench_figure_panels_have_titles_labels_and_stay_small():
    run, net, bench_data = bench_run(*data.moons(n=80, seed=1), hidden=[4])
    figure = benchplots.BenchFigure()
    figure.update(run, net, bench_data, name="moons", smoothing="moving average")
    png = figure.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == round(figure.figure.get_size_inches()[0] * figure.figure.dpi) <= 1000
    loss, gradients, model = figure.loss.ax, figure.per_step.ax, figure.model.ax
    for ax in [loss, gradients, model, *figure.weights.axes]:
        assert ax.get_title() and ax.get_xlabel()
    assert loss.get_ylabel() and gradients.get_ylabel() and model.get_ylabel()
    np.testing.assert_allclose(figure.loss.train.get_ydata(),
                               benchplots.smooth(run.history.losses, "moving average"))
    np.testing.assert_array_equal(figure.weights.images[0].get_array(), net.Ws[0])


@pytest.mark.parametrize("dataset, hidden", [("moons", [4]), ("toy", [3, 3, 3, 3, 3]),
                                             ("blobs", [2])])
def test_bench_keys_cover_no_data(dataset, hidden):
    rng = np.random.default_rng(3)
    if dataset == "moons":
        X, Y = data.moons(n=120, seed=2)
    elif dataset == "toy":
        X = rng.uniform(-2, 2, size=(60, 1))
        Y = (X > 0).astype(float)
    else:
        X = rng.normal(size=(80, 2)) * [1.0, 3.0]
        Y = (X[:, :1] > 0).astype(float)
    run, net, bench_data = bench_run(X, Y, hidden)
    figure = benchplots.BenchFigure()
    figure.update(run, net, bench_data, name=dataset, smoothing="low-pass")
    figure.figure.canvas.draw()
    for panel in [figure.loss, figure.model, figure.per_step]:
        assert len(panel.key) >= 2
        for text in panel.key:
            assert points_under(text.get_window_extent(), panel.ax) == 0, text.get_text()
            assert panel.ax.get_window_extent().contains(*text.get_window_extent().p0)


def test_grid_plot_marks_best_and_diverged_rates():
    lrs = np.geomspace(1e-3, 10, 9)
    final = np.array([0.69, 0.6, 0.4, 0.2, 0.1, 0.15, 0.9, np.inf, np.nan])
    diverged = ~np.isfinite(final) | (final > 0.69)
    result = SimpleNamespace(lrs=lrs, final_losses=final, diverged=diverged, best_lr=lrs[4],
                             divergence_lr=lrs[6], initial_loss=0.69, steps=30,
                             optimizer="sgd")
    ax = benchplots.plot_lr_grid(result, current_lr=0.1)
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), lrs[~diverged])
    crosses = ax.lines[2]
    np.testing.assert_array_equal(crosses.get_xdata(), lrs[diverged])
    assert np.isfinite(crosses.get_ydata()).all()      # the non-finite ones, shown at the top
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("best lr" in t for t in texts) and any("current lr" in t for t in texts)
    assert points_under_legend(ax) == 0
    plt.close(ax.figure)


SHOW_CELL = '''
import matplotlib.pyplot as plt
import nnlib
fig, ax = plt.subplots(figsize=(4, 3))
ax.plot([1, 2, 3], label="rising")
ax.set(title="A line", xlabel="step", ylabel="value")
plt.figure()        # another figure, left open: Jupyter shows it at the end of the cell
plt.plot([3, 2, 1])
nnlib.plots.show("A line that rises from 1 to 3, with x_1 and $5 in the text.", figure=fig)
nnlib.plots.show("A line that falls from 3 to 1, the figure pyplot holds.")
'''


def test_show_puts_the_alt_text_in_the_output_and_a_caption_under_it():
    """In a real kernel: each figure shown once, as a PNG whose text and metadata hold the
    alt text, then a caption line (Markdown, escaped); nothing left for Jupyter to show."""
    import base64
    from io import BytesIO

    import nbformat
    from nbclient import NotebookClient
    from PIL import Image

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(SHOW_CELL)]
    NotebookClient(notebook, kernel_name="python3", timeout=60).execute()
    outputs = notebook.cells[0].outputs
    assert [sorted(output.data) for output in outputs] == \
        [["image/png", "text/plain"], ["text/markdown", "text/plain"]] * 2
    first = "A line that rises from 1 to 3, with x_1 and $5 in the text."
    assert outputs[0].data["text/plain"] == first
    assert outputs[0].metadata["image/png"]["alt"] == first
    assert outputs[1].data["text/plain"] == "Figure. " + first
    assert outputs[1].data["text/markdown"] == \
        r"*Figure.* A line that rises from 1 to 3, with x\_1 and \$5 in the text."
    assert outputs[3].data["text/plain"].startswith("Figure. A line that falls")
    width, height = Image.open(BytesIO(base64.b64decode(outputs[0].data["image/png"]))).size
    assert 300 < width < 450 and 220 < height < 340       # the 4 × 3 inch figure, trimmed


def test_show_refuses_a_missing_alt_text_and_a_missing_figure(capsys):
    fig = plt.figure()
    for alt, error in [(None, TypeError), ("   ", ValueError), ("_images/ab12.png", ValueError),
                       ("a plot", ValueError)]:
        with pytest.raises(error, match="alt must"):
            plots.show(alt, figure=fig)
    with pytest.raises(TypeError, match="figure must be a matplotlib Figure, got Axes"):
        plots.show("A figure that is really an Axes object.", figure=fig.add_subplot())
    plots.show("Outside a notebook the caption line is printed.", figure=fig)
    assert capsys.readouterr().out == "Figure. Outside a notebook the caption line is printed.\n"
    plt.close("all")
    with pytest.raises(ValueError, match="no figure to show"):
        plots.show("There is no figure at all to show here.")


def test_steady_limits_keep_the_last_picture_while_the_data_fill_it():
    assert _figures.steady_limits(None, 0.01, 1.0, 10.0) == (0.01, 1.0)
    assert _figures.steady_limits((0.01, 1.0), 0.05, 0.5, 10.0) == (0.01, 1.0)   # fits, kept
    assert _figures.steady_limits((0.01, 1.0), 0.2, 0.5, 10.0) == (0.2, 0.5)     # too loose below
    assert _figures.steady_limits((0.01, 1.0), 0.05, 3.0, 10.0) == (0.05, 20.0)  # grows out, 1-2-5
    assert _figures.steady_limits((0.01, 1.0), 0.002, 0.5, 10.0) == (0.0002, 0.5)  # and below
    assert _figures.steady_limits((0.0, 5.0), 0.0, 7.0, 2.5) == (0.0, 10.0)       # linear scale
    # limits that had to move are kept by the same data next time, on both scales, and
    # still hold data that grow a little more
    for low, high, slack in ((0.05, 3.0, 10.0), (0.05, 4.99, 10.0), (0.0, 7.0, 2.5), (0.0, 7.99, 2.5)):
        moved = _figures.steady_limits((0.0 if low == 0 else 0.1, 2.0), low, high, slack)
        assert moved[1] >= high and _figures.steady_limits(moved, low, high, slack) == moved
        assert _figures.steady_limits(moved, low, 1.2 * high, slack) == moved


def test_log_limits_reach_as_far_as_asked_from_the_smallest_value():
    _, ax = plt.subplots()
    values = np.array([1e-14, 1e-3, 5.0])
    assert _figures.set_log_limits(ax, values, 1.0, snap=True) == (1e-14, 1e-4)   # 10 decades
    assert _figures.set_log_limits(ax, values, 1.0, snap=True, decades=30) == (1e-14, 5.0)
    assert ax.get_ylim() == (1e-14, 5.0)
    plt.close("all")


def test_png_bytes_decode_to_the_same_pixels():
    """The full-RGB path writes its own PNG (rows unfiltered, deflated): PIL, an
    independent decoder, reads back every pixel; the palette path keeps the colours."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for height, width in ((1, 1), (7, 13), (40, 33)):
        pixels = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
        for level in (1, 6):
            image = Image.open(io.BytesIO(_figures.png_bytes(pixels, compress_level=level)))
            assert image.mode == "RGB" and np.array_equal(np.asarray(image), pixels)
    flat = np.repeat(np.array([[[255, 0, 0], [0, 0, 255]]], dtype=np.uint8), 8, axis=0)
    image = Image.open(io.BytesIO(_figures.png_bytes(flat, colours=4))).convert("RGB")
    assert np.array_equal(np.asarray(image), flat)
