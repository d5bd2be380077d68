"""Input checks shared by the public functions: clear messages, early."""

import numpy as np


def choice(name, value, options):
    """Return `value` if it is one of `options` (a dict or sequence), else raise ValueError."""
    if not isinstance(value, str) or value not in options:
        valid = ", ".join(repr(o) for o in options)
        raise ValueError(f"unknown {name} {value!r}; expected one of: {valid}")
    return value


def positive(name, value, integer=False):
    """Return `value` if it is a finite number > 0 (an int if `integer`), else raise."""
    kind = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kind):
        expected = "a positive integer" if integer else "a positive number"
        raise TypeError(f"{name} must be {expected}, got {value!r} ({type(value).__name__})")
    if not np.isfinite(value) or value <= 0:
        expected = "a positive integer" if integer else "a positive number"
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return value


def matrix(name, value, n_cols=None, n_rows=None, what="columns"):
    """Return `value` as a finite float64 array of shape (n_rows, n_cols).

    A 1-D array is refused (with the reshape that fixes it) rather than guessed.
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}") from exc
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
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D vector, got shape {arr.shape}")
    if size is not None and arr.size != size:
        raise ValueError(f"{name} has {arr.size} entries, expected {size}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf")
    return arr
