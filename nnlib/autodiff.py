"""A small reverse-mode automatic differentiation over NumPy arrays, for the autodiff lesson.

A `Value` holds an array `data`, the Values it was computed from (`parents`) and a
local backward rule (`rule`, None for an input): given dLoss/d(this value), add each
parent's share to the parent's `grad`. `loss.backward()` runs those rules from the loss
back to the inputs in reverse topological order (`topological_order`). Gradients
accumulate with `+=`: a Value used twice (`x * x`, a weight shared by two layers) receives
the sum of both contributions.

It supports what an MLP and its losses need, no more: `@`, `+` and `-` (with
broadcasting: the backward rule sums over the broadcast axes), element-wise `*` and `/`,
`**` a number, `sum`, `mean`, the activations of nnlib.activations, and the losses 'mse'
and 'cross_entropy'. A plain number mixes with a Value as a constant (`lam * (W * W).sum()`,
`R / len(X)`, `1 - a`); an array must be wrapped in a Value first. Anything else is refused.
"""

import numpy as np

from ._validate import real_array
from .network import check_network


class Value:
    """An array in a computation graph. data: float64 array; grad: dLoss/ddata, same
    shape (zeros until `backward` runs); parents: the Values this one was computed from;
    rule: its backward rule, rule(grad) adds to the parents' grads (None for an input)."""

    def __init__(self, data, parents=(), rule=None):
        self.data = real_array("data", data)  # not None, text, complex or ragged lists
        self.grad = np.zeros_like(self.data)
        self.parents, self.rule = parents, rule

    def __repr__(self):
        return f"Value(shape={self.data.shape})"

    def backward(self):
        """dSelf/d(every Value it depends on), into their `.grad`. Self must be a scalar."""
        if self.data.shape != ():
            raise ValueError(f"backward() needs a scalar (a loss), got shape {self.data.shape}")
        order = topological_order(self)
        for v in order:
            v.grad = np.zeros_like(v.data)
        self.grad = np.ones_like(self.data)
        for v in reversed(order):
            if v.rule is not None:
                v.rule(v.grad)

    # -- operations -----------------------------------------------------------------------
    def __matmul__(self, other):
        other = _value(other, "@")
        if self.data.ndim != 2 or other.data.ndim != 2:  # its backward rule is for matrices
            raise ValueError(f"autodiff @ needs two 2-D Values, got shapes {self.data.shape} "
                             f"and {other.data.shape}: reshape a vector to (1, n) or (n, 1)")
        return Value(self.data @ other.data, (self, other),
                     lambda g: (self._add_grad(g @ other.data.T),   # d(A @ B): dA = g Bᵀ,
                                other._add_grad(self.data.T @ g)))  #           dB = Aᵀ g

    def __add__(self, other):
        other = _value(other, "+")
        return Value(self.data + other.data, (self, other),
                     lambda g: (self._add_grad(_unbroadcast(g, self.data.shape)),
                                other._add_grad(_unbroadcast(g, other.data.shape))))

    def __sub__(self, other):
        return self + _value(other, "-") * Value(-1.0)

    def __mul__(self, other):
        other = _value(other, "*")
        return Value(self.data * other.data, (self, other),
                     lambda g: (self._add_grad(_unbroadcast(g * other.data, self.data.shape)),
                                other._add_grad(_unbroadcast(g * self.data, other.data.shape))))

    def __pow__(self, power):
        """Each entry to a fixed real `power` (a number, not a Value)."""
        if isinstance(power, bool) or not isinstance(power, (int, float, np.integer, np.floating)):
            raise TypeError(f"autodiff ** needs a number as the power, got {type(power).__name__}")
        power = float(power)
        return Value(self.data ** power, (self,),
                     lambda g: self._add_grad(g * power * self.data ** (power - 1)))

    def __truediv__(self, other):
        return self * _value(other, "/") ** -1

    def __neg__(self):
        return self * Value(-1.0)

    def __radd__(self, other):
        return _value(other, "+") + self

    def __rsub__(self, other):
        return _value(other, "-") - self

    def __rmul__(self, other):
        return _value(other, "*") * self

    def __rtruediv__(self, other):
        return _value(other, "/") * self ** -1

    @property
    def T(self):
        """The transpose of a 2-D Value."""
        return Value(self.data.T, (self,), lambda g: self._add_grad(g.T))

    def sum(self):
        """The sum of all entries: a scalar Value."""
        return Value(self.data.sum(), (self,), lambda g: self._add_grad(g * np.ones_like(self.data)))

    def mean(self):
        """The mean of all entries: a scalar Value."""
        return self.sum() * Value(1.0 / self.data.size)

    def apply(self, f, fprime):
        """f applied element-wise; fprime(z, a) is its derivative (a = f(z))."""
        out = Value(f(self.data), (self,))
        out.rule = lambda g: self._add_grad(g * fprime(self.data, out.data))
        return out

    def _add_grad(self, g):
        self.grad += g  # +=, not =: a Value used twice gets both contributions


def topological_order(root):
    """Every Value that `root` was computed from, root included, each once, every one after
    all the Values it was computed from (its `parents`): root comes last. A depth-first
    search, with a stack instead of recursion (a chain of 3,000 `+` would exceed Python's
    recursion limit). It reads only `.parents`, so it orders any such graph."""
    order, seen, stack = [], {id(root)}, [(root, iter(root.parents))]
    while stack:
        v, parents = stack[-1]
        parent = next(parents, None)
        if parent is None:
            stack.pop()
            order.append(v)
        elif id(parent) not in seen:
            seen.add(id(parent))
            stack.append((parent, iter(parent.parents)))
    return order


def _value(x, op):
    """x as a Value: a Value itself, or a real number as a constant."""
    if isinstance(x, Value):
        return x
    if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool):
        return Value(float(x))
    if hasattr(x, "parents"):  # another class's Value, such as the one a lesson builds
        raise TypeError(f"autodiff {op}: nnlib.autodiff's Value met a {type(x).__name__} of another "
                        "class (the lesson's own Value?); the two classes do not mix: build the "
                        "whole computation from one of them")
    raise TypeError(f"autodiff {op} needs two Values (or a Value and a number), got "
                    f"{type(x).__name__}: wrap arrays in Value(...) first")


def _unbroadcast(g, shape):
    """Sum g over the axes that broadcasting added or stretched, back to `shape`."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def activation(z, f):
    """f(z) for an nnlib activation `f` (nnlib.activations.get(name), softmax included)."""
    if f.name != "softmax":
        return z.apply(f, f.derivative)
    out = Value(f(z.data), (z,))
    out.rule = lambda g: z._add_grad(f.backward(g, z.data, out.data))
    return out


def loss(Z, A, Y, name, output):
    """The mean per-sample loss `name` ('mse' or 'cross_entropy') of the output layer,
    whose activation is called `output`: Z and A are its pre-activations and activations
    (Values, (N, n_out)), Y the targets (array, (N, n_out)). A scalar Value."""
    Y = Value(Y)
    N = Y.data.shape[0]
    if name == "mse":
        diff = A - Y
        return (diff * diff).sum() * Value(0.5 / N)
    if name != "cross_entropy" or output not in ("sigmoid", "softmax"):
        raise ValueError("autodiff supports the losses 'mse' (any output) and 'cross_entropy' "
                         f"(sigmoid or softmax output), got {name!r} with {output!r}")
    if output == "sigmoid":  # log(1 + e^z) − y z per unit; d/dz log(1 + e^z) = σ(z)
        softplus = Value(np.logaddexp(0.0, Z.data), (Z,))
        softplus.rule = lambda g: Z._add_grad(g * A.data)
        return (softplus - Y * Z).sum() * Value(1.0 / N)
    # softmax: logsumexp(z) − y·z per row; d/dz logsumexp(z) = softmax(z)
    top = Z.data.max(axis=1, keepdims=True)
    lse = Value(top + np.log(np.exp(Z.data - top).sum(axis=1, keepdims=True)), (Z,))
    lse.rule = lambda g: Z._add_grad(g * A.data)
    return (lse.sum() - (Y * Z).sum()) * Value(1.0 / N)


def mlp_gradient(net, X, Y):
    """The loss of `net` (an nnlib MLP) on X, Y and its gradient laid out like
    `net.weights.flat`, both by automatic differentiation: (float, (n_params,) array)."""
    X, Y = check_network(net).check_XY(X, Y)
    params = [Value(p) for p in net.weights.views]  # W0, b0, W1, b1, ...
    A = Value(X)
    for l in range(net.n_layers):
        Z = A @ params[2 * l].T + params[2 * l + 1]
        A = activation(Z, net.layer_activation(l))
    total = loss(Z, A, Y, net.loss_fn.name, net.output_activation.name)
    total.backward()
    return float(total.data), np.concatenate([p.grad.ravel() for p in params])
