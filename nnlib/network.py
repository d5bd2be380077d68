"""MLP: a fully connected network on one flat weight vector.

Samples are rows. Layer l has W of shape (n_out, n_in) and b of shape (n_out,):
Z = A_prev @ W.T + b, A = f(Z). The flat vector holds W0, b0, W1, b1, ... in order.
"""

import numpy as np

from . import activations, losses
from ._validate import choice, matrix, positive
from ._validate import seed as check_seed
from .initializers import INITS
from .weights import FlatWeights


class LayerViews(tuple):
    """A read-only sequence of per-layer views into the flat weight vector."""

    def __new__(cls, views, name):
        self = super().__new__(cls, views)
        self.name = name
        return self

    def __setitem__(self, index, value):
        # `net.Ws[l] /= c` divides the view in place, then assigns that same view back:
        # the link is intact, so there is nothing to refuse.
        try:
            if value is self[index]:
                return
        except (IndexError, TypeError):  # not a valid index: refuse it below, as any other
            pass
        raise TypeError(
            f"net.{self.name}[{index}] is a view into net.weights.flat; replacing it would "
            f"break that link. Change the values in place instead: net.{self.name}[{index}][:] = ..."
        )


class MLP:
    """A multi-layer perceptron with sizes [n_in, hidden..., n_out].

    activation:        hidden layers: 'identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu'
    output_activation: the same, or 'softmax'
    loss:              'mse' (per-sample ½‖a − y‖²) or 'cross_entropy'
    init:              'xavier', 'he' or 'uniform'
    seed:              None (fresh randomness) or an integer ≥ 0, for numpy.random.default_rng
    """

    def __init__(self, sizes, activation="sigmoid", output_activation="sigmoid",
                 loss="mse", init="xavier", seed=None):
        self.sizes = _check_sizes(sizes)
        self.activation = activations.get(activation)
        self.output_activation = activations.get(output_activation, output=True)
        if self.output_activation.name == "softmax" and self.sizes[-1] == 1:
            raise ValueError(
                "output_activation 'softmax' needs at least 2 outputs, got sizes "
                f"{self.sizes}: a softmax of one number is always 1, so the loss never "
                "changes and the net cannot learn. For two classes use one 'sigmoid' output.")
        self.loss_fn = losses.get(loss, self.output_activation)
        self.init = choice("init", init, INITS)
        self.seed = check_seed(seed)
        shapes = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            shapes += [(n_out, n_in), (n_out,)]
        self._weights = FlatWeights(shapes)
        self._Ws = LayerViews(self.weights.views[0::2], "Ws")
        self._bs = LayerViews(self.weights.views[1::2], "bs")
        self._layer_fns = [self.activation] * (self.n_layers - 1) + [self.output_activation]
        self.reset(seed)

    # -- parameters ---------------------------------------------------------------
    @property
    def weights(self):
        """The FlatWeights holding every parameter; `Ws` and `bs` are views into it."""
        return self._weights

    @weights.setter
    def weights(self, value):
        if value is self._weights:
            return
        raise AttributeError(
            "net.weights cannot be replaced: net.Ws, net.bs and the training engine keep "
            "looking at the old buffer. Assign the values in place instead: "
            "net.weights.flat[:] = other.weights.flat")

    @property
    def Ws(self):
        """Weight matrices, each (n_out, n_in): views into `weights.flat`."""
        return self._Ws

    @Ws.setter
    def Ws(self, value):
        raise AttributeError("net.Ws cannot be replaced; set values in place: net.Ws[l][:] = ...")

    @property
    def bs(self):
        """Bias vectors, each (n_out,): views into `weights.flat`."""
        return self._bs

    @bs.setter
    def bs(self, value):
        raise AttributeError("net.bs cannot be replaced; set values in place: net.bs[l][:] = ...")

    @property
    def n_layers(self):
        """Number of weight layers (len(sizes) − 1)."""
        return len(self.sizes) - 1

    def reset(self, seed=None):
        """Draw fresh initial weights in place with `init` and `seed` (None or an int ≥ 0)."""
        rng = np.random.default_rng(check_seed(seed))
        for W, b in zip(self.Ws, self.bs):
            INITS[self.init](rng, W, b)
        return self

    def copy(self):
        """An independent network with the same settings and a copy of the weights."""
        twin = MLP(self.sizes, self.activation.name, self.output_activation.name,
                   self.loss_fn.name, self.init, self.seed)
        twin.weights.flat[:] = self.weights.flat
        return twin

    def __repr__(self):
        return (f"MLP(sizes={self.sizes}, activation={self.activation.name!r}, "
                f"output_activation={self.output_activation.name!r}, loss={self.loss_fn.name!r}, "
                f"init={self.init!r}, seed={self.seed!r})")

    # -- input checks ---------------------------------------------------------------
    def check_X(self, X):
        """X as float64 (N, n_in), or a ValueError that says what is wrong."""
        return matrix("X", X, n_cols=self.sizes[0], what="features (columns)")

    def check_XY(self, X, Y):
        """X (N, n_in) and Y (N, n_out) as float64, checked against the net and the loss."""
        X = self.check_X(X)
        Y = matrix("Y", Y, n_cols=self.sizes[-1], n_rows=len(X), what="outputs (columns)")
        return X, self.loss_fn.check_targets(Y)

    # -- forward ----------------------------------------------------------------------
    def layer_activation(self, l):
        """The activation of weight layer l (the output activation for the last one)."""
        return self._layer_fns[l]

    def forward_all(self, X):
        """Every layer's pre-activation and activation.

        Returns (Zs, As): Zs[l] is (N, sizes[l+1]); As[0] is X and As[l+1] = f(Zs[l]).
        """
        return self._forward_all(self.check_X(X))

    def _forward_all(self, X):
        Zs, As = [], [X]
        for W, b, f in zip(self._Ws, self._bs, self._layer_fns):
            Zs.append(As[-1] @ W.T + b)
            As.append(f(Zs[-1]))
        return Zs, As

    def forward(self, X):
        """The network's output for X (N, n_in): shape (N, n_out)."""
        return self.forward_all(X)[1][-1]

    def loss(self, X, Y):
        """Mean per-sample cost over the N samples: a float."""
        return self.loss_unchecked(*self.check_XY(X, Y))

    def loss_unchecked(self, X, Y):
        """`loss` for X and Y already checked by `check_XY`: for loops that evaluate
        the same data many times (test loss every epoch, gradient checks)."""
        Zs, As = self._forward_all(X)
        return self.loss_fn.value(Zs[-1], As[-1], Y)

    # -- backward ---------------------------------------------------------------------
    def gradient(self, X, Y):
        """dLoss/dweights for the batch X (N, n_in), Y (N, n_out): shape (n_params,),
        laid out like `weights.flat`."""
        return self.loss_and_gradient(X, Y)[1]

    def loss_and_gradient(self, X, Y):
        """The loss (a float) and its gradient (n_params,), from one forward pass and
        backprop's four equations, one line each.

        Row n of `delta` is sample n's error δ = dC/dz of the current layer, divided by N
        because the loss is the mean of the N costs; each layer's gradient sums the rows.
        """
        X, Y = self.check_XY(X, Y)
        Zs, As = self._forward_all(X)           # Zs[l], As[l + 1] = f(Zs[l]) of layer l
        N, L = len(X), self.n_layers - 1        # layers 0 … L; L is the output layer
        if self.loss_fn.matched_to_output:
            # cross-entropy after sigmoid or softmax: ∇ₐC ⊙ f′(Z_L) simplifies to A − Y,
            # which stays exact where the output saturates (there ∇ₐC alone is inf)
            delta = (As[L + 1] - Y) / N                                             # BP1
        else:
            grad_A = self.loss_fn.grad_A(As[L + 1], Y)
            delta = self.output_activation.backward(grad_A, Zs[L], As[L + 1]) / N   # BP1
        grad = np.empty(self.weights.size)
        views = self.weights.split(grad)        # views into grad, laid out like Ws and bs
        dWs, dbs = views[0::2], views[1::2]
        for l in range(L, -1, -1):
            dbs[l][:] = delta.sum(axis=0)                                           # BP3
            dWs[l][:] = delta.T @ As[l]                                             # BP4
            if l > 0:
                fprime = self._layer_fns[l - 1].derivative(Zs[l - 1], As[l])
                delta = (delta @ self.Ws[l]) * fprime                               # BP2
        return self.loss_fn.value(Zs[L], As[L + 1], Y), grad

    def gradient_per_example(self, X, Y):
        """The same value as `gradient`, computed one sample at a time with column
        vectors, as the four equations are written on paper: slow, simple, the reference.
        """
        X, Y = self.check_XY(X, Y)
        grad = np.zeros(self.weights.size)
        views = self.weights.split(grad)
        dWs, dbs = views[0::2], views[1::2]
        L = self.n_layers - 1
        for x, y in zip(X, Y):
            a, y = x.reshape(-1, 1), y.reshape(-1, 1)
            zs, As = [], [a]
            for W, b, f in zip(self.Ws, self.bs, self._layer_fns):
                z = W @ a + b.reshape(-1, 1)
                a = f(z.T).T                  # activations act on rows: (1, n) and back
                zs.append(z)
                As.append(a)
            if self.loss_fn.matched_to_output:
                delta = a - y                                               # BP1
            elif self.output_activation.name == "softmax":  # softmax's f′ is a full Jacobian
                delta = self.output_activation.jacobian(a.ravel()) @ self.loss_fn.grad_A(a, y)
            else:
                delta = self.loss_fn.grad_A(a, y) * self._fprime(L, zs[L], a)  # BP1
            for l in range(L, -1, -1):
                dbs[l] += delta.ravel()                                     # BP3
                dWs[l] += delta @ As[l].T                                   # BP4
                if l > 0:
                    delta = (self.Ws[l].T @ delta) * self._fprime(l - 1, zs[l - 1], As[l])  # BP2
        return grad / len(X)

    def _fprime(self, l, z, a):
        """f′(z) of layer l for one sample's column vectors z, a: shape (n, 1)."""
        return self._layer_fns[l].derivative(z.T, a.T).T


def _check_sizes(sizes):
    try:
        sizes = list(sizes)
    except TypeError:
        raise TypeError(f"sizes must be a list of layer widths like [2, 3, 1], got {sizes!r}") from None
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least two entries (inputs and outputs), got {sizes!r}")
    for n in sizes:
        positive("every entry of sizes", n, integer=True)
    return [int(n) for n in sizes]


def check_network(net, name="net"):
    """`net` if it is an MLP, else a TypeError saying what was passed in its place."""
    if not isinstance(net, MLP):
        raise TypeError(f"{name} must be an nnlib.MLP, got {type(net).__name__}"
                        " (is the argument order right? e.g. train(net, X, Y))")
    return net
