"""Where one nnlib SGD epoch spends its time, piece by piece.

    cd benchmarks && ../.venv/bin/python breakdown.py mid      # or lesson, wide

Each piece of the training step is timed on its own over a whole epoch's worth of
mini-batches, with nnlib's own buffers, and set beside a real `nnlib.train` epoch
(minimum of several runs, to see past the machine's load). The pieces are what
`MLP.loss_and_gradient_unchecked` and `train` do, in that order.
"""

import sys
import time

import numpy as np
from run import LR, SIZES, problem

import nnlib


def best_of(fn, repeats=7):
    """Minimum seconds of `fn()` over `repeats` runs."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def breakdown(name):
    sizes, n, batch = SIZES[name]
    X, Y, net = problem(sizes, n)
    steps, L = n // batch, net.n_layers
    flat, grad = net.weights.flat, np.empty(net.weights.size)
    views = net.weights.split(grad)
    order = np.random.default_rng(0).permutation(n)
    Xb, Yb = X[order[:batch]], Y[order[:batch]]
    net.loss_and_gradient_unchecked(Xb, Yb, views, LR)  # fills the buffers with real values
    Zs, As, Ds, Gs, (ones,) = net._workspace(batch)
    fs = [net.layer_activation(l) for l in range(L)]

    def per_epoch(step):
        return lambda: [step() for _ in range(steps)]

    def gather():  # the epoch's mini-batches in a shuffled order, as `train` takes them
        for k in range(steps):
            rows = order[k * batch:(k + 1) * batch]
            X.take(rows, axis=0, out=Xb, mode="clip")
            Y.take(rows, axis=0, out=Yb, mode="clip")

    pieces = {
        "input check (once per train call)": lambda: net.check_XY(X, Y),
        "shuffled mini-batch gather": gather,
        "forward GEMMs": per_epoch(lambda: [np.matmul(As[l], net.Ws[l].T, out=Zs[l])
                                            for l in range(L)]),
        "bias add": per_epoch(lambda: [np.add(Zs[l], net.bs[l], out=Zs[l]) for l in range(L)]),
        "activations f(Z)": per_epoch(lambda: [fs[l](Zs[l], out=As[l + 1]) for l in range(L)]),
        "loss and output delta": per_epoch(lambda: net.loss_fn.value_and_delta(
            Zs[-1], As[-1], Yb, out=Ds[-1])),
        "weight-gradient GEMMs": per_epoch(lambda: [np.matmul(Ds[l].T, As[l], out=views[2 * l])
                                                    for l in range(L)]),
        "bias gradients (GEMV)": per_epoch(lambda: [np.matmul(ones, Ds[l], out=views[2 * l + 1])
                                                    for l in range(L)]),
        "delta GEMMs": per_epoch(lambda: [np.matmul(Ds[l], net.Ws[l], out=Gs[l - 1])
                                          for l in range(1, L)]),
        "activation derivatives f'(Z) · upstream": per_epoch(lambda: [
            fs[l - 1].backward(Gs[l - 1], Zs[l - 1], As[l], out=Ds[l - 1]) for l in range(1, L)]),
        "SGD update (flat -= lr · grad)": per_epoch(lambda: np.subtract(flat, grad, out=flat)),
    }
    start = flat.copy()

    def epoch():
        flat[:] = start
        nnlib.train(net, X, Y, lr=LR, epochs=1, batch_size=batch, seed=0)

    total = best_of(epoch)
    print(f"{name} {sizes}, N={n}, B={batch}: one nnlib.train epoch {total * 1e3:.1f} ms "
          "(best of 7)")
    parts = 0.0
    for label, fn in pieces.items():
        seconds = best_of(fn)
        parts += seconds
        print(f"  {label:42} {seconds * 1e3:7.2f} ms  {seconds / total:5.1%}")
    flat[:] = start  # the update piece moved the weights
    print(f"  {'sum of the pieces':42} {parts * 1e3:7.2f} ms  {parts / total:5.1%} "
          "(the rest: Python between the calls, caches)")


if __name__ == "__main__":
    breakdown(sys.argv[1] if len(sys.argv) > 1 else "mid")
