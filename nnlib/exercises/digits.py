"""Checkers for the lesson "Handwritten digits".

check_early_stopping(early_stopping)  early stopping with patience, written into nnlib.train
                                      through its callback: it is run in real training
check_confusion(confusion)            the confusion matrix, by hand with NumPy
check_mcnemar_p(mcnemar_p)            McNemar's exact test of two classifiers on the same
                                      test samples, against nnlib.evaluation.mcnemar

Each returns a Verdict (see `nnlib.exercises.check`) that names the usual slip when it
sees one, and never raises. A slip is named only when the answer equals what that slip
gives on every input the checker tried, so a mistake is not named after another that
happens to agree with it on one input. An answer that calls the lesson's own answer
(reference_early_stopping, nnlib's confusion_matrix, mcnemar or SciPy's binomtest) is
refused as not implemented: the exercise is to write it.
"""

import math
import types

import numpy as np
from scipy.stats import chi2

from ..data import make_data
from ..evaluation import mcnemar
from ..metrics import confusion_matrix
from ..network import MLP
from ..training import train
from .core import Verdict, call, check, matches, not_implemented, raised


def _name_the_slip(verdict, candidate, slips, all_inputs):
    """`verdict`, naming the first slip whose answers equal the candidate's on every input
    set that `all_inputs()` gives (else as it is: the core may have named a transpose)."""
    if verdict or verdict.status not in ("wrong shape", "wrong values"):
        return verdict
    for slip, wrong in slips.items():
        try:
            # inputs where the slip itself is undefined (NaN, as χ² with no disagreement) are
            # left out
            pairs = [(candidate(*args), wrong(*args)) for args in all_inputs()]
            pairs = [(got, slipped) for got, slipped in pairs
                     if not (np.ndim(slipped) == 0 and np.isnan(slipped))]
            if pairs and all(matches(got, slipped) for got, slipped in pairs):
                return Verdict(verdict.status, f"{verdict.message} It looks like {slip}.",
                               verdict.max_difference, slip=slip)
        except Exception:  # a slip (or a candidate) that fails on some input is not this one
            continue
    return verdict


def _names(code):
    """Every global, attribute or enclosing-scope name a function's code uses, in nested
    functions too."""
    names = set(code.co_names) | set(code.co_freevars)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def _borrowed(candidate, name, answers):
    """A "not implemented" Verdict if `candidate` calls one of `answers` (names of the
    lesson's own answer to this exercise) instead of doing the work; else None."""
    code = getattr(candidate, "__code__", None)
    used = sorted(_names(code) & set(answers)) if isinstance(code, types.CodeType) else []
    if not used:
        return None
    return Verdict("not implemented", f"{name} calls {used[0]}, which already is the answer: "
                   "the exercise is to write it yourself.")


def _drawn(make_inputs, trials, seed=0):
    """A function giving the `trials` input sets that check(..., seed=seed) draws."""
    def inputs():
        rng = np.random.default_rng(seed)
        return [make_inputs(rng) for _ in range(trials)]
    return inputs


def _checked(candidate, reference, make_inputs, name, trials, slips, answers):
    borrowed = _borrowed(candidate, name, answers)
    if borrowed is not None:
        return borrowed
    with np.errstate(all="ignore"):
        verdict = check(candidate, reference, make_inputs, name=name, trials=trials)
        return _name_the_slip(verdict, candidate, slips, _drawn(make_inputs, trials))


# -- exercise 1: early stopping through train's callback ---------------------------------

def _early_stopping(X_val, Y_val, patience, steps_per_epoch, copy=True, stops=True,
                    extra_wait=0, first_epoch=1, every_step=False, batch_loss=False):
    """The reference, with switches that make the slips."""
    best = {"epoch": 0, "loss": np.inf, "flat": None}
    every = 1 if every_step else steps_per_epoch

    def callback(step, net, loss, grad):
        if step % every:
            return False
        epoch = step // every                         # epochs done, counted from 1
        current = loss if batch_loss else net.loss(X_val, Y_val)
        if current < best["loss"]:
            flat = net.weights.flat.copy() if copy else net.weights.flat
            best.update(epoch=epoch - 1 + first_epoch, loss=current, flat=flat)
        waited = epoch - (best["epoch"] + 1 - first_epoch)   # epochs since the lowest loss
        return stops and waited >= patience + extra_wait

    return callback, best


def reference_early_stopping(X_val, Y_val, patience, steps_per_epoch):
    """(callback, best): a callback for nnlib.train, and the dict it keeps up to date.

    After every epoch (every `steps_per_epoch` steps) the callback measures the validation
    loss net.loss(X_val, Y_val). At a new lowest loss it sets best["epoch"] (the epochs done,
    counted from 1), best["loss"] and best["flat"], a copy of the flat weights. It returns
    True, which stops training, once `patience` epochs in a row have brought no new lowest
    loss. best starts as {"epoch": 0, "loss": inf, "flat": None}.
    """
    return _early_stopping(X_val, Y_val, patience, steps_per_epoch)


# the code of the reference's callback: a candidate that hands it back has borrowed it
_REFERENCE_CALLBACK = next(const for const in _early_stopping.__code__.co_consts
                           if isinstance(const, types.CodeType) and const.co_name == "callback")
EARLY_STOPPING_ANSWERS = ("reference_early_stopping", "_early_stopping")


EARLY_STOPPING_SLIPS = {
    "the flat vector itself was kept, not a copy: best['flat'] followed the weights to the "
    "end of training": dict(copy=False),
    "patience was ignored: the callback never returns True, so training never stops":
        dict(stops=False),
    "it waited one epoch too many (more than `patience` epochs without a new low)":
        dict(extra_wait=1),
    "it stopped one epoch too soon (after patience − 1 epochs without a new low)":
        dict(extra_wait=-1),
    "the epoch was counted from 0": dict(first_epoch=0),
    "the loss was measured after every step, not once per epoch (every steps_per_epoch "
    "steps)": dict(every_step=True),
    "the mini-batch's training loss (the callback's `loss`) was used, not the validation "
    "loss": dict(batch_loss=True),
}

# (samples, noise, hidden units, lr, batch size, patience, data and weights seed): small
# nets on noisy moons, half of the samples for validation; the validation loss is noisy, so
# patience decides when each run stops
STOPPING_CASES = [(80, 0.35, 32, 0.05, 8, 4, 0), (60, 0.4, 24, 0.05, 6, 3, 1),
                  (100, 0.3, 16, 0.03, 10, 5, 2)]
STOPPING_EPOCHS = 60


def _steps_per_epoch(case):
    n, batch_size = case[0], case[4]
    return math.ceil(n // 2 / batch_size)          # half of the n samples are for training


def _stopping_run(factory, case, learner=False):
    """Train one case with the callback `factory` makes; return (steps trained, best epoch,
    best loss, best flat), or a Verdict if `factory` or its callback fails, or if the
    learner's `factory` handed back the reference's own callback."""
    n, noise, hidden, lr, batch_size, patience, seed = case
    X, Y, X_val, Y_val = make_data("moons", n=n, noise=noise, seed=seed, test_size=0.5)
    net = MLP([2, hidden, 1], "tanh", "sigmoid", "cross_entropy", seed=seed)
    made, verdict = call(factory, "early_stopping", X_val, Y_val, patience, _steps_per_epoch(case))
    if verdict is not None:
        return verdict
    if not (isinstance(made, (tuple, list)) and len(made) == 2 and callable(made[0])
            and isinstance(made[1], dict)):
        return Verdict("wrong shape", "early_stopping should return two things, (callback, "
                       "best): the function nnlib.train calls after every step, and the dict "
                       f"it keeps up to date; got {type(made).__name__}")
    callback, best = made
    if learner and getattr(callback, "__code__", None) is _REFERENCE_CALLBACK:
        return Verdict("not implemented", "early_stopping returns the callback of "
                       "reference_early_stopping, which already is the answer: the exercise is "
                       "to write it yourself.")
    try:
        history = train(net, X, Y, optimizer="adam", lr=lr, epochs=STOPPING_EPOCHS,
                        batch_size=batch_size, seed=seed, callback=callback)
    except NotImplementedError:
        return not_implemented("early_stopping")
    except (Exception, SystemExit) as exc:   # the learner's callback may fail in any way
        return raised("early_stopping's callback", exc)
    missing = [key for key in ("epoch", "loss", "flat") if key not in best]
    if missing:
        return Verdict("wrong shape", f"best has no key {missing[0]!r}: the callback must "
                       "keep best['epoch'], best['loss'] and best['flat'] up to date")
    return history.steps, best["epoch"], best["loss"], best["flat"]


def _same(got, expected):
    return all(matches(g, e, rtol=1e-9, atol=1e-12) for g, e in zip(got, expected))


def _when(steps, steps_per_epoch):
    epoch, part = divmod(steps, steps_per_epoch)
    return (f"after epoch {epoch} (step {steps})" if part == 0
            else f"at step {steps}, in the middle of epoch {epoch + 1}")


def _what_differs(got, expected, steps_per_epoch):
    steps, epoch, loss, flat = got
    steps_ref, epoch_ref, loss_ref, flat_ref = expected
    if steps != steps_ref:
        ran = (f"ran all {STOPPING_EPOCHS} epochs" if steps == STOPPING_EPOCHS * steps_per_epoch
               else f"stopped {_when(steps, steps_per_epoch)}")
        return f"training {ran}; the rule stops it {_when(steps_ref, steps_per_epoch)}"
    if not matches(epoch, epoch_ref, rtol=0, atol=0):
        return f"best['epoch'] is {epoch!r}; the lowest validation loss came after epoch {epoch_ref}"
    if not matches(loss, loss_ref, rtol=1e-9, atol=1e-12):
        return f"best['loss'] is {loss!r}, not the lowest validation loss {loss_ref:.6g}"
    return f"best['flat'] is not the weights after epoch {epoch_ref}, where the loss was lowest"


def check_early_stopping(candidate):
    """Train three small nets on noisy moons with nnlib.train(..., callback=callback), the
    callback from candidate(X_val, Y_val, patience, steps_per_epoch), and compare when
    training stopped and what `best` holds with the reference; names the usual slips."""
    name = "early_stopping"
    borrowed = _borrowed(candidate, name, EARLY_STOPPING_ANSWERS)
    if borrowed is not None:
        return borrowed
    with np.errstate(all="ignore"):
        runs = []
        for case in STOPPING_CASES:
            got = _stopping_run(candidate, case, learner=True)
            if isinstance(got, Verdict):
                return got
            runs.append((case, got, _stopping_run(reference_early_stopping, case)))
        wrong = [(case, got, expected) for case, got, expected in runs if not _same(got, expected)]
        if not wrong:
            return Verdict("correct", f"{name}: correct! Training stopped at the same step and "
                           f"best holds the same epoch, loss and weights as the reference on "
                           f"{len(STOPPING_CASES)} small networks.", 0.0)
        case, got, expected = wrong[0]
        message = f"{name}: wrong values: {_what_differs(got, expected, _steps_per_epoch(case))}."
        for slip, switches in EARLY_STOPPING_SLIPS.items():
            def slipped(*args, switches=switches):
                return _early_stopping(*args, **switches)
            if all(_same(got, _stopping_run(slipped, case)) for case, got, _ in runs):
                return Verdict("wrong values", f"{message} It looks like {slip}.", slip=slip)
        return Verdict("wrong values", message)


# -- exercise 2: the confusion matrix ----------------------------------------------------

def reference_confusion(labels, predicted, n_classes):
    """counts (n_classes, n_classes): row = true class, column = predicted class.
    labels, predicted: (N,) integers in 0 … n_classes − 1."""
    return confusion_matrix(labels, predicted, n_classes)


def _each_pair_once(labels, predicted, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=int)
    counts[labels, predicted] += 1          # fancy assignment: a repeated pair counts once
    return counts


def _size_from_the_data(labels, predicted, n_classes):
    return reference_confusion(labels, predicted, int(max(labels.max(), predicted.max())) + 1)


CONFUSION_SLIPS = {
    "`counts[labels, predicted] += 1` counted each repeated pair only once": _each_pair_once,
    "the counts were divided by N (shares, not counts)":
        lambda labels, predicted, n: reference_confusion(labels, predicted, n) / len(labels),
    "the size was taken from the data (the largest class seen + 1), not from n_classes: "
    "classes above it, which no sample has, true or predicted, lost their rows and columns":
        _size_from_the_data,
}
CONFUSION_ANSWERS = ("confusion_matrix", "reference_confusion")


def _confusion_inputs(rng):
    n_classes = int(rng.integers(3, 7))
    present = n_classes - int(rng.integers(0, 2))     # sometimes the largest class is in no sample
    labels = rng.integers(0, present, size=int(rng.integers(20, 60)))
    predicted = np.where(rng.uniform(size=labels.size) < 0.7, labels,
                         rng.integers(0, present, size=labels.size))
    return labels, predicted, n_classes


def check_confusion(candidate):
    """Check confusion(labels, predicted, n_classes) -> counts (n_classes, n_classes)."""
    return _checked(candidate, reference_confusion, _confusion_inputs, "confusion", 3,
                    CONFUSION_SLIPS, CONFUSION_ANSWERS)


# -- exercise 3: McNemar's exact test ----------------------------------------------------

def reference_mcnemar_p(right_a, right_b):
    """The two-sided exact p-value of McNemar's test: right_a, right_b (N,) bool, whether
    model a and model b got each sample right -> a float (nnlib.evaluation.mcnemar)."""
    return mcnemar(right_a, right_b)[2]


def _discordant(right_a, right_b):
    return int(np.sum(right_a & ~right_b)), int(np.sum(~right_a & right_b))


def _tail(right_a, right_b, below=1):
    k, m = _discordant(right_a, right_b)
    return sum(math.comb(k + m, h) for h in range(min(k, m) + below)) / 2 ** (k + m)


def _chi2(right_a, right_b, correction):
    k, m = _discordant(right_a, right_b)
    if k + m == 0:
        return float("nan")                     # no disagreement: the statistic is 0 / 0
    return float(chi2.sf(max(abs(k - m) - correction, 0) ** 2 / (k + m), 1))


MCNEMAR_SLIPS = {
    "the tail was not doubled: that is the one-sided p-value": _tail,
    "the doubled tail was not capped at 1 (with k = m it is above 1)":
        lambda a, b: 2 * _tail(a, b),
    "the tail left out min(k, m) itself (Pr(H < min) instead of Pr(H ≤ min))":
        lambda a, b: min(1.0, 2 * _tail(a, b, below=0)),
    "the χ² approximation (k − m)² / (k + m) was used, not the exact binomial":
        lambda a, b: _chi2(a, b, 0),
    "the χ² approximation with continuity correction was used, not the exact binomial":
        lambda a, b: _chi2(a, b, 1),
    "the samples both models got right or wrong were counted too: the coin was thrown "
    "N times": lambda a, b: min(1.0, 2 * sum(math.comb(a.size, k) for k in range(
        min(_discordant(a, b)) + 1)) / 2 ** a.size),
}
MCNEMAR_ANSWERS = ("mcnemar", "reference_mcnemar_p", "binomtest")


def _mcnemar_inputs(rng):
    n = int(rng.integers(150, 400))
    k, m = (int(count) for count in rng.integers(0, 12, size=2))
    kind = rng.uniform()
    if kind < 0.2:
        m = k                                   # equal counts: the doubled tail is above 1
    elif kind < 0.45:
        k = m = 0                               # no disagreement at all: p = 1
    elif kind < 0.65:
        k, m = 0, 7 + m % 3                     # one-sided: significant at 5 %
    both_wrong = int(rng.integers(0, 8))
    right_a = np.ones(n, dtype=bool)
    right_b = np.ones(n, dtype=bool)
    right_b[:k] = False
    right_a[k:k + m] = False
    right_a[k + m:k + m + both_wrong] = right_b[k + m:k + m + both_wrong] = False
    order = rng.permutation(n)
    return right_a[order], right_b[order]


def check_mcnemar_p(candidate):
    """Check mcnemar_p(right_a, right_b) -> the two-sided exact p-value, on random pairs
    of right/wrong arrays with few disagreements (some with k = m, one with none, one
    significant)."""
    return _checked(candidate, reference_mcnemar_p, _mcnemar_inputs, "mcnemar_p", 6,
                    MCNEMAR_SLIPS, MCNEMAR_ANSWERS)


EXERCISES = {
    "early_stopping": check_early_stopping,
    "confusion": check_confusion,
    "mcnemar_p": check_mcnemar_p,
}
