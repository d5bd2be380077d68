"""Does each trick of nnlib/_engine.py pay? One SGD epoch with and without it.

    cd benchmarks && ../.venv/bin/python tricks.py            # all sizes; make bench too

- reference step: `train`'s loop with `MLP.loss_and_gradient` (the readable backprop,
  fresh arrays, its input check per batch) in place of the engine;
- fresh buffers: the engine allocating its arrays anew at every step;
- lr not folded: `train` with a callback (that does nothing), so that SGD gets the
  gradient itself and updates with `flat -= lr * grad`;
- bias sum: the bias gradients as `delta.sum(axis=0)` instead of the engine's `1ᵀ delta`
  (a GEMV), and 4-op sigmoid: σ as `1 / (1 + exp(−z))` in four in-place ufuncs instead of
  SciPy's `expit`. These two are timed as pieces, each layer's (B, width) block once per
  step of an epoch, and reported as the epoch time they would add.

Each figure is a fraction of the engine's own epoch: +10 % means the epoch would take
10 % longer without the trick.
"""

import sys

import numpy as np
from common import LR, SIZES, interleaved, problem
from scipy.special import expit

import nnlib
from nnlib import _engine, training


class FreshBuffers(_engine.Engine):
    def _workspace(self, n):
        self._buffers.clear()
        return super()._workspace(n)


class ReferenceStep(_engine.Engine):
    def loss_and_gradient(self, X, Y, scale=1.0):
        loss, grad = self.net.loss_and_gradient(X, Y)
        self.grad[:] = scale * grad
        return loss


def four_op_sigmoid(z, out):
    np.negative(z, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)


def epoch_with(engine_class, net, X, Y, batch, start, callback=None):
    def run():
        net.weights.flat[:] = start
        training.Engine = engine_class
        try:
            nnlib.train(net, X, Y, lr=LR, epochs=1, batch_size=batch, seed=0,
                        callback=callback)
        finally:
            training.Engine = _engine.Engine
    return run


def pieces(sizes, batch, steps):
    """Seconds per epoch of each piece: the bias gradients by GEMV and by sum, σ by expit
    and by four ufuncs, over every layer's (batch, width) block."""
    rng = np.random.default_rng(0)
    blocks = [rng.normal(size=(batch, width)) for width in sizes[1:]]
    outs = [np.empty(b.shape[1]) for b in blocks]
    full = [np.empty_like(b) for b in blocks]
    ones = np.ones(batch)

    def over_epoch(piece):
        return lambda: [piece(k) for _ in range(steps) for k in range(len(blocks))]

    return interleaved({
        "gemv": over_epoch(lambda k: np.matmul(ones, blocks[k], out=outs[k])),
        "sum": over_epoch(lambda k: np.sum(blocks[k], axis=0, out=outs[k])),
        "expit": over_epoch(lambda k: expit(blocks[k], out=full[k])),
        "four_op": over_epoch(lambda k: four_op_sigmoid(blocks[k], full[k])),
    }, 5, min_seconds=1.0)


def measure(name, repeats=5):
    """{trick: extra epoch time without it, as a fraction of the engine's epoch}."""
    sizes, n, batch = SIZES[name]
    X, Y, net = problem(sizes, n)
    start = net.weights.flat.copy()
    times = interleaved({
        "engine": epoch_with(_engine.Engine, net, X, Y, batch, start),
        "fresh buffers": epoch_with(FreshBuffers, net, X, Y, batch, start),
        "reference step": epoch_with(ReferenceStep, net, X, Y, batch, start),
        "lr not folded": epoch_with(_engine.Engine, net, X, Y, batch, start,
                                    callback=lambda *_: False),
    }, repeats)
    engine = np.median(times["engine"])
    extra = {key: float(np.median(times[key] / times["engine"]) - 1)
             for key in ("reference step", "fresh buffers", "lr not folded")}
    part = {key: float(np.median(t)) for key, t in pieces(sizes, batch, -(-n // batch)).items()}
    extra["bias sum"] = (part["sum"] - part["gemv"]) / engine
    extra["4-op sigmoid"] = (part["four_op"] - part["expit"]) / engine
    return {"engine_ms": engine * 1e3, **extra}


def table(results):
    keys = ["reference step", "fresh buffers", "lr not folded", "bias sum", "4-op sigmoid"]
    lines = ["| net | engine epoch (ms) | " + " | ".join(f"without it: {k}" for k in keys) + " |",
             "|---" * (len(keys) + 2) + "|"]
    for name, r in results.items():
        cells = " | ".join(f"{r[k]:+.0%}" for k in keys)
        lines.append(f"| {name} {SIZES[name][0]} | {r['engine_ms']:.1f} | {cells} |")
    return "\n".join(lines)


if __name__ == "__main__":
    names = sys.argv[1:] or list(SIZES)
    print(table({name: measure(name) for name in names}))
