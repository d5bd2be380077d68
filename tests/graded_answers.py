"""Answers to lesson 11's graded exercise 4, right and slipped, for the graders' tests
(tests/test_graders.py with nbgrader, tests/test_otter.py with Otter-Grader)."""

from nnlib.autodiff import Value


def penalised_loss_with(factor):
    """A penalised_loss (lesson 11, exercise 4) whose penalty is factor · λ · Σ (W − W_ref)²:
    ½ is right, 1 the usual slip."""

    def penalised_loss(X, Y, s, W, b, W_ref, lam):
        R = Value(X) @ W.T + b - Value(Y)
        D = W - Value(W_ref)
        return ((Value(s.reshape(-1, 1)) * R * R).sum() * Value(0.5 / len(X))
                + (D * D).sum() * Value(factor * lam))
    return penalised_loss
