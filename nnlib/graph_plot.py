"""Draw the computational graph a Value recorded: the figure of the autodiff lesson.

draw_graph(root, names, notes, ax) walks the graph from `root` back through `.parents`,
as `backward` does, and draws every Value it meets: a box per Value, a grey arrow from
each parent to the Value computed from it (the forward pass) and a red arrow back along
every one of those edges (the backward pass, which reaches every input, the weights and
biases included). A Value used twice (`x * x`) gets two pairs of arrows: the second grey
one bends below, the second red one further above. It reads only `.parents`, `.rule` and
`.data`, so it draws the graphs of nnlib.autodiff's Value and of the lesson's own.

Layout: the root sits in the last column, and every Value as far right as it can go,
one column left of the first Value computed from it; the chain of first operands
(`parents[0]`) from the root runs along the bottom row, and the other Values of a
column stack above it.
"""

import numpy as np

from .autodiff import topological_order

# the method that made a Value's backward rule (its __qualname__) -> the operation's symbol
OPERATIONS = {"__add__": "+", "__mul__": "×", "__matmul__": "@", "T": "⊤", "sum": "Σ",
              "apply": "f", "activation": "f", "__pow__": "**"}
FORWARD, BACKWARD = "0.45", "tab:red"


def operation(value):
    """The symbol of the operation that computed `value` ("@", "+", …), read off the name
    of the method that made its backward rule; None for an input (no rule)."""
    rule = getattr(value, "rule", None)
    if rule is None:
        return None
    parts = getattr(rule, "__qualname__", "").split(".")
    return next((OPERATIONS[part] for part in reversed(parts) if part in OPERATIONS), "op")


def layout(root):
    """{id(value): (column, row)} of every Value in the graph of `root`."""
    order = topological_order(root)
    steps = {id(root): 0}              # the longest path from each Value to the root
    for v in reversed(order):          # every Value before its parents
        for parent in v.parents:
            steps[id(parent)] = max(steps.get(id(parent), 0), steps[id(v)] + 1)
    last = max(steps.values())
    bottom, v = set(), root
    while True:
        bottom.add(id(v))
        if not v.parents:
            break
        v = v.parents[0]
    positions, used = {}, {}
    for v in order:
        column = last - steps[id(v)]
        if id(v) in bottom:
            row = 0
        else:
            row = used[column] = used.get(column, 0) + 1
        positions[id(v)] = (column, row)
    return positions


def label(value, names):
    """The name given to `value`, else its operation's symbol, else (an unnamed input)
    its number if it is a single number, else its shape."""
    if id(value) in names:
        return names[id(value)]
    symbol = operation(value)
    if symbol is not None:
        return symbol
    data = np.asarray(value.data)
    return f"{float(data):.3g}" if data.size == 1 else str(data.shape)


def draw_graph(root, names=None, notes=None, ax=None, title="The recorded graph"):
    """Draw the graph that `root` (a Value) was computed by, on `ax` (default: pyplot's
    current Axes), and return `ax`.

    names: {value: label} for the Values to name ("W0", "$Z_0$"); the others show their
    operation's symbol, or their number. notes: {value: text}, written in red by the
    Value (what its gradient is): under it in the bottom row, above it elsewhere."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.gca()
    names = {id(v): text for v, text in (names or {}).items()}
    notes = {id(v): text for v, text in (notes or {}).items()}
    positions = layout(root)
    order = topological_order(root)
    box = dict(boxstyle="round,pad=0.3", ec="0.4")
    for v in order:
        (x, y), named = positions[id(v)], id(v) in names
        ax.text(x, y, label(v, names), ha="center", va="center", fontsize=10 if named else 9,
                bbox={**box, "fc": "#fde9c9" if not v.parents else "#dbe8f5"}, zorder=3)
        if id(v) in notes:     # under the bottom row, above the others
            ax.text(x, y - 0.42 if y == 0 else y + 0.4, notes[id(v)], ha="center",
                    va="top" if y == 0 else "bottom", fontsize=9, color=BACKWARD)
        for k, parent in enumerate(v.parents):
            start = positions[id(parent)]
            again = sum(p is parent for p in v.parents[:k])   # x * x: a second pair of arrows
            ax.annotate("", (x, y), start, arrowprops=dict(
                arrowstyle="->", color=FORWARD, lw=1.1, shrinkA=11, shrinkB=11,
                connectionstyle=f"arc3,rad={0.35 * again}"))   # a second one bends below
            ax.annotate("", start, (x, y), arrowprops=dict(
                arrowstyle="->", color=BACKWARD, lw=1.1, shrinkA=11, shrinkB=11,
                connectionstyle=f"arc3,rad={0.35 + 0.35 * again}"))
    columns, rows = (max(p[k] for p in positions.values()) for k in (0, 1))
    ax.plot([], [], color=FORWARD, label="forward: a value → the value computed from it")
    ax.plot([], [], color=BACKWARD, label="backward: the gradient, back along every arrow")
    ax.set(xlim=(-0.6, columns + 0.6), ylim=(-1.0, rows + 0.8), title=title)
    ax.axis("off")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=9, frameon=False)
    return ax
