"""MLP: a fully connected network on one flat weight vector.

Samples are rows. Layer l has W of shape (n_out, n_in) and b of shape (n_out,):
Z = A_prev @ W.T + b, A = f(Z). The flat vector holds W0, b0, W1, b1, ... in order.
"""

import numpy as np

from . import activations, losses
from ._validate import choice, matrix, positive
from .initializers import INITS
from .weights import FlatWeights


class LayerViews(tuple):
    """A read-only sequence of per-layer views into the flat weight vector."""

    def __new__(cls, views, name):
        self = super().__new__(cls, views)
        self.name = name
        return self

    def __setitem__(self, index, value):
        raise TypeError(
            f"net.{self.name}[{index}] is a view into net.weights.flat; replacing it would "
            f"break that link. Change the values in place instead: net.{self.name}[{index}][:] = ..."
        )


class MLP:
    """A multi-layer perceptron with sizes [n_in, hidden..., n_out].

    activation:        hidden layers: 'identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu'
    output_activation: the same, or 'softmax'
    loss:              'mse' (per-sample ½‖a − y‖²) or 'cross_entropy'
    init:              'xavier', 'he' or 'uniform'; seed: for numpy.random.default_rng
    """

    def __init__(self, sizes, activation="sigmoid", output_activation="sigmoid",
                 loss="mse", init="xavier", seed=None):
        self.sizes = _check_sizes(sizes)
        self.activation = activations.get(activation)
        self.output_activation = activations.get(output_activation, output=True)
        self.loss_fn = losses.get(loss, self.output_activation)
        self.init = choice("init", init, INITS)
        self.seed = seed
        shapes = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            shapes += [(n_out, n_in), (n_out,)]
        self.weights = FlatWeights(shapes)
        self._Ws = LayerViews(self.weights.views[0::2], "Ws")
        self._bs = LayerViews(self.weights.views[1::2], "bs")
        self._layer_fns = [self.activation] * (self.n_layers - 1) + [self.output_activation]
        self._buffers = {}
        self.reset(seed)

    # -- parameters ---------------------------------------------------------------
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
        """Draw fresh initial weights in place with `init` and `seed`."""
        rng = np.random.default_rng(seed)
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

    # -- backward (batched) -------------------------------------------------------------
    def gradient(self, X, Y):
        """dLoss/dweights for the batch, laid out like `weights.flat`: shape (n_params,).

        One matrix product per layer forward and two per layer backward; no loop
        over samples.
        """
        X, Y = self.check_XY(X, Y)
        grad = np.empty(self.weights.size)
        self.loss_and_gradient_unchecked(X, Y, self.weights.split(grad))
        return grad

    def loss_and_gradient_unchecked(self, X, Y, grad_views, scale=1.0):
        """Loss of the batch, with its gradient times `scale` written into `grad_views`
        (from `weights.split(grad)`). X and Y must already be checked: this is the hot
        path the training loop calls every step, reusing buffers sized for N."""
        Zs, As, Ds, Gs, (ones,) = self._workspace(len(X))
        As[0] = X
        Ws, bs, fs = self._Ws, self._bs, self._layer_fns
        last = len(Ws) - 1
        for l in range(last + 1):
            Z = np.matmul(As[l], Ws[l].T, out=Zs[l])
            Z += bs[l]
            fs[l](Z, out=As[l + 1])
        loss, delta = self.loss_fn.value_and_delta(Zs[last], As[last + 1], Y, out=Ds[last])
        delta *= scale / len(X)
        for l in range(last, -1, -1):
            np.matmul(delta.T, As[l], out=grad_views[2 * l])
            np.matmul(ones, delta, out=grad_views[2 * l + 1])  # Σ over samples of delta
            if l > 0:
                upstream = np.matmul(delta, Ws[l], out=Gs[l - 1])
                delta = fs[l - 1].backward(upstream, Zs[l - 1], As[l], out=Ds[l - 1])
        return loss

    def _workspace(self, n):
        """Reused buffers for a batch of n rows: Zs, As[1:], Ds of shape (n, width) per
        layer, Gs per hidden layer, and a ones vector (n,) for the bias gradients."""
        if n not in self._buffers:
            if len(self._buffers) > 4:
                self._buffers.clear()
            widths = self.sizes[1:]
            Zs, Ds = ([np.empty((n, w)) for w in widths] for _ in range(2))
            As = [None] + [np.empty((n, w)) for w in widths]
            Gs = [np.empty((n, w)) for w in widths[:-1]]  # dC/dA of each hidden layer
            self._buffers[n] = Zs, As, Ds, Gs, [np.ones(n)]
        return self._buffers[n]

    # -- backward (one sample at a time: the reference) -----------------------------------
    def gradient_per_example(self, X, Y):
        """The same value as `gradient`, computed sample by sample with column vectors,
        exactly as the four backprop equations are written: slow, simple, the reference.
        """
        X, Y = self.check_XY(X, Y)
        grads_W = [np.zeros_like(W) for W in self.Ws]
        grads_b = [np.zeros((len(b), 1)) for b in self.bs]
        for x, y in zip(X, Y):
            a = x.reshape(-1, 1)
            zs, As = [], [a]
            for l, (W, b) in enumerate(zip(self.Ws, self.bs)):
                z = W @ a + b.reshape(-1, 1)
                a = self.layer_activation(l)(z.T).T
                zs.append(z)
                As.append(a)
            y = y.reshape(-1, 1)
            if self.loss_fn.name == "cross_entropy":
                delta = a - y                                    # BP1 for cross-entropy
            else:
                delta = self._jacobian(self.n_layers - 1, zs[-1], a).T @ (a - y)   # BP1
            for l in range(self.n_layers - 1, -1, -1):
                grads_b[l] += delta                              # BP3
                grads_W[l] += delta @ As[l].T                    # BP4
                if l > 0:
                    delta = self._jacobian(l - 1, zs[l - 1], As[l]).T @ (self.Ws[l].T @ delta)  # BP2
        grad = np.empty(self.weights.size)
        views = self.weights.split(grad)
        for l in range(self.n_layers):
            views[2 * l][:] = grads_W[l] / len(X)
            views[2 * l + 1][:] = grads_b[l].ravel() / len(X)
        return grad

    def _jacobian(self, l, z, a):
        """da/dz of layer l for one sample (column vectors z, a): an (n, n) matrix."""
        f = self.layer_activation(l)
        if f.name == "softmax":
            return f.jacobian(a.ravel())
        return np.diag(f.derivative(z, a).ravel())


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
