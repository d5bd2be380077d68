"""Many small networks at once, for lesson 07: one network per seed, trained side by side.

A success rate measured on 30 seeds has a 95 % interval up to ±17 points wide; on 1,000
seeds, ±3 points. XOR has four samples, so a 2-h-1 network is tiny, and training a thousand
of them together, with a leading axis K over the seeds, costs little more than training one:

    thetas = starts([2, 2, 1], seeds=range(1000), activation="sigmoid", loss="cross_entropy")
    losses, moves = train_many(thetas, X, Y, lr=0.1, steps=200)   # full-batch Adam, in place
    ok = solved(thetas, X, Y)                             # (K,) True where all points are right
    Zs, As = forward_many(thetas, X)                      # Zs[l]: (K, N, n_{l+1})

`thetas` is a `Stack`: a (K, n_params) array whose row k is the `net.weights.flat` of
`MLP(sizes, seed=seeds[k], ...)`, with an MLP of the same settings attached as `.net`.
Each row follows the arithmetic of `nnlib.train(net, X, Y, optimizer="adam", lr=lr,
epochs=steps)` for that seed (tests/test_xor_tools.py compares the two row by row), computed
with NumPy's `einsum` instead of BLAS matrix products, so that which runs succeed does not
depend on the BLAS kernel. `scatter_classes` draws points with the course's class colours and
markers, for the lesson's figures.
"""

import numpy as np

from ._figures import CLASS_COLORS, CLASS_MARKERS, POINT_EDGE
from ._validate import positive
from .losses import MSE
from .network import MLP
from .optim import Adam


class Stack(np.ndarray):
    """(K, n_params) float64: row k is one network's flat weight vector (W0, b0, W1, b1, …);
    `.net` is an MLP with the networks' settings (its own weights are not used)."""

    def __array_finalize__(self, obj):
        self.net = getattr(obj, "net", None)


def starts(sizes, seeds, **settings):
    """A Stack of the initial weights of `MLP(sizes, seed=s, **settings)`, one row per seed."""
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    net = MLP(sizes, seed=seeds[0], **settings)
    # one network re-drawn per seed (as MLP's constructor draws): several times faster than a new MLP each
    thetas = np.array([net.reset(s).weights.flat.copy() for s in seeds]).view(Stack)
    thetas.net = net.reset(seeds[0])
    return thetas


def layers(thetas):
    """[(W (K, n_out, n_in), b (K, n_out)) per weight layer]: views into the rows of thetas."""
    net, K = _net(thetas), len(thetas)
    offsets, shapes = net.weights.offsets, net.weights.shapes
    views = [thetas[:, a:b].view(np.ndarray).reshape(K, *shape)
             for a, b, shape in zip(offsets, offsets[1:], shapes)]
    return list(zip(views[0::2], views[1::2]))


def forward_many(thetas, X):
    """Every network's (Zs, As) on X (N, n_in): Zs[l] and As[l + 1] are (K, N, n_{l+1})."""
    net = _net(thetas)
    X = net.check_X(X)
    Zs, As = [], [np.broadcast_to(X, (len(thetas), *X.shape))]
    for l, (W, b) in enumerate(layers(thetas)):
        Zs.append(np.einsum("kni,kji->knj", As[-1], W) + b[:, None, :])
        As.append(net.layer_activation(l)(Zs[-1]))
    return Zs, As


def solved(thetas, X, Y):
    """(K,) bool: True where a network puts every sample on the right side of 0.5."""
    return np.all((forward_many(thetas, X)[1][-1] > 0.5) == (np.asarray(Y) > 0.5), axis=(1, 2))


def loss_and_gradient_many(thetas, X, Y):
    """Every network's loss (K,) and gradient (K, n_params), laid out like `thetas`:
    the four equations of backprop, with the seeds as a leading axis."""
    net = _net(thetas)
    X, Y = net.check_XY(X, Y)
    Zs, As = forward_many(thetas, X)
    N, L, Ws = len(X), net.n_layers - 1, [W for W, _ in layers(thetas)]
    if isinstance(net.loss_fn, MSE):
        loss = 0.5 * ((As[-1] - Y) ** 2).sum(axis=(1, 2)) / N
    else:   # cross-entropy after a sigmoid output, in the stable form nnlib uses
        loss = (np.logaddexp(0.0, Zs[-1]) - Y * Zs[-1]).sum(axis=(1, 2)) / N
    if net.loss_fn.matched_to_output:
        delta = (As[-1] - Y) / N                                                     # BP1
    else:
        delta = net.output_activation.backward(net.loss_fn.grad_A(As[-1], Y), Zs[L], As[-1]) / N
    grad = np.zeros(thetas.shape).view(Stack)
    grad.net = net
    grads = layers(grad)
    for l in range(L, -1, -1):
        grads[l][1][:] = delta.sum(axis=1)                                           # BP3
        grads[l][0][:] = np.einsum("knj,kni->kji", delta, As[l])                     # BP4
        if l > 0:
            fprime = net.layer_activation(l - 1).derivative(Zs[l - 1], As[l])
            delta = np.einsum("knj,kji->kni", delta, Ws[l]) * fprime                 # BP2
    return loss, grad.view(np.ndarray)


def train_many(thetas, X, Y, lr=0.1, steps=200, adam=None):
    """Full-batch Adam on every row of `thetas`, in place; returns (losses, moves), both
    (steps, K): the losses, each taken before its step, as History.losses records them, and
    each step's largest change of one weight.

    adam: None (the default) starts from a fresh `Adam(lr)`. An `nnlib.optim.Adam` with the
    same lr is used and updated instead: pass the one an earlier call used on the same rows,
    and the steps go on with its running means m, v and step count t, as one longer run would.
    """
    _net(thetas)
    lr = positive("lr", lr)
    steps = positive("steps", steps, integer=True)
    if adam is None:
        adam = Adam(lr)
    elif not isinstance(adam, Adam):
        raise TypeError(f"adam must be None or an nnlib.optim.Adam, got {type(adam).__name__}")
    elif adam.lr != lr:
        raise ValueError(f"adam has lr {adam.lr}, but lr is {lr}: give the same lr to both")
    elif adam.m is not None and adam.m.shape != thetas.shape:
        raise ValueError(f"adam holds the state of {adam.m.shape[0]} rows of {adam.m.shape[1]} "
                         f"weights, thetas has shape {thetas.shape}: continue it on the same rows")
    losses, moves, flat = [], [], thetas.view(np.ndarray)
    with np.errstate(over="ignore"):     # exp of a very negative z: σ is 0 there, as it should
        for _ in range(steps):
            loss, grad = loss_and_gradient_many(thetas, X, Y)
            before = flat.copy()
            adam.step(flat, grad)
            losses.append(loss)
            moves.append(np.abs(flat - before).max(axis=1))
    return np.array(losses), np.array(moves)


def scatter_classes(ax, points, Y, s=150, names=None):
    """Draw `points` (N, 2) on `ax`, class 0 and class 1 of Y (N, 1) in the course's colours
    and markers, labelled "y = 0" and "y = 1"; returns the two handles, for a legend.
    names: optional (N, 2) inputs to write beside the points, "(0, 1)"; where two points
    coincide, the second name goes below the first."""
    points, labels = np.asarray(points), np.asarray(Y).reshape(len(points))
    handles = [ax.scatter(points[labels == value, 0], points[labels == value, 1], s=s, c=color,
                          marker=marker, edgecolor=POINT_EDGE, label=f"y = {value}", zorder=3)
               for value, (color, marker) in enumerate(zip(CLASS_COLORS, CLASS_MARKERS))]
    for n, (point, name) in enumerate(zip(points, [] if names is None else names)):
        below = any(np.allclose(point, other, atol=0.05) for other in points[:n])
        ax.annotate(f"({name[0]:.0f}, {name[1]:.0f})", point, textcoords="offset points",
                    xytext=(10, -16 if below else 8))
    return handles


def _net(thetas):
    net = getattr(thetas, "net", None)
    if not isinstance(thetas, Stack) or not isinstance(net, MLP) or thetas.ndim != 2 \
            or thetas.shape[1] != net.weights.size:
        raise TypeError("thetas must be a Stack made by xor_tools.starts: rows of flat weight "
                        "vectors, with the networks' settings attached")
    return net
