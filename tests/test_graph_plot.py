"""nnlib.graph_plot: the recorded graph is drawn whole (every Value, an arrow each way along
every edge, two pairs for a Value used twice), laid out left to right, labelled, and passes
the figure check."""

import figcheck
import matplotlib.pyplot as plt
import numpy as np
import pytest

import nnlib
from nnlib import plots
from nnlib.autodiff import Value, topological_order
from nnlib.graph_plot import draw_graph, label, layout, operation


def two_layer_loss():
    """The loss of lesson 11's figure, built as the lesson builds it: (named Values, loss)."""
    X, Y = nnlib.data.moons(n=40, noise=0.2, seed=0)
    net = nnlib.MLP([2, 4, 1], "tanh", "sigmoid", "mse", seed=3)
    W0, b0, W1, b1 = [Value(p) for p in net.weights.views]
    A0, Y_value = Value(X), Value(Y)
    Z0 = A0 @ W0.T + b0
    A1 = Z0.apply(np.tanh, lambda z, a: 1 - a ** 2)
    Z1 = A1 @ W1.T + b1
    A2 = Z1.apply(nnlib.activations.get("sigmoid"), lambda z, a: a * (1 - a))
    R = A2 - Y_value
    loss = (R * R).sum() * Value(0.5 / len(X))
    names = {A0: "$X$", W0: "$W_0$", b0: "$b_0$", Z0: "$Z_0$", A1: "$A_1$", W1: "$W_1$",
             b1: "$b_1$", Z1: "$Z_1$", A2: "$A_2$", Y_value: "$Y$", loss: r"$\mathcal{L}$"}
    return names, loss


def test_the_layout_puts_each_value_left_of_what_is_computed_from_it():
    names, loss = two_layer_loss()
    positions = layout(loss)
    order = topological_order(loss)
    assert len(positions) == len(order) == 21                      # the lesson's alt text
    assert len(set(positions.values())) == 21, "two Values share a place"
    columns = {column for column, _ in positions.values()}
    assert columns == set(range(12)) and positions[id(loss)] == (11, 0)
    assert all(positions[id(p)][0] < positions[id(v)][0] for v in order for p in v.parents)
    by_name = {text: positions[id(v)] for v, text in names.items()}
    assert [by_name[n][1] for n in ("$X$", "$Z_0$", "$A_1$", "$Z_1$", "$A_2$")] == [0] * 5
    assert all(by_name[n][1] > 0 for n in ("$W_0$", "$b_0$", "$W_1$", "$b_1$", "$Y$"))


def test_labels_name_the_operation_or_the_number():
    x, W = Value(np.array([1.0, 2.0])), Value(np.ones((2, 2)))
    symbols = [operation(v) for v in (x + x, x * x, W @ W, W.T, x.sum(), x.apply(np.tanh, None),
                                      x ** 2, x)]
    assert symbols == ["+", "×", "@", "⊤", "Σ", "f", "**", None]
    assert label(Value(0.0125), {}) == "0.0125" and label(x, {}) == "(2,)"
    assert label(x, {id(x): "x"}) == "x"


def test_every_edge_gets_a_forward_and_a_backward_arrow_and_the_figure_passes():
    plots.use_style()
    names, loss = two_layer_loss()
    fig, ax = plt.subplots(figsize=(10, 3.2))
    try:
        draw_graph(loss, names, {}, ax=ax, title="A graph")
        edges = [(id(p), id(v)) for v in topological_order(loss) for p in v.parents]
        assert len(set(edges)) == len(edges) - 1        # R * R: the one edge taken twice
        arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
        colours = [a.arrow_patch.get_edgecolor()[:3] for a in arrows]
        assert len(arrows) == 2 * len(edges) == 42
        assert sum(np.allclose(c, (0.45, 0.45, 0.45)) for c in colours) == len(edges)
        # every input (no parents) has a red arrow pointing at it
        red_ends = {a.xy for a in arrows if not np.allclose(a.arrow_patch.get_edgecolor()[:3],
                                                            (0.45, 0.45, 0.45))}
        inputs = [v for v in topological_order(loss) if not v.parents]
        assert len(inputs) == 8 and all(layout(loss)[id(v)] in red_ends for v in inputs)
        assert figcheck.problems(fig) == []
    finally:
        plt.close(fig)


def test_it_draws_the_graph_of_any_value_with_parents_and_rule():
    class Node:
        def __init__(self, parents=()):
            self.parents, self.data = parents, np.array(1.0)
            self.rule = None if not parents else (lambda g: None)

    a = Node()
    root = Node((a, Node((a,))))
    assert layout(root) == {id(root): (2, 0), id(a): (0, 0), id(root.parents[1]): (1, 1)}
    with pytest.raises(AttributeError):
        layout(object())
