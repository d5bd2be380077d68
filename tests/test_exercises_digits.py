"""Lesson 12's checkers: the references against hand-worked curves, scikit-learn and SciPy;
each checker passes an independent solution, names every slip (and only on evidence from
every input it tried), and calls a stub not implemented."""

import math

import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn.metrics import confusion_matrix

from nnlib.exercises import digits as checkers
from nnlib.exercises.core import TRANSPOSED, matches
from nnlib.exercises.digits import (
    check_confusion,
    check_early_stopping,
    check_mcnemar_p,
    reference_confusion,
    reference_early_stopping,
    reference_mcnemar_p,
)


def stub(*_):
    raise NotImplementedError


def test_exercises_are_listed_in_lesson_order():
    assert list(checkers.EXERCISES) == ["early_stopping", "confusion", "mcnemar_p"]


# -- the references are right ----------------------------------------------------------------

class ScriptedNet:
    """Stands in for a net whose validation loss after each epoch is scripted."""

    def __init__(self, losses):
        self.losses, self.epoch = losses, 0
        self.weights = type("Weights", (), {"flat": np.zeros(1)})()

    def loss(self, X, Y):
        return self.losses[self.epoch - 1]


def scripted_run(losses, patience, steps_per_epoch=3):
    """Run the reference's callback over a scripted curve: (the step it stopped at, best)."""
    callback, best = reference_early_stopping(None, None, patience, steps_per_epoch)
    net = ScriptedNet(losses)
    for step in range(1, len(losses) * steps_per_epoch + 1):
        net.epoch = math.ceil(step / steps_per_epoch)
        net.weights.flat[:] = net.epoch          # the weights "of" each epoch
        if callback(step, net, 99.0, None):
            return step, best
    return step, best


def test_reference_early_stopping_by_hand():
    losses = [1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.65, 0.9, 0.95, 1.0]
    step, best = scripted_run(losses, patience=3)          # epochs 4, 5, 6 bring no new low
    assert step == 6 * 3 and best["epoch"] == 3 and best["loss"] == 0.7 and best["flat"][0] == 3
    step, best = scripted_run(losses, patience=4)          # sees epoch 7's low, runs to the end
    assert step == 10 * 3 and best["epoch"] == 7 and best["flat"][0] == 7
    step, best = scripted_run([3.0, 2.0, 1.0], patience=2)     # never stops: the last is best
    assert step == 9 and best["epoch"] == 3


def test_reference_mcnemar_p_is_scipys_binomial_test_on_the_discordant_pairs():
    rng = np.random.default_rng(3)
    for _ in range(20):
        a, b = checkers._mcnemar_inputs(rng)
        only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
        expected = binomtest(only_a, only_a + only_b).pvalue if only_a + only_b else 1.0
        assert reference_mcnemar_p(a, b) == pytest.approx(expected, rel=1e-12)


def test_reference_confusion_equals_scikit_learn():
    rng = np.random.default_rng(1)
    labels, predicted = rng.integers(0, 5, size=80), rng.integers(0, 5, size=80)
    assert np.array_equal(reference_confusion(labels, predicted, 5),
                          confusion_matrix(labels, predicted, labels=range(5)))


# -- exercise 1: early stopping --------------------------------------------------------------

def watcher(X_val, Y_val, patience, steps_per_epoch, copy=True, stops=True, extra=0, start=1,
            every_step=False, batch_loss=False):
    """An independent early-stopping callback (a counter of epochs without a new low), with
    switches that make the slips."""
    best = {"epoch": 0, "loss": math.inf, "flat": None}
    state = {"epoch": 0, "waited": 0}

    def callback(step, net, loss, grad):
        if not every_step and step % steps_per_epoch != 0:
            return None
        state["epoch"] += 1
        value = loss if batch_loss else net.loss(X_val, Y_val)
        if value < best["loss"]:
            best["loss"], best["epoch"] = value, state["epoch"] - 1 + start
            best["flat"] = np.array(net.weights.flat) if copy else net.weights.flat
            state["waited"] = 0
        else:
            state["waited"] += 1
        return stops and state["waited"] == patience + extra

    return callback, best


def test_early_stopping_checker_passes_an_independent_solution_and_calls_a_stub_unfinished():
    assert check_early_stopping(watcher)
    assert check_early_stopping(stub).status == "not implemented"
    assert check_early_stopping(lambda *args: None).status == "not implemented"


@pytest.mark.parametrize("switches, slip", [
    (dict(copy=False), "the flat vector itself was kept, not a copy"),
    (dict(stops=False), "patience was ignored"),
    (dict(extra=1), "it waited one epoch too many"),
    (dict(extra=-1), "it stopped one epoch too soon"),
    (dict(start=0), "the epoch was counted from 0"),
    (dict(every_step=True), "the loss was measured after every step"),
    (dict(batch_loss=True), "the mini-batch's training loss"),
])
def test_early_stopping_checker_names_each_slip(switches, slip):
    verdict = check_early_stopping(lambda *args: watcher(*args, **switches))
    assert verdict.status == "wrong values" and verdict.slip.startswith(slip), verdict.message


def test_an_off_by_one_patience_is_not_called_patience_ignored():
    # the old checker named any answer that matched the whole curve's lowest loss on one
    # input "patience was ignored"; now a slip must match on every case
    verdict = check_early_stopping(lambda *args: watcher(*args, extra=1))
    assert "patience was ignored" not in verdict.message


def test_every_early_stopping_slip_changes_the_outcome_of_some_case():
    for slip, switches in checkers.EARLY_STOPPING_SLIPS.items():
        assert any(not checkers._same(
            checkers._stopping_run(lambda *a, s=switches: checkers._early_stopping(*a, **s), case),
            checkers._stopping_run(reference_early_stopping, case))
            for case in checkers.STOPPING_CASES), slip


def test_early_stopping_checker_names_what_is_wrong_without_a_slip():
    verdict = check_early_stopping(lambda *args: (lambda *a: True, {}))
    assert verdict.status == "wrong shape" and "best has no key 'epoch'" in verdict.message
    verdict = check_early_stopping(lambda *args: watcher(*args)[0])
    assert verdict.status == "wrong shape" and "(callback, best)" in verdict.message

    def raises(*args):
        def callback(step, net, loss, grad):
            raise KeyError("epoch")
        return callback, {}
    assert check_early_stopping(raises).status == "error"
    # stops one epoch late and counts from 0: two slips at once, none of them named alone
    verdict = check_early_stopping(lambda *args: watcher(*args, extra=1, start=0))
    assert verdict.status == "wrong values" and verdict.slip is None
    assert "the rule stops it after epoch" in verdict.message


# -- exercise 2: confusion -------------------------------------------------------------------

def loop_confusion(labels, predicted, n, once=False):
    counts = np.zeros((n, n), dtype=int)
    for t, p in zip(labels, predicted):
        counts[t, p] = 1 if once else counts[t, p] + 1
    return counts


def test_confusion_checker():
    assert check_confusion(loop_confusion)
    assert check_confusion(stub).status == "not implemented"
    verdict = check_confusion(lambda t, p, n: loop_confusion(t, p, n).T)
    assert verdict.status == "wrong values" and verdict.slip == TRANSPOSED
    # n_classes from the data: right whenever the largest class shows up, so some input lacks it
    assert any(max(t.max(), p.max()) < n - 1 for t, p, n in checkers._drawn(checkers._confusion_inputs, 3)())
    verdict = check_confusion(lambda t, p, n: loop_confusion(t, p, max(t.max(), p.max()) + 1))
    assert verdict.status == "wrong shape" and verdict.slip.startswith("the size was taken from the data")
    for wrong, slip in [(lambda t, p, n: loop_confusion(t, p, n, once=True),
                         "`counts[labels, predicted] += 1` counted each repeated pair only once"),
                        (lambda t, p, n: loop_confusion(t, p, n) / len(t),
                         "the counts were divided by N (shares, not counts)")]:
        verdict = check_confusion(wrong)
        assert verdict.status == "wrong values" and verdict.slip == slip, verdict.message


# -- exercise 3: McNemar ---------------------------------------------------------------------

def coin_p(right_a, right_b, doubled=True, capped=True, strict=False, everything=False):
    """An independent McNemar p-value (SciPy's binomial distribution), with switches."""
    from scipy.stats import binom

    k, m = int(np.sum(right_a & ~right_b)), int(np.sum(~right_a & right_b))
    throws = right_a.size if everything else k + m
    tail = binom.cdf(min(k, m) - (1 if strict else 0), throws, 0.5)
    p = 2 * tail if doubled else tail
    return min(1.0, p) if capped else p


def test_mcnemar_checker():
    assert check_mcnemar_p(coin_p)
    assert check_mcnemar_p(stub).status == "not implemented"
    cases = [(dict(doubled=False), "the tail was not doubled"),
             (dict(capped=False), "the doubled tail was not capped at 1"),
             (dict(strict=True), "the tail left out min(k, m) itself"),
             (dict(everything=True), "the samples both models got right or wrong were counted")]
    for switches, slip in cases:
        verdict = check_mcnemar_p(lambda a, b, s=switches: coin_p(a, b, **s))
        assert verdict.status == "wrong values" and verdict.slip.startswith(slip), verdict.message
    from scipy.stats import chi2

    def chi_squared(a, b, correction=0):
        only_a, only_b = np.sum(a & ~b), np.sum(~a & b)
        return chi2.sf(max(abs(only_a - only_b) - correction, 0) ** 2 / (only_a + only_b), 1)
    for correction, slip in [(0, "the χ² approximation (k − m)²"),
                             (1, "the χ² approximation with continuity correction")]:
        with np.errstate(all="ignore"):
            verdict = check_mcnemar_p(lambda a, b, k=correction: chi_squared(a, b, k))
        assert verdict.status == "wrong values" and verdict.slip.startswith(slip), verdict.message


@pytest.mark.parametrize("name, make", [("confusion", checkers._confusion_inputs),
                                        ("mcnemar_p", checkers._mcnemar_inputs)])
def test_every_slip_differs_from_the_reference_on_the_drawn_inputs(name, make):
    reference = getattr(checkers, f"reference_{name}")
    draws = checkers._drawn(make, 4)()
    slips = {"confusion": checkers.CONFUSION_SLIPS, "mcnemar_p": checkers.MCNEMAR_SLIPS}[name]
    with np.errstate(all="ignore"):
        for slip, wrong in slips.items():
            assert any(not matches(wrong(*args), reference(*args)) for args in draws
                       if _defined(wrong, args)), slip


def _defined(wrong, args):
    try:
        wrong(*args)
    except ZeroDivisionError:
        return False
    return True


# -- an answer that calls the lesson's own answer is not the learner's work -------------------

def test_an_answer_that_calls_the_reference_is_refused():
    def borrowing(X_val, Y_val, patience, steps_per_epoch):
        return reference_early_stopping(X_val, Y_val, patience, steps_per_epoch)
    lent = reference_early_stopping        # under another name: its callback still gives it away

    def renamed(*args):
        return lent(*args)
    from nnlib import metrics
    from nnlib.evaluation import mcnemar
    for verdict in (check_early_stopping(borrowing), check_early_stopping(renamed),
                    check_confusion(lambda t, p, n: metrics.confusion_matrix(t, p, n)),
                    check_confusion(lambda t, p, n: reference_confusion(t, p, n)),
                    check_mcnemar_p(lambda a, b: mcnemar(a, b)[2]),
                    check_mcnemar_p(lambda a, b: binomtest(int(np.sum(a & ~b)), int(np.sum(a != b))).pvalue)):
        assert verdict.status == "not implemented" and "write it yourself" in verdict.message, verdict


def test_mcnemar_checker_tries_no_disagreement_and_a_significant_table():
    """Among the drawn tables: k = m = 0 (p must be 1) and a one-sided one with p < 0.05; an
    answer wrong only where the models never disagree is refused."""
    tables = [(int(np.sum(a & ~b)), int(np.sum(~a & b))) for a, b in checkers._drawn(
        checkers._mcnemar_inputs, 6)()]
    assert (0, 0) in tables
    assert any(checkers.reference_mcnemar_p(*checkers._mcnemar_inputs(np.random.default_rng(s)))
               < 0.05 for s in range(20))
    assert any(k == 0 and m >= 7 for k, m in tables)

    def zero_when_no_disagreement(a, b):
        return 0.0 if not np.any(a != b) else coin_p(a, b)
    assert not check_mcnemar_p(zero_when_no_disagreement)
