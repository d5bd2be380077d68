"""Input checks shared by the public functions: clear messages, early.

Each check names the argument, says what it got and what was expected, and returns the
value in the form the caller uses. docs/refusals.md lists what is refused and why.
"""

import numbers

import numpy as np


def choice(name, value, options):
    """Return `value` if it is one of `options` (a dict or sequence), else raise ValueError."""
    if not isinstance(value, str) or value not in options:
        valid = ", ".join(repr(o) for o in options)
        raise ValueError(f"unknown {name} {value!r}; expected one of: {valid}")
    return value


def number(name, value, integer, expected):
    """`value` if it is a real number (an integer if `integer`; never a bool), else TypeError."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        raise TypeError(f"{name} must be {expected}, got {value!r} ({type(value).__name__})")
    return value


def integer_at_least(name, value, minimum, expected=None):
    """Return `value` as an int if it is an integer ≥ `minimum`, else raise a TypeError or
    ValueError saying `name` must be `expected` (default: "an integer of at least ...")."""
    expected = expected or f"an integer of at least {minimum}"
    number(name, value, True, expected)
    if value < minimum:
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return int(value)


def positive(name, value, integer=False):
    """Return `value` if it is a finite number > 0 (an int if `integer`), else raise."""
    expected = "a positive integer" if integer else "a positive number"
    number(name, value, integer, expected)
    # an integer is always finite, and may be too large for a float (10**400)
    if value <= 0 or not (isinstance(value, numbers.Integral) or np.isfinite(value)):
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return value


def nonnegative(name, value):
    """Return `value` as a float if it is a finite number ≥ 0, else raise."""
    expected = "a finite number ≥ 0"
    number(name, value, False, expected)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return float(value)


def seed(value, name="seed", below=None):
    """Return `value` if it is None (fresh randomness) or an integer ≥ 0 (and < `below`,
    for scikit-learn, which takes seeds < 2**32), else raise."""
    expected = "None (fresh randomness) or an integer ≥ 0"
    if below is not None:
        expected += f" and < {below} (scikit-learn's limit)"
    if value is None:
        return None
    number(name, value, True, expected)
    if value < 0 or (below is not None and value >= below):
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return int(value)


SKLEARN_SEEDS = 2**32  # scikit-learn's random_state must be below this


def callable_or_none(name, value):
    """Return `value` if it is None or callable, else raise TypeError."""
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be a function or None, got {value!r} ({type(value).__name__})")
    return value


def real_array(name, value):
    """`value` as a float64 array; complex, text and other non-numbers are refused."""
    try:
        arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    except ValueError:  # NumPy's "inhomogeneous shape", from deep inside
        raise ValueError(f"{name} must be a rectangular array of numbers, got a ragged "
                         f"{type(value).__name__} (rows of different lengths)") from None
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got complex numbers (dtype {arr.dtype}): "
                        f"pass {name}.real or abs({name}) if that is what you mean")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}"
                        f" of dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def matrix(name, value, n_cols=None, n_rows=None, what="columns"):
    """Return `value` as a finite float64 array of shape (n_rows, n_cols).

    A 1-D array is refused (with the reshape that fixes it) rather than guessed.
    """
    arr = real_array(name, value)
    if arr.ndim != 2:
        hint = f" (use {name}.reshape(-1, 1) for a single feature)" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-D with samples as rows, got shape {arr.shape}{hint}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): need at least one sample")
    if n_cols is not None and arr.shape[1] != n_cols:
        raise ValueError(f"{name} has {arr.shape[1]} {what} (shape {arr.shape}), expected {n_cols}")
    if n_rows is not None and arr.shape[0] != n_rows:
        raise ValueError(
            f"{name} has {arr.shape[0]} rows but X has {n_rows}: need one row per sample"
        )
    # a sum is one pass with no temporary; only if it is not finite, look closer
    # (it can also overflow for huge finite values: then nothing is found, and all is well)
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum()
    if not np.isfinite(total) and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} contains NaN or inf (first at row {bad[0]}, column {bad[1]}): "
            "clean or impute the data first"
        )
    return arr


def vector(name, value, size=None):
    """Return `value` as a finite 1-D float64 array (of length `size` if given)."""
    arr = real_array(name, value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D vector, got shape {arr.shape}")
    if size is not None and arr.size != size:
        raise ValueError(f"{name} has {arr.size} entries, expected {size}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf")
    return arr
