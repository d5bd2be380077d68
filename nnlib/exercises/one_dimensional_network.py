"""Checkers for the lesson "A one-dimensional network".

check_sigmoid_prime       σ′(z) = σ(z)(1 − σ(z)), element-wise
check_chain_rule_w0       ∂C/∂w₀ of the three-layer chain for one sample, by the chain rule
check_backprop_chain      (dw, db) of the mean loss 𝓛, for a chain of any length (BP1–BP4)

Each checker runs the learner's function and a reference solution on seeded
random inputs and returns a Verdict (see `nnlib.exercises.check`); it never raises.
A wrong answer that equals one of the usual slips (the *_SLIPS dictionaries) gets a
verdict that names it.

The chain: n one-neuron sigmoid layers counted from 0, z_l = w_l a_l + b_l,
a_{l+1} = σ(z_l), a_0 = x; one sample's cost C = ½(a_n − y)² of the output a_n, and the
loss 𝓛 its mean over the N samples (the notation card of 00_index). BP2 steps back from
δ_l to δ_{l−1} = w_l δ_l σ′(z_{l−1}).
"""

import numpy as np
from scipy.special import expit

from .core import check

# -- Exercise 1: sigmoid_prime -------------------------------------------------------------


def reference_sigmoid_prime(z):
    """σ'(z) = σ(z)(1 − σ(z)), element-wise; same shape as z."""
    s = expit(z)
    return s * (1.0 - s)


SIGMOID_PRIME_SLIPS = {
    "σ(z)(1 − z) was used instead of σ(z)(1 − σ(z))": lambda z: expit(z) * (1.0 - z),
    "z(1 − z) was used: the form a(1 − a) needs a = σ(z), not z": lambda z: z * (1.0 - z),
    "the square is missing: e^(−z)/(1 + e^(−z)) instead of e^(−z)/(1 + e^(−z))²":
        lambda z: expit(-z),
    "it returns σ(z) itself, not its derivative": lambda z: expit(z),
}


def _sigmoid_inputs(rng):
    shape = tuple(int(n) for n in rng.integers(1, 6, size=rng.integers(1, 3)))
    return (rng.normal(0.0, 4.0, size=shape),)


def check_sigmoid_prime(candidate):
    """Check sigmoid_prime(z) -> σ'(z), element-wise, for arrays z of any shape."""
    return check(candidate, reference_sigmoid_prime, _sigmoid_inputs, name="sigmoid_prime",
                 trials=4, slips=SIGMOID_PRIME_SLIPS)


# -- Exercise 2: chain_rule_w0 -------------------------------------------------------------


def _chain_rule_w0(x, y, w, b, drop=(), prime=None, miss=None):
    """The seven factors of ∂C/∂w₀, multiplied; `drop` leaves some out, `prime(z, a)`
    replaces σ′, `miss(a, y)` replaces ∂C/∂a₃ (so each slip is one keyword)."""
    prime = prime or (lambda z, a: a * (1.0 - a))
    miss = miss or (lambda a, y: a - y)
    z0 = w[0] * x + b[0]
    a1 = expit(z0)
    z1 = w[1] * a1 + b[1]
    a2 = expit(z1)
    z2 = w[2] * a2 + b[2]
    a3 = expit(z2)
    factors = {"x": x, "s0": prime(z0, a1), "w1": w[1], "s1": prime(z1, a2), "w2": w[2],
               "s2": prime(z2, a3), "miss": miss(a3, y)}
    return float(np.prod([v for k, v in factors.items() if k not in drop]))


def reference_chain_rule_w0(x, y, w, b):
    """∂C/∂w₀ for one sample of the three-layer chain, a float.

    x, y: numbers (input and target); w, b: (3,) weights and biases, layer 0 first.
    By the chain rule along w₀ → z₀ → a₁ → z₁ → a₂ → z₂ → a₃ → C:
    x · σ′(z₀) · w₁ · σ′(z₁) · w₂ · σ′(z₂) · (a₃ − y).
    """
    return _chain_rule_w0(x, y, w, b)


CHAIN_RULE_W0_SLIPS = {
    "the factor x (∂z₀/∂w₀) is missing": lambda x, y, w, b: _chain_rule_w0(x, y, w, b, drop={"x"}),
    "the factor w₁ (∂z₁/∂a₁) is missing":
        lambda x, y, w, b: _chain_rule_w0(x, y, w, b, drop={"w1"}),
    "the factor w₂ (∂z₂/∂a₂) is missing":
        lambda x, y, w, b: _chain_rule_w0(x, y, w, b, drop={"w2"}),
    "the factor σ′(z₀) is missing": lambda x, y, w, b: _chain_rule_w0(x, y, w, b, drop={"s0"}),
    "the factor σ′(z₁) is missing": lambda x, y, w, b: _chain_rule_w0(x, y, w, b, drop={"s1"}),
    "the factor σ′(z₂) is missing": lambda x, y, w, b: _chain_rule_w0(x, y, w, b, drop={"s2"}),
    "σ(z)(1 − z) was used instead of σ(z)(1 − σ(z))":
        lambda x, y, w, b: _chain_rule_w0(x, y, w, b, prime=lambda z, a: a * (1.0 - z)),
    "the sign is flipped: y − a₃ instead of a₃ − y":
        lambda x, y, w, b: _chain_rule_w0(x, y, w, b, miss=lambda a, y: y - a),
    "the ½ of the cost was forgotten: 2(a₃ − y) instead of a₃ − y":
        lambda x, y, w, b: _chain_rule_w0(x, y, w, b, miss=lambda a, y: 2.0 * (a - y)),
}


def _one_sample_inputs(rng):
    return (float(rng.normal(0.0, 2.0)), float(rng.uniform(0.0, 1.0)),
            rng.normal(0.0, 1.5, size=3), rng.normal(0.0, 1.0, size=3))


def check_chain_rule_w0(candidate):
    """Check chain_rule_w0(x, y, w, b) -> ∂C/∂w₀ (a number) for one sample of the
    three-layer chain."""
    return check(candidate, reference_chain_rule_w0, _one_sample_inputs, name="chain_rule_w0",
                 trials=4, atol=1e-12, slips=CHAIN_RULE_W0_SLIPS)


# -- Exercise 3: backprop_chain ------------------------------------------------------------


def _backprop_chain(X, Y, w, b, mistake=None):
    """BP1–BP4 on a chain; `mistake` makes one of the usual slips (a key of _MISTAKES)."""
    w = np.asarray(w, dtype=float)
    b = np.asarray(b, dtype=float)
    Zs, As = [], [np.asarray(X, dtype=float)]
    for w_l, b_l in zip(w, b):
        Zs.append(w_l * As[-1] + b_l)
        As.append(expit(Zs[-1]))

    def prime(l):                                   # σ′(z_l), from a_{l+1} = σ(z_l)
        if mistake == "a(1 - z)":
            return As[l + 1] * (1.0 - Zs[l])
        return As[l + 1] * (1.0 - As[l + 1])

    n = len(w)
    dw, db = np.empty(n), np.empty(n)
    miss = Y - As[-1] if mistake == "sign" else As[-1] - Y
    delta = miss if mistake == "no prime in BP1" else miss * prime(n - 1)   # BP1
    for l in range(n - 1, -1, -1):
        db[l] = delta.mean()                                                 # BP3
        a_in = As[l + 1] if mistake == "output in BP4" else As[l]
        dw[l] = (a_in * delta).mean()                                        # BP4
        if l > 0:
            w_back = w[l - 1] if mistake == "own weight in BP2" else w[l]
            delta = w_back * delta                              # BP2: δ_{l−1} from δ_l
            if mistake == "prime of layer l in BP2":
                delta = delta * prime(l)
            elif mistake != "no prime in BP2":
                delta = delta * prime(l - 1)
    if mistake == "sum":
        return dw * len(X), db * len(X)
    return dw, db


def reference_backprop_chain(X, Y, w, b):
    """Gradient of the mean loss 𝓛 of a chain of one-neuron sigmoid layers.

    X, Y: (N, 1) inputs and targets; w, b: (n,) weights and biases, layer 0 first.
    Returns (dw, db), each (n,): ∂𝓛/∂w_l and ∂𝓛/∂b_l of 𝓛 = the mean over the samples of
    their costs ½(a_n − y)².
    """
    return _backprop_chain(X, Y, w, b)


def _chain_slip(mistake):
    return lambda X, Y, w, b: _backprop_chain(X, Y, w, b, mistake)


BACKPROP_CHAIN_SLIPS = {
    "the 1/N is missing: that is the gradient of the summed cost, not of the mean 𝓛":
        _chain_slip("sum"),
    "σ′ is missing in BP1": _chain_slip("no prime in BP1"),
    "σ′ is missing in BP2": _chain_slip("no prime in BP2"),
    "BP2 uses w_{l−1}, the weight of the layer the error arrives in, instead of w_l":
        _chain_slip("own weight in BP2"),
    "BP2 takes σ′ at the wrong layer: σ′(z_l) instead of σ′(z_{l−1})":
        _chain_slip("prime of layer l in BP2"),
    "BP4 uses the layer's output a_{l+1} instead of its input a_l": _chain_slip("output in BP4"),
    "σ(z)(1 − z) was used instead of σ(z)(1 − σ(z))": _chain_slip("a(1 - z)"),
    "the sign is flipped: y − a instead of a − y": _chain_slip("sign"),
}


def _chain_inputs(rng):
    n_layers = int(rng.integers(2, 6))
    n = int(rng.integers(3, 9))
    X = rng.normal(0.0, 2.0, size=(n, 1))
    Y = rng.uniform(0.0, 1.0, size=(n, 1))
    return X, Y, rng.normal(0.0, 1.5, size=n_layers), rng.normal(0.0, 1.0, size=n_layers)


def check_backprop_chain(candidate):
    """Check backprop_chain(X, Y, w, b) -> (dw, db), the gradient of 𝓛, on chains of 2 to 5
    layers."""
    return check(candidate, reference_backprop_chain, _chain_inputs, name="backprop_chain",
                 trials=5, slips=BACKPROP_CHAIN_SLIPS)


EXERCISES = {
    "sigmoid_prime": check_sigmoid_prime,
    "chain_rule_w0": check_chain_rule_w0,
    "backprop_chain": check_backprop_chain,
}
