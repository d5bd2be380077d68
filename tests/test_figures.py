"""The figure check (tests/figcheck.py): it fails on a planted bad figure of each kind, and
every figure of every notebook passes it, checked as the notebook renders it."""

import json
from pathlib import Path

import figcheck
import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from nnlib import plots

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
X = np.linspace(0, 1, 50)


@pytest.fixture
def figure():
    plots.use_style()
    fig, ax = plt.subplots(figsize=(6, 4))
    yield fig, ax
    plt.close(fig)


def labelled(ax, title="Two lines"):
    ax.set(title=title, xlabel="x", ylabel="y")


def test_a_good_figure_passes(figure):
    fig, ax = figure
    ax.plot(X, X, color="tab:blue", label="rising")
    ax.plot(X, 1 - X, color="tab:red", label="falling")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    labelled(ax)
    assert figcheck.problems(fig) == []


def test_a_legend_on_the_data_fails(figure):
    fig, ax = figure
    ax.plot(X, X, label="rising")
    ax.plot(X, 1 - X, label="falling")
    ax.legend(loc="center")
    labelled(ax)
    assert any("legend covers data" in f for f in figcheck.problems(fig))


def test_a_line_crossing_a_legend_between_its_vertices_fails(figure):
    fig, ax = figure
    ax.plot([0, 1], [0, 1], label="two vertices only")
    ax.legend(loc="center")
    labelled(ax)
    assert any("legend covers data" in f for f in figcheck.problems(fig))


def test_scatter_points_under_a_legend_fail(figure):
    fig, ax = figure
    ax.scatter(np.full(20, 0.5), np.linspace(0.4, 0.6, 20), label="points")
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="center")
    labelled(ax)
    assert any("legend covers data" in f for f in figcheck.problems(fig))


def test_tick_labels_that_run_together_fail(figure):
    fig, ax = figure
    ax.semilogx([1e-3, 1e2], [1, 2])
    ax.set_xticks(np.logspace(-3, 2, 6), [f"{v:g}" for v in np.logspace(-3, 2, 6)])
    ax.tick_params(axis="x", labelsize=40)
    labelled(ax)
    faults = figcheck.problems(fig)
    assert any("x tick label '0.001' and" in f and "overlap" in f for f in faults)


def test_a_title_on_an_axis_label_fails(figure):
    fig, ax = figure
    ax.plot(X, X)
    ax.set(xlabel="x", ylabel="y")
    ax.set_title("Two lines", y=-0.12)     # moved down onto the x tick labels
    assert any("the title 'Two lines' and" in f and "overlap" in f for f in figcheck.problems(fig))


def test_text_below_nine_pixels_fails(figure):
    fig, ax = figure
    ax.plot(X, X)
    labelled(ax)
    ax.tick_params(labelsize=5)
    faults = figcheck.problems(fig)
    assert any("x tick labels are" in f and "below 9 px" in f for f in faults)


def test_a_wide_figure_is_measured_at_the_page_width(figure):
    fig, ax = figure
    ax.plot(X, X)
    labelled(ax)
    fig.set_size_inches(20, 4)        # 2,000 px, shown at 800: text at 40 % of its size
    assert any("below 9 px" in f for f in figcheck.problems(fig))


def test_colours_that_colour_blind_readers_cannot_tell_apart_fail(figure):
    fig, ax = figure
    for i, colour in enumerate(plt.cm.viridis(np.linspace(0.4, 0.7, 8))):
        ax.plot(X, X + i, color=colour, label=f"run {i}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    labelled(ax)
    assert any("hard to tell apart" in f for f in figcheck.problems(fig))


def test_brown_and_green_fail_for_deuteranopia_only(figure):
    fig, ax = figure
    ax.plot(X, X, color="#b35900", label="brown")     # ΔE 66 for most readers,
    ax.plot(X, X + 1, color="#5c8a00", label="green")   # 5 with deuteranopia
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    labelled(ax)
    faults = [f for f in figcheck.problems(fig) if "hard to tell apart" in f]
    assert faults and "normal vision" not in faults[0]


def test_simulated_colour_vision_matches_the_published_matrices():
    # Machado et al. (2009): pure red as a protanope sees it is dark yellow-brown, and the
    # simulation leaves grey alone (every row of each matrix sums to 1).
    grey = figcheck.seen_as([[0.5, 0.5, 0.5]], "deuteranopia")[0]
    np.testing.assert_allclose(grey, [0.5, 0.5, 0.5], atol=2e-3)
    red = figcheck.seen_as([[1.0, 0.0, 0.0]], "protanopia")[0]
    assert red[0] > red[2] and red[1] > red[2]
    assert figcheck.delta_e((1, 1, 1), (0, 0, 0)) == pytest.approx(100, abs=0.1)


def test_a_figure_without_a_title_fails(figure):
    fig, ax = figure
    ax.plot(X, X)
    ax.set(xlabel="x", ylabel="y")
    assert "the figure has no title, and not every panel has one" in figcheck.problems(fig)


def test_an_axis_without_a_label_fails(figure):
    fig, ax = figure
    ax.plot(X, X)
    ax.set(title="A line", xlabel="x")
    assert "panel 'A line': its y axis has tick labels but no label" in figcheck.problems(fig)


def test_a_colour_bar_needs_a_label(figure):
    fig, ax = figure
    image = ax.imshow(np.arange(9.0).reshape(3, 3))
    labelled(ax, "A map")
    fig.colorbar(image, ax=ax)
    assert any("colour bar" in f and "no label" in f for f in figcheck.problems(fig))


def test_install_checks_each_figure_once_as_it_is_saved(figure, tmp_path):
    fig, ax = figure
    ax.plot(X, X)
    faults = []
    original = figcheck.FigureCanvasBase.print_figure
    try:
        figcheck.install(faults)
        fig.savefig(tmp_path / "a.png")
        fig.savefig(tmp_path / "b.png")
    finally:
        figcheck.FigureCanvasBase.print_figure = original
    assert faults == [("untitled figure", "the figure has no title, and not every panel has one"),
                      ("untitled figure", "a panel without a title: its x axis has tick labels "
                                          "but no label"),
                      ("untitled figure", "a panel without a title: its y axis has tick labels "
                                          "but no label")]


# -- every figure of every notebook ---------------------------------------------------------------
INSTALL = f"""import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
import figcheck as _figcheck
_figure_faults = _figcheck.install([])"""
REPORT = "import json as _json\nprint(_json.dumps(_figure_faults))"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_of_the_notebook_passes_the_check(path):
    nb = nbformat.read(path, as_version=4)
    nb.cells = [nbformat.v4.new_code_cell(INSTALL), *nb.cells, nbformat.v4.new_code_cell(REPORT)]
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    report = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    faults = json.loads(report)
    assert faults == [], "\n".join(f"{title}: {fault}" for title, fault in faults)
