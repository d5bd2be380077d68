"""Lesson 01 checkers: references agree with independent computations, every named slip
is recognised by name, and stubs and wrong shapes get the right verdict."""

import numpy as np
import pytest

import nnlib
from nnlib.exercises import one_dimensional_network as checkers
from nnlib.exercises.core import matches
from nnlib.exercises.one_dimensional_network import (
    BACKPROP_CHAIN_SLIPS,
    CHAIN_RULE_W0_SLIPS,
    EXERCISES,
    SIGMOID_PRIME_SLIPS,
    check_backprop_chain,
    check_chain_rule_w0,
    check_sigmoid_prime,
    reference_backprop_chain,
    reference_chain_rule_w0,
    reference_sigmoid_prime,
)


def plain_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_exercises_are_listed_in_lesson_order():
    assert EXERCISES == {"sigmoid_prime": check_sigmoid_prime,
                         "chain_rule_w0": check_chain_rule_w0,
                         "backprop_chain": check_backprop_chain}
    for name in EXERCISES:
        assert f"check_{name}" in checkers.__doc__


@pytest.mark.parametrize("checker", EXERCISES.values(), ids=list(EXERCISES))
def test_a_stub_is_not_implemented(checker):
    def stub(*args):
        raise NotImplementedError

    assert checker(stub).status == "not implemented"


@pytest.mark.parametrize("checker, reference, inputs, slips", [
    (check_sigmoid_prime, reference_sigmoid_prime, checkers._sigmoid_inputs, SIGMOID_PRIME_SLIPS),
    (check_chain_rule_w0, reference_chain_rule_w0, checkers._one_sample_inputs,
     CHAIN_RULE_W0_SLIPS),
    (check_backprop_chain, reference_backprop_chain, checkers._chain_inputs,
     BACKPROP_CHAIN_SLIPS),
], ids=list(EXERCISES))
def test_every_slip_differs_from_the_reference_on_every_drawn_input(checker, reference, inputs,
                                                                     slips):
    rng = np.random.default_rng(0)
    for _ in range(5):
        args = inputs(rng)
        right = reference(*args)
        for name, wrong in slips.items():
            assert not matches(wrong(*args), right, rtol=1e-6, atol=1e-12), name


# -- Exercise 1: sigmoid_prime -----------------------------------------------------------

def test_sigmoid_prime_reference_matches_centred_differences():
    z = np.linspace(-8, 8, 41)
    h = 1e-5
    numeric = (plain_sigmoid(z + h) - plain_sigmoid(z - h)) / (2 * h)
    assert np.allclose(reference_sigmoid_prime(z), numeric, rtol=1e-7, atol=1e-10)
    assert reference_sigmoid_prime(np.zeros((2, 3))).shape == (2, 3)


def test_sigmoid_prime_checker_names_each_slip():
    assert check_sigmoid_prime(lambda z: plain_sigmoid(z) * (1 - plain_sigmoid(z)))
    assert check_sigmoid_prime(lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2)
    wrong = {
        "σ(z)(1 − z) was used instead of σ(z)(1 − σ(z))":
            lambda z: plain_sigmoid(z) * (1 - z),
        "z(1 − z) was used: the form a(1 − a) needs a = σ(z), not z": lambda z: z * (1 - z),
        "the square is missing: e^(−z)/(1 + e^(−z)) instead of e^(−z)/(1 + e^(−z))²":
            lambda z: np.exp(-z) / (1 + np.exp(-z)),
        "it returns σ(z) itself, not its derivative": plain_sigmoid,
    }
    assert set(wrong) == set(SIGMOID_PRIME_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_sigmoid_prime(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip
        assert f"It looks like {slip}" in verdict.message
    summed = check_sigmoid_prime(lambda z: np.sum(plain_sigmoid(z) * (1 - plain_sigmoid(z))))
    assert summed.status == "wrong shape" and summed.slip is None
    assert check_sigmoid_prime(lambda z: z).slip is None      # wrong, but no known slip


def test_sigmoid_prime_checker_catches_a_function_that_changes_its_input():
    def in_place(z):
        z *= -1.0
        s = plain_sigmoid(z)
        return s * (1 - s)                  # σ′ is even: right values, spoilt input

    assert check_sigmoid_prime(in_place).status == "changed inputs"


# -- Exercise 2: chain_rule_w0 -----------------------------------------------------------

def sample_cost(x, y, w, b):
    a = x
    for w_l, b_l in zip(w, b):
        a = plain_sigmoid(w_l * a + b_l)
    return 0.5 * (a - y) ** 2


@pytest.mark.parametrize("seed", range(4))
def test_chain_rule_w0_reference_matches_centred_differences(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(0, 2), rng.uniform()
    w, b = rng.normal(0, 1.5, size=3), rng.normal(size=3)
    numeric = nnlib.numerical_gradient(lambda t: sample_cost(x, y, t[:3], b), w.copy())
    assert nnlib.relative_error(reference_chain_rule_w0(x, y, w, b), numeric[0]) < 1e-7
    assert isinstance(reference_chain_rule_w0(x, y, w, b), float)


def plain_chain_rule_w0(x, y, w, b):
    """An independent solution: the forward pass in a loop, then the slopes one by one."""
    zs, acts = [], [x]
    for w_l, b_l in zip(w, b):
        zs.append(w_l * acts[-1] + b_l)
        acts.append(plain_sigmoid(zs[-1]))
    slope = acts[-1] - y                                  # ∂C/∂a₃
    for l in (2, 1, 0):
        slope *= acts[l + 1] * (1 - acts[l + 1])          # ∂a_{l+1}/∂z_l
        slope *= w[l] if l > 0 else x                     # ∂z_l/∂a_l, and ∂z₀/∂w₀ = x
    return slope


def test_chain_rule_w0_checker_names_each_slip():
    assert check_chain_rule_w0(plain_chain_rule_w0)

    def product(x, y, w, b, leave_out=(), prime=None, miss=None):
        z0 = w[0] * x + b[0]
        z1 = w[1] * plain_sigmoid(z0) + b[1]
        z2 = w[2] * plain_sigmoid(z1) + b[2]
        a3 = plain_sigmoid(z2)
        prime = prime or (lambda z: plain_sigmoid(z) * (1 - plain_sigmoid(z)))
        factors = {"x": x, "s0": prime(z0), "w1": w[1], "s1": prime(z1), "w2": w[2],
                   "s2": prime(z2), "miss": (miss or (lambda a: a - y))(a3)}
        return float(np.prod([f for k, f in factors.items() if k not in leave_out]))

    def without(*factors):
        return lambda x, y, w, b: product(x, y, w, b, leave_out=factors)

    wrong = {
        "the factor x (∂z₀/∂w₀) is missing": without("x"),
        "the factor w₁ (∂z₁/∂a₁) is missing": without("w1"),
        "the factor w₂ (∂z₂/∂a₂) is missing": without("w2"),
        "the factor σ′(z₀) is missing": without("s0"),
        "the factor σ′(z₁) is missing": without("s1"),
        "the factor σ′(z₂) is missing": without("s2"),
        "σ(z)(1 − z) was used instead of σ(z)(1 − σ(z))":
            lambda x, y, w, b: product(x, y, w, b, prime=lambda z: plain_sigmoid(z) * (1 - z)),
        "the sign is flipped: y − a₃ instead of a₃ − y":
            lambda x, y, w, b: -plain_chain_rule_w0(x, y, w, b),
        "the ½ of the cost was forgotten: 2(a₃ − y) instead of a₃ − y":
            lambda x, y, w, b: 2 * plain_chain_rule_w0(x, y, w, b),
    }
    assert set(wrong) == set(CHAIN_RULE_W0_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_chain_rule_w0(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, slip
    as_array = check_chain_rule_w0(lambda x, y, w, b: np.array([plain_chain_rule_w0(x, y, w, b)]))
    assert as_array.status == "wrong shape"


# -- Exercise 3: backprop_chain ------------------------------------------------------------

def chain_cost(X, Y, w, b):
    a = X
    for w_l, b_l in zip(w, b):
        a = plain_sigmoid(w_l * a + b_l)
    return float(np.mean(0.5 * (a - Y) ** 2))


@pytest.mark.parametrize("n_layers", [1, 2, 3, 5])
def test_backprop_chain_reference_matches_finite_differences_and_nnlib(n_layers):
    rng = np.random.default_rng(n_layers)
    X = rng.normal(0, 2, size=(7, 1))
    Y = rng.uniform(0, 1, size=(7, 1))
    w = rng.normal(0, 1.5, size=n_layers)
    b = rng.normal(0, 1, size=n_layers)
    dw, db = reference_backprop_chain(X, Y, w, b)

    theta = np.column_stack([w, b]).ravel()          # w1, b1, w2, b2, ...
    numeric = nnlib.numerical_gradient(
        lambda t: chain_cost(X, Y, t[0::2], t[1::2]), theta)
    assert nnlib.relative_error(np.column_stack([dw, db]).ravel(), numeric) < 1e-7

    net = nnlib.MLP([1] * (n_layers + 1), loss="mse")
    for l in range(n_layers):
        net.Ws[l][:] = w[l]
        net.bs[l][:] = b[l]
    assert nnlib.relative_error(np.column_stack([dw, db]).ravel(), net.gradient(X, Y)) < 1e-12


def plain_backprop_chain(X, Y, w, b, slip=None):
    """An independent solution, one sample at a time with scalar formulas; `slip` makes
    one mistake on purpose."""
    L = len(w)
    dw, db = np.zeros(L), np.zeros(L)
    for x, y in zip(X[:, 0], Y[:, 0]):
        z, a = [], [x]
        for l in range(L):
            z.append(w[l] * a[-1] + b[l])
            a.append(plain_sigmoid(z[-1]))

        def d_sigma(l, z=z, a=a):                         # σ′(z_l) = a_{l+1}(1 − a_{l+1})
            return a[l + 1] * (1 - (z[l] if slip == "1 - z" else a[l + 1]))

        miss = (y - a[-1]) if slip == "sign" else (a[-1] - y)
        delta = miss * (1.0 if slip == "BP1" else d_sigma(L - 1))
        for l in reversed(range(L)):
            dw[l] += (a[l + 1] if slip == "output" else a[l]) * delta
            db[l] += delta
            if l > 0:
                weight = w[l - 1] if slip == "own weight" else w[l]       # BP2: δ_{l−1} from δ_l
                prime = {"BP2": 1.0, "prime of layer l": d_sigma(l)}.get(slip, d_sigma(l - 1))
                delta = weight * delta * prime
    n = 1 if slip == "sum" else len(X)
    return dw / n, db / n


def test_backprop_chain_checker_names_each_slip():
    assert check_backprop_chain(plain_backprop_chain)

    def making(slip):
        return lambda X, Y, w, b: plain_backprop_chain(X, Y, w, b, slip)

    wrong = {
        "the 1/N is missing: that is the gradient of the summed cost, not of the mean 𝓛":
            making("sum"),
        "σ′ is missing in BP1": making("BP1"),
        "σ′ is missing in BP2": making("BP2"),
        "BP2 uses w_{l−1}, the weight of the layer the error arrives in, instead of w_l":
            making("own weight"),
        "BP2 takes σ′ at the wrong layer: σ′(z_l) instead of σ′(z_{l−1})": making("prime of layer l"),
        "BP4 uses the layer's output a_{l+1} instead of its input a_l": making("output"),
        "σ(z)(1 − z) was used instead of σ(z)(1 − σ(z))": making("1 - z"),
        "the sign is flipped: y − a instead of a − y": making("sign"),
    }
    assert set(wrong) == set(BACKPROP_CHAIN_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_backprop_chain(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, slip


def test_backprop_chain_checker_wrong_shapes():
    def per_sample(X, Y, w, b):           # returns (N, L) arrays: forgot to average
        rows = [plain_backprop_chain(X[i:i + 1], Y[i:i + 1], w, b) for i in range(len(X))]
        return np.array([r[0] for r in rows]), np.array([r[1] for r in rows])

    assert check_backprop_chain(per_sample).status == "wrong shape"

    def only_weights(X, Y, w, b):
        return plain_backprop_chain(X, Y, w, b)[0]

    assert check_backprop_chain(only_weights).status == "wrong shape"
