"""Checkers of lesson 06: the right verdict for right, wrong and unfinished answers,
with solutions written independently of the references."""

import numpy as np

from nnlib.exercises.lesson06 import check_max_stable_lr, check_moving_average


# -- max_stable_lr ---------------------------------------------------------------------------
def solution_max_stable_lr(H):
    # power iteration instead of an eigen-solver: an independent route to λ_max
    v = np.ones(len(H))
    for _ in range(3000):
        v = H @ v
        v /= np.linalg.norm(v)
    return 2.0 / (v @ H @ v)


def test_max_stable_lr_accepts_a_solution():
    verdict = check_max_stable_lr(solution_max_stable_lr)
    assert verdict and verdict.status == "correct"


def test_max_stable_lr_wrong_values_shape_and_unfinished():
    verdict = check_max_stable_lr(lambda H: 1.0 / np.linalg.eigvalsh(H)[-1])  # forgot the 2
    assert verdict.status == "wrong values" and verdict.max_difference > 0
    verdict = check_max_stable_lr(lambda H: 2.0 / np.linalg.eigvalsh(H))      # every eigenvalue
    assert verdict.status == "wrong shape"

    def stub(H):
        raise NotImplementedError

    assert check_max_stable_lr(stub).status == "not implemented"


def test_the_bound_is_the_stability_edge():
    """Gradient descent on ½ wᵀHw: contracts just below the bound, grows just above."""
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    H = (Q * np.array([0.5, 2.0, 3.0, 8.0])) @ Q.T
    bound = solution_max_stable_lr(H)
    for factor, shrinks in ((0.99, True), (1.01, False)):
        w = rng.normal(size=4)
        start = np.linalg.norm(w)
        for _ in range(2000):
            w = w - factor * bound * (H @ w)
        assert (np.linalg.norm(w) < start) == shrinks


# -- moving_average ----------------------------------------------------------------------
def solution_moving_average(losses, width):
    out = np.empty(len(losses))
    for k in range(len(losses)):
        window = losses[max(0, k - width + 1): k + 1]
        out[k] = sum(window) / len(window)
    return out


def test_moving_average_accepts_a_solution():
    verdict = check_moving_average(solution_moving_average)
    assert verdict and verdict.status == "correct"


def test_moving_average_wrong_values_shape_and_unfinished():
    def full_windows_only(losses, width):  # 'valid' convolution: shorter, no start-up
        return np.convolve(losses, np.ones(width) / width, mode="valid")

    def centred(losses, width):             # same length, but looks ahead in time
        return np.convolve(losses, np.ones(width) / width, mode="same")

    assert check_moving_average(full_windows_only).status == "wrong shape"
    verdict = check_moving_average(centred)
    assert verdict.status == "wrong values" and "largest difference" in repr(verdict)
    assert check_moving_average(lambda losses, width: None).status == "not implemented"
