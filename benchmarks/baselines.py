"""The alternatives nnlib's training epoch is measured against.

All: sigmoid hidden and output layers, MSE (per-sample ½‖a − y‖²), plain SGD,
float64, weights as lists of (n_out, n_in) matrices and (n_out,) biases.
"""

import numpy as np
from scipy.special import expit


def gemm_only_epoch(Ws, X, batch_size, required=False):
    """Just the matrix products one epoch needs, into preallocated outputs: the
    floor for this algorithm on this machine (no activations, no updates).
    required=True adds the work no SGD epoch can skip: one σ per unit and sample,
    into the same buffers, and one in-place update `W -= grad` per layer and step
    (so it changes `Ws`: pass copies)."""
    widths = [X.shape[1]] + [W.shape[0] for W in Ws]
    rng = np.random.default_rng(0)  # real numbers in every buffer: garbage may hold slow denormals
    acts = [None] + [np.empty((batch_size, w)) for w in widths[1:]]
    # tiny deltas: repeated updates leave the weights, and so the sigmoid's inputs, where
    # they were (large inputs send exp into a slow overflow path that training never sees)
    deltas = [rng.normal(scale=1e-6, size=(batch_size, w)) for w in widths]
    grads = [np.empty_like(W) for W in Ws]
    for start in range(0, len(X) - batch_size + 1, batch_size):
        acts[0] = X[start:start + batch_size]
        for l, W in enumerate(Ws):
            np.matmul(acts[l], W.T, out=acts[l + 1])
            if required:
                expit(acts[l + 1], out=acts[l + 1])
        for l in range(len(Ws) - 1, -1, -1):
            np.matmul(deltas[l + 1].T, acts[l], out=grads[l])
            if l > 0:
                np.matmul(deltas[l + 1], Ws[l], out=deltas[l])
        if required:
            for W, grad in zip(Ws, grads):
                W -= grad


def per_example_epoch(Ws, bs, X, Y, lr, batch_size, n_batches=None):
    """The loop the lessons teach first: one sample at a time, column vectors."""
    for k, start in enumerate(range(0, len(X), batch_size)):
        if n_batches is not None and k == n_batches:
            return
        gWs = [np.zeros_like(W) for W in Ws]
        gbs = [np.zeros((len(b), 1)) for b in bs]
        stop = min(start + batch_size, len(X))
        for i in range(start, stop):
            acts = [X[i].reshape(-1, 1)]
            for W, b in zip(Ws, bs):
                acts.append(expit(W @ acts[-1] + b.reshape(-1, 1)))
            a = acts[-1]
            delta = (a - Y[i].reshape(-1, 1)) * a * (1 - a)
            for l in range(len(Ws) - 1, -1, -1):
                gWs[l] += delta @ acts[l].T
                gbs[l] += delta
                if l > 0:
                    delta = (Ws[l].T @ delta) * acts[l] * (1 - acts[l])
        for W, b, gW, gb in zip(Ws, bs, gWs, gbs):
            W -= lr * gW / (stop - start)
            b -= lr * gb.ravel() / (stop - start)


def stacked_tensor_epoch(Ws, bs, X, Y, lr, batch_size, n_batches=None):
    """The teaching step between the loop and the GEMM: per-sample outer products
    stacked into a (B, n_out, n_in) tensor, then summed over the batch axis."""
    for k, start in enumerate(range(0, len(X), batch_size)):
        if n_batches is not None and k == n_batches:
            return
        A_prev = X[start:start + batch_size]
        acts = [A_prev]
        for W, b in zip(Ws, bs):
            acts.append(expit(acts[-1] @ W.T + b))
        a = acts[-1]
        delta = (a - Y[start:start + batch_size]) * a * (1 - a)
        n = len(delta)
        for l in range(len(Ws) - 1, -1, -1):
            outer = np.einsum("bj,bk->bjk", delta, acts[l])   # (B, n_out, n_in)
            grad_W = outer.sum(axis=0) / n
            grad_b = delta.sum(axis=0) / n
            if l > 0:
                delta = (delta @ Ws[l]) * acts[l] * (1 - acts[l])
            Ws[l] -= lr * grad_W
            bs[l] -= lr * grad_b


def sklearn_regressor(hidden, lr, batch_size, seed=0):
    """scikit-learn's MLPRegressor set up as close to the others as it allows:
    logistic hidden units, plain SGD (no momentum), no L2 penalty. Its output
    layer is linear (scikit-learn does not offer a sigmoid regression output)."""
    from sklearn.neural_network import MLPRegressor

    return MLPRegressor(hidden_layer_sizes=hidden, activation="logistic", solver="sgd",
                        momentum=0.0, nesterovs_momentum=False, learning_rate_init=lr,
                        alpha=0.0, batch_size=batch_size, shuffle=True, random_state=seed)
