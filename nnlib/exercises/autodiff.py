"""Checkers for the lesson "From backprop to automatic differentiation".

check_topological_order(topological_order)  every Value of a graph, each once, each after
                                            its parents: judged on graphs where a Value is
                                            reached twice, not against one fixed answer
check_fixed_gradient(fixed_gradient)        find the broadcasting bug of BuggyValue's product:
                                            the gradient of several functions f, by backward()
                                            on a fixed subclass of BuggyValue
check_train_autodiff(train_autodiff)        gradient descent on autodiff's gradient, against
                                            gradient descent on nnlib's backprop
check_penalised_loss(penalised_loss)        a new loss (weighted samples, a pull towards
                                            W_ref), differentiated by nnlib.autodiff

Each returns a Verdict (see `nnlib.exercises.check`) that names the usual slip when it
sees one, and never raises. The graphs are built from nnlib.autodiff's Value, whose
`data`, `grad`, `parents` and `rule` are the lesson's own Value's.
"""

import inspect

import numpy as np

from ..autodiff import Value, _unbroadcast, topological_order
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


# x2 + x2·x2 first: there breadth-first order is told apart from its reverse and from a
# reversed topological order (on Σ(x·x + x) breadth first IS a reversed topological order)
ORDER_GRAPHS = {"x2 + x2·x2 with x2 = x·x": _x2_plus_x4, "Σ(x·x + x)": _square_plus,
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
    if not isinstance(got, (list, tuple)):
        return Verdict("wrong shape", f"{name}: it should return a list of Values, got "
                       f"{type(got).__name__}" + (": backward() reverses the list with "
                       "reversed(), which refuses a generator; return the list itself"
                       if inspect.isgenerator(got) else ""))
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
        message = (f"{name}: {len(missing)} of its {len(expected)} Values "
                   f"{'is' if len(missing) == 1 else 'are'} missing.")
        return Verdict("wrong shape", message + (f" It looks like {slip}." if slip else ""), slip=slip)
    where = {i: k for k, i in enumerate(ids)}
    edges = [(where[id(p)], where[id(v)]) for v in got for p in v.parents]
    if all(p < v for p, v in edges):
        return None
    breadth = [id(v) for v in breadth_first(root)]
    slip = (BREADTH_FIRST if ids == breadth else BREADTH_FIRST_REVERSED if ids == breadth[::-1]
            else REVERSED if all(p > v for p, v in edges) else None)
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


# -- exercise 2: find the bug ----------------------------------------------------------------

def _batch(v):
    """The constant (3, n) batch that the functions below multiply by v (n,): as a Value of
    v's own class, so that the class's rules run, or as an array if v is an array."""
    n = np.shape(v.data if hasattr(v, "parents") else v)[0]
    M = np.random.default_rng(n).normal(size=(3, n))
    return type(v)(M) if hasattr(v, "parents") else M


def _scaled_squares(v):
    H = _batch(v) * v
    return (H * H).sum()


def _scale_then_add(v):
    return (v * _batch(v) + v).sum()


def _scale_twice(v):
    return (_batch(v) * (v * v)).sum()


# f as the learner's function receives it, and as the checker's messages print it (M is a
# (3, n) batch, one row per sample, whose columns v scales: a product that broadcasts v)
FUNCTIONS = {"(v * v + v).sum()": lambda v: (v * v + v).sum(),
             "(H * H).sum() with H = M * v, M a constant (3, n)": _scaled_squares,
             "(v * M + v).sum(), M a constant (3, n)": _scale_then_add,
             "(M * (v * v)).sum(), M a constant (3, n)": _scale_twice}
BUGGY = "BuggyValue"    # the lesson's class with the planted bug


def _shape_first(self_line, other_line):
    """nnlib's Value with BuggyValue's bug: __mul__'s rule brings g and the other factor
    back to the factor's shape apart and multiplies them, in the line for `self`, for
    `other`, or both; its results keep the class, as BuggyValue's do."""
    def share(g, mine, theirs, apart):
        if apart:
            return _unbroadcast(g, mine.shape) * _unbroadcast(theirs, mine.shape)
        return _unbroadcast(g * theirs, mine.shape)

    class ShapeFirst(Value):
        def __add__(self, other):
            return ShapeFirst(self.data + other.data, (self, other),
                              lambda g: (self._add_grad(_unbroadcast(g, self.data.shape)),
                                         other._add_grad(_unbroadcast(g, other.data.shape))))

        def __mul__(self, other):
            return ShapeFirst(self.data * other.data, (self, other),
                              lambda g: (self._add_grad(share(g, self.data, other.data, self_line)),
                                         other._add_grad(share(g, other.data, self.data, other_line))))
    return ShapeFirst


def _gradient(kind, f, x):
    """df/dx at x by backward() on Values of class `kind`."""
    v = kind(x)
    f(v).backward()
    return v.grad


def reference_fixed_gradient(f, x):
    """The gradient at x (n,) of f, a function of a Value built with +, * and .sum()."""
    return _gradient(Value, f, x)


CONSTANT = "it returns the same numbers for every x"
NUMERICAL = ("f was called on a NumPy array, not on a Value (centred differences only "
             "approximate the gradient)")
OTHER_CLASS = ("f was handed a Value of a class without the bug, such as section 4's Value or "
               f"nnlib's ({BUGGY} is not among its ancestors)")
NOT_BACKWARD = ("the result is not the .grad that backward() left on the value handed to f "
                "(centred differences through the class?)")
FROM_THE_FIX = (f"fixed_gradient: the gradient must come from backward() on a Value of your "
                f"fixed class (a subclass of {BUGGY}).")
APART = ("sums g and the other factor over the broadcast rows apart and multiplies the two "
         "sums, Σᵢ gᵢⱼ · Σᵢ Mᵢⱼ where Σᵢ gᵢⱼ Mᵢⱼ belongs: a sum of products is not a "
         "product of sums")
OTHER_LINE = f"__mul__'s line for `other` still {APART}"
SELF_LINE = f"__mul__'s line for `self` still {APART}"
# on FUNCTIONS, v is broadcast as one factor of a product only: the other factor's line
# does not reach v, so a slip names the line that v's gradient went through
FIXED_GRADIENT_SLIPS = {
    OTHER_LINE: lambda f, x: _gradient(_shape_first(False, True), f, x),
    SELF_LINE: lambda f, x: _gradient(_shape_first(True, False), f, x),
}


def _vector_input(rng):
    return (rng.normal(size=int(rng.integers(3, 8))),)


def _handed_to_f(candidate, f):
    """(the values that `candidate` handed to f, its result) on one x; None if it failed."""
    handed = []

    def recording(v):
        handed.append(v)
        return f(v)

    result, verdict = call(candidate, "fixed_gradient", recording, np.array([0.5, -1.0, 2.0, 0.3]))
    return None if verdict is not None else (handed, result)


def _not_from_backward(handed, result):
    """A Verdict unless `result` is the .grad that backward() left on a value handed to f."""
    grads = [np.asarray(v.grad) for v in handed if hasattr(v, "grad")]
    try:
        if any(g.shape == np.shape(result) and np.array_equal(g, result) for g in grads):
            return None
    except (Exception, SystemExit):  # the learner's result may be anything: not this slip
        return None
    return Verdict("wrong values", f"{FROM_THE_FIX} It looks like {NOT_BACKWARD}.",
                   slip=NOT_BACKWARD)


def _wrong_class(handed):
    """A Verdict if f was handed an array, or a Value of a class not descended from
    BuggyValue, else None."""
    for kind in handed:
        slip = (NUMERICAL if issubclass(kind, np.ndarray)
                else None if any(c.__name__ == BUGGY for c in kind.__mro__) else OTHER_CLASS)
        if slip is not None:
            return Verdict("wrong values", f"{FROM_THE_FIX} It looks like {slip}.", slip=slip)
    return None


def check_fixed_gradient(candidate):
    """Check fixed_gradient(f, x) -> df/dx (n,), for each f of FUNCTIONS at two random x,
    computed by backward() on a Value of a class descended from the lesson's BuggyValue;
    name a gradient that a half-fixed or unfixed rule leaves behind, centred differences
    or a class without the bug, and an answer that does not depend on x."""
    for k, (text, f) in enumerate(FUNCTIONS.items()):
        run = _handed_to_f(candidate, f)
        if run is not None and run[0]:
            handed, result = run
            wrong = _wrong_class([type(v) for v in handed])
            if wrong is None:
                wrong = _not_from_backward(handed, result)
            if wrong is not None:
                return wrong
        slips = {slip: (lambda x, wrong=wrong, f=f: wrong(f, x))
                 for slip, wrong in FIXED_GRADIENT_SLIPS.items()}
        verdict = check(lambda x, f=f: candidate(f, x), lambda x, f=f: reference_fixed_gradient(f, x),
                        _vector_input, name=f"fixed_gradient with f = {text}", trials=2,
                        seed=k, slips=slips)
        if verdict.status == "not implemented":
            return not_implemented("fixed_gradient")
        if not verdict:
            return _constant(verdict, candidate, f)
    return Verdict("correct", f"fixed_gradient: correct! It matches backward() with the fixed "
                   f"rule on {len(FUNCTIONS)} functions f, each at 2 random x.")


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


def _noting(calls, name, method):
    """`method`, answering as usual once it has noted its `name` in the list `calls`."""
    def noted(*args, **kwargs):
        calls.append(name)
        return method(*args, **kwargs)
    return noted


BACKPROP_USED = "it called net.gradient or net.loss_and_gradient, nnlib's backprop"


def check_train_autodiff(candidate):
    """Check train_autodiff(net, X, Y, lr, steps) -> the losses (steps,) before each step
    of gradient descent on the gradient of the lesson's autodiff, against the same descent
    on nnlib's backprop gradient, to a relative 1e-9, on random small nets; and that it
    never asks the net for its backprop gradient."""
    asked = []

    def run(net_spec, X, Y, lr, steps):
        sizes, activation, loss, seed = net_spec
        net = MLP(sizes, activation, "sigmoid", loss, seed=seed)
        for method in ("gradient", "loss_and_gradient"):
            setattr(net, method, _noting(asked, method, getattr(net, method)))
        return candidate(net, X, Y, lr, steps)

    verdict = check(run, reference_train_autodiff, _train_inputs, name="train_autodiff", rtol=1e-9,
                    atol=1e-12, slips=TRAIN_SLIPS)
    if asked and verdict.status in ("correct", "wrong values", "wrong shape"):
        return Verdict("wrong values", "train_autodiff: each gradient must come from our Value's "
                       f"backward(). It looks like {BACKPROP_USED}.", slip=BACKPROP_USED)
    return verdict


# -- exercise 4: a loss nobody differentiated --------------------------------------------

def reference_penalised_loss(X, Y, s, W, b, W_ref, lam):
    """Loss 1/(2N) Σₙ sₙ ‖W x⁽ⁿ⁾ + b − y⁽ⁿ⁾‖² + (lam/2) · Σ (W − W_ref)² and its gradients
    (dW, db), by hand. X (N, n_in), Y (N, n_out), s (N,), W and W_ref (n_out, n_in),
    b (n_out,) -> (float, (n_out, n_in), (n_out,))."""
    return _penalised(X, Y, s, W, b, W_ref, lam)


def _penalised(X, Y, s, W, b, W_ref, lam, half=0.5, per="sample", weighted=True, penalty=0.5,
               towards_ref=True):
    """The loss and its gradients, with switches that make the usual slips."""
    N = len(X)
    s = s if weighted else np.ones(N)
    divide = {"sample": N, "entry": Y.size, "none": 1, "weight": s.sum()}[per]
    R = X @ W.T + b - Y
    D = W - W_ref if towards_ref else W
    loss = half * float(s @ (R * R).sum(axis=1)) / divide + penalty * lam * float((D * D).sum())
    dW = 2 * half * (s[:, None] * R).T @ X / divide + 2 * penalty * lam * D
    db = 2 * half * (s[:, None] * R).sum(axis=0) / divide
    return loss, dW, db


def _slip(**switches):
    return lambda *args: _penalised(*args, **switches)


PENALTY_HALF = ("the penalty was taken as λ Σ (W − W_ref)², without its ½ (weight decay λ is "
                "(λ/2) Σ W²)")
PENALISED_LOSS_SLIPS = {
    "the penalty (λ/2) Σ (W − W_ref)² is missing": lambda *args: _penalised(*args[:-1], 0.0),
    "the penalty pulls W towards 0, (λ/2) Σ W², not towards W_ref": _slip(towards_ref=False),
    PENALTY_HALF: _slip(penalty=1.0),
    "the sample weights s were left out": _slip(weighted=False),
    "the weighted sum was divided by Σₙ sₙ, not by N": _slip(per="weight"),
    "the ½ of the squared error is missing": _slip(half=1.0),
    "the mean is over all N · n_out entries, not over the N samples": _slip(per="entry"),
    "the 1/N is missing (a sum, not a mean)": _slip(per="none"),
}


def _penalised_inputs(rng):
    N, n_in, n_out = _distinct(rng, 2, 8, 3)
    return (rng.normal(size=(N, n_in)), rng.normal(size=(N, n_out)), rng.uniform(0.2, 2.0, size=N),
            rng.normal(size=(n_out, n_in)), rng.normal(size=n_out), rng.normal(size=(n_out, n_in)),
            float(rng.uniform(0.1, 1)))


S_FLAT = "s was left as (N,): it has to be a column (N, 1)"


def _s_left_flat(exc, N, n_out):
    """Whether `exc` is NumPy refusing (N, n_out) times s as (N,): N ≠ n_out in every draw."""
    text = str(exc).replace(" ", "")
    return "broadcast" in text and f"({N},)" in text and f"({N},{n_out})" in text


# the checker compares (loss, W.grad, b.grad): its messages name them, not their index
RESULT_NAMES = {"(result 0)": "(the loss value)", "(result 1)": "(W.grad)", "(result 2)": "(b.grad)"}


def check_penalised_loss(candidate):
    """`candidate(X, Y, s, W, b, W_ref, lam)` builds the loss from nnlib.autodiff Values W
    and b; its value and the gradients that backward() leaves in W.grad and b.grad must
    match the loss and gradients derived by hand."""
    def run(X, Y, s, W, b, W_ref, lam):
        W_value, b_value = Value(W), Value(b)
        try:
            total = candidate(X, Y, s, W_value, b_value, W_ref, lam)
        except ValueError as exc:
            if not _s_left_flat(exc, *Y.shape):
                raise
            raise ValueError(f"{str(exc).strip()}. It looks like {S_FLAT}, so that sₙ multiplies "
                             "every entry of row n (NumPy lines shapes up from the right).") from None
        if total is None:
            return None                              # reported as not implemented
        if not isinstance(total, Value):
            other = (" of another class: the lesson's own Value and nnlib's do not mix"
                     if hasattr(total, "parents") else "")
            raise TypeError("it must return the loss as a Value (nnlib.autodiff.Value), got "
                            f"{type(total).__name__}{other}")
        total.backward()
        return float(total.data), W_value.grad, b_value.grad

    verdict = check(run, reference_penalised_loss, _penalised_inputs, name="penalised_loss",
                    slips=PENALISED_LOSS_SLIPS)
    message = verdict.message
    for index, result in RESULT_NAMES.items():
        message = message.replace(index, result)
    slip = S_FLAT if verdict.status == "error" and S_FLAT in message else verdict.slip
    return Verdict(verdict.status, message, verdict.max_difference, slip=slip)


EXERCISES = {
    "topological_order": check_topological_order,
    "fixed_gradient": check_fixed_gradient,
    "train_autodiff": check_train_autodiff,
    "penalised_loss": check_penalised_loss,
}
