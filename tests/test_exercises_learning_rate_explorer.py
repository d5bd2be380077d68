"""Checkers of lesson 08: the right verdict for right, wrong and unfinished answers (each
named slip recognised by name), with solutions written independently of the references,
and references checked against independent computations."""

import numpy as np
import pytest

import nnlib
from nnlib.exercises.learning_rate_explorer import (
    DRAWN_DIFFERENTLY,
    NETWORK_CASES,
    POWER_CASES,
    RANGE_TEST_CASES,
    RANGE_TEST_SLIPS,
    _case,
    _power_case,
    _range_test_case,
    check_descent_bound,
    check_hessian_vector_product,
    check_power_iteration,
    check_smoothed_range_test,
    reference_descent_bound,
    reference_hessian_vector_product,
    reference_smoothed_range_test,
)


# -- hessian_vector_product ----------------------------------------------------------------
def gradient_at(net, X, Y, theta):
    """The gradient at the weights theta, on a copy of net: net itself is never moved."""
    twin = net.copy()
    twin.weights.flat[:] = theta
    return twin.gradient(X, Y)


def solution_hvp(net, X, Y, v, h=1e-5):
    theta = net.weights.flat
    return (gradient_at(net, X, Y, theta + h * v) - gradient_at(net, X, Y, theta - h * v)) / (2 * h)


def test_the_reference_product_is_the_exact_hessian_of_a_quadratic_loss():
    """A [3, 1] net with identity output and squared error: its loss is quadratic in (W, b)
    with Hessian X̃ᵀX̃ / N, X̃ = [X, 1] (the flat layout is w₁, w₂, w₃, b)."""
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(20, 3)), rng.normal(size=(20, 1))
    net = nnlib.MLP([3, 1], activation="identity", output_activation="identity", loss="mse",
                    seed=0)
    X1 = np.column_stack([X, np.ones(len(X))])
    v = rng.normal(size=4)
    np.testing.assert_allclose(reference_hessian_vector_product(net, X, Y, v),
                               X1.T @ X1 @ v / len(X), rtol=1e-7)


def test_hvp_accepts_a_solution_and_refuses_a_stub():
    assert check_hessian_vector_product(solution_hvp).status == "correct"

    def stub(net, X, Y, v, h=1e-5):
        raise NotImplementedError

    assert check_hessian_vector_product(stub).status == "not implemented"


def test_hvp_names_each_slip():
    def by_h(net, X, Y, v, h=1e-5):
        return 2 * solution_hvp(net, X, Y, v, h)

    def one_sided(net, X, Y, v, h=1e-5):
        theta = net.weights.flat
        return (gradient_at(net, X, Y, theta + h * v) - net.gradient(X, Y)) / h

    def unit_v(net, X, Y, v, h=1e-5):
        return solution_hvp(net, X, Y, v / np.sqrt(v @ v), h)

    wrong = {"the difference is divided by h instead of by 2h": by_h,
             "a one-sided difference, (∇𝓛(θ + hv) − ∇𝓛(θ)) / h, which is off by a term of "
             "size h": one_sided,
             "v was made a unit vector first: that gives H v / ‖v‖": unit_v}
    for slip, candidate in wrong.items():
        verdict = check_hessian_vector_product(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, slip


def test_hvp_must_put_the_weights_back_exactly_and_leave_v():
    def there_and_back(net, X, Y, v, h=1e-5):
        flat = net.weights.flat
        flat += h * v
        plus = net.gradient(X, Y)
        flat -= 2 * h * v
        minus = net.gradient(X, Y)
        flat += h * v                       # rounding: not always the weights it started from
        return (plus - minus) / (2 * h)

    verdict = check_hessian_vector_product(there_and_back)
    assert verdict.status == "changed inputs" and verdict.slip == "the weights were not put back"

    def scales_v(net, X, Y, v, h=1e-5):
        v *= h
        return solution_hvp(net, X, Y, v / h, h)

    assert check_hessian_vector_product(scales_v).slip == "it changed its inputs"


# -- power_iteration -------------------------------------------------------------------------
def solution_power_iteration(multiply, v, iterations):
    u = np.array(v, dtype=float)
    for _ in range(iterations):
        u = multiply(u)
        u /= np.sqrt(u @ u)
    u /= np.sqrt(u @ u)                     # also when iterations == 0
    return (u @ multiply(u)) / (u @ u), u


def test_power_iteration_accepts_a_solution_and_refuses_a_stub():
    assert check_power_iteration(solution_power_iteration).status == "correct"
    assert check_power_iteration(lambda multiply, v, iterations: None).status == "not implemented"


def test_the_power_cases_have_a_clear_winner_and_two_negative_ones():
    rng = np.random.default_rng(1)
    negative = 0
    for eigenvalues in POWER_CASES:
        H, _ = _power_case(rng, eigenvalues)
        sizes = np.sort(np.abs(np.linalg.eigvalsh(H)))
        assert sizes[-2] / sizes[-1] <= 0.5           # converged to 1e-24 in 80 iterations
        negative += bool(np.isclose(min(eigenvalues), -sizes[-1], rtol=1e-12))
    assert negative == 2


def test_power_iteration_names_each_slip():
    def by_norm(multiply, v, iterations):
        value, u = solution_power_iteration(multiply, v, iterations)
        return np.sqrt(multiply(u) @ multiply(u)), u

    def unnormalised(multiply, v, iterations):
        u = v
        for _ in range(iterations):
            u = multiply(u)
        return u @ multiply(u), u

    def last_product(multiply, v, iterations):
        value, u = solution_power_iteration(multiply, v, iterations)
        return value, multiply(u)

    wrong = {
        "the eigenvalue is ‖Hv‖, which has no sign: the largest eigenvalue in size is "
        "negative here; vᵀHv keeps the sign": by_norm,
        "v is never divided by its norm, so vᵀHv is the eigenvalue times ‖v‖² (and v grows "
        "until it overflows)": unnormalised,
        "the vector returned is not a unit vector": last_product,
    }
    for slip, candidate in wrong.items():
        verdict = check_power_iteration(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, slip

    def swapped(multiply, v, iterations):
        return solution_power_iteration(multiply, v, iterations)[::-1]

    assert "in that order" in repr(check_power_iteration(swapped))

    def in_place(multiply, v, iterations):
        v /= np.sqrt(v @ v)
        return solution_power_iteration(multiply, v, iterations)

    assert check_power_iteration(in_place).slip == "it changed its inputs"


# -- descent_bound ---------------------------------------------------------------------------
def curvature_along_gradient(net, X, Y):
    """gᵀHg and gᵀg from the loss alone: φ(t) = 𝓛(θ − t g/‖g‖) has φ″(0) = gᵀHg/gᵀg."""
    g = net.gradient(X, Y)
    unit, twin, eps = g / np.linalg.norm(g), net.copy(), 1e-4

    def phi(t):
        twin.weights.flat[:] = net.weights.flat - t * unit
        return twin.loss(X, Y)

    return (phi(eps) - 2 * phi(0.0) + phi(-eps)) / eps ** 2 * (g @ g), g @ g


def solution_descent_bound(net, X, Y):
    gHg, gg = curvature_along_gradient(net, X, Y)
    return 2 * gg / gHg if gHg > 0 else np.inf


def test_the_reference_bound_is_the_loss_second_difference_and_inf_where_it_curves_down():
    signs = []
    for case in NETWORK_CASES:
        net, X, Y = _case(*case)
        gHg, gg = curvature_along_gradient(net, X, Y)
        bound = reference_descent_bound(net, X, Y)
        signs.append(gHg > 0)
        assert bound == pytest.approx(2 * gg / gHg, rel=1e-5) if gHg > 0 else bound == np.inf
    assert signs == [True, True, False]


def test_on_a_quadratic_the_bound_is_exactly_where_one_step_stops_lowering_the_loss():
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(30, 2)), rng.normal(size=(30, 1))
    net = nnlib.MLP([2, 1], activation="identity", output_activation="identity", loss="mse",
                    seed=3)
    bound, start = reference_descent_bound(net, X, Y), net.loss(X, Y)
    for factor, falls in ((0.99, True), (1.01, False)):
        twin = net.copy()
        nnlib.train(twin, X, Y, lr=factor * bound, steps=1)
        assert (twin.loss(X, Y) < start) == falls


def test_descent_bound_accepts_a_solution_and_refuses_a_stub():
    assert check_descent_bound(solution_descent_bound).status == "correct"

    def stub(net, X, Y):
        raise NotImplementedError

    assert check_descent_bound(stub).status == "not implemented"


def test_descent_bound_names_each_slip():
    def no_two(net, X, Y):
        gHg, gg = curvature_along_gradient(net, X, Y)
        return gg / gHg if gHg > 0 else np.inf

    def root(net, X, Y):
        gHg, gg = curvature_along_gradient(net, X, Y)
        return 2 * np.sqrt(gg) / gHg if gHg > 0 else np.inf

    def upside_down(net, X, Y):
        gHg, gg = curvature_along_gradient(net, X, Y)
        return 2 * gHg / gg if gHg > 0 else np.inf

    def negative(net, X, Y):
        gHg, gg = curvature_along_gradient(net, X, Y)
        return 2 * gg / gHg

    def sharpest(net, X, Y):           # λ_max from the dense Hessian of second differences
        n, twin, eps = net.weights.size, net.copy(), 1e-4
        H = np.empty((n, n))
        for i in range(n):
            twin.weights.flat[:] = net.weights.flat
            twin.weights.flat[i] += eps
            plus = twin.gradient(X, Y)
            twin.weights.flat[i] -= 2 * eps
            H[i] = (plus - twin.gradient(X, Y)) / (2 * eps)
        return 2 / np.linalg.eigvalsh((H + H.T) / 2)[-1]

    wrong = {
        "the factor 2 is missing: gᵀg / gᵀHg is the rate at the bottom of the model's "
        "parabola, half the bound": no_two,
        "the numerator is ‖g‖ instead of ‖g‖² = gᵀg": root,
        "the fraction is upside down (gᵀHg / gᵀg is the curvature along g)": upside_down,
        "the bound was computed although gᵀHg < 0: return np.inf there": negative,
        "this is 2/λ_max, the limit for every start, not the bound along this gradient": sharpest,
    }
    for slip, candidate in wrong.items():
        verdict = check_descent_bound(candidate)
        assert verdict.status == "wrong values" and verdict.slip == slip, slip


def test_descent_bound_must_leave_the_weights():
    def moves(net, X, Y):
        net.weights.flat[:] -= 1e-3 * net.gradient(X, Y)
        return solution_descent_bound(net, X, Y)

    assert check_descent_bound(moves).slip == "the weights were not put back"
    assert check_descent_bound(lambda net, X, Y: [1.0, 2.0]).status == "wrong shape"


# -- smoothed_range_test ---------------------------------------------------------------------
def range_test_by_hand(net, X, Y, lr_min=1e-3, lr_max=100.0, steps=200, batch_size=32,
                       beta=0.98, seed=0, raise_first=False, exponent=None, after=False,
                       versus_first=False, never_stop=False, drop_last=False, one_batch=False,
                       restore=True, uncorrected=False, swap=False, raw_stop=False,
                       draw=None, linear=False):
    """An independent smoothed one-run range test: a rate multiplied by a constant factor after
    each step, nnlib.train for the step itself, a running sum of weights for the bias
    correction. The keyword switches make one slip each; `draw(rng, n, batch_size)`, if
    given, draws the mini-batches instead of rng.choice without replacement; `linear` raises
    the rate by a constant amount instead of a constant factor."""
    start = net.weights.flat.copy()
    rng = np.random.default_rng(seed)
    factor = (lr_max / lr_min) ** (1 / (exponent or steps - 1))
    lr = lr_min * factor if raise_first else lr_min
    keep, fresh = (1 - beta, beta) if swap else (beta, 1 - beta)
    rates, smoothed, average, weight = [], [], 0.0, 0.0
    draw = draw or (lambda rng, n, size: rng.choice(n, size=size, replace=False))
    rows = draw(rng, len(X), batch_size)
    for k in range(steps):
        if k > 0 and not one_batch:
            rows = draw(rng, len(X), batch_size)
        Xb, Yb = X[rows], Y[rows]
        if after:
            nnlib.train(net, Xb, Yb, optimizer="sgd", lr=lr, steps=1, batch_size=None)
        loss = net.loss(Xb, Yb)
        average = keep * average + fresh * loss
        weight = beta * weight + (1 - beta)      # = 1 − β^(k+1): the weights' sum
        value = average if uncorrected else average / weight
        reference = smoothed[0] if versus_first and smoothed else min(smoothed + [value])
        tested = loss if raw_stop else value
        blown = not never_stop and (not np.isfinite(tested) or tested > 4 * reference)
        if blown and drop_last:
            break
        rates.append(lr)
        smoothed.append(value)
        if blown:
            break
        if not after:
            nnlib.train(net, Xb, Yb, optimizer="sgd", lr=lr, steps=1, batch_size=None)
        lr = lr + (lr_max - lr_min) / (steps - 1) if linear else lr * factor
    if restore:
        net.weights.flat[:] = start
    return np.array(rates), np.array(smoothed)


def test_range_test_reference_agrees_with_a_run_of_nnlib_train_steps():
    for case in RANGE_TEST_CASES:
        net, X, Y, settings = _range_test_case(case)
        checkpoint = net.weights.flat.copy()
        rates, smoothed = reference_smoothed_range_test(net, X, Y, **settings)
        assert np.array_equal(net.weights.flat, checkpoint)          # restored
        by_hand = range_test_by_hand(net, X, Y, **settings)
        assert np.allclose(rates, by_hand[0], rtol=1e-12)
        assert np.allclose(smoothed, by_hand[1], rtol=1e-9)
        full = np.geomspace(settings["lr_min"], settings["lr_max"], settings["steps"])
        assert np.allclose(rates, full[:rates.size], rtol=1e-12)


def test_beta_zero_is_the_raw_test():
    """With β = 0 the smoothed loss is each mini-batch's own loss, and the stop is the raw
    test's: 4 times the lowest raw loss so far."""
    net, X, Y, settings = _range_test_case(RANGE_TEST_CASES[0])
    rates, smoothed = reference_smoothed_range_test(net, X, Y, **{**settings, "beta": 0.0})
    twin, rng, raw = net.copy(), np.random.default_rng(settings["seed"]), []
    for lr in rates:
        rows = rng.choice(len(X), size=settings["batch_size"], replace=False)
        raw.append(twin.loss(X[rows], Y[rows]))
        twin.weights.flat[:] -= lr * twin.gradient(X[rows], Y[rows])
    np.testing.assert_allclose(smoothed, raw, rtol=1e-9)
    assert smoothed.size < settings["steps"] and smoothed[-1] > 4 * smoothed[:-1].min()


def test_range_test_cases_exercise_the_stop_and_the_whole_schedule():
    lengths = []
    for case in RANGE_TEST_CASES:
        net, X, Y, settings = _range_test_case(case)
        rates, smoothed = reference_smoothed_range_test(net, X, Y, **settings)
        lengths.append(smoothed.size < settings["steps"])
        if smoothed.size < settings["steps"]:                 # it stopped: on a blow-up
            assert smoothed[-1] > 4 * smoothed[:-1].min()
            assert smoothed[:-1].max() <= 4 * smoothed[:-1].min()
        else:
            assert rates[-1] == pytest.approx(settings["lr_max"], rel=1e-12)
    assert lengths == [True, True, False]


def test_range_test_accepts_a_solution_and_refuses_a_stub():
    assert check_smoothed_range_test(range_test_by_hand).status == "correct"

    def stub(net, X, Y, lr_min=1e-3, lr_max=100.0, steps=200, batch_size=32, beta=0.98, seed=0):
        raise NotImplementedError

    assert check_smoothed_range_test(stub).status == "not implemented"


def _with(**switches):
    def candidate(net, X, Y, **settings):
        extra = dict(switches)
        if extra.get("exponent") == "steps":
            extra["exponent"] = settings["steps"]
        return range_test_by_hand(net, X, Y, **settings, **extra)
    return candidate


def correction_from_zero(net, X, Y, lr_min=1e-3, lr_max=100.0, steps=200, batch_size=32,
                         beta=0.98, seed=0):
    """Divides by 1 − β^k with k from 0: a float division by zero at the first step."""
    rng, average = np.random.default_rng(seed), 0.0
    for k in range(steps):
        rows = rng.choice(len(X), size=batch_size, replace=False)
        average = beta * average + (1 - beta) * float(net.loss(X[rows], Y[rows]))
        average / (1 - beta ** k)
    return np.array([]), np.array([])


def test_range_test_names_each_slip():
    wrong = {
        "the average is not divided by 1 − β^(k+1): it starts near 0, and the lowest value so "
        "far is then that small start": _with(uncorrected=True),
        "the correction divides by 1 − β^k, which is 0 at the first step (k = 0)":
            correction_from_zero,
        "β and 1 − β are swapped: the new loss gets the weight β": _with(swap=True),
        "the stop test uses the raw loss instead of the smoothed one": _with(raw_stop=True),
        "the rate is raised before each step, so step k uses the rate meant for step k + 1":
            _with(raise_first=True),
        "the rates rise as (lr_max/lr_min)^(k/steps), so they never reach lr_max":
            _with(exponent="steps"),
        "the rates rise by the same amount at every step (linearly); they must rise by the same "
        "factor at every step, from lr_min to lr_max": _with(linear=True),
        "the loss is recorded after the step instead of before it": _with(after=True),
        "the stop compares with the first smoothed loss instead of the lowest so far":
            _with(versus_first=True),
        "it does not stop when the loss blows up": _with(never_stop=True),
        "the loss that triggered the stop is not recorded": _with(drop_last=True),
        "the same mini-batch is used at every step": _with(one_batch=True),
    }
    assert set(wrong) == set(RANGE_TEST_SLIPS)
    for slip, candidate in wrong.items():
        verdict = check_smoothed_range_test(candidate)
        assert verdict.slip == slip, slip
        assert slip in repr(verdict)


def test_range_test_names_a_mini_batch_drawn_another_way():
    """A permutation, a draw with replacement, integers or the first rows give another first
    mini-batch: the checker names the draw (not only the length of the run), and says which."""
    draws = {"rng.permutation(len(X))[:batch_size]": lambda rng, n, b: rng.permutation(n)[:b],
             "with replacement": lambda rng, n, b: rng.choice(n, size=b),
             "or rng.integers": lambda rng, n, b: rng.integers(0, n, b),
             "unshuffled": lambda rng, n, b: np.arange(b)}
    for how, draw in draws.items():
        verdict = check_smoothed_range_test(_with(draw=draw))
        assert verdict.status in ("wrong shape", "wrong values"), how
        assert verdict.slip == DRAWN_DIFFERENTLY, how
        assert how in verdict.message and DRAWN_DIFFERENTLY in verdict.message, how


def test_a_wrong_first_loss_is_explained_even_when_the_draw_is_unknown():
    verdict = check_smoothed_range_test(_with(draw=lambda rng, n, b: np.arange(7, 7 + b)))
    assert verdict.status in ("wrong shape", "wrong values") and verdict.slip is None
    assert "first smoothed loss s₀" in verdict.message and "rng.choice(len(X)" in verdict.message


def test_range_test_weights_not_restored_or_inputs_changed():
    verdict = check_smoothed_range_test(_with(restore=False))
    assert verdict.status == "changed inputs"
    assert verdict.slip == "the weights were not restored afterwards"

    def shuffles_X(net, X, Y, **settings):
        result = range_test_by_hand(net, X, Y, **settings)
        X[:] = X[::-1]
        return result

    assert check_smoothed_range_test(shuffles_X).slip == "it changed its inputs"

    def one_result(net, X, Y, **settings):
        return range_test_by_hand(net, X, Y, **settings)[1]

    assert check_smoothed_range_test(one_result).status == "wrong shape"


def test_range_test_messages_name_the_rates_and_the_losses_not_result_numbers():
    def five_steps(net, X, Y, **settings):
        rates, smoothed = range_test_by_hand(net, X, Y, **settings)
        return rates[:5], smoothed[:5]

    def losses_off(net, X, Y, **settings):
        rates, smoothed = range_test_by_hand(net, X, Y, **settings)
        return rates, 1.1 * smoothed

    shape = check_smoothed_range_test(five_steps)
    assert shape.status == "wrong shape" and "returned rates of shape (5,)" in shape.message
    values = check_smoothed_range_test(losses_off)
    assert values.status == "wrong values" and "its smoothed losses: wrong values" in values.message
    assert "result" not in shape.message + values.message
