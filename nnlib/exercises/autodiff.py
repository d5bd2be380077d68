"""Checkers for the lesson "From backprop to automatic differentiation".

check_topological_order(topological_order)  every Value of a graph, each once, each after
                                            its parents: judged on graphs where a Value is
                                            reached twice, not against one fixed answer
check_fixed_gradient(fixed_gradient)        find the accumulation bug of LeakyValue: the
                                            gradient of several functions f, by backward()
check_train_autodiff(train_autodiff)        gradient descent on autodiff's gradient, against
                                            gradient descent on nnlib's backprop
check_penalised_loss(penalised_loss)        a new loss, differentiated by nnlib.autodiff

Each returns a Verdict (see `nnlib.exercises.check`) that names the usual slip when it
sees one, and never raises. The graphs are built from nnlib.autodiff's Value, whose
`data`, `grad`, `parents` and `rule` are the lesson's own Value's.
"""

import numpy as np

from ..autodiff import Value, topological_order
from ..network import MLP
from .core import Verdict, call, check, matches, not_implemented


def _distinct(rng, low, high, k):
    return [int(n) for n in rng.choice(np.arange(low, high), size=k, replace=False)]


# -- exercise 1: a topological order -------------------------------------------------------

def _square_plus(rng):
    x = Value(rng.normal(size=3))
    return (x * x + x).sum()


def _x2_plus_x4(rng):
    x = Value(float(rng.uniform(1, 3)))
    x2 = x * x
    return x2 + x2 * x2


def _random_graph(rng, inputs=3, operations=12):
    """A random graph of + and ×: each operation takes two Values made before it."""
    values = [Value(float(v)) for v in rng.normal(size=inputs)]
    for _ in range(operations):
        a, b = (values[k] for k in rng.integers(0, len(values), size=2))
        values.append(a + b if rng.random() < 0.5 else a * b)
    return values[-1]


def _layer_loss(rng):
    X, W, b = Value(rng.normal(size=(4, 3))), Value(rng.normal(size=(2, 3))), Value(rng.normal(size=2))
    Z = X @ W.T + b
    return (Z * Z).sum() + (W * W).sum()


ORDER_GRAPHS = {"Σ(x·x + x)": _square_plus, "x2 + x2·x2 with x2 = x·x": _x2_plus_x4,
                "a layer's loss plus Σ W²": _layer_loss, "a random graph of + and ×": _random_graph}

LISTED_TWICE = ("a Value reached twice (x in x·x, or along two paths) was listed each time: "
                "remember the Values already visited")
ROOT_MISSING = "the root itself is missing: it comes last, after everything it was computed from"
INPUTS_MISSING = "the inputs (Values without parents) are missing"
REVERSED = ("the order is reversed, the root first: every Value must come after its parents "
            "(backward() reverses the list itself)")
BREADTH_FIRST = ("this is breadth-first order (the root, then its parents, then theirs), which "
                 "can put a Value before one of its parents")
BREADTH_FIRST_REVERSED = ("this is breadth-first order reversed: a Value reached early from the "
                          "root (x2 in x2 + x2·x2) can still come after a Value computed from it")


def breadth_first(root):
    """The root, then its parents, then theirs, each Value once, when first reached: the
    order that is NOT topological (exercise 1's experiment)."""
    order, queue, seen = [], [root], {id(root)}
    while queue:
        v = queue.pop(0)
        order.append(v)
        for parent in v.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                queue.append(parent)
    return order


def _judge_order(got, root, graph):
    """None if `got` is a topological order of the graph of `root`, else a Verdict."""
    name = f"topological_order, on the graph of {graph}"
    try:
        got = list(got)
    except TypeError:
        return Verdict("wrong shape", f"{name}: it should return a list of Values, got "
                       f"{type(got).__name__}")
    strange = next((v for v in got if not hasattr(v, "parents")), None)
    if strange is not None:
        return Verdict("wrong shape", f"{name}: it should return the Values themselves, got an "
                       f"entry of type {type(strange).__name__}")
    expected = topological_order(root)
    in_graph = {id(v) for v in expected}
    ids = [id(v) for v in got]
    if len(set(ids)) < len(ids):
        return Verdict("wrong values", f"{name}: a Value appears more than once. It looks like "
                       f"{LISTED_TWICE}.", slip=LISTED_TWICE)
    if not set(ids) <= in_graph:
        return Verdict("wrong values", f"{name}: it lists Values that the root was not computed from")
    listed = set(ids)
    missing = [v for v in expected if id(v) not in listed]
    if missing:
        slip = (ROOT_MISSING if any(v is root for v in missing)
                else INPUTS_MISSING if all(not v.parents for v in missing) else None)
        message = f"{name}: {len(missing)} of its {len(expected)} Values are missing."
        return Verdict("wrong shape", message + (f" It looks like {slip}." if slip else ""), slip=slip)
    where = {i: k for k, i in enumerate(ids)}
    edges = [(where[id(p)], where[id(v)]) for v in got for p in v.parents]
    if all(p < v for p, v in edges):
        return None
    breadth = [id(v) for v in breadth_first(root)]
    slip = (REVERSED if all(p > v for p, v in edges) else BREADTH_FIRST if ids == breadth
            else BREADTH_FIRST_REVERSED if ids == breadth[::-1] else None)
    message = f"{name}: a Value comes before one of the Values it was computed from."
    return Verdict("wrong values", message + (f" It looks like {slip}." if slip else ""), slip=slip)


def check_topological_order(candidate):
    """Check topological_order(root) -> a list of every Value root was computed from, root
    included, each once, each after its parents, on the graphs of ORDER_GRAPHS."""
    rng = np.random.default_rng(0)
    for graph, build in ORDER_GRAPHS.items():
        root = build(rng)
        got, verdict = call(candidate, "topological_order", root)
        if verdict is None:
            verdict = _judge_order(got, root, graph)
        if verdict is not None:
            return verdict
    return Verdict("correct", f"topological_order: correct! On {len(ORDER_GRAPHS)} graphs it lists "
                   "every Value once, each after the Values it was computed from.")


# -- exercise 2: find the accumulation bug -------------------------------------------------

# f as the learner's function receives it, and as the checker's messages print it
FUNCTIONS = {"(v * v + v).sum()": lambda v: (v * v + v).sum(),
             "(v * v * v).sum()": lambda v: (v * v * v).sum(),
             "((v + v) * v).sum()": lambda v: ((v + v) * v).sum(),
             "(v * (v * v + v)).sum()": lambda v: (v * (v * v + v)).sum()}


def _assigning(self_line, other_line):
    """nnlib's Value with LeakyValue's bug: __mul__'s rule assigns (=) instead of adding
    in the line for `self`, for `other`, or both; its results keep the class, as
    LeakyValue's do."""
    class Assigning(Value):
        def __add__(self, other):
            return Assigning(self.data + other.data, (self, other),
                             lambda g: (self._add_grad(g), other._add_grad(g)))

        def __mul__(self, other):
            def rule(g):
                if self_line:
                    self.grad = g * other.data
                else:
                    self._add_grad(g * other.data)
                if other_line:
                    other.grad = g * self.data
                else:
                    other._add_grad(g * self.data)
            return Assigning(self.data * other.data, (self, other), rule)
    return Assigning


def _gradient(kind, f, x):
    """df/dx at x by backward() on Values of class `kind`."""
    v = kind(x)
    f(v).backward()
    return v.grad


def reference_fixed_gradient(f, x):
    """The gradient at x (n,) of f, a function of a Value built with +, * and .sum()."""
    return _gradient(Value, f, x)


HARD_CODED = ("it returns 2x + 1, the gradient of the first f, whatever f is: take the "
              "gradient from backward() on f(v)")
CONSTANT = "it returns the same numbers for every x"
FIXED_GRADIENT_SLIPS = {
    # with `=` in both lines of __mul__ (the planted bug) the product's rule overwrites
    # what the other uses of x sent; on FUNCTIONS, `=` in the line for `other` alone gives
    # the same (in x·x its line runs last, and the other products' `self` is used once)
    "__mul__ still assigns (=) where it must add (+=), in its line for `other` (or both)":
        lambda f, x: _gradient(_assigning(True, True), f, x),
    "the line for `self` in __mul__ still assigns (=)":
        lambda f, x: _gradient(_assigning(True, False), f, x),
    HARD_CODED: lambda f, x: 2 * x + 1,
}


def _vector_input(rng):
    return (rng.normal(size=int(rng.integers(3, 8))),)


def check_fixed_gradient(candidate):
    """Check fixed_gradient(f, x) -> df/dx (n,), for each f of FUNCTIONS at two random x;
    name the gradients that an assignment (= instead of +=) leaves behind, an answer
    hard-coded from the first f, and one that does not depend on x."""
    for k, (text, f) in enumerate(FUNCTIONS.items()):
        slips = {slip: (lambda x, wrong=wrong, f=f: wrong(f, x))
                 for slip, wrong in FIXED_GRADIENT_SLIPS.items()}
        verdict = check(lambda x, f=f: candidate(f, x), lambda x, f=f: reference_fixed_gradient(f, x),
                        _vector_input, name=f"fixed_gradient with f = lambda v: {text}", trials=2,
                        seed=k, slips=slips)
        if verdict.status == "not implemented":
            return not_implemented("fixed_gradient")
        if not verdict:
            return _constant(verdict, candidate, f)
    return Verdict("correct", f"fixed_gradient: correct! It matches backward() with += on "
                   f"{len(FUNCTIONS)} functions f, each at 2 random x.")


def _constant(verdict, candidate, f):
    """`verdict`, naming CONSTANT if the candidate gives the same answer at two x."""
    if verdict.slip is not None or verdict.status not in ("wrong shape", "wrong values"):
        return verdict
    try:
        first, second = (candidate(f, np.array(x)) for x in ([1.0, -2.0, 0.5], [0.3, 1.2, -0.7]))
        if matches(first, second):
            return Verdict(verdict.status, f"{verdict.message} It looks like {CONSTANT}.",
                           verdict.max_difference, slip=CONSTANT)
    except (Exception, SystemExit):  # the learner's code may fail in any way: not this slip
        pass
    return verdict


# -- exercise 3: train with autodiff -------------------------------------------------------

def _descent(net_spec, X, Y, lr, steps, sign=1.0, after=False, once=False):
    """The losses of `steps` steps of gradient descent on nnlib's backprop gradient, with
    switches that make the usual slips."""
    sizes, activation, loss, seed = net_spec
    net = MLP(sizes, activation, "sigmoid", loss, seed=seed)
    losses, first = [], net.gradient(X, Y)
    for _ in range(steps):
        if not after:
            losses.append(net.loss(X, Y))
        net.weights.flat -= sign * lr * (first if once else net.gradient(X, Y))
        if after:
            losses.append(net.loss(X, Y))
    return np.array(losses)


def reference_train_autodiff(net_spec, X, Y, lr, steps):
    """The losses before each of `steps` steps of gradient descent θ ← θ − lr ∇𝓛, from
    the net MLP(sizes, activation, "sigmoid", loss, seed=seed), net_spec = (sizes,
    activation, loss, seed); its gradient by nnlib's backprop. -> (steps,)"""
    return _descent(net_spec, X, Y, lr, steps)


TRAIN_SLIPS = {
    "the step goes uphill: θ + lr·∇𝓛": lambda *args: _descent(*args, sign=-1.0),
    "each loss was recorded after its step, not before":
        lambda *args: _descent(*args, after=True),
    "the gradient was computed once, before the loop, and never again":
        lambda *args: _descent(*args, once=True),
    "lr was left out: each step is the whole gradient":
        lambda net_spec, X, Y, lr, steps: _descent(net_spec, X, Y, 1.0, steps),
}


def _train_inputs(rng):
    n_in, hidden = int(rng.integers(2, 4)), int(rng.integers(3, 7))
    net_spec = ([n_in, hidden, 1], str(rng.choice(["tanh", "sigmoid"])),
                str(rng.choice(["mse", "cross_entropy"])), int(rng.integers(0, 1000)))
    N = int(rng.integers(8, 21))
    X = rng.normal(size=(N, n_in))
    Y = (rng.random((N, 1)) < 0.5).astype(float)
    return net_spec, X, Y, float(rng.uniform(0.2, 0.9)), int(rng.integers(5, 13))


def check_train_autodiff(candidate):
    """Check train_autodiff(net, X, Y, lr, steps) -> the losses (steps,) before each step
    of gradient descent on the gradient of the lesson's autodiff, against the same descent
    on nnlib's backprop gradient, to a relative 1e-9, on random small nets."""
    def run(net_spec, X, Y, lr, steps):
        sizes, activation, loss, seed = net_spec
        return candidate(MLP(sizes, activation, "sigmoid", loss, seed=seed), X, Y, lr, steps)

    return check(run, reference_train_autodiff, _train_inputs, name="train_autodiff", rtol=1e-9,
                 atol=1e-12, slips=TRAIN_SLIPS)


# -- exercise 4: a loss nobody differentiated --------------------------------------------

def reference_penalised_loss(X, Y, W, b, lam):
    """Loss ½ mean‖X Wᵀ + b − Y‖² + (lam/2) · Σ W² and its gradients (dW, db), by hand.
    X (N, n_in), Y (N, n_out), W (n_out, n_in), b (n_out,) -> (float, (n_out, n_in), (n_out,))."""
    return _penalised(X, Y, W, b, lam)


def _penalised(X, Y, W, b, lam, half=0.5, per="sample", penalty=0.5, penalise_b=False):
    """The loss and its gradients, with switches that make the usual slips."""
    N = len(X)
    divide = {"sample": N, "entry": Y.size, "none": 1}[per]
    R = X @ W.T + b - Y
    loss = half * float((R * R).sum()) / divide + penalty * lam * float((W * W).sum())
    dW = 2 * half * R.T @ X / divide + 2 * penalty * lam * W
    db = 2 * half * R.sum(axis=0) / divide
    if penalise_b:
        loss += penalty * lam * float((b * b).sum())
        db = db + 2 * penalty * lam * b
    return loss, dW, db


PENALISED_LOSS_SLIPS = {
    "the penalty (λ/2) Σ W² is missing": lambda X, Y, W, b, lam: _penalised(X, Y, W, b, 0.0),
    "the ½ of the squared error is missing": lambda X, Y, W, b, lam: _penalised(X, Y, W, b, lam,
                                                                               half=1.0),
    "the mean is over all N · n_out entries, not over the N samples":
        lambda X, Y, W, b, lam: _penalised(X, Y, W, b, lam, per="entry"),
    "the 1/N is missing (a sum, not a mean)":
        lambda X, Y, W, b, lam: _penalised(X, Y, W, b, lam, per="none"),
    "the penalty was taken as λ Σ W², without its ½ (weight decay λ is (λ/2) Σ W²)":
        lambda X, Y, W, b, lam: _penalised(X, Y, W, b, lam, penalty=1.0),
    "the biases were penalised too": lambda X, Y, W, b, lam: _penalised(X, Y, W, b, lam,
                                                                        penalise_b=True),
}


def _penalised_inputs(rng):
    N, n_in, n_out = _distinct(rng, 2, 8, 3)
    return (rng.normal(size=(N, n_in)), rng.normal(size=(N, n_out)),
            rng.normal(size=(n_out, n_in)), rng.normal(size=n_out), float(rng.uniform(0.1, 1)))


def check_penalised_loss(candidate):
    """`candidate(X, Y, W, b, lam)` builds the loss from nnlib.autodiff Values W and b;
    its value and the gradients that backward() leaves in W.grad and b.grad must match
    the loss and gradients derived by hand."""
    def run(X, Y, W, b, lam):
        W_value, b_value = Value(W), Value(b)
        total = candidate(X, Y, W_value, b_value, lam)
        if total is None:
            return None                              # reported as not implemented
        if not isinstance(total, Value):
            raise TypeError("it must return the loss as a Value (nnlib.autodiff.Value), got "
                            f"{type(total).__name__}")
        total.backward()
        return float(total.data), W_value.grad, b_value.grad

    return check(run, reference_penalised_loss, _penalised_inputs, name="penalised_loss",
                 slips=PENALISED_LOSS_SLIPS)


EXERCISES = {
    "topological_order": check_topological_order,
    "fixed_gradient": check_fixed_gradient,
    "train_autodiff": check_train_autodiff,
    "penalised_loss": check_penalised_loss,
}
