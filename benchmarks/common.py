"""What the benchmark scripts share: the problem sizes and the timing helpers."""

import math
import statistics
import time

import numpy as np

import nnlib

SIZES = {  # name: (layer sizes, N, batch size)
    "lesson": ([2, 3, 3, 1], 1000, 50),
    "mid": ([784, 128, 64, 10], 10000, 64),
    "wide": ([512, 1024, 1024, 10], 4096, 256),
}
LR = 0.1


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(fns, repeats, min_seconds=2.0, max_rounds=200):
    """Time each function in `fns` in turn, round after round, so that a change in the
    machine's load falls on all of them alike. At least `repeats` rounds, more (up to
    `max_rounds`) while a round is short, so fast functions get `min_seconds` in all.
    Returns {name: (n_rounds,) array of seconds}."""
    times = {name: [] for name in fns}
    done, rounds = 0, repeats
    while done < rounds:
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
        done += 1
        per_round = sum(map(sum, times.values())) / done
        rounds = min(max(repeats, math.ceil(min_seconds / per_round)), max_rounds)
    return {name: np.array(t) for name, t in times.items()}


def problem(sizes, n):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, sizes[0]))
    Y = rng.uniform(size=(n, sizes[-1]))
    net = nnlib.MLP(sizes, seed=0)
    return X, Y, net
