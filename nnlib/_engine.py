"""The fast training step: `MLP.gradient`'s arithmetic, in place, in reused buffers.

`MLP.gradient` is the reference a student reads; `train` calls this engine, which
computes the same numbers in the same order (tests/test_engine.py holds it to 1e-12 of
the reference). It keeps four tricks, each because benchmarks/tricks.py (part of
`make bench`) measured it to save at least about 10 % of an SGD epoch on one of its nets.
The figures are the extra epoch time without the trick, as the range over five runs on
a shared 2-core machine (docs/benchmarks.md has the latest run):

- reused buffers: Z, A, δ and dC/dA of every layer live in arrays allocated once per
  batch size and are written with `out=` and in-place ufuncs (lesson net [2, 3, 3, 1]:
  +19 to +21 %; wide net [512, 1024, 1024, 10]: −1 to +28 %, depending on whether the
  memory allocator has to fetch fresh pages for new arrays; mid net: none);
- BP3 as one matrix-vector product, 1ᵀ δ, instead of `delta.sum(axis=0)` (lesson net:
  +11 to +18 %, where the per-call overhead dominates);
- σ by SciPy's `expit` rather than 1 / (1 + e^(−z)) in four in-place ufuncs (lesson net:
  +8 to +16 %; the same speed on the larger nets);
- for plain SGD without a callback, `train` asks for lr · g (`scale`), so the update
  `flat -= lr · g` is one pass over the weights instead of a product and a difference
  (mid net [784, 128, 64, 10]: +6 to +18 %; wide: +3 to +8 %). Optimizers and callbacks
  always get the gradient itself.

With the plain reference step in its place, an epoch takes 1.1 to 3.2 times as long.
"""

import numpy as np
from scipy.special import expit

from .activations import LeakyReLU

# In-place versions of the activations: FORWARD[name](z, out) writes f(z) into out, and
# FPRIME[name](z, a, out) writes f′(z) into out (out must not be a). FPRIME has no softmax:
# its f′ is a Jacobian, applied with the reference's Softmax.backward.


def _sigmoid_prime(z, a, out):
    np.subtract(1.0, a, out=out)
    out *= a


def _tanh_prime(z, a, out):
    np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)


def _leaky(z, out, slope=LeakyReLU.slope):
    np.multiply(z, slope, out=out)
    np.maximum(z, out, out=out)


def _leaky_prime(z, a, out, slope=LeakyReLU.slope):
    np.greater(z, 0.0, out=out, casting="unsafe")  # True/False as 1.0/0.0
    out *= 1.0 - slope
    out += slope


def _softmax(z, out):
    np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)


FORWARD = {
    "identity": lambda z, out: np.copyto(out, z),
    "sigmoid": lambda z, out: expit(z, out=out),
    "tanh": lambda z, out: np.tanh(z, out=out),
    "relu": lambda z, out: np.maximum(z, 0.0, out=out),
    "leaky_relu": _leaky,
    "softmax": _softmax,
}
FPRIME = {
    "identity": lambda z, a, out: out.fill(1.0),
    "sigmoid": _sigmoid_prime,
    "tanh": _tanh_prime,
    "relu": lambda z, a, out: np.greater(z, 0.0, out=out, casting="unsafe"),
    "leaky_relu": _leaky_prime,
}


class Engine:
    """Loss and gradient of `net` on mini-batches, computed in place.

    Buffers are sized for the first batch of each row count seen (an epoch has at
    most two: the batch size and the remainder). `net` must keep its sizes and
    activations; its weights may change between calls (they are read through views).
    """

    def __init__(self, net):
        self.net = net
        self.grad = np.empty(net.weights.size)
        views = net.weights.split(self.grad)
        names = [net.layer_activation(l).name for l in range(net.n_layers)]
        # per layer: W, b, dW, db (views into net.weights.flat and self.grad), f, f′
        self.layers = [(W, b, dW, db, FORWARD[name], FPRIME.get(name))
                       for W, b, dW, db, name in zip(net.Ws, net.bs, views[0::2], views[1::2], names)]
        self.output_name = names[-1]
        self._buffers = {}

    def _workspace(self, n):
        """Zs, As[1:], Ds: (n, width) per layer; Gs: dC/dA, (n, width) per hidden layer."""
        if n not in self._buffers:
            widths = self.net.sizes[1:]
            Zs = [np.empty((n, w)) for w in widths]
            As = [None] + [np.empty((n, w)) for w in widths]
            Ds = [np.empty((n, w)) for w in widths]
            Gs = [np.empty((n, w)) for w in widths[:-1]]
            self._buffers[n] = Zs, As, Ds, Gs, np.ones(n)  # ones: for BP3 as 1ᵀ δ
        return self._buffers[n]

    @property
    def nbytes(self):
        """Bytes held in the reused buffers."""
        return sum(a.nbytes for Zs, As, Ds, Gs, ones in self._buffers.values()
                   for a in (*Zs, *As[1:], *Ds, *Gs, ones))

    def loss_and_gradient(self, X, Y, scale=1.0):
        """The mean loss of X (N, n_in), Y (N, n_out), already checked by `net.check_XY`;
        its gradient times `scale` is written into `self.grad` (n_params,): the scale is
        folded into BP1's delta, B × n_out numbers. Returns the loss (a float)."""
        Zs, As, Ds, Gs, ones = self._workspace(len(X))
        As[0] = X
        for l, (W, b, _, _, f, _) in enumerate(self.layers):
            np.matmul(As[l], W.T, out=Zs[l])
            Zs[l] += b
            f(Zs[l], As[l + 1])
        loss, delta = self._output_delta(Zs[-1], As[-1], Y, Ds[-1], scale)
        for l in range(len(self.layers) - 1, -1, -1):
            W, _, dW, db, _, _ = self.layers[l]
            np.matmul(ones, delta, out=db)                                      # BP3
            np.matmul(delta.T, As[l], out=dW)                                   # BP4
            if l > 0:
                np.matmul(delta, W, out=Gs[l - 1])
                delta = Ds[l - 1]
                self.layers[l - 1][5](Zs[l - 1], As[l], delta)                  # f′(Z)
                delta *= Gs[l - 1]                                              # BP2
        return loss

    def _output_delta(self, Z, A, Y, out, scale):
        """The mean loss and BP1's delta · scale / N (written into `out`), sharing a − y."""
        loss_fn, N = self.net.loss_fn, len(Y)
        np.subtract(A, Y, out=out)
        if loss_fn.matched_to_output:
            loss = loss_fn.value(Z, A, Y)
        else:  # MSE: ∇ₐC = a − y is already in `out`
            loss = 0.5 * float(np.vdot(out, out)) / N
            if self.output_name == "softmax":
                out[:] = loss_fn.activation.backward(out, Z, A)
            elif self.output_name != "identity":
                fprime = np.empty_like(out)
                self.layers[-1][5](Z, A, fprime)
                out *= fprime
        out *= scale / N
        return loss, out
