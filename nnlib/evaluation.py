"""Comparing two classifiers on the same test samples: McNemar's exact test.

    mcnemar(right_a, right_b) -> (k, m, p)

Two models scored on the same N test samples are not two independent measurements: most
samples both get right, some both get wrong, and those say nothing about which model is
better. Only the discordant samples do: k that model a got right and model b got wrong,
and m the other way round. If the two models were equally good, each discordant sample
would be a fair coin flip between them, so k would be Binomial(k + m, ½). The two-sided
exact p-value is the chance of a split at least as uneven as (k, m) under that coin:

    p = min(1, 2 · Pr(H ≤ min(k, m))),   H ~ Binomial(k + m, ½),

which is what scipy.stats.binomtest(k, k + m).pvalue gives (tests/test_evaluation.py
checks it). A small p (below 0.05, say) means such an uneven split would be rare between
equally good models; a large one means the test set cannot tell them apart. With few
discordant samples the test is cautious: with k + m ≤ 5 even the most uneven split has
p = 2/2^(k+m) ≥ 0.0625, so no split is significant at 5 %.
"""

import math

import numpy as np


def _outcomes(name, value):
    arr = np.asarray(value)
    if arr.ndim != 1 or arr.size == 0 or arr.dtype != bool:
        raise ValueError(f"{name} must be a non-empty 1-D array of True/False (whether the model "
                         f"got each sample right), got {arr.dtype} of shape {arr.shape}")
    return arr


def mcnemar(right_a, right_b):
    """McNemar's exact test of two classifiers scored on the same samples.

    right_a, right_b: (N,) bool, whether model a and model b got each sample right.
    Returns (k, m, p): k the samples only model a got right, m those only model b got
    right (ints), and p the two-sided exact p-value, min(1, 2 · Pr(H ≤ min(k, m))) for
    H ~ Binomial(k + m, ½); p = 1.0 when the models never disagree.
    """
    right_a, right_b = _outcomes("right_a", right_a), _outcomes("right_b", right_b)
    if right_a.shape != right_b.shape:
        raise ValueError(f"right_a {right_a.shape} and right_b {right_b.shape} must score the "
                         "same samples (the same length)")
    k = int(np.sum(right_a & ~right_b))
    m = int(np.sum(~right_a & right_b))
    n = k + m
    tail = sum(math.comb(n, h) for h in range(min(k, m) + 1))   # exact integers
    return k, m, min(1.0, 2 * tail / 2 ** n)
