"""Comparing two classifiers on the same test samples: McNemar's exact test.

    mcnemar(right_a, right_b) -> (b, c, p)

Two models scored on the same N test samples are not two independent measurements: most
samples both get right, some both get wrong, and those say nothing about which model is
better. Only the discordant samples do: b that model a got right and model b got wrong,
and c the other way round. If the two models were equally good, each discordant sample
would be a fair coin flip between them, so b would be Binomial(b + c, ½). The two-sided
exact p-value is the chance of a split at least as uneven as (b, c) under that coin:

    p = min(1, 2 · P(X ≤ min(b, c))),   X ~ Binomial(b + c, ½),

which is what scipy.stats.binomtest(b, b + c).pvalue gives (tests/test_evaluation.py
checks it). A small p (below 0.05, say) means such an uneven split would be rare between
equally good models; a large one means the test set cannot tell them apart.
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
    Returns (b, c, p): b the samples only model a got right, c those only model b got
    right (ints), and p the two-sided exact p-value, min(1, 2 · P(X ≤ min(b, c))) for
    X ~ Binomial(b + c, ½); p = 1.0 when the models never disagree.
    """
    right_a, right_b = _outcomes("right_a", right_a), _outcomes("right_b", right_b)
    if right_a.shape != right_b.shape:
        raise ValueError(f"right_a {right_a.shape} and right_b {right_b.shape} must score the "
                         "same samples (the same length)")
    b = int(np.sum(right_a & ~right_b))
    c = int(np.sum(~right_a & right_b))
    n = b + c
    tail = sum(math.comb(n, k) for k in range(min(b, c) + 1))   # exact integers
    return b, c, min(1.0, 2 * tail / 2 ** n)
